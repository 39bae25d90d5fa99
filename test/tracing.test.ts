import { BroadcastChannel } from 'node:worker_threads';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire } from '../dist/redis/acquire.js';
import { priorityKey } from '../dist/redis/keys.js';
import { release } from '../dist/redis/release.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';

/** A span ended in a thread, as test/fixtures/handlers/traced.js posts it. */
interface ThreadSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: SpanStatusCode };
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const channel = new BroadcastChannel('sluice-test-spans');
const threadSpans: ThreadSpan[] = [];
channel.onmessage = (event) => threadSpans.push((event as MessageEvent).data as ThreadSpan);

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  channel.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const mainSpans = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => s.name === name);

/** waitFor, for a check that finds nothing yet (undefined) until it finds what it waits for. */
const found = <T>(what: string, check: () => T | undefined): Promise<T> => waitFor(what, check) as Promise<T>;

/** Generated ids repeat across queues: the span is found by queue and id. */
function runSpanOf(queue: string, id: string): ThreadSpan | undefined {
  return threadSpans.find(
    (s) => s.name === `process ${queue}` && s.attributes['messaging.message.id'] === id,
  );
}

/** The span the handler made inside the run span `run`. */
const handlerSpanIn = (run: ThreadSpan): ThreadSpan | undefined =>
  threadSpans.find((s) => s.name === 'handler work' && s.parentSpanId === run.spanId);

describe('OpenTelemetry tracing', () => {
  it("joins a job's run span to its add span's trace, and the handler's own span to the run span", async () => {
    const name = queueName('trace-add');
    const queue = openQueue(name);
    const id = await queue.add({ n: 1 });
    const [send] = mainSpans(`send ${name}`);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'sluice',
      'messaging.destination.name': name,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'add',
      'messaging.message.id': id,
    });
    const sc = send?.spanContext();
    const record = await queue.redis.hget(queue.keys.jobs, id);
    expect(record).toMatch(new RegExp(`^\\d+\\|0\\|;00-${sc?.traceId}-${sc?.spanId}-01\\|\\{"n":1\\}$`));

    const engine = await startEngine({ queue: name, handler: handlerPath('traced'), threads: 1 });
    const run = await found('the run span', () => runSpanOf(name, id));
    const work = await found("the handler's span", () => handlerSpanIn(run));
    expect(run).toMatchObject({ name: `process ${name}`, kind: SpanKind.CONSUMER, traceId: sc?.traceId });
    expect(run.parentSpanId).toBe(sc?.spanId);
    expect(run.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'sluice.job.attempt': 1 });
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(work.traceId).toBe(sc?.traceId);

    const settle = await found('the settle span', () =>
      mainSpans(`settle ${name}`).find((s) => s.links.some((l) => l.context.spanId === sc?.spanId)),
    );
    expect(settle.kind).toBe(SpanKind.CLIENT);
    expect(settle.attributes).toMatchObject({
      'messaging.batch.message_count': 1,
      'sluice.settle.completed': 1,
    });
    await engine.stop();
    await queue.close();
  });

  it('gives an addBulk one span, which every job of the bulk runs under', async () => {
    const name = queueName('trace-bulk');
    const queue = openQueue(name);
    const ids = await queue.addBulk([1, 2, 3].map((n) => ({ payload: { n } })));
    const sends = mainSpans(`send ${name}`);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.attributes).toMatchObject({
      'messaging.operation.name': 'addBulk',
      'messaging.batch.message_count': 3,
    });
    const sc = sends[0]?.spanContext();
    const engine = await startEngine({ queue: name, handler: handlerPath('traced'), threads: 1 });
    const runs = await found('three run spans', () => {
      const spans = ids.map((id) => runSpanOf(name, id));
      return spans.every((s): s is ThreadSpan => s !== undefined) ? spans : undefined;
    });
    for (const run of runs) {
      expect(run?.traceId).toBe(sc?.traceId);
      expect(run?.parentSpanId).toBe(sc?.spanId);
    }
    await waitFor('3 settled under spans', () => {
      const settles = mainSpans(`settle ${name}`);
      return settles.reduce((n, s) => n + Number(s.attributes['sluice.settle.completed']), 0) === 3;
    });
    await engine.stop();
    await queue.close();
  });

  it('marks the run span of a failed attempt as an error naming the failure', async () => {
    const name = queueName('trace-fail');
    const queue = openQueue(name);
    const id = await queue.add({ n: 7, fail: true }, { attempts: 1 });
    const engine = await startEngine({ queue: name, handler: handlerPath('traced'), threads: 1 });
    const run = await found('the run span', () => runSpanOf(name, id));
    expect(run.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'RangeError: bad 7' });
    expect(run.attributes['sluice.outcome']).toBe('error');
    await waitFor('the dead settle', () =>
      mainSpans(`settle ${name}`).some((s) => s.attributes['sluice.settle.dead'] === 1),
    );
    await engine.stop();
    await queue.close();
  });

  it("keeps a traced job's priority: the scripts read the level before the trace context", async () => {
    const name = queueName('trace-priority');
    const queue = openQueue(name);
    const id = await queue.add({ n: 1 }, { priority: 1, attempts: 4 });
    expect(await queue.redis.hget(queue.keys.jobs, id)).toMatch(
      /^\d+\|0\|4,0,e,1000,0,0,0,1;00-[0-9a-f-]+\|/,
    );
    expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([id]);
    expect((await queue.getJob(id))?.options).toMatchObject({ priority: 1, attempts: 4 });
    // Released, it goes back to its priority list (includes/priority.lua).
    const { jobs } = await acquire(queue.redis, queue.keys, 10, 30_000, 1000);
    expect(jobs.map((j) => j.id)).toEqual([id]);
    expect(await release(queue.redis, queue.keys, jobs)).toBe(1);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([id]);
    await queue.close();
  });
});

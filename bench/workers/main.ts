/**
 * Entry point of every child process the runner starts (compiled to JS first: see
 * lib/compile.ts). It gets one task, gets ready (connects, warms up), and does the measured
 * work on `go`; see lib/protocol.ts for the conversation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { completedCount, plainClient } from '../lib/counters.js';
import type { LatencyRecorder } from '../lib/latency.js';
import { payloads } from '../lib/payloads.js';
import type {
  AddTask,
  ChildMessage,
  ChildTask,
  ConsumeTask,
  ParentMessage,
  ProduceTask,
} from '../lib/protocol.js';
import { usageNow, wallNow } from '../lib/protocol.js';
import type { Producer } from './adapter.js';
import { loadAdapter } from './adapters.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Messages after the task, one at a time, in order. */
const inbox: ParentMessage[] = [];
let waiting: ((message: ParentMessage) => void) | undefined;

function next(): Promise<ParentMessage> {
  const message = inbox.shift();
  if (message) return Promise.resolve(message);
  return new Promise((resolve) => {
    waiting = resolve;
  });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'ping') {
    send({ type: 'pong', wallMs: wallNow() });
    return;
  }
  if (message.type === 'sample') {
    send({ type: 'sample', usage: usageNow() });
    return;
  }
  if (waiting) {
    const resolve = waiting;
    waiting = undefined;
    resolve(message);
  } else {
    inbox.push(message);
  }
});

// The runner is gone (crashed or killed): never outlive it.
process.on('disconnect', () => process.exit(1));

async function expect<T extends ParentMessage['type']>(
  type: T,
): Promise<Extract<ParentMessage, { type: T }>> {
  const message = await next();
  if (message.type !== type) throw new Error(`expected ${type}, got ${message.type}`);
  return message as Extract<ParentMessage, { type: T }>;
}

/** Jobs in the shape the scenario calls for: single awaited adds, awaited bulk calls, or one call. */
async function addAll(producer: Producer, task: AddTask, jobs: readonly object[]): Promise<void> {
  if (task.shape === 'single') {
    for (const payload of jobs) await producer.add(payload);
  } else if (task.shape === 'concurrent') {
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) await producer.add(jobs[next++] as object);
    };
    await Promise.all(Array.from({ length: task.chunk }, lane));
  } else if (task.shape === 'all') {
    await producer.addBulk(jobs, task.retry);
  } else {
    for (let i = 0; i < jobs.length; i += task.chunk) await producer.addBulk(jobs.slice(i, i + task.chunk));
  }
}

async function runAdd(task: AddTask): Promise<void> {
  const producer = await (await loadAdapter(task.lib)).producer(task.redis, task.queue, {
    ...(task.partitions ? { partitions: task.partitions } : {}),
    ...(task.batchAdds === false ? { batchAdds: false } : {}),
  });
  if (task.warmup > 0) await addAll(producer, task, payloads(task.payload, task.warmup));
  const jobs = payloads(task.payload, task.jobs);
  send({ type: 'ready' });
  await expect('go');
  const before = usageNow();
  const start = performance.now();
  await addAll(producer, task, jobs);
  const elapsedMs = performance.now() - start;
  const after = usageNow();
  send({ type: 'started', usage: before });
  send({ type: 'done', jobs: jobs.length, elapsedMs, usage: after, behind: false });
  await expect('stop');
  await producer.close();
}

/** Only latency and retry runs load the HDR histogram, so the other consumers' RSS does not carry it. */
async function recorderFor(
  task: ConsumeTask,
): Promise<Pick<LatencyRecorder, 'setWindow' | 'record' | 'retryDue' | 'retryStarted' | 'summary'>> {
  if (task.handler === 'latency' || task.handler === 'retry') {
    return new (await import('../lib/latency.js')).LatencyRecorder();
  }
  return { setWindow() {}, record() {}, retryDue() {}, retryStarted() {}, summary: () => undefined };
}

async function runConsume(task: ConsumeTask): Promise<void> {
  const recorder = await recorderFor(task);
  const counters = plainClient(task.redis, 'bench:counters');
  const consumer = await (await loadAdapter(task.lib)).consumer(task, recorder, counters);
  counters.disconnect();
  send({ type: 'ready' });
  const go = await expect('go');
  if (go.window) recorder.setWindow(go.window);
  send({ type: 'started', usage: usageNow() });
  await expect('stop');
  const usage = usageNow();
  await sleep(consumer.flushMs);
  send({ type: 'stopped', usage, latency: recorder.summary() });
  await consumer.stop();
}

/**
 * Offered load: every tick (about 1 ms) the jobs due since the last tick go out as one bulk
 * call, without waiting for earlier calls (an open loop, so a slow library cannot slow the
 * offer down; more than MAX_IN_FLIGHT calls outstanding marks the run as behind).
 */
const MAX_IN_FLIGHT = 256;
const MAX_CALL = 1000;
/** Capacity runs: flat out in calls of FLOOD_CHUNK, FLOOD_IN_FLIGHT at a time. */
const FLOOD_CHUNK = 100;
const FLOOD_IN_FLIGHT = 4;

async function produce(producer: Producer, task: ProduceTask, counters: Redis): Promise<[number, boolean]> {
  const start = performance.now();
  let sent = 0;
  let added = 0;
  let inFlight = 0;
  let behind = false;
  let failure: unknown;
  const calls = new Set<Promise<unknown>>();
  const call = (count: number) => {
    const t = wallNow();
    const promise = producer.addBulk(new Array<object>(count).fill({ t })).then(
      () => {
        added += count;
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    inFlight++;
    calls.add(promise);
    void promise.finally(() => {
      inFlight--;
      calls.delete(promise);
    });
    sent += count;
  };
  if (task.rate > 0) {
    for (;;) {
      const elapsed = performance.now() - start;
      if (elapsed >= task.durationMs || failure) break;
      let due = Math.floor((task.rate * elapsed) / 1000) - sent;
      while (due > 0) {
        if (inFlight >= MAX_IN_FLIGHT) {
          behind = true;
          break;
        }
        const count = Math.min(due, MAX_CALL);
        call(count);
        due -= count;
      }
      await sleep(1);
    }
  } else {
    const base = await completedCount(counters, task.lib, task.queue);
    let completed = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        completed = (await completedCount(counters, task.lib, task.queue)) - base;
        await sleep(2);
      }
    })();
    while (performance.now() - start < task.durationMs && !failure) {
      if (inFlight < FLOOD_IN_FLIGHT && sent - completed < task.backlogCap) {
        call(FLOOD_CHUNK);
      } else if (inFlight > 0 && sent - completed < task.backlogCap) {
        await Promise.race(calls);
      } else {
        await sleep(1);
      }
    }
    polling = false;
    await poll;
  }
  await Promise.all(calls);
  if (failure) throw failure;
  return [added, behind];
}

async function runProduce(task: ProduceTask): Promise<void> {
  const producer = await (await loadAdapter(task.lib)).producer(task.redis, task.queue);
  const counters = plainClient(task.redis, 'bench:counters');
  for (let i = 0; i < task.warmup; i += 100) {
    await producer.addBulk(new Array<object>(Math.min(100, task.warmup - i)).fill({ t: wallNow() }));
  }
  send({ type: 'ready' });
  const go = await expect('go');
  if (go.startAt !== undefined) await sleep(Math.max(0, go.startAt - wallNow()));
  const before = usageNow();
  send({ type: 'started', usage: before });
  const start = performance.now();
  const [jobs, behind] = await produce(producer, task, counters);
  const elapsedMs = performance.now() - start;
  send({ type: 'done', jobs, elapsedMs, usage: usageNow(), behind });
  await expect('stop');
  counters.disconnect();
  await producer.close();
}

async function main(): Promise<void> {
  const { task } = (await expect('task')) as { task: ChildTask };
  if (task.role === 'add') await runAdd(task);
  else if (task.role === 'consume') await runConsume(task);
  else await runProduce(task);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 100);
  },
);

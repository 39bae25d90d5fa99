/**
 * The kinds of row every scenario is made of, run the same way for every library: add (a
 * producer child adds jobs), consume (pre-added jobs swapped in under running, warmed-up
 * consumers), resume (the same, the jobs added to a paused queue and released by resume()) and
 * steady (a producer and a consumer together for a fixed time). The consume row's steps are
 * exported for rows of other shapes (scenarios/retries.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from '../lib/child.js';
import { completedCount, settledCount, waitCompleted } from '../lib/counters.js';
import { payloads } from '../lib/payloads.js';
import type {
  AddTask,
  ConsumeTask,
  LatencySummary,
  LatencyWindow,
  Lib,
  PayloadKind,
  RedisTarget,
  Usage,
} from '../lib/protocol.js';
import { wallNow } from '../lib/protocol.js';
import type { RedisSnapshot, RedisUnderTest } from '../lib/redis-server.js';
import type { FixedRetry } from '../workers/adapter.js';
import { loadAdapter } from '../workers/adapters.js';
import type { Metrics, RunContext } from './types.js';

const READY_MS = 120_000;
/** A child that has reported its numbers gets this long to exit cleanly, then is killed. */
const EXIT_GRACE_MS = 1000;
const KB_PER_MB = 1024;

function cpuDelta(before: Usage, after: Usage): number {
  return after.cpuUs - before.cpuUs;
}

export function queueName(lib: Lib): string {
  return `bench-${lib}`;
}

export type AddSpec = Pick<
  AddTask,
  'shape' | 'jobs' | 'chunk' | 'payload' | 'warmup' | 'retry' | 'partitions' | 'batchAdds'
>;

/**
 * A producer child adds `jobs`; Redis CPU and memory are read right before and after (on `on`:
 * the run's redis-server unless a scenario brings its own, e.g. a cluster).
 */
export async function addRow(
  ctx: RunContext,
  lib: Lib,
  spec: AddSpec,
  on: RedisUnderTest = ctx.redis,
): Promise<Metrics> {
  await on.flush();
  const child = new Child(
    ctx.script,
    { role: 'add', lib, redis: on.target(), queue: queueName(lib), ...spec },
    { cpuProfDir: ctx.cpuProfDir },
  );
  try {
    await child.next('ready', READY_MS);
    const before = await on.snapshot();
    child.send({ type: 'go' });
    const done = await child.next('done', ctx.sizes.timeoutMs);
    const after = await on.snapshot();
    const started = await child.next('started', READY_MS);
    child.send({ type: 'stop' });
    await child.exit(EXIT_GRACE_MS);
    return {
      jobs: done.jobs,
      elapsedMs: done.elapsedMs,
      jobsPerSec: (done.jobs * 1000) / done.elapsedMs,
      redisCpuUsPerJob: (after.cpuUs - before.cpuUs) / done.jobs,
      nodeCpuUsPerJob: cpuDelta(started.usage, done.usage) / done.jobs,
      peakRssMb: done.usage.maxRssKb / KB_PER_MB,
      bytesPerJob: (after.usedMemory - before.usedMemory) / done.jobs,
    };
  } finally {
    child.kill();
  }
}

/**
 * Waits for the library's completed count of `queue` to reach `target` (`read`: on the run's
 * redis-server unless given); fails as soon as a child does.
 */
export async function completion(
  ctx: RunContext,
  lib: Lib,
  queue: string,
  target: number,
  children: readonly Child[],
  read = () => completedCount(ctx.redis.admin, lib, queue),
): Promise<number> {
  const abort = new AbortController();
  try {
    return await Promise.race([
      waitCompleted(read, `${lib} ${queue}`, target, ctx.sizes.timeoutMs, abort.signal),
      ...children.map((child) => child.failed),
    ]);
  } finally {
    abort.abort();
  }
}

export interface ConsumeSpec {
  processes: number;
  jobs: number;
  /** A kind, or one object every job carries. */
  payload: PayloadKind | Readonly<Record<string, number>>;
  /** The jobs' attempts and backoff; the row then ends when every job is completed or dead. */
  retry?: FixedRetry;
  consumer: Pick<ConsumeTask, 'handler' | 'concurrency' | 'sandboxed' | 'sluice'>;
}

/** Pre-adds the jobs with the library's own bulk call, 1,000 per call, 8 calls in flight. */
export async function preAdd(
  lib: Lib,
  target: RedisTarget,
  queue: string,
  spec: Pick<ConsumeSpec, 'jobs' | 'payload' | 'retry'>,
  partitions?: number,
): Promise<void> {
  const producer = await (await loadAdapter(lib)).producer(target, queue, partitions ? { partitions } : {});
  try {
    const chunk =
      typeof spec.payload === 'string'
        ? payloads(spec.payload, 1000)
        : new Array<object>(1000).fill(spec.payload);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < spec.jobs; i += 1000) {
      calls.push(producer.addBulk(chunk.slice(0, Math.min(1000, spec.jobs - i)), spec.retry));
      if (calls.length === 8) await Promise.all(calls.splice(0));
    }
    await Promise.all(calls);
  } finally {
    await producer.close();
  }
}

/**
 * Starts the spec's consumer children on `target`, one after another, each warmed up; each goes
 * into `children` as it starts, so the caller's cleanup kills them all even if a later one fails.
 */
export async function startConsumers(
  ctx: RunContext,
  lib: Lib,
  spec: ConsumeSpec,
  target: RedisTarget,
  children: Child[],
): Promise<void> {
  for (let i = 0; i < spec.processes; i++) {
    const child = new Child(
      ctx.script,
      {
        role: 'consume',
        lib,
        redis: target,
        queue: queueName(lib),
        hashIterations: ctx.hashIterations,
        warmup:
          spec.consumer.handler === 'hash' ? Math.min(20, ctx.sizes.warmConsume) : ctx.sizes.warmConsume,
        ...spec.consumer,
      },
      { cpuProfDir: ctx.cpuProfDir },
    );
    children.push(child);
    await child.next('ready', READY_MS);
  }
}

/** Tells every consumer to go (recording latencies inside `window`); their CPU use at that moment. */
export function goConsumers(children: readonly Child[], window?: LatencyWindow): Promise<Usage[]> {
  return Promise.all(
    children.map(async (child) => {
      child.send(window ? { type: 'go', window } : { type: 'go' });
      return (await child.next('started', READY_MS)).usage;
    }),
  );
}

/** The consumers' CPU since `starts` (summed) and their peak RSS (summed), read now. */
export async function sampleConsumers(
  children: readonly Child[],
  starts: readonly Usage[],
): Promise<{ cpuUs: number; peakRssMb: number }> {
  const samples = await Promise.all(
    children.map((child) => {
      child.send({ type: 'sample' });
      return child.next('sample', READY_MS);
    }),
  );
  return {
    cpuUs: samples.reduce((sum, s, i) => sum + cpuDelta(starts[i] as Usage, s.usage), 0),
    peakRssMb: samples.reduce((sum, s) => sum + s.usage.maxRssKb, 0) / KB_PER_MB,
  };
}

/** Stops every consumer and waits for each to exit; the latencies each recorded. */
export async function stopConsumers(children: readonly Child[]): Promise<(LatencySummary | undefined)[]> {
  for (const child of children) child.send({ type: 'stop' });
  const stopped = await Promise.all(children.map((child) => child.next('stopped', READY_MS)));
  await Promise.all(children.map((child) => child.exit(EXIT_GRACE_MS)));
  return stopped.map((message) => message.latency);
}

/** A consume row's metrics from the jobs, the timed span, Redis before/after and the consumers' use. */
export function consumeMetrics(
  jobs: number,
  elapsedMs: number,
  before: RedisSnapshot,
  after: RedisSnapshot,
  used: { cpuUs: number; peakRssMb: number },
): Metrics {
  return {
    jobs,
    elapsedMs,
    jobsPerSec: (jobs * 1000) / elapsedMs,
    redisCpuUsPerJob: (after.cpuUs - before.cpuUs) / jobs,
    nodeCpuUsPerJob: used.cpuUs / jobs,
    peakRssMb: used.peakRssMb,
  };
}

/**
 * Consumers start, warm up on the (empty) queue in db 0 and wait; the jobs were added to the
 * same queue in db 1 beforehand. SWAPDB 0 1 then hands them all the pre-added jobs at once, so
 * neither process start-up nor adding is timed, for any library. Done when the library's
 * completed count (with `spec.retry`: completed or dead) reaches the job count (polled every 2 ms).
 */
export async function consumeRow(ctx: RunContext, lib: Lib, spec: ConsumeSpec): Promise<Metrics> {
  const { admin } = ctx.redis;
  const queue = queueName(lib);
  await ctx.redis.flush();
  await preAdd(lib, ctx.redis.target(1), queue, spec);
  const children: Child[] = [];
  try {
    await startConsumers(ctx, lib, spec, ctx.redis.target(0), children);
    const before = await ctx.redis.snapshot();
    const starts = await goConsumers(children);
    const t0 = performance.now();
    await admin.swapdb(0, 1);
    // An idle Sluice engine waits for this wake-up (the jobs arrived by SWAPDB, not by an add).
    if (lib === 'sluice') await admin.publish(`sluice:{${queue}}:wake`, '1');
    const settled = spec.retry ? () => settledCount(admin, lib, queue) : undefined;
    const t1 = await completion(ctx, lib, queue, spec.jobs, children, settled);
    const used = await sampleConsumers(children, starts);
    const after = await ctx.redis.snapshot();
    await stopConsumers(children);
    return consumeMetrics(spec.jobs, t1 - t0, before, after, used);
  } finally {
    for (const child of children) child.kill();
  }
}

/**
 * Consumers start and warm up on the empty queue (on `on`: the run's redis-server unless a
 * scenario brings its own, e.g. a cluster, where SWAPDB does not exist); the queue is paused
 * with the library's own pause, the jobs are added, and resume(), which wakes the idle
 * consumers, starts the clock. Done when `read()`, the completed count, has grown by the job
 * count. Not for bee-queue, which has no pause.
 */
export async function resumeRow(
  ctx: RunContext,
  lib: Lib,
  spec: ConsumeSpec,
  on: RedisUnderTest = ctx.redis,
  read = () => completedCount(ctx.redis.admin, lib, queueName(lib)),
): Promise<Metrics> {
  const adapter = await loadAdapter(lib);
  if (!adapter.pauser) throw new Error(`${lib} has no pause`);
  const queue = queueName(lib);
  const { partitions } = spec.consumer.sluice;
  await on.flush();
  const control = await adapter.pauser(on.target(), queue, partitions);
  const children: Child[] = [];
  try {
    await startConsumers(ctx, lib, spec, on.target(), children);
    await control.pause();
    await preAdd(lib, on.target(), queue, spec, partitions);
    const warmed = await read();
    const before = await on.snapshot();
    const starts = await goConsumers(children);
    const t0 = performance.now();
    await control.resume();
    const t1 = await completion(ctx, lib, queue, warmed + spec.jobs, children, read);
    const used = await sampleConsumers(children, starts);
    const after = await on.snapshot();
    await stopConsumers(children);
    return consumeMetrics(spec.jobs, t1 - t0, before, after, used);
  } finally {
    for (const child of children) child.kill();
    await control.close();
  }
}

export interface SteadySpec {
  /** Offered jobs/s; 0 = flat out (capacity). */
  rate: number;
  durationMs: number;
  /** Production before the window (default RAMP × durationMs). */
  rampMs?: number;
  backlogCap: number;
  consumer: Pick<ConsumeTask, 'concurrency' | 'sluice'>;
}

async function sleepUntil(wallMs: number): Promise<void> {
  const wait = wallMs - wallNow();
  if (wait > 0) await sleep(wait);
}

/**
 * The producer starts this fraction of the window before it: the queue fills to its working
 * level (a capacity run's backlog), connections and JIT settle, and none of it is measured.
 */
const RAMP = 0.25;
const PRODUCER_WARMUP = 200;

/**
 * A consumer and a producer child together: the producer offers `rate` jobs/s for a ramp and
 * then the `durationMs` window; throughput, CPU and enqueue→handler-start latency are those
 * of the window (latency: jobs enqueued inside it). The run then drains before the latency
 * histogram is read.
 */
export async function steadyRow(ctx: RunContext, lib: Lib, spec: SteadySpec): Promise<Metrics> {
  const { admin } = ctx.redis;
  const queue = queueName(lib);
  await ctx.redis.flush();
  const target = ctx.redis.target(0);
  const rampMs = spec.rampMs ?? RAMP * spec.durationMs;
  const children: Child[] = [];
  try {
    // Both start and warm up at once (the producer's warm-up jobs go to the warming consumer).
    const consumer = new Child(
      ctx.script,
      {
        role: 'consume',
        lib,
        redis: target,
        queue,
        handler: 'latency',
        sandboxed: false,
        hashIterations: ctx.hashIterations,
        warmup: ctx.sizes.warmConsume,
        ...spec.consumer,
      },
      { cpuProfDir: ctx.cpuProfDir },
    );
    children.push(consumer);
    const producer = new Child(
      ctx.script,
      {
        role: 'produce',
        lib,
        redis: target,
        queue,
        rate: spec.rate,
        durationMs: rampMs + spec.durationMs,
        backlogCap: spec.backlogCap,
        warmup: PRODUCER_WARMUP,
      },
      { cpuProfDir: ctx.cpuProfDir },
    );
    children.push(producer);
    await Promise.all([consumer.next('ready', READY_MS), producer.next('ready', READY_MS)]);
    const warmed = ctx.sizes.warmConsume + PRODUCER_WARMUP;
    await completion(ctx, lib, queue, warmed, children);
    const clockSkewMs = (await consumer.clockOffset()) - (await producer.clockOffset());

    const startAt = wallNow() + 50;
    const t0 = startAt + rampMs;
    const t1 = t0 + spec.durationMs;
    consumer.send({ type: 'go', window: { from: t0, to: t1 } });
    await consumer.next('started', READY_MS);
    producer.send({ type: 'go', startAt });
    const read = async () => {
      consumer.send({ type: 'sample' });
      const [redis, completed, sample] = await Promise.all([
        ctx.redis.snapshot(),
        completedCount(admin, lib, queue),
        consumer.next('sample', READY_MS),
      ]);
      return { redis, completed, usage: sample.usage };
    };
    await sleepUntil(t0);
    const start = await read();
    await sleepUntil(t1);
    const end = await read();
    const produced = await producer.next('started', READY_MS);
    const done = await producer.next('done', ctx.sizes.timeoutMs);
    let undrained = 0;
    try {
      await completion(ctx, lib, queue, warmed + done.jobs, [consumer]);
    } catch {
      undrained = warmed + done.jobs - (await completedCount(admin, lib, queue));
    }
    consumer.send({ type: 'stop' });
    const stopped = await consumer.next('stopped', READY_MS);
    producer.send({ type: 'stop' });
    await Promise.all(children.map((child) => child.exit(EXIT_GRACE_MS)));

    const jobs = end.completed - start.completed;
    const windowMs = spec.durationMs;
    // The producer's CPU over the ramp and the window, scaled to the window.
    const producerCpu = (cpuDelta(produced.usage, done.usage) * windowMs) / done.elapsedMs;
    const nodeCpu = cpuDelta(start.usage, end.usage) + producerCpu;
    const metrics: Metrics = {
      jobs,
      elapsedMs: windowMs,
      jobsPerSec: (jobs * 1000) / windowMs,
      redisCpuUsPerJob: (end.redis.cpuUs - start.redis.cpuUs) / jobs,
      nodeCpuUsPerJob: nodeCpu / jobs,
      peakRssMb: (stopped.usage.maxRssKb + done.usage.maxRssKb) / KB_PER_MB,
      offeredPerSec: spec.rate === 0 ? (done.jobs * 1000) / done.elapsedMs : spec.rate,
      behind: done.behind,
      undrained,
      clockSkewMs,
    };
    if (stopped.latency) metrics.latency = stopped.latency;
    return metrics;
  } finally {
    for (const child of children) child.kill();
  }
}

/**
 * The three kinds of row every scenario is made of, run the same way for every library:
 * add (a producer child adds jobs), consume (pre-added jobs swapped in under running, warmed-up
 * consumers) and steady (a producer and a consumer together for a fixed time).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from '../lib/child.js';
import { completedCount, waitCompleted } from '../lib/counters.js';
import { payloads } from '../lib/payloads.js';
import type { AddTask, ConsumeTask, Lib, PayloadKind, Usage } from '../lib/protocol.js';
import { wallNow } from '../lib/protocol.js';
import { snapshot } from '../lib/redis-server.js';
import { loadAdapter } from '../workers/adapters.js';
import type { Metrics, RunContext } from './types.js';

const READY_MS = 120_000;
/** A child that has reported its numbers gets this long to exit cleanly, then is killed. */
const EXIT_GRACE_MS = 1000;
const KB_PER_MB = 1024;

function cpuDelta(before: Usage, after: Usage): number {
  return after.cpuUs - before.cpuUs;
}

function queueName(lib: Lib): string {
  return `bench-${lib}`;
}

export type AddSpec = Pick<AddTask, 'shape' | 'jobs' | 'chunk' | 'payload' | 'warmup'>;

/** A producer child adds `jobs`; Redis CPU and memory are read right before and after. */
export async function addRow(ctx: RunContext, lib: Lib, spec: AddSpec): Promise<Metrics> {
  await ctx.redis.admin.flushall();
  const child = new Child(
    ctx.script,
    { role: 'add', lib, redis: ctx.redis.target(), queue: queueName(lib), ...spec },
    { cpuProfDir: ctx.cpuProfDir },
  );
  try {
    await child.next('ready', READY_MS);
    const before = await snapshot(ctx.redis.admin);
    child.send({ type: 'go' });
    const done = await child.next('done', ctx.sizes.timeoutMs);
    const after = await snapshot(ctx.redis.admin);
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

/** Waits for the library's completed count to reach `target`; fails as soon as a child does. */
async function completion(
  ctx: RunContext,
  lib: Lib,
  queue: string,
  target: number,
  children: readonly Child[],
): Promise<number> {
  const abort = new AbortController();
  try {
    return await Promise.race([
      waitCompleted(ctx.redis.admin, lib, queue, target, ctx.sizes.timeoutMs, abort.signal),
      ...children.map((child) => child.failed),
    ]);
  } finally {
    abort.abort();
  }
}

export interface ConsumeSpec {
  processes: number;
  jobs: number;
  payload: PayloadKind | { n: number };
  consumer: Pick<ConsumeTask, 'handler' | 'concurrency' | 'sandboxed' | 'sluice'>;
}

/** Pre-adds jobs in Redis db 1 with the library's own bulk call, 1,000 per call. */
async function preAdd(ctx: RunContext, lib: Lib, queue: string, spec: ConsumeSpec): Promise<void> {
  const producer = await (await loadAdapter(lib)).producer(ctx.redis.target(1), queue);
  try {
    const chunk =
      typeof spec.payload === 'string'
        ? payloads(spec.payload, 1000)
        : new Array<object>(1000).fill(spec.payload);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < spec.jobs; i += 1000) {
      calls.push(producer.addBulk(chunk.slice(0, Math.min(1000, spec.jobs - i))));
      if (calls.length === 8) await Promise.all(calls.splice(0));
    }
    await Promise.all(calls);
  } finally {
    await producer.close();
  }
}

/**
 * Consumers start, warm up on the (empty) queue in db 0 and wait; the jobs were added to the
 * same queue in db 1 beforehand. SWAPDB 0 1 then hands them all the pre-added jobs at once, so
 * neither process start-up nor adding is timed, for any library. Done when the library's
 * completed count reaches the job count (polled every 2 ms).
 */
export async function consumeRow(ctx: RunContext, lib: Lib, spec: ConsumeSpec): Promise<Metrics> {
  const { admin } = ctx.redis;
  const queue = queueName(lib);
  await admin.flushall();
  await preAdd(ctx, lib, queue, spec);
  const children: Child[] = [];
  try {
    for (let i = 0; i < spec.processes; i++) {
      const child = new Child(
        ctx.script,
        {
          role: 'consume',
          lib,
          redis: ctx.redis.target(0),
          queue,
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
    const before = await snapshot(admin);
    const starts = await Promise.all(
      children.map((child) => {
        child.send({ type: 'go' });
        return child.next('started', READY_MS);
      }),
    );
    const t0 = performance.now();
    await admin.swapdb(0, 1);
    // An idle Sluice engine waits for this wake-up (the jobs arrived by SWAPDB, not by an add).
    if (lib === 'sluice') await admin.publish(`sluice:{${queue}}:wake`, '1');
    const t1 = await completion(ctx, lib, queue, spec.jobs, children);
    const samples = await Promise.all(
      children.map((child) => {
        child.send({ type: 'sample' });
        return child.next('sample', READY_MS);
      }),
    );
    const after = await snapshot(admin);
    for (const child of children) child.send({ type: 'stop' });
    await Promise.all(children.map((child) => child.next('stopped', READY_MS)));
    await Promise.all(children.map((child) => child.exit(EXIT_GRACE_MS)));
    const nodeCpu = samples.reduce(
      (sum, s, i) => sum + cpuDelta((starts[i] as { usage: Usage }).usage, s.usage),
      0,
    );
    return {
      jobs: spec.jobs,
      elapsedMs: t1 - t0,
      jobsPerSec: (spec.jobs * 1000) / (t1 - t0),
      redisCpuUsPerJob: (after.cpuUs - before.cpuUs) / spec.jobs,
      nodeCpuUsPerJob: nodeCpu / spec.jobs,
      peakRssMb: samples.reduce((sum, s) => sum + s.usage.maxRssKb, 0) / KB_PER_MB,
    };
  } finally {
    for (const child of children) child.kill();
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
  await admin.flushall();
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
        snapshot(admin),
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

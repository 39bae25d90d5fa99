/**
 * Messages between the runner (bench/run.ts) and its child processes (bench/workers/main.ts).
 * Every library's producer or consumer runs in a child of its own, so its CPU time and peak
 * RSS are its own. A child gets one task, reports `ready` once connected and warmed up, and
 * does the measured work only after `go`.
 */

export const LIBS = ['sluice', 'bullmq', 'bee'] as const;
export type Lib = (typeof LIBS)[number];

export const LIB_NAMES: Readonly<Record<Lib, string>> = {
  sluice: 'Sluice',
  bullmq: 'BullMQ',
  bee: 'bee-queue',
};

/** Always loopback: the suite never talks to another host. */
export interface RedisTarget {
  host: '127.0.0.1';
  port: number;
  db: number;
  /** host:port is a node of a Redis Cluster (db 0): the client learns the others from it. Sluice only. */
  cluster?: true;
}

export type PayloadKind = 'uuid' | 'tiny' | 'task';
export type HandlerKind = 'noop' | 'latency' | 'hash' | 'retry' | 'flaky';

/** Job options of the retry scenarios: `attempts` in all, a fixed backoff of `backoffMs` between them. */
export interface FixedRetry {
  attempts: number;
  backoffMs: number;
}

/** Adds jobs as fast as one awaited call after another allows (queue-add, queue-add-bulk, ingest-10k). */
/** Adds in flight in queue-add's concurrent rows. */
export const CONCURRENT_ADDS = 50;
/** What Sluice's rows without add batching add to the row's name. */
export const UNBATCHED = 'batchAdds off';

export interface AddTask {
  role: 'add';
  lib: Lib;
  redis: RedisTarget;
  queue: string;
  /**
   * single: one awaited add per job; concurrent: single adds with `chunk` of them in flight (as a
   * server handling `chunk` requests at once); bulk: awaited bulk calls of `chunk` jobs; all: one call.
   */
  shape: 'single' | 'concurrent' | 'bulk' | 'all';
  jobs: number;
  chunk: number;
  payload: PayloadKind;
  warmup: number;
  /** Each job's attempts and fixed backoff, in the library's own job options (absent: none). */
  retry?: FixedRetry;
  /** Sluice only: the queue's partitions (absent: unpartitioned). */
  partitions?: number;
  /** Sluice only: false opens the queue with batchAdds off (absent: the default, on). */
  batchAdds?: boolean;
}

/** Runs a worker (peers) or an engine (Sluice) on a queue. */
export interface ConsumeTask {
  role: 'consume';
  lib: Lib;
  redis: RedisTarget;
  queue: string;
  handler: HandlerKind;
  /** Peers: jobs handled at once. Sluice: ignored (see `sluice`). */
  concurrency: number;
  /** BullMQ only: run the handler in a sandboxed processor on worker threads. */
  sandboxed: boolean;
  /** Sluice engine options. */
  sluice: {
    threads: number;
    tasksPerThread?: number;
    threadBatch?: number;
    concurrency?: number;
    partitions?: number;
  };
  /** Iterations of the hash handler (payload field n is set by the producer; kept for warm-up). */
  hashIterations: number;
  warmup: number;
}

/** Adds jobs at an offered rate (or flat out, with a bounded backlog) for a fixed time. */
export interface ProduceTask {
  role: 'produce';
  lib: Lib;
  redis: RedisTarget;
  queue: string;
  /** Jobs per second offered; 0 = as fast as the library takes them (capacity run). */
  rate: number;
  durationMs: number;
  /** Capacity run only: pause while more than this many added jobs are not completed. */
  backlogCap: number;
  warmup: number;
}

export type ChildTask = AddTask | ConsumeTask | ProduceTask;

/** Process-wide resource use (all threads). */
export interface Usage {
  cpuUs: number;
  maxRssKb: number;
}

/** Latency window: jobs enqueued at a wall time in [from, to) are recorded (ms since the epoch). */
export interface LatencyWindow {
  from: number;
  to: number;
}

export interface LatencySummary {
  count: number;
  /** All in milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export type ParentMessage =
  | { type: 'task'; task: ChildTask }
  | { type: 'ping' }
  /** add/produce: start the measured work (produce: at wall time startAt). consume: start consuming. */
  | { type: 'go'; startAt?: number; window?: LatencyWindow }
  | { type: 'sample' }
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'pong'; wallMs: number }
  | { type: 'started'; usage: Usage }
  | { type: 'sample'; usage: Usage }
  /** add/produce finished: jobs added, time taken, usage at the end; produce: whether it fell behind. */
  | { type: 'done'; jobs: number; elapsedMs: number; usage: Usage; behind: boolean }
  | { type: 'stopped'; usage: Usage; latency: LatencySummary | undefined }
  | { type: 'error'; message: string };

export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function usageNow(): Usage {
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS };
}

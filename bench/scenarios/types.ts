import type { LatencySummary, Lib } from '../lib/protocol.js';
import type { RedisServer } from '../lib/redis-server.js';

/** What one row of one repetition measured for one library. */
export interface Metrics {
  /** Jobs the measurement is about (added, or completed inside the window). */
  jobs: number;
  elapsedMs: number;
  jobsPerSec: number;
  /** Redis CPU (INFO cpu: used_cpu_sys + used_cpu_user) over the measured phase, per job. */
  redisCpuUsPerJob: number;
  /** CPU of the library's own processes (all threads) over the measured phase, per job. */
  nodeCpuUsPerJob: number;
  /** process.resourceUsage().maxRSS, summed over the row's processes. */
  peakRssMb: number;
  /** Add scenarios: INFO used_memory delta per added (waiting) job. */
  bytesPerJob?: number;
  /** steady-state: the rate offered. */
  offeredPerSec?: number;
  /** steady-state: enqueue → handler start. */
  latency?: LatencySummary;
  /** steady-state: the producer could not keep the offered rate (too many calls outstanding). */
  behind?: boolean;
  /** steady-state: jobs not completed when the drain timed out. */
  undrained?: number;
  /** Skew between the producer's and the consumer's wall clocks, ms (latency is not corrected). */
  clockSkewMs?: number;
}

export interface Measurement {
  scenario: string;
  row: string;
  lib: Lib;
  rep: number;
  metrics: Metrics;
}

export interface Skip {
  scenario: string;
  row: string;
  lib: Lib;
  rep: number;
  reason: string;
}

export interface Failure {
  scenario: string;
  row: string;
  lib: Lib | undefined;
  rep: number;
  error: string;
}

/** Job counts and durations of one run (quick or full, after --jobs). */
export interface Sizes {
  queueAdd: number;
  bulk: number;
  ingest: number;
  workerGeneric: number;
  workerConcurrency1: number;
  workerConcurrent: number;
  /** consume-from-resume: the smaller and the larger backlog. */
  resumeSmall: number;
  resumeLarge: number;
  scaling: number;
  cpuHeavy: number;
  /** retry-lateness: jobs per backoff. */
  retryLateness: number;
  retryStorm: number;
  /** cluster: jobs added, and consumed, in each row. */
  cluster: number;
  /** steady-state capacity run and each offered load, ms. */
  capacityMs: number;
  /** Before a capacity window, ms: the producer fills the backlog (not measured). */
  capacityRampMs: number;
  levelMs: number;
  /** Warm-up jobs of a producer / a consumer. */
  warmAdd: number;
  warmConsume: number;
  /** Longest wait for a consume row to finish, ms. */
  timeoutMs: number;
  /** tinybench time per task, ms. */
  microMs: number;
}

export interface RunContext {
  redis: RedisServer;
  /** Compiled child entry point. */
  script: string;
  quick: boolean;
  sizes: Sizes;
  /** SHA-256 digests of 1 KiB that take about 1 ms here. */
  hashIterations: number;
  cpuProfDir: string | undefined;
  /** One step done (a row of one library). */
  step(label: string): void;
  record(measurement: Measurement): void;
  fail(failure: Failure): void;
  skip(skip: Skip): void;
}

export interface Scenario {
  name: string;
  /** One line for the report. */
  description: string;
  /** Rows × libraries of one repetition, for the progress bar. */
  steps(ctx: Pick<RunContext, 'quick' | 'sizes'>): number;
  /** One repetition, libraries in the given order. */
  run(ctx: RunContext, rep: number, order: readonly Lib[]): Promise<void>;
}

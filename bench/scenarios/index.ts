import type { ScenarioName } from '../lib/args.js';
import { ingest10k, queueAdd, queueAddBulk } from './add.js';
import { cluster } from './cluster.js';
import { retryLateness, retryStorm } from './retries.js';
import { steadyState } from './steady.js';
import type { Scenario, Sizes } from './types.js';
import {
  consumeFromResume,
  cpuHeavy,
  scaling,
  workerConcurrency1,
  workerConcurrent,
  workerGeneric,
} from './workers.js';

/** Every scenario that needs Redis, in run order ('micro' runs apart: see micro.ts). */
export const SCENARIOS: Readonly<Record<Exclude<ScenarioName, 'micro'>, Scenario>> = {
  'queue-add': queueAdd,
  'queue-add-bulk': queueAddBulk,
  'ingest-10k': ingest10k,
  'worker-generic': workerGeneric,
  'worker-concurrency-1': workerConcurrency1,
  'worker-concurrent': workerConcurrent,
  'consume-from-resume': consumeFromResume,
  'steady-state': steadyState,
  scaling,
  'cpu-heavy': cpuHeavy,
  'retry-lateness': retryLateness,
  'retry-storm': retryStorm,
  cluster,
};

export const MICRO_DESCRIPTION =
  "tinybench micro-benchmarks of Sluice's pure parts: payload encoding, record decoding, batch sizing, key building, option checks";

const FULL: Sizes = {
  queueAdd: 5_000,
  bulk: 50_000,
  ingest: 10_000,
  workerGeneric: 5_000,
  workerConcurrency1: 5_000,
  workerConcurrent: 50_000,
  resumeSmall: 50_000,
  resumeLarge: 200_000,
  scaling: 50_000,
  cpuHeavy: 2_000,
  retryLateness: 400,
  retryStorm: 10_000,
  cluster: 50_000,
  capacityMs: 4_000,
  capacityRampMs: 2_000,
  levelMs: 4_000,
  warmAdd: 500,
  warmConsume: 2_000,
  timeoutMs: 120_000,
  microMs: 500,
};

const QUICK: Sizes = {
  queueAdd: 300,
  bulk: 3_000,
  ingest: 10_000,
  workerGeneric: 300,
  workerConcurrency1: 300,
  workerConcurrent: 3_000,
  resumeSmall: 3_000,
  /** Not run by --quick (see consume-from-resume). */
  resumeLarge: 3_000,
  scaling: 3_000,
  cpuHeavy: 100,
  retryLateness: 30,
  retryStorm: 500,
  cluster: 3_000,
  capacityMs: 600,
  capacityRampMs: 300,
  levelMs: 300,
  warmAdd: 100,
  warmConsume: 300,
  timeoutMs: 30_000,
  microMs: 50,
};

/** Counts and durations for a run; --jobs replaces every count but ingest-10k's. */
export function sizesFor(quick: boolean, jobs: number | undefined): Sizes {
  const base = quick ? QUICK : FULL;
  if (jobs === undefined) return { ...base };
  return {
    ...base,
    queueAdd: jobs,
    bulk: jobs,
    workerGeneric: jobs,
    workerConcurrency1: jobs,
    workerConcurrent: jobs,
    resumeSmall: jobs,
    resumeLarge: jobs,
    scaling: jobs,
    cpuHeavy: jobs,
    retryLateness: jobs,
    retryStorm: jobs,
    cluster: jobs,
  };
}

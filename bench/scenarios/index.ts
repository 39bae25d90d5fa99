import type { ScenarioName } from '../lib/args.js';
import { ingest10k, queueAdd, queueAddBulk } from './add.js';
import { cluster } from './cluster.js';
import { steadyState } from './steady.js';
import type { Scenario, Sizes } from './types.js';
import { cpuHeavy, scaling, workerConcurrent, workerGeneric } from './workers.js';

/** Every scenario that needs Redis, in run order ('micro' runs apart: see micro.ts). */
export const SCENARIOS: Readonly<Record<Exclude<ScenarioName, 'micro'>, Scenario>> = {
  'queue-add': queueAdd,
  'queue-add-bulk': queueAddBulk,
  'ingest-10k': ingest10k,
  'worker-generic': workerGeneric,
  'worker-concurrent': workerConcurrent,
  'steady-state': steadyState,
  scaling,
  'cpu-heavy': cpuHeavy,
  cluster,
};

export const MICRO_DESCRIPTION =
  "tinybench micro-benchmarks of Sluice's pure parts: payload encoding, record decoding, batch sizing, key building, option checks";

const FULL: Sizes = {
  queueAdd: 5_000,
  bulk: 50_000,
  ingest: 10_000,
  workerGeneric: 5_000,
  workerConcurrent: 50_000,
  scaling: 50_000,
  cpuHeavy: 2_000,
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
  workerConcurrent: 3_000,
  scaling: 3_000,
  cpuHeavy: 100,
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
    workerConcurrent: jobs,
    scaling: jobs,
    cpuHeavy: jobs,
    cluster: jobs,
  };
}

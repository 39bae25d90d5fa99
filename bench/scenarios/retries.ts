/**
 * Failing jobs and their retries, with each library's own attempts and fixed backoff:
 * retry-lateness (how late a retry starts on an otherwise idle queue) and retry-storm (how much
 * longer a backlog takes when a fifth of the attempts fail).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../lib/child.js';
import { completedCount } from '../lib/counters.js';
import type { Lib } from '../lib/protocol.js';
import { loadAdapter } from '../workers/adapters.js';
import {
  type ConsumeSpec,
  completion,
  consumeMetrics,
  consumeRow,
  goConsumers,
  queueName,
  sampleConsumers,
  startConsumers,
  stopConsumers,
} from './rows.js';
import { row } from './safe.js';
import type { Metrics, RunContext, Scenario } from './types.js';
import { SLUICE_THREADS_2 } from './workers.js';

/** The consumer of both scenarios: worker-concurrent's (Sluice --threads 2, peers concurrency 100). */
function consumer(handler: 'retry' | 'flaky'): ConsumeSpec['consumer'] {
  return { handler, concurrency: 100, sandboxed: false, sluice: SLUICE_THREADS_2 };
}

const BACKOFFS_MS = [10, 100] as const;
/** --quick: the shorter backoff only. */
const QUICK_BACKOFFS_MS = [10] as const;
/** Jobs added at once; the next group waits for this one and then a random pause in this range (ms). */
const GROUP = 20;
const PAUSE_MS = [20, 60] as const;

function backoffs(quick: boolean): readonly number[] {
  return quick ? QUICK_BACKOFFS_MS : BACKOFFS_MS;
}

/**
 * One consumer, started and warmed up; groups of GROUP jobs (attempts 2, fixed backoff) are added
 * one group at a time, each once the previous group has completed and a random pause has passed
 * (random, so the groups do not keep step with a library's timers): every retry falls due on an
 * idle queue. The handler fails each first attempt; lateness = start of the second attempt −
 * (failure of the first + backoff), both taken by the handler. CPU per job is over the whole
 * run, idle time included.
 */
async function latenessRow(ctx: RunContext, lib: Lib, backoffMs: number): Promise<Metrics> {
  const queue = queueName(lib);
  const jobs = ctx.sizes.retryLateness;
  const payload = { d: backoffMs };
  const spec: ConsumeSpec = { processes: 1, jobs, payload, consumer: consumer('retry') };
  await ctx.redis.flush();
  const target = ctx.redis.target(0);
  const children: Child[] = [];
  const producer = await (await loadAdapter(lib)).producer(target, queue);
  try {
    await startConsumers(ctx, lib, spec, target, children);
    const read = () => completedCount(ctx.redis.admin, lib, queue);
    const warmed = await read();
    const before = await ctx.redis.snapshot();
    // Warm-up jobs never fail, so every retry reported is a measured one.
    const starts = await goConsumers(children, {
      from: Number.NEGATIVE_INFINITY,
      to: Number.POSITIVE_INFINITY,
    });
    const t0 = performance.now();
    let t1 = t0;
    for (let added = 0; added < jobs; ) {
      const group = Math.min(GROUP, jobs - added);
      await producer.addBulk(new Array<object>(group).fill(payload), { attempts: 2, backoffMs });
      added += group;
      t1 = await completion(ctx, lib, queue, warmed + added, children, read);
      if (added < jobs) await sleep(PAUSE_MS[0] + Math.random() * (PAUSE_MS[1] - PAUSE_MS[0]));
    }
    const used = await sampleConsumers(children, starts);
    const after = await ctx.redis.snapshot();
    const [latency] = await stopConsumers(children);
    if (latency?.count !== jobs) throw new Error(`${latency?.count ?? 0} of ${jobs} retries reported`);
    return { ...consumeMetrics(jobs, t1 - t0, before, after, used), latency };
  } finally {
    for (const child of children) child.kill();
    await producer.close();
  }
}

export const retryLateness: Scenario = {
  name: 'retry-lateness',
  description: `how late a retry starts on an otherwise idle queue: tiny jobs in groups of ${GROUP} (attempts 2, fixed backoff of ${BACKOFFS_MS.join(' and ')} ms; --quick: ${QUICK_BACKOFFS_MS.join(', ')} ms), each group added once the previous one has completed plus ${PAUSE_MS[0]}-${PAUSE_MS[1]} ms; the handler fails every first attempt; lateness = start of attempt 2 − (failure of attempt 1 + backoff); Sluice --threads 2, peers concurrency 100; bee-queue workers with activateDelayedJobs (needed for any backoff retry), delayedDebounce at its default`,
  steps: ({ quick }) => 3 * backoffs(quick).length,
  async run(ctx, rep, order) {
    for (const backoffMs of backoffs(ctx.quick)) {
      for (const lib of order) {
        await row(ctx, this.name, `backoff ${backoffMs} ms`, lib, rep, () =>
          latenessRow(ctx, lib, backoffMs),
        );
      }
    }
  },
};

/** Percentage of attempts failing in each retry-storm row. */
const STORM_ROWS = [
  ['no failures', 0],
  ['20 % failures', 20],
] as const;

export const retryStorm: Scenario = {
  name: 'retry-storm',
  description:
    'pre-added tiny jobs with attempts 4 and a fixed backoff of 10 ms, moved in with SWAPDB as in worker-concurrent; the handler fails 20 % of attempts (picked by a hash of job id and attempt) or none; timed until every job is completed or dead; Sluice --threads 2, peers concurrency 100',
  steps: () => 3 * STORM_ROWS.length,
  async run(ctx, rep, order) {
    for (const [name, percent] of STORM_ROWS) {
      for (const lib of order) {
        await row(ctx, this.name, name, lib, rep, () =>
          consumeRow(ctx, lib, {
            processes: 1,
            jobs: ctx.sizes.retryStorm,
            payload: { f: percent },
            retry: { attempts: 4, backoffMs: 10 },
            consumer: consumer('flaky'),
          }),
        );
      }
    }
  },
};

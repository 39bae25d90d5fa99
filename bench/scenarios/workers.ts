import { availableParallelism } from 'node:os';
import type { Lib } from '../lib/protocol.js';
import type { ConsumeSpec } from './rows.js';
import { consumeRow, resumeRow } from './rows.js';
import { row } from './safe.js';
import type { Scenario } from './types.js';

/** Sluice's engine as the CLI's `--threads 2` runs it (other options at their defaults). */
export const SLUICE_THREADS_2 = { threads: 2 };

function noop(jobs: number, concurrency: number, sluice: ConsumeSpec['consumer']['sluice']): ConsumeSpec {
  return {
    processes: 1,
    jobs,
    payload: 'tiny',
    consumer: { handler: 'noop', concurrency, sandboxed: false, sluice },
  };
}

export const workerGeneric: Scenario = {
  name: 'worker-generic',
  description:
    'pre-added tiny jobs, no-op handler, one job at a time (peers: concurrency 1; Sluice: 1 thread, 1 task per thread, 1 job per thread batch)',
  steps: () => 3,
  async run(ctx, rep, order) {
    for (const lib of order) {
      await row(ctx, this.name, 'concurrency 1', lib, rep, () =>
        consumeRow(
          ctx,
          lib,
          noop(ctx.sizes.workerGeneric, 1, { threads: 1, tasksPerThread: 1, threadBatch: 1 }),
        ),
      );
    }
  },
};

/** Rows of worker-concurrency-1: jobs at once, from Sluice's threads at concurrency 1 each. */
const ONE_AT_A_TIME = [1, 2] as const;

export const workerConcurrency1: Scenario = {
  name: 'worker-concurrency-1',
  description:
    'the worker-generic jobs as users run one job at a time: Sluice engine option concurrency 1 on 1 thread and on 2 threads (other options at their defaults) against peers at concurrency 1 and 2',
  steps: () => 3 * ONE_AT_A_TIME.length,
  async run(ctx, rep, order) {
    for (const threads of ONE_AT_A_TIME) {
      for (const lib of order) {
        await row(ctx, this.name, `concurrency ${threads}`, lib, rep, () =>
          consumeRow(ctx, lib, noop(ctx.sizes.workerConcurrency1, threads, { threads, concurrency: 1 })),
        );
      }
    }
  },
};

export const workerConcurrent: Scenario = {
  name: 'worker-concurrent',
  description: 'pre-added tiny jobs, no-op handler; peers: concurrency 100; Sluice: --threads 2',
  steps: () => 3,
  async run(ctx, rep, order) {
    for (const lib of order) {
      await row(ctx, this.name, 'concurrent', lib, rep, () =>
        consumeRow(ctx, lib, noop(ctx.sizes.workerConcurrent, 100, SLUICE_THREADS_2)),
      );
    }
  },
};

export const consumeFromResume: Scenario = {
  name: 'consume-from-resume',
  description:
    "the worker-concurrent shape timed from the moment the jobs become available to a running, warmed-up, idle consumer, at two backlogs (50,000 and 200,000 jobs; --quick: the smaller, with fewer jobs): Sluice and BullMQ: the queue paused with the library's own pause(), the jobs added, timed from resume() to the last completion; bee-queue has no pause, so its jobs arrive by SWAPDB as in worker-concurrent",
  steps: ({ quick }) => (quick ? 3 : 6),
  async run(ctx, rep, order) {
    // --quick: both backlogs would be small, so the larger one would check nothing more.
    const backlogs: [string, number][] = [['smaller backlog', ctx.sizes.resumeSmall]];
    if (!ctx.quick) backlogs.push(['larger backlog', ctx.sizes.resumeLarge]);
    for (const [name, jobs] of backlogs) {
      for (const lib of order) {
        const spec = noop(jobs, 100, SLUICE_THREADS_2);
        await row(ctx, this.name, name, lib, rep, () =>
          lib === 'bee' ? consumeRow(ctx, lib, spec) : resumeRow(ctx, lib, spec),
        );
      }
    }
  },
};

/** Threads per engine process as `--processes K` shares out the cores when --threads is not given. */
export function threadsPerProcess(processes: number): { threads: number } {
  return { threads: Math.max(1, Math.floor(availableParallelism() / processes)) };
}

export const scaling: Scenario = {
  name: 'scaling',
  description:
    'the worker-concurrent shape with 1 and with 2 consumer processes (Sluice engines as `--processes K` runs them: the cores shared out as threads; peers at concurrency 100 each)',
  steps: () => 6,
  async run(ctx, rep, order) {
    for (const processes of [1, 2]) {
      for (const lib of order) {
        await row(ctx, this.name, `${processes} process${processes > 1 ? 'es' : ''}`, lib, rep, () =>
          consumeRow(ctx, lib, { ...noop(ctx.sizes.scaling, 100, threadsPerProcess(processes)), processes }),
        );
      }
    }
  },
};

const CPU_HEAVY: Record<Lib, ConsumeSpec['consumer']> = {
  sluice: { handler: 'hash', concurrency: 2, sandboxed: false, sluice: SLUICE_THREADS_2 },
  bullmq: { handler: 'hash', concurrency: 2, sandboxed: true, sluice: SLUICE_THREADS_2 },
  bee: { handler: 'hash', concurrency: 1, sandboxed: false, sluice: SLUICE_THREADS_2 },
};

export const cpuHeavy: Scenario = {
  name: 'cpu-heavy',
  description:
    'about 1 ms of SHA-256 per job: Sluice on 2 threads; BullMQ sandboxed processor on worker threads, concurrency 2; bee-queue in process (reference)',
  steps: () => 3,
  async run(ctx, rep, order) {
    for (const lib of order) {
      await row(ctx, this.name, '1 ms hashing', lib, rep, () =>
        consumeRow(ctx, lib, {
          processes: 1,
          jobs: ctx.sizes.cpuHeavy,
          payload: { n: ctx.hashIterations },
          consumer: CPU_HEAVY[lib],
        }),
      );
    }
  },
};

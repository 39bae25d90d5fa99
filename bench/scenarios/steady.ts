import type { Lib } from '../lib/protocol.js';
import { steadyRow } from './rows.js';
import { row } from './safe.js';
import type { Scenario } from './types.js';

/** Offered loads as fractions of each library's own capacity, measured in the same repetition. */
export const LOAD_FRACTIONS = [0.1, 0.5, 0.9] as const;
/** Fixed offered loads (jobs/s), run when under the library's capacity. */
export const FIXED_LOADS = [20_000, 100_000] as const;
/** Capacity runs: the producer pauses while this many added jobs are not completed. */
const BACKLOG_CAP = 10_000;
const CONSUMER = { concurrency: 100, sluice: { threads: 2 } };

export function loadRowName(load: number, fixed: boolean): string {
  return fixed ? `${load / 1000}k/s` : `${Math.round(load * 100)}%`;
}

/** Sluice rows at the very rates BullMQ was offered, for "never worse than BullMQ at the same load". */
export function atBullmqRowName(fraction: number): string {
  return `at BullMQ's ${loadRowName(fraction, false)}`;
}

export const steadyState: Scenario = {
  name: 'steady-state',
  description:
    'producer and consumer together for a fixed time: capacity flat out, then 10/50/90 % of it and 20k/s, 100k/s when under capacity, and Sluice again at the rates BullMQ was offered; enqueue→handler-start latency (HDR)',
  steps: () => 3 * (1 + LOAD_FRACTIONS.length + FIXED_LOADS.length) + LOAD_FRACTIONS.length,
  async run(ctx, rep, order) {
    const capacity = new Map<Lib, number>();
    for (const lib of order) {
      const metrics = await row(ctx, this.name, 'capacity', lib, rep, () =>
        steadyRow(ctx, lib, {
          rate: 0,
          durationMs: ctx.sizes.capacityMs,
          rampMs: ctx.sizes.capacityRampMs,
          backlogCap: BACKLOG_CAP,
          consumer: CONSUMER,
        }),
      );
      if (metrics) capacity.set(lib, metrics.jobsPerSec);
    }
    for (const lib of order) {
      const cap = capacity.get(lib);
      const loads = [
        ...LOAD_FRACTIONS.map((f) => ({ name: loadRowName(f, false), rate: cap ? Math.round(cap * f) : 0 })),
        ...FIXED_LOADS.map((rate) => ({ name: loadRowName(rate, true), rate })),
      ];
      for (const load of loads) {
        if (cap === undefined || load.rate > cap || load.rate < 1) {
          ctx.skip({
            scenario: this.name,
            row: load.name,
            lib,
            rep,
            reason:
              cap === undefined
                ? 'capacity run failed'
                : `offered ${load.rate}/s is over the capacity of ${Math.round(cap)}/s`,
          });
          ctx.step(`${this.name} ${load.name} ${lib} (skipped)`);
          continue;
        }
        await row(ctx, this.name, load.name, lib, rep, () =>
          steadyRow(ctx, lib, {
            rate: load.rate,
            durationMs: ctx.sizes.levelMs,
            backlogCap: Number.POSITIVE_INFINITY,
            consumer: CONSUMER,
          }),
        );
      }
    }
    const bullmq = capacity.get('bullmq');
    for (const fraction of LOAD_FRACTIONS) {
      const name = atBullmqRowName(fraction);
      if (bullmq === undefined || !capacity.has('sluice')) {
        ctx.skip({ scenario: this.name, row: name, lib: 'sluice', rep, reason: 'a capacity run failed' });
        ctx.step(`${this.name} ${name} sluice (skipped)`);
        continue;
      }
      await row(ctx, this.name, name, 'sluice', rep, () =>
        steadyRow(ctx, 'sluice', {
          rate: Math.round(bullmq * fraction),
          durationMs: ctx.sizes.levelMs,
          backlogCap: Number.POSITIVE_INFINITY,
          consumer: CONSUMER,
        }),
      );
    }
  },
};

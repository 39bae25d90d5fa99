import { CONCURRENT_ADDS, UNBATCHED } from '../lib/protocol.js';
import { type AddSpec, addRow } from './rows.js';
import { row } from './safe.js';
import type { Scenario } from './types.js';

/** Chunk sizes tried for Sluice's best bulk ingestion (queue-add-bulk adds a row for each). */
export const SLUICE_BULK_CHUNKS = [500, 1000] as const;

/** The concurrent rows add this many times queue-add's job count: they run that much faster. */
const CONCURRENT_JOBS_PER_SINGLE = 4;

/** queue-add's rows: the shape and payload of each, by row name. */
const ADD_ROWS = [
  { name: 'single', shape: 'single', payload: 'uuid' },
  { name: `concurrent ${CONCURRENT_ADDS}`, shape: 'concurrent', payload: 'uuid' },
  { name: `concurrent ${CONCURRENT_ADDS}, tiny`, shape: 'concurrent', payload: 'tiny' },
] as const;

export const queueAdd: Scenario = {
  name: 'queue-add',
  description:
    `sequential awaited single adds, payload of 10 keys × 10 UUIDs (bullmq-bench shape); the same adds ${CONCURRENT_ADDS} in flight ` +
    '(a server answering that many requests at once), and tiny ones so; Sluice again with batchAdds off',
  steps: () => 4 * ADD_ROWS.length,
  async run(ctx, rep, order) {
    for (const { name, shape, payload } of ADD_ROWS) {
      const spec = (batchAdds: boolean): AddSpec => ({
        shape,
        jobs: shape === 'single' ? ctx.sizes.queueAdd : CONCURRENT_JOBS_PER_SINGLE * ctx.sizes.queueAdd,
        chunk: shape === 'single' ? 1 : CONCURRENT_ADDS,
        payload,
        warmup: ctx.sizes.warmAdd,
        ...(batchAdds ? {} : { batchAdds: false }),
      });
      for (const lib of order) {
        await row(ctx, this.name, name, lib, rep, () => addRow(ctx, lib, spec(true)));
      }
      await row(ctx, this.name, `${name}, ${UNBATCHED}`, 'sluice', rep, () =>
        addRow(ctx, 'sluice', spec(false)),
      );
    }
  },
};

export const queueAddBulk: Scenario = {
  name: 'queue-add-bulk',
  description: 'tiny jobs in awaited bulk calls of 50 (addBulk / saveAll); Sluice again at 500 and 1,000',
  steps: () => 3 + SLUICE_BULK_CHUNKS.length,
  async run(ctx, rep, order) {
    const bulk = (chunk: number) => ({
      shape: 'bulk' as const,
      jobs: ctx.sizes.bulk,
      chunk,
      payload: 'tiny' as const,
      warmup: Math.max(ctx.sizes.warmAdd, 2 * chunk),
    });
    for (const lib of order) {
      await row(ctx, this.name, 'chunk 50', lib, rep, () => addRow(ctx, lib, bulk(50)));
    }
    for (const chunk of SLUICE_BULK_CHUNKS) {
      await row(ctx, this.name, `chunk ${chunk}`, 'sluice', rep, () => addRow(ctx, 'sluice', bulk(chunk)));
    }
  },
};

/** The cold row's jobs: what a first script that retries would add. */
const COLD_RETRY = { attempts: 4, backoffMs: 10 } as const;

export const ingest10k: Scenario = {
  name: 'ingest-10k',
  description:
    '10,000 small distinct tasks in one bulk call, the second in the process (the original design took 631 ms); ' +
    'and the first call of a fresh process, each job with 4 attempts and a fixed 10 ms backoff',
  steps: () => 6,
  async run(ctx, rep, order) {
    for (const lib of order) {
      await row(ctx, this.name, 'cold first call', lib, rep, () =>
        addRow(ctx, lib, {
          shape: 'all',
          jobs: ctx.sizes.ingest,
          chunk: ctx.sizes.ingest,
          payload: 'task',
          warmup: 0,
          retry: COLD_RETRY,
        }),
      );
    }
    for (const lib of order) {
      await row(ctx, this.name, '10,000 tasks', lib, rep, () =>
        addRow(ctx, lib, {
          shape: 'all',
          jobs: ctx.sizes.ingest,
          chunk: ctx.sizes.ingest,
          payload: 'task',
          warmup: ctx.sizes.ingest,
        }),
      );
    }
  },
};

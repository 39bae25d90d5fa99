/**
 * Sluice on a Redis Cluster of its own (3 masters, no replicas), one logical queue split into
 * P partitions: bulk ingestion and consumption against P, Redis CPU summed over the masters.
 * Peers are not run (see PEER_SKIPS). Consume rows are resume rows (scenarios/rows.ts), as SWAPDB
 * does not exist on a cluster; the single-server reference is measured the same way, so the two
 * differ only in where the queue lives.
 */
import { partitionKeys } from '../../dist/redis/keys.js';
import type { Lib } from '../lib/protocol.js';
import { type RedisCluster, startCluster } from '../lib/redis-cluster.js';
import { type AddSpec, addRow, type ConsumeSpec, queueName, resumeRow } from './rows.js';
import { row } from './safe.js';
import type { RunContext, Scenario } from './types.js';
import { SLUICE_THREADS_2, threadsPerProcess } from './workers.js';

const CLUSTER_MASTERS = 3;
const PARTITION_COUNTS = [1, 3, 6] as const;
/** --quick keeps the suite under a minute: the most partitions only, and no 2-engine row. */
const QUICK_PARTITION_COUNTS = [6] as const;
/** The 2-engine row runs on the most partitions. */
const SCALING_PARTITIONS = 6;
/** queue-add-bulk's best Sluice chunk (RESULTS.md, 2026-11-28: 259k/s at 1,000 against 228k/s at 500). */
const BULK_CHUNK = 1000;

const PEER_SKIPS: Readonly<Record<Exclude<Lib, 'sluice'>, string>> = {
  bullmq:
    'a BullMQ queue keeps every key under one hash tag, so on a cluster it lives in one slot of one master and cannot be spread (the single-server scenarios measure it)',
  bee: 'bee-queue has no Redis Cluster support (bee-queue/bee-queue#423)',
};

/** "kind, setup": the report's "throughput vs partitions" table splits the name there (lib/results.ts). */
function rowName(kind: 'add' | 'consume', setup: string): string {
  return `${kind}, ${setup}`;
}

function onCluster(partitions: number, engines = 1): string {
  return `${partitions} partition${partitions > 1 ? 's' : ''}${engines > 1 ? `, ${engines} engines` : ''}`;
}

/** The same rows on the run's own redis-server, in the same repetition: the reference. */
const SINGLE_SERVER = 'single server, no partitions';

function addSpec(ctx: RunContext, partitions: number | undefined): AddSpec {
  return {
    shape: 'bulk',
    jobs: ctx.sizes.cluster,
    chunk: BULK_CHUNK,
    payload: 'tiny',
    warmup: Math.max(ctx.sizes.warmAdd, 2 * BULK_CHUNK),
    ...(partitions === undefined ? {} : { partitions }),
  };
}

/** worker-concurrent's Sluice engine (2 threads), or `processes` engines as scaling runs them. */
function consumeSpec(ctx: RunContext, partitions: number | undefined, processes: number): ConsumeSpec {
  const threads = processes > 1 ? threadsPerProcess(processes) : SLUICE_THREADS_2;
  return {
    processes,
    jobs: ctx.sizes.cluster,
    payload: 'tiny',
    consumer: {
      handler: 'noop',
      concurrency: 100,
      sandboxed: false,
      sluice: partitions === undefined ? threads : { ...threads, partitions },
    },
  };
}

/** Completed jobs summed over the queue's partitions: one HGET per partition. */
function completedOnCluster(cluster: RedisCluster, queue: string, partitions: number) {
  const stats = partitionKeys(queue, partitions).map((keys) => keys.stats);
  return async () => {
    const counts = await Promise.all(stats.map((key) => cluster.client.hget(key, 'completed')));
    return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
  };
}

function partitionCounts(quick: boolean): readonly number[] {
  return quick ? QUICK_PARTITION_COUNTS : PARTITION_COUNTS;
}

/** Rows on the cluster: add and consume per partition count, and the 2-engine row (not --quick). */
function clusterSteps(quick: boolean): number {
  return 2 * partitionCounts(quick).length + (quick ? 0 : 1);
}

/** Plus the single-server reference's add and consume rows (not --quick). */
function steps({ quick }: Pick<RunContext, 'quick'>): number {
  return clusterSteps(quick) + (quick ? 0 : 2);
}

async function singleServerRows(ctx: RunContext, rep: number): Promise<void> {
  await row(ctx, 'cluster', rowName('add', SINGLE_SERVER), 'sluice', rep, () =>
    addRow(ctx, 'sluice', addSpec(ctx, undefined)),
  );
  await row(ctx, 'cluster', rowName('consume', SINGLE_SERVER), 'sluice', rep, () =>
    resumeRow(ctx, 'sluice', consumeSpec(ctx, undefined, 1)),
  );
}

async function clusterRows(ctx: RunContext, cluster: RedisCluster, rep: number): Promise<void> {
  for (const partitions of partitionCounts(ctx.quick)) {
    await row(ctx, 'cluster', rowName('add', onCluster(partitions)), 'sluice', rep, () =>
      addRow(ctx, 'sluice', addSpec(ctx, partitions), cluster),
    );
  }
  for (const partitions of partitionCounts(ctx.quick)) {
    const read = completedOnCluster(cluster, queueName('sluice'), partitions);
    await row(ctx, 'cluster', rowName('consume', onCluster(partitions)), 'sluice', rep, () =>
      resumeRow(ctx, 'sluice', consumeSpec(ctx, partitions, 1), cluster, read),
    );
  }
  if (ctx.quick) return;
  const read = completedOnCluster(cluster, queueName('sluice'), SCALING_PARTITIONS);
  await row(ctx, 'cluster', rowName('consume', onCluster(SCALING_PARTITIONS, 2)), 'sluice', rep, () =>
    resumeRow(ctx, 'sluice', consumeSpec(ctx, SCALING_PARTITIONS, 2), cluster, read),
  );
}

export const cluster: Scenario = {
  name: 'cluster',
  description: `Sluice only, on a ${CLUSTER_MASTERS}-master Redis Cluster it starts itself (no replicas): one queue in ${PARTITION_COUNTS.join(', ')} partitions, and the same rows on the run's own redis-server for reference; tiny jobs added in bulk calls of ${BULK_CHUNK}, and consumed with a no-op handler by one engine of 2 threads (and by 2 engines on ${SCALING_PARTITIONS} partitions, as scaling runs them); Redis CPU summed over the masters (--quick: 6 partitions, one engine, no reference)`,
  steps,
  async run(ctx, rep) {
    for (const [lib, reason] of Object.entries(PEER_SKIPS) as [Lib, string][]) {
      ctx.skip({ scenario: this.name, row: 'every row', lib, rep, reason });
    }
    if (!ctx.quick) await singleServerRows(ctx, rep);
    let started: RedisCluster;
    try {
      started = await startCluster(ctx.redis.mode, CLUSTER_MASTERS);
    } catch (error) {
      ctx.fail({
        scenario: this.name,
        row: 'cluster start',
        lib: undefined,
        rep,
        error: error instanceof Error ? error.message : String(error),
      });
      for (let i = 0; i < clusterSteps(ctx.quick); i++) ctx.step(`${this.name} (no cluster)`);
      return;
    }
    try {
      await clusterRows(ctx, started, rep);
    } finally {
      await started.stop();
    }
  },
};

import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import { isValidJobId } from '../job/job-options.js';
import { GENERATED_ID } from '../job/names.js';
import { checkReplicas, type ReplicaWait } from '../job/replicas.js';
import type { Connection, RedisClient } from '../redis/connection.js';
import { connect } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { checkPartitions, queueKeys } from '../redis/keys.js';
import { KIB, MIB } from '../units.js';
import { QueueLayout } from './layout.js';

export interface QueueOptions {
  /** Redis URL, ioredis options, or a client to share (then close() leaves it open). */
  connection?: Connection;
  /** A payload whose JSON is larger is refused (default 512 KiB). */
  maxPayloadBytes?: number;
  /**
   * Splits the queue into this many partitions (1-256), each its own hash tag, so a Redis Cluster
   * spreads it over its masters. Fixed when the queue is first used; left out, the queue's stored
   * count is used (1 for a queue never partitioned).
   */
  partitions?: number;
  /**
   * Acknowledge an add only once `count` replicas have the jobs (Redis WAIT, at most `timeoutMs`);
   * fewer in time rejects with REPLICATION_TIMEOUT, the jobs being written on the master. Off by
   * default: replication is asynchronous, so a failover can lose adds acknowledged just before it.
   */
  replicas?: ReplicaWait;
  /**
   * Joins add and addBulk calls made while others are on their way into one script call (see
   * AddBatcher); default true. An add made alone is sent at once either way.
   */
  batchAdds?: boolean;
}

const QUEUE_OPTIONS = ['connection', 'maxPayloadBytes', 'partitions', 'replicas', 'batchAdds'];

export const QUEUE_DEFAULTS = {
  connection: 'redis://127.0.0.1:6379',
  maxPayloadBytes: 512 * KIB,
  batchAdds: true,
} as const satisfies Required<Omit<QueueOptions, 'connection' | 'partitions' | 'replicas'>> & {
  connection: string;
};

/** What every part of a Queue works on: its connection and partitions, and its options checked once. */
export interface QueueCore {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly redis: RedisClient;
  /** The connection was opened here, so close() quits it (a client passed in is left open). */
  readonly owned: boolean;
  readonly layout: QueueLayout;
  readonly maxPayloadBytes: number;
  readonly replicas: ReplicaWait | undefined;
  readonly batchAdds: boolean;
  closed: boolean;
}

/** Validates every option before connecting; throws naming the first option at fault. */
export function openQueue(name: string, options: QueueOptions): QueueCore {
  const keys = queueKeys(name);
  for (const key of Object.keys(options)) {
    if (!QUEUE_OPTIONS.includes(key)) throw invalidOption(key, 'is not a queue option');
  }
  const replicas = options.replicas === undefined ? undefined : checkReplicas(options.replicas);
  const max = options.maxPayloadBytes ?? QUEUE_DEFAULTS.maxPayloadBytes;
  if (!Number.isInteger(max) || max < 1 || max > 512 * MIB) {
    throw invalidOption('maxPayloadBytes', `must be an integer from 1 to ${512 * MIB}, got ${String(max)}`);
  }
  if (options.partitions !== undefined) checkPartitions(options.partitions);
  const batchAdds = options.batchAdds ?? QUEUE_DEFAULTS.batchAdds;
  if (typeof batchAdds !== 'boolean')
    throw invalidOption('batchAdds', `must be true or false, got ${String(batchAdds)}`);
  const { redis, owned } = connect(
    options.connection ?? QUEUE_DEFAULTS.connection,
    `sluice:producer:${name}`,
  );
  const layout = new QueueLayout(redis, keys, options.partitions);
  // Learnt now, while the caller builds its first jobs, so the first add is one round trip.
  // A failure here is seen again, and thrown, by the first call that needs the layout.
  layout.parts().catch(() => {});
  return { name, keys, redis, owned, layout, maxPayloadBytes: max, replicas, batchAdds, closed: false };
}

export function checkOpen(core: QueueCore): void {
  if (core.closed) throw new SluiceError(ErrorCode.CLOSED, `queue ${core.name} is closed`);
}

export function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || !(GENERATED_ID.test(id) || isValidJobId(id))) {
    throw new SluiceError(ErrorCode.INVALID_JOB_ID, `job id ${JSON.stringify(id)} is not a Sluice job id`);
  }
  return id;
}

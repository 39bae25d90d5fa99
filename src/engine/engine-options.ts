import { availableParallelism } from 'node:os';
import { invalidOption } from '../errors.js';
import { isName, NAME_RULE } from '../job/names.js';
import type { Logger } from '../logger.js';
import type { ConnectionSpec } from '../redis/connection.js';
import { checkPartitions, validateQueueName } from '../redis/keys.js';
import { KIB, MIB, SECOND } from '../units.js';

export interface EngineOptions {
  queue: string;
  /** Path or file: URL of the handler module (default export `async (payload, ctx) => result`). */
  handler: string;
  /**
   * Redis URL (redis:// or rediss://, with password), comma-separated URLs or { cluster } for a
   * Redis Cluster, or ioredis options; threads get their own clients.
   */
  connection?: ConnectionSpec;
  /** Worker threads running the handler. */
  threads?: number;
  /** A lease lasts this long (ms) unless renewed; a dead engine's jobs come back after it. */
  leaseMs?: number;
  /** Jobs per acquire call, at most. */
  batch?: number;
  /**
   * Jobs leased and not yet settled, at most. With concurrency set and this not, the window is
   * what can run (threads × concurrency) plus what lasts the threads through a round trip at the
   * measured rate, at least as much again, up to the default maxInFlight.
   */
  maxInFlight?: number;
  /** Record bytes leased and not yet settled, at most. */
  maxInFlightBytes?: number;
  /** Jobs per thread batch, at most. */
  threadBatch?: number;
  /** Batches one thread runs at once. */
  tasksPerThread?: number;
  /**
   * Jobs one thread runs at once, for handlers that must not run too many at a time (a database
   * pool, a rate-limited API); 0 (the default) runs every job of a thread's batches at once.
   */
  concurrency?: number;
  threadMemoryMb?: number;
  /** A kept result (job option keepResult) whose JSON is larger is not kept; the reason is, instead. */
  maxResultBytes?: number;
  janitorIntervalMs?: number;
  /** On stop, running jobs get this long (ms) to finish before their AbortSignal fires. */
  graceMs?: number;
  /** Settle when this many outcomes wait, even while a settle call is in flight. */
  settleBatch?: number;
  /**
   * 0 (the default): settle as soon as no settle call is in flight, so a lone job settles at
   * once and outcomes that come faster than round trips share a call. Else let outcomes gather
   * for up to this many ms.
   */
  settleWaitMs?: number;
  /**
   * The queue's partitions (1-256; see QueueOptions.partitions): stored when the queue has none
   * yet, else it must match. Left out, the stored count is used (1 for a queue never partitioned).
   */
  partitions?: number;
  /**
   * The `engine` label of this engine's metrics (1-100 characters of A-Z a-z 0-9 _ . : -), kept
   * across restarts; default `host:N` (see engine-name.ts). Unique per queue within a process.
   */
  engineName?: string;
  logger?: Logger;
}

export type ResolvedEngineOptions = Required<Omit<EngineOptions, 'logger' | 'partitions' | 'engineName'>> & {
  logger: Logger | undefined;
  partitions: number | undefined;
  engineName: string | undefined;
  /**
   * The window follows the measured rate (see LeaseAhead), with maxInFlight as its cap: set when
   * concurrency is and maxInFlight is not.
   */
  leaseAhead: boolean;
};

export const ENGINE_DEFAULTS = {
  connection: 'redis://127.0.0.1:6379',
  threads: Math.max(1, availableParallelism()),
  leaseMs: 30 * SECOND,
  batch: 1000,
  maxInFlight: 8192,
  maxInFlightBytes: 64 * MIB,
  threadBatch: 1000,
  tasksPerThread: 4,
  concurrency: 0,
  threadMemoryMb: 512,
  maxResultBytes: 64 * KIB,
  janitorIntervalMs: 5 * SECOND,
  graceMs: 30 * SECOND,
  settleBatch: 1000,
  settleWaitMs: 0,
} satisfies Omit<
  ResolvedEngineOptions,
  'queue' | 'handler' | 'logger' | 'partitions' | 'engineName' | 'leaseAhead'
>;

const LIMITS: Record<keyof typeof ENGINE_DEFAULTS, [number, number] | undefined> = {
  connection: undefined,
  threads: [1, 256],
  leaseMs: [100, 24 * 3600 * SECOND],
  batch: [1, 1000],
  maxInFlight: [1, 1_000_000],
  maxInFlightBytes: [MIB, 16 * 1024 * MIB],
  threadBatch: [1, 1000],
  tasksPerThread: [1, 1000],
  concurrency: [0, 100_000],
  threadMemoryMb: [16, 64 * 1024],
  maxResultBytes: [1, 16 * MIB],
  janitorIntervalMs: [10, 3600 * SECOND],
  graceMs: [0, 3600 * SECOND],
  settleBatch: [1, 1000],
  settleWaitMs: [0, 1000],
};

/** Validates every field (naming the bad one) and fills in the defaults. */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  validateQueueName(options.queue);
  if (typeof options.handler !== 'string' || options.handler === '') {
    throw invalidOption('handler', 'must be the path of a handler module');
  }
  const resolved = {
    ...ENGINE_DEFAULTS,
    ...options,
    logger: options.logger,
    partitions: options.partitions,
    engineName: options.engineName,
    leaseAhead: false,
  } as ResolvedEngineOptions;
  if (options.partitions !== undefined) checkPartitions(options.partitions);
  if (options.engineName !== undefined && !isName(options.engineName)) {
    throw invalidOption('engineName', `must be ${NAME_RULE}, got ${JSON.stringify(options.engineName)}`);
  }
  for (const [field, range] of Object.entries(LIMITS)) {
    const value = (resolved as unknown as Record<string, unknown>)[field];
    if (range === undefined) continue;
    const [min, max] = range;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidOption(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  }
  if (
    typeof resolved.connection !== 'string' &&
    (typeof resolved.connection !== 'object' || resolved.connection === null)
  ) {
    throw invalidOption('connection', 'must be a Redis URL or ioredis options');
  }
  // Jobs leased beyond what lasts through a round trip would only wait here, holding leases
  // other engines could use: with a concurrency limit, the window follows the measured rate.
  resolved.leaseAhead = options.maxInFlight === undefined && resolved.concurrency > 0;
  return resolved;
}

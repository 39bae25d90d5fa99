import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import type { ThreadPool } from '../threads/pool.js';
import { LeaseAhead } from './batching.js';
import { RedisClock } from './clock.js';
import { Dispatcher, type DispatcherState } from './dispatcher.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import { Heartbeat } from './heartbeat.js';
import { Leases } from './leases.js';
import type { EngineMetrics } from './metrics.js';
import { ProgressWriter } from './progress.js';
import { Settler } from './settler.js';

/** A partition's share of an engine: its own dispatcher, leases, settler and heartbeat. */
export interface Lane {
  keys: QueueKeys;
  dispatcher: Dispatcher;
  heartbeat: Heartbeat;
}

/** What every lane of an engine uses alike. */
export interface LaneShared {
  redis: RedisClient;
  pool: ThreadPool;
  quarantine: ThreadPool;
  metrics: EngineMetrics;
  id: string;
  options: ResolvedEngineOptions;
  log: Logger;
}

/** Which lane's state the engine reports when they differ: the busiest first. */
export const STATE_ORDER: readonly DispatcherState[] = [
  'acquiring',
  'full',
  'limited',
  'idle',
  'starting',
  'draining',
  'stopped',
];

/**
 * The lane of one partition. Each lane gets an equal share of the in-flight window, so every
 * partition is served alike; all share the thread pools. An empty partition's lane sleeps until
 * its wake message (or the idle poll), so empty partitions cost no busy polling.
 */
export function startLane(keys: QueueKeys, lanes: number, shared: LaneShared): Lane {
  const { redis, pool, quarantine, metrics, id, options, log } = shared;
  const laneLog = lanes === 1 ? log : log.child({ partition: keys.partition });
  const clock = new RedisClock();
  const leases = new Leases(redis, keys, options.leaseMs, clock, laneLog);
  let dispatcher: Dispatcher | undefined;
  const settler = new Settler(
    redis,
    keys,
    leases,
    { queue: options.queue, maxBatch: options.settleBatch, maxWaitMs: options.settleWaitMs },
    laneLog,
    metrics,
    {
      reserve: (freeing) => dispatcher?.reserve(freeing),
      settled: (lease, settled, roundTripMs) => dispatcher?.settled(lease, settled, roundTripMs),
    },
  );
  const cap = {
    maxInFlight: Math.ceil(options.maxInFlight / lanes),
    maxInFlightBytes: Math.ceil(options.maxInFlightBytes / lanes),
    maxBlock: options.batch,
  };
  dispatcher = new Dispatcher(
    {
      redis,
      keys,
      pool,
      quarantine,
      leases,
      settler,
      progress: new ProgressWriter(redis, keys, laneLog),
      clock,
      log: laneLog,
    },
    {
      window: options.leaseAhead
        ? new LeaseAhead(Math.ceil((options.threads * options.concurrency) / lanes), cap)
        : cap,
      maxBatch: options.threadBatch,
      threads: options.threads,
      leaseMs: options.leaseMs,
      promoteLimit: options.batch,
      watchdogGraceMs: 1000,
      interruptWaitMs: 2000,
    },
  );
  const running = dispatcher;
  const heartbeat = new Heartbeat(
    id,
    redis,
    keys,
    { threads: options.threads, inFlight: () => running.inFlight, settled: () => settler.settled },
    metrics,
    laneLog,
  );
  return { keys, dispatcher: running, heartbeat };
}

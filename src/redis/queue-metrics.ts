import type { RateLimit } from '../job/rate-limit.js';
import type { RedisClient } from './connection.js';
import { liveIds } from './engines.js';
import { METRICS_REPLIES, parseMetrics, type QueueTotals, readMetrics } from './inspect.js';
import { type QueueKeys, runOrder } from './keys.js';
import { parseRateLimit } from './rate-limit.js';
import { readTogether } from './read.js';
import { queueScript } from './scripts.js';
import { timeMs } from './time.js';

/** What /metrics exports of a queue: its counts and counters, and its state at the same instant. */
export interface QueueMetrics extends QueueTotals {
  paused: boolean;
  /** undefined when the queue has no rate limit. */
  rateLimit: RateLimit | undefined;
  /** Engines whose heartbeat is recent (see LIVE_ENGINE_MS). */
  engines: number;
  /**
   * How long (ms, Redis clock) the longest-waiting job at the head of a waiting list has been in
   * the queue since it was added (a delay or retry backoff counts, as in sluice_job_wait_seconds);
   * 0 when nothing waits; undefined when Redis refused the script (it writes nothing, so only a
   * Redis that refuses every script would).
   */
  oldestWaitingMs: number | undefined;
}

/** One partition's QueueMetrics, read in one MULTI (see readTogether). */
export async function queueMetrics(redis: RedisClient, keys: QueueKeys): Promise<QueueMetrics> {
  const reply = await readTogether(redis, (batch) =>
    queueScript(
      readMetrics(batch, keys)
        .exists(keys.paused)
        .hmget(keys.limit, 'max', 'duration')
        .time()
        .zrange(keys.engines, 0, -1, 'WITHSCORES'),
      'oldest-waiting',
      [keys.jobs, ...runOrder(keys)],
    ),
  );
  const value = (i: number): unknown => reply[METRICS_REPLIES + i]?.[1];
  const now = timeMs(value(2) as string[]);
  // A refused script leaves the other figures, which an operator needs most when Redis is in trouble.
  const oldest = reply[METRICS_REPLIES + 4]?.[0] ? undefined : (value(4) as number);
  return {
    ...parseMetrics(reply),
    paused: value(0) === 1,
    rateLimit: parseRateLimit(value(1) as (string | null)[]),
    engines: liveIds(now, value(3) as string[]).length,
    oldestWaitingMs: oldest === undefined ? undefined : oldest < 0 ? 0 : Math.max(0, now - oldest),
  };
}

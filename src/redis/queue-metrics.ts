import type { QueueMetrics } from '../job/metrics.js';
import type { RedisClient } from './connection.js';
import { METRICS_REPLIES, parseMetrics, readMetrics } from './counts.js';
import { liveIds } from './engines.js';
import { type QueueKeys, runOrder } from './keys.js';
import { parseRateLimit } from './rate-limit.js';
import { readTogether } from './read.js';
import { queueScript } from './scripts.js';
import { timeMs } from './time.js';

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

import type { QueueSnapshot } from '../job/metrics.js';
import type { RedisClient } from './connection.js';
import { METRICS_REPLIES, parseMetrics, readMetrics } from './counts.js';
import { LIVE_ENGINE_MS, liveIds } from './engines.js';
import { pointsSince, rates } from './history.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { timeMs } from './time.js';

/** Everything the monitor's live view shows of a queue, read together (see readTogether). */
export async function snapshot(redis: RedisClient, keys: QueueKeys): Promise<QueueSnapshot> {
  const reply = await readTogether(redis, (batch) =>
    readMetrics(batch, keys)
      .exists(keys.paused)
      .time()
      .zrange(keys.engines, 0, -1, 'WITHSCORES')
      .zrange(keys.history, -2, -1),
  );
  const value = (i: number): unknown => reply[METRICS_REPLIES + i]?.[1];
  const { deadLettered: _, ...counts } = parseMetrics(reply);
  const t = timeMs(value(1) as string[]);
  const recent = pointsSince(value(3) as string[], Math.floor((t - LIVE_ENGINE_MS) / 1000));
  const last = rates(recent).at(-1);
  return {
    paused: value(0) === 1,
    counts,
    engines: liveIds(t, value(2) as string[]).length,
    rate: { completed: last?.completed ?? 0, failed: last?.failed ?? 0 },
    t,
  };
}

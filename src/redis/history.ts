import type { RatePoint } from '../job/metrics.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { timeMs } from './time.js';

/** The monitor charts 15 minutes; the heartbeat keeps 16 (lua/heartbeat.lua). */
export const MAX_HISTORY_SECONDS = 15 * 60;

interface CounterPoint {
  second: number;
  completed: number;
  failed: number;
}

/** Parses a history member "second:completed:failed"; undefined when malformed. */
export function parseHistoryPoint(member: string): CounterPoint | undefined {
  const [second, completed, failed, extra] = member.split(':').map(Number);
  if (extra !== undefined || ![second, completed, failed].every((n) => Number.isInteger(n))) return undefined;
  return { second: second as number, completed: completed as number, failed: failed as number };
}

/**
 * Per-second rates between consecutive points (one per point after the first). A counter that
 * went down (the stats hash was reset) yields 0 rather than a negative rate.
 */
export function rates(points: readonly CounterPoint[]): RatePoint[] {
  const out: RatePoint[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as CounterPoint;
    const b = points[i] as CounterPoint;
    const seconds = b.second - a.second;
    if (seconds <= 0) continue;
    out.push({
      t: b.second * 1000,
      completed: Math.max(0, b.completed - a.completed) / seconds,
      failed: Math.max(0, b.failed - a.failed) / seconds,
    });
  }
  return out;
}

/** The points of a history ZRANGE reply at or after `sinceSecond`, oldest first. */
export function pointsSince(members: readonly string[], sinceSecond: number): CounterPoint[] {
  const points: CounterPoint[] = [];
  for (const member of members) {
    const point = parseHistoryPoint(member);
    if (point && point.second >= sinceSecond) points.push(point);
  }
  return points;
}

/**
 * Completed and failed jobs per second over the last `seconds` (Redis clock), oldest first.
 * There is at most one point per second, so the last seconds + 1 members cover the window.
 */
export async function history(redis: RedisClient, keys: QueueKeys, seconds: number): Promise<RatePoint[]> {
  const [[, time], [, members]] = (await readTogether(redis, (batch) =>
    batch.time().zrange(keys.history, -(seconds + 1), -1),
  )) as [[null, string[]], [null, string[]]];
  return rates(pointsSince(members, Math.floor(timeMs(time) / 1000) - seconds));
}

import { MAX_PRIORITY, MIN_PRIORITY } from '../job/job-options.js';
import type { RedisClient } from './connection.js';
import { priorityKey, type QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { timeMs } from './time.js';

export interface QueuePressure {
  /** Waiting jobs per priority 1..5 (index 0 is priority 1); priority 3's list is pending itself. */
  waiting: number[];
  /** The rate limit setting, or undefined when none. */
  limit?: { max: number; duration: number };
  /** The lease log's entries of the last `duration` ms, as ZRANGEBYSCORE WITHSCORES returns them. */
  log: string[];
  /** Redis time of the read (ms). */
  now: number;
}

/** Waiting jobs by priority and the rate limit with its recent lease log, read at one instant. */
export async function queuePressure(redis: RedisClient, keys: QueueKeys): Promise<QueuePressure> {
  const lists: string[] = [];
  for (let priority = MIN_PRIORITY; priority <= MAX_PRIORITY; priority++) {
    lists.push(priority === 3 ? keys.pending : priorityKey(keys, priority));
  }
  const first = await readTogether(redis, (batch) =>
    lists.reduce((b, list) => b.llen(list), batch.time().hmget(keys.limit, 'max', 'duration')),
  );
  const [[, time], [, setting]] = first as [[null, string[]], [null, (string | null)[]]];
  const now = timeMs(time);
  const [max, duration] = setting.map((v) => (v === null ? undefined : Number(v)));
  const waiting = first.slice(2).map(([, n]) => Number(n));
  if (max === undefined || duration === undefined) return { waiting, log: [], now };
  // Bounded: the acquire script logs one entry per leasing call, and forgets those past the window.
  const log = await redis.zrangebyscore(
    keys['limit-log'],
    `(${now - duration}`,
    '+inf',
    'WITHSCORES',
    'LIMIT',
    0,
    10_000,
  );
  return { waiting, limit: { max, duration }, log, now };
}

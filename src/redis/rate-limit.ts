import type { RateLimit } from '../job/rate-limit.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

/**
 * Sets the limit lua/acquire.lua enforces from its next call, and wakes engines so one waiting
 * on the old limit acquires at once. The lease log is kept: leases already made still count.
 */
export async function setRateLimit(redis: RedisClient, keys: QueueKeys, limit: RateLimit): Promise<void> {
  await redis
    .pipeline()
    .hset(keys.limit, 'max', limit.max, 'duration', limit.duration)
    .publish(keys.wake, '1')
    .exec()
    .then(throwFirst);
}

/** Removes the limit and its lease log, and wakes engines waiting on it. */
export async function clearRateLimit(redis: RedisClient, keys: QueueKeys): Promise<void> {
  await redis.pipeline().del(keys.limit, keys['limit-log']).publish(keys.wake, '1').exec().then(throwFirst);
}

export async function rateLimit(redis: RedisClient, keys: QueueKeys): Promise<RateLimit | undefined> {
  return parseRateLimit(await redis.hmget(keys.limit, 'max', 'duration'));
}

/** The reply of HMGET limit max duration as a rate limit; undefined when none is set. */
export function parseRateLimit([max, duration]: readonly (string | null | undefined)[]):
  | RateLimit
  | undefined {
  return max == null || duration == null ? undefined : { max: Number(max), duration: Number(duration) };
}

function throwFirst(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([error]) => error !== null);
  if (failed) throw failed[0];
}

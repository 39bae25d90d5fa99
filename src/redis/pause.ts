import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

/** While the paused key exists, lua/acquire.lua leases nothing; running jobs finish, adds go on. */
export async function pause(redis: RedisClient, keys: QueueKeys): Promise<void> {
  await redis.set(keys.paused, '1');
}

/** Lifts the pause and wakes idle engines at once (the same message lua/enqueue.lua publishes). */
export async function resume(redis: RedisClient, keys: QueueKeys): Promise<void> {
  // A pipeline, not a MULTI: a full Redis refuses everything queued in a MULTI, and a paused
  // queue whose Redis is full must still be resumed (its engines are what frees the memory).
  await redis.pipeline().del(keys.paused).publish(keys.wake, '1').exec();
}

export async function isPaused(redis: RedisClient, keys: QueueKeys): Promise<boolean> {
  return (await redis.exists(keys.paused)) === 1;
}

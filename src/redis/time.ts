import type { RedisClient } from './connection.js';

/** Converts a TIME reply to ms. */
export function timeMs([seconds, micros]: readonly (string | number)[]): number {
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** The Redis server's clock in ms: what dead-at times, deadlines and heartbeats are measured by. */
export async function redisNow(redis: RedisClient): Promise<number> {
  return timeMs(await redis.time());
}

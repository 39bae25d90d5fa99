import type { DeadLetter, DeadPage, DeadRange } from '../job/dead-letter.js';
import type { RedisClient } from './connection.js';
import { readNewestFirst } from './dead-order.js';
import { hydrate, toDeadLetter } from './display.js';
import type { QueueKeys } from './keys.js';

/** The score range of the dead set a dead-at range covers. */
export function scoreBounds(range: DeadRange): { min: string; max: string } {
  return {
    min: range.from === undefined ? '-inf' : String(range.from),
    max: range.to === undefined ? '+inf' : String(range.to),
  };
}

/** The dead letters of the given ids (with their dead-at times), in that order. */
export async function deadLetters(
  redis: RedisClient,
  keys: QueueKeys,
  entries: readonly { id: string; deadAt: number }[],
): Promise<DeadLetter[]> {
  if (entries.length === 0) return [];
  const [records, deliveries, errors] = await hydrate(
    redis,
    keys,
    entries.map((e) => e.id),
  );
  return entries.map(({ id, deadAt }, i) => toDeadLetter(id, deadAt, records[i], deliveries[i], errors[i]));
}

/** Dead letters, newest first (see dead-order.ts), optionally only those that died within a time range. */
export async function listDead(
  redis: RedisClient,
  keys: QueueKeys,
  offset: number,
  limit: number,
  range: DeadRange = {},
): Promise<DeadPage> {
  const { min, max } = scoreBounds(range);
  const [total, page] = await Promise.all([
    redis.zcount(keys.dead, min, max),
    readNewestFirst(redis, keys.dead, min, max, offset, limit),
  ]);
  return { total, items: await deadLetters(redis, keys, page) };
}

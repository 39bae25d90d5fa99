import type { DeadFilter, DeadPage } from '../job/dead-letter.js';
import type { ErrorEntry } from '../job/failure.js';
import { decodeErrorEntries } from '../job/failure.js';
import type { RedisClient } from './connection.js';
import { deadLetters, scoreBounds } from './dead-letters.js';
import { compareDead, type Dated, withScores } from './dead-order.js';
import { retryDead } from './dlq.js';
import type { QueueKeys } from './keys.js';
import { redisNow } from './time.js';

/**
 * Dead letters read per step of a text search. Each carries its error history (up to ~12 KiB per
 * attempt), so steps stay small: RedisClient is never held, and no read is large.
 */
export const SEARCH_CHUNK = 200;

/** Whether any error entry's name or message contains the needle (already lower-cased). */
export function errorsMatch(entries: readonly ErrorEntry[], needle: string): boolean {
  return entries.some(
    (e) => String(e.name).toLowerCase().includes(needle) || String(e.message).toLowerCase().includes(needle),
  );
}

async function errorsOf(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<(string | null)[]> {
  return ids.length === 0 ? [] : redis.hmget(keys.errors, ...ids);
}

/**
 * Dead letters (in the order of compareDead) whose errors contain `q`, within the range; total counts every
 * match, so the whole range is scanned, SEARCH_CHUNK letters per step.
 */
export async function searchDead(
  redis: RedisClient,
  keys: QueueKeys,
  filter: DeadFilter & { q: string },
  offset: number,
  limit: number,
): Promise<DeadPage> {
  const needle = filter.q.toLowerCase();
  const { min, max } = scoreBounds(filter);
  // Every match, by id and time only: a chunk edge may split letters of one millisecond.
  const matches: Dated[] = [];
  for (let at = 0; ; at += SEARCH_CHUNK) {
    const chunk = withScores(
      await redis.zrevrangebyscore(keys.dead, max, min, 'WITHSCORES', 'LIMIT', at, SEARCH_CHUNK),
    );
    const errors = await errorsOf(
      redis,
      keys,
      chunk.map((c) => c.id),
    );
    chunk.forEach((entry, i) => {
      if (errorsMatch(decodeErrorEntries(errors[i] ?? null), needle)) matches.push(entry);
    });
    if (chunk.length < SEARCH_CHUNK) break;
  }
  const page = matches.sort(compareDead).slice(offset, offset + limit);
  return { total: matches.length, items: await deadLetters(redis, keys, page) };
}

/**
 * Redrives the dead letters that match, oldest first, SEARCH_CHUNK per step. Only letters dead
 * when the call began are considered, so a redriven job that dies again is not redriven twice.
 */
export async function retryDeadMatching(
  redis: RedisClient,
  keys: QueueKeys,
  filter: DeadFilter,
): Promise<number> {
  const now = await redisNow(redis);
  const needle = filter.q?.toLowerCase();
  const { min } = scoreBounds(filter);
  const max = String(Math.min(filter.to ?? now, now));
  let moved = 0;
  // Letters before `at` were seen and did not match; moved ones left the set, so `at` only grows by the rest.
  for (let at = 0; ; ) {
    const ids = await redis.zrangebyscore(keys.dead, min, max, 'LIMIT', at, SEARCH_CHUNK);
    let matching = ids;
    if (needle !== undefined) {
      const errors = await errorsOf(redis, keys, ids);
      matching = ids.filter((_, i) => errorsMatch(decodeErrorEntries(errors[i] ?? null), needle));
    }
    const n = await retryDead(redis, keys, matching);
    moved += n;
    at += ids.length - n;
    if (ids.length < SEARCH_CHUNK) return moved;
  }
}

/**
 * The order dead letters are listed in: newest first, and letters that died in the same
 * millisecond by id, highest first. A ZSET orders ties by member as text ("99" before "100"), so
 * the pages are read by score and the ties at their edges put in this order here.
 */
import type { RedisClient } from './connection.js';
import { readTogether } from './read.js';

export interface Dated {
  id: string;
  deadAt: number;
}

const INTEGER = /^[0-9]+$/;

/** Ids descending: as numbers when both are integers (generated ids), else as text (chosen ids). */
export function compareIdsDescending(a: string, b: string): number {
  if (INTEGER.test(a) && INTEGER.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x > y ? -1 : 1;
  }
  return a === b ? 0 : a > b ? -1 : 1;
}

/** Newest first, then by id (see compareIdsDescending). */
export function compareDead(a: Dated, b: Dated): number {
  return b.deadAt - a.deadAt || compareIdsDescending(a.id, b.id);
}

/**
 * The page [offset, offset + limit) of the whole ordered list, given every letter whose dead-at
 * time lies between the page's first and last (`span`, any order) and how many come before them.
 */
export function pageFromSpan(span: readonly Dated[], before: number, offset: number, limit: number): Dated[] {
  const start = offset - before;
  return [...span].sort(compareDead).slice(start, start + limit);
}

/** Pairs the members and scores of a WITHSCORES reply. */
export function withScores(range: readonly string[]): Dated[] {
  const out: Dated[] = [];
  for (let i = 0; i < range.length; i += 2)
    out.push({ id: range[i] as string, deadAt: Number(range[i + 1]) });
  return out;
}

/**
 * One page of a ZSET of dead-at scores within [min, max], in the order of compareDead. Redis gives
 * the page's first and last times; every member between them (ties at the edges included) is read
 * by id only and ordered here. Letters of one millisecond are at most a settle batch or so: a
 * small read.
 */
export async function readNewestFirst(
  redis: RedisClient,
  key: string,
  min: string,
  max: string,
  offset: number,
  limit: number,
): Promise<Dated[]> {
  const rough = withScores(await redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', offset, limit));
  const first = rough[0];
  const last = rough.at(-1);
  if (first === undefined || last === undefined) return [];
  const [[, before], [, span]] = (await readTogether(redis, (batch) =>
    batch.zcount(key, `(${first.deadAt}`, max).zrevrangebyscore(key, first.deadAt, last.deadAt, 'WITHSCORES'),
  )) as [[null, number], [null, string[]]];
  return pageFromSpan(withScores(span), before, offset, limit);
}

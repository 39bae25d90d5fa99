import type { ChainableCommander } from 'ioredis';
import type { JobInfo, JobPage, JobState } from '../job/info.js';
import type { RedisClient } from './connection.js';
import { readNewestFirst } from './dead-order.js';
import { hydrate, toCompletedInfo, toJobInfo } from './display.js';
import { type QueueKeys, runOrder } from './keys.js';
import { readTogether } from './read.js';

/** Reads the ids (and scores) of one page of a state other than waiting, in the order it is listed. */
function pageOf(
  multi: ChainableCommander,
  keys: QueueKeys,
  state: Exclude<JobState, 'waiting' | 'dead'>,
  offset: number,
  limit: number,
) {
  const last = offset + limit - 1;
  switch (state) {
    case 'active':
      return multi.zcard(keys.active).zrange(keys.active, offset, last, 'WITHSCORES');
    case 'delayed':
      return multi.zcard(keys.delayed).zrange(keys.delayed, offset, last, 'WITHSCORES');
    case 'completed':
      return multi.zcard(keys.completed).zrevrange(keys.completed, offset, last, 'WITHSCORES');
  }
}

/**
 * One page of the jobs in a state: waiting in the order they will run, active by lease deadline,
 * delayed by due time, dead and kept completed newest first. A job that completes between the two reads is left out;
 * one that moved to another state meanwhile is shown in the state it was listed in.
 */
export async function listJobs(
  redis: RedisClient,
  keys: QueueKeys,
  state: JobState,
  offset: number,
  limit: number,
): Promise<JobPage> {
  let total: number;
  const ids: string[] = [];
  const scores: (number | undefined)[] = [];
  if (state === 'waiting') {
    ({ total } = await waitingPage(redis, keys, offset, limit, ids));
  } else if (state === 'dead') {
    const [count, page] = await Promise.all([
      redis.zcard(keys.dead),
      readNewestFirst(redis, keys.dead, '-inf', '+inf', offset, limit),
    ]);
    total = count;
    for (const { id, deadAt } of page) {
      ids.push(id);
      scores.push(deadAt);
    }
  } else {
    const [[, count], [, range]] = (await readTogether(redis, (batch) =>
      pageOf(batch, keys, state, offset, limit),
    )) as [[null, number], [null, string[]]];
    total = count;
    for (let i = 0; i < range.length; i += 2) {
      ids.push(range[i] as string);
      scores.push(Number(range[i + 1]));
    }
  }
  if (ids.length === 0) return { total, items: [] };
  if (state === 'completed') {
    const kept = await redis.hmget(keys['completed-jobs'], ...ids);
    const items: JobInfo[] = [];
    ids.forEach((id, i) => {
      const entry = kept[i];
      if (entry != null) items.push(toCompletedInfo(id, entry, scores[i]));
    });
    return { total, items };
  }
  const [records, deliveries, errors] = await hydrate(redis, keys, ids);
  const items: JobInfo[] = [];
  ids.forEach((id, i) => {
    const record = records[i];
    if (record != null) items.push(toJobInfo(id, state, record, deliveries[i], errors[i], scores[i]));
  });
  return { total, items };
}

/** The slices [start, end) of each list (lengths in run order) that a page [offset, offset + limit) covers. */
export function waitingSlices(
  lengths: readonly number[],
  offset: number,
  limit: number,
): { list: number; start: number; end: number }[] {
  const slices: { list: number; start: number; end: number }[] = [];
  let before = 0;
  lengths.forEach((length, list) => {
    const start = Math.max(0, offset - before);
    const end = Math.min(length, offset + limit - before);
    if (start < end) slices.push({ list, start, end });
    before += length;
  });
  return slices;
}

/**
 * Waiting ids in run order, appended to `ids`: the priority lists and pending, most urgent first, each
 * LPUSHed and RPOPped, so its next job is its last element. Two reads: the lengths, then the ranges.
 */
async function waitingPage(
  redis: RedisClient,
  keys: QueueKeys,
  offset: number,
  limit: number,
  ids: string[],
): Promise<{ total: number }> {
  const lists = runOrder(keys);
  const lengths = (await readTogether(redis, (batch) => lists.reduce((b, list) => b.llen(list), batch))).map(
    ([, n]) => Number(n),
  );
  const slices = waitingSlices(lengths, offset, limit);
  if (slices.length > 0) {
    const ranges = await readTogether(redis, (batch) =>
      slices.reduce((b, s) => b.lrange(lists[s.list] as string, -s.end, -(s.start + 1)), batch),
    );
    for (const [, range] of ranges) ids.push(...(range as string[]).reverse());
  }
  return { total: lengths.reduce((sum, n) => sum + n, 0) };
}

import type { DeadGroup, DeadPage } from '../job/dead-letter.js';
import type { RedisClient } from './connection.js';
import { deadLetters } from './dead-letters.js';
import { readNewestFirst } from './dead-order.js';
import { deleteDead, retryDead } from './dlq.js';
import type { QueueKeys } from './keys.js';
import { deadGroupKey } from './keys.js';
import { readTogether } from './read.js';
import { redisNow } from './time.js';

/** Groups read per step, and letters moved or deleted per script call of a group action. */
export const GROUP_CHUNK = 500;

async function groupLabels(redis: RedisClient, keys: QueueKeys): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys['dead-groups'], cursor, 'COUNT', GROUP_CHUNK);
    for (let i = 0; i < flat.length; i += 2) labels.set(flat[i] as string, flat[i + 1] as string);
    cursor = next;
  } while (cursor !== '0');
  return labels;
}

/** Every group with at least one dead letter, largest first (then by label). */
export async function deadGroups(redis: RedisClient, keys: QueueKeys): Promise<DeadGroup[]> {
  const labels = await groupLabels(redis, keys);
  const ids = [...labels.keys()];
  const groups: DeadGroup[] = [];
  for (let at = 0; at < ids.length; at += GROUP_CHUNK) {
    const chunk = ids.slice(at, at + GROUP_CHUNK);
    const replies = await readTogether(redis, (batch) => {
      for (const id of chunk) {
        const key = deadGroupKey(keys, id);
        batch.zcard(key).zrevrange(key, 0, 0, 'WITHSCORES');
      }
      return batch;
    });
    chunk.forEach((id, i) => {
      const count = replies[2 * i]?.[1] as number;
      const newest = replies[2 * i + 1]?.[1] as string[];
      // A group emptied since the scan is left out.
      if (count > 0)
        groups.push({ id, label: labels.get(id) as string, count, lastDeadAt: Number(newest[1]) });
    });
  }
  return groups.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** One page of a group's dead letters, newest first; total is the group's size. */
export async function listDeadGroup(
  redis: RedisClient,
  keys: QueueKeys,
  id: string,
  offset: number,
  limit: number,
): Promise<DeadPage> {
  const key = deadGroupKey(keys, id);
  const [total, page] = await Promise.all([
    redis.zcard(key),
    readNewestFirst(redis, key, '-inf', '+inf', offset, limit),
  ]);
  return { total, items: await deadLetters(redis, keys, page) };
}

/**
 * Applies `act` (redrive or delete) to the letters of a group that were in it when the call
 * began, oldest first, GROUP_CHUNK per step. Letters `act` leaves in place (a damaged record is
 * not redriven) are stepped over, so the loop always ends; letters that join meanwhile are not
 * touched, so a redriven job that fails the same way again is not redriven twice.
 */
async function drainGroup(
  redis: RedisClient,
  keys: QueueKeys,
  id: string,
  act: (ids: readonly string[]) => Promise<number>,
): Promise<number> {
  const key = deadGroupKey(keys, id);
  const until = await redisNow(redis);
  let done = 0;
  for (let at = 0; ; ) {
    const ids = await redis.zrangebyscore(key, '-inf', until, 'LIMIT', at, GROUP_CHUNK);
    const n = await act(ids);
    done += n;
    at += ids.length - n;
    if (ids.length < GROUP_CHUNK) return done;
  }
}

/** Redrives a group's letters (see drainGroup); returns how many moved. */
export function retryDeadGroup(redis: RedisClient, keys: QueueKeys, id: string): Promise<number> {
  return drainGroup(redis, keys, id, (ids) => retryDead(redis, keys, ids));
}

/** Deletes a group's letters (see drainGroup); returns how many were deleted. */
export function deleteDeadGroup(redis: RedisClient, keys: QueueKeys, id: string): Promise<number> {
  return drainGroup(redis, keys, id, (ids) => deleteDead(redis, keys, ids));
}

import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';
import { redisNow } from './time.js';

/** Dead letters moved per call of retryAllDead, so no call holds Redis for long. */
export const DLQ_CHUNK = 500;

/** The keys of dlq-retry.lua and dlq-edit.lua. */
function redriveKeys(keys: QueueKeys): string[] {
  return [
    keys.dead,
    keys.pending,
    keys.jobs,
    keys.deliveries,
    keys.stats,
    keys['dead-fingerprints'],
    keys['dead-groups'],
  ];
}

/** Moves the given dead letters back to pending; returns how many were dead. */
export async function retryDead(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const [moved] = (await runScript(redis, 'dlq-retry', redriveKeys(keys), [keys.wake, 'ids', ...ids])) as [
    number,
    number,
    number,
  ];
  return moved;
}

/**
 * Moves every dead letter back to pending in bounded chunks; returns how many moved. Damaged
 * records stay dead (a retry could only fail them again) and are stepped over.
 */
export async function retryAllDead(redis: RedisClient, keys: QueueKeys): Promise<number> {
  let total = 0;
  let skipped = 0;
  for (;;) {
    const [moved, left, skippedNow] = (await runScript(redis, 'dlq-retry', redriveKeys(keys), [
      keys.wake,
      'all',
      DLQ_CHUNK,
      skipped,
    ])) as [number, number, number];
    total += moved;
    skipped += skippedNow;
    if (left <= skipped || moved + skippedNow === 0) return total;
  }
}

/** Deletes dead letters; returns how many were dead (others are left alone). */
export async function deleteDead(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  return (await runScript(
    redis,
    'dlq-delete',
    [keys.dead, keys.jobs, keys.deliveries, keys.errors, keys['dead-fingerprints'], keys['dead-groups']],
    ids,
  )) as number;
}

/** Dead letters deleted per call of purgeDead: each call holds Redis for a short time only. */
export const PURGE_CHUNK = 1000;

/**
 * Deletes every letter that was dead when the call began, PURGE_CHUNK per script call; returns
 * how many were deleted. Letters that die during the purge are kept (they were not asked about).
 */
export async function purgeDead(redis: RedisClient, keys: QueueKeys): Promise<number> {
  const until = await redisNow(redis);
  let total = 0;
  for (;;) {
    const ids = await redis.zrangebyscore(keys.dead, '-inf', until, 'LIMIT', 0, PURGE_CHUNK);
    if (ids.length === 0) return total;
    total += await deleteDead(redis, keys, ids);
  }
}

export type EditOutcome = 'redriven' | 'not_dead' | 'damaged';

/** Replaces a dead letter's payload and redrives it, atomically, only if it is still dead. */
export async function editDead(
  redis: RedisClient,
  keys: QueueKeys,
  id: string,
  payloadJson: string,
): Promise<EditOutcome> {
  const reply = (await runScript(redis, 'dlq-edit', redriveKeys(keys), [
    keys.wake,
    id,
    payloadJson,
  ])) as number;
  return reply === 1 ? 'redriven' : reply === 0 ? 'not_dead' : 'damaged';
}

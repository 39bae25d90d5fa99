import type { Retention } from '../job/retention.js';
import { decodeRetention, retentionFields } from '../job/retention.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/**
 * Replaces the queue's retention setting, read by lua/settle.lua from its next call. Without a
 * `completed` part the kept completed records go at once (UNLINK: O(1) whatever their number).
 */
export async function setRetention(redis: RedisClient, keys: QueueKeys, setting: Retention): Promise<void> {
  const multi = redis.multi().del(keys.retention).hset(keys.retention, retentionFields(setting));
  if (setting.completed === undefined) multi.unlink(keys.completed, keys['completed-jobs']);
  await multi.exec().then(throwFirst);
}

/** Removes the setting and the kept completed records; dead letters are left alone. */
export async function clearRetention(redis: RedisClient, keys: QueueKeys): Promise<void> {
  await redis
    .multi()
    .del(keys.retention)
    .unlink(keys.completed, keys['completed-jobs'])
    .exec()
    .then(throwFirst);
}

export async function retention(redis: RedisClient, keys: QueueKeys): Promise<Retention | undefined> {
  return decodeRetention(await redis.hgetall(keys.retention));
}

export interface Trimmed {
  completed: number;
  dead: number;
  /** A kind used its whole budget: another call may find more. */
  more: boolean;
}

/** Deletes up to `limit` of each kind that the setting no longer keeps (lua/retention-trim.lua). */
export async function trimRetained(redis: RedisClient, keys: QueueKeys, limit: number): Promise<Trimmed> {
  const [completed, dead, more] = (await runScript(
    redis,
    'retention-trim',
    [
      keys.retention,
      keys.completed,
      keys['completed-jobs'],
      keys.dead,
      keys.jobs,
      keys.deliveries,
      keys.errors,
      keys['dead-fingerprints'],
      keys['dead-groups'],
    ],
    [limit],
  )) as [number, number, number];
  return { completed, dead, more: more === 1 };
}

function throwFirst(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([error]) => error !== null);
  if (failed) throw failed[0];
}

import type { CancelStatus } from '../job/info.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScriptPerId } from './scripts.js';

export const CANCEL_MAX = 1000;

/** Removes waiting, delayed and running jobs so they never run again; one status per id. */
export function cancel(redis: RedisClient, keys: QueueKeys, ids: readonly string[]): Promise<CancelStatus[]> {
  const touched = [
    keys.jobs,
    keys.deliveries,
    keys.errors,
    keys.pending,
    keys.delayed,
    keys.active,
    keys.dead,
    keys.stats,
    keys.progress,
    keys.events,
  ];
  return runScriptPerId(redis, 'cancel', touched, [keys.cancel], ids, CANCEL_MAX);
}

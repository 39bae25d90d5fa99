import { fingerprint } from '../job/fingerprint.js';
import { JOB_DEFAULTS } from '../job/job-options.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface Reaped {
  requeued: number;
  deadLettered: number;
  promoted: number;
  /** Another call may find more work right away. */
  more: boolean;
}

/** The group of the jobs reap.lua dead-letters: a CrashedError entry, which has no stack. */
const CRASHED = fingerprint('CrashedError');

/** Recovers expired leases and promotes due delayed jobs, at most `limit` of each (see lua/reap.lua). */
export async function reap(redis: RedisClient, keys: QueueKeys, limit: number): Promise<Reaped> {
  const [requeued, deadLettered, promoted, more] = (await runScript(
    redis,
    'reap',
    [
      keys.active,
      keys.pending,
      keys.jobs,
      keys.deliveries,
      keys.errors,
      keys.dead,
      keys.delayed,
      keys.stats,
      keys['dead-fingerprints'],
      keys['dead-groups'],
      keys.progress,
      keys.priorities,
      keys.events,
    ],
    [keys.wake, limit, JOB_DEFAULTS.attempts, CRASHED.id, CRASHED.label],
  )) as [number, number, number, number];
  return { requeued, deadLettered, promoted, more: more === 1 };
}

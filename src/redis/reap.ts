import type { Redis } from 'ioredis';
import { JOB_DEFAULTS } from '../engine/job-options.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface Reaped {
  requeued: number;
  deadLettered: number;
  promoted: number;
  /** Another call may find more work right away. */
  more: boolean;
}

/** Recovers expired leases and promotes due delayed jobs, at most `limit` of each (see lua/reap.lua). */
export async function reap(redis: Redis, keys: QueueKeys, limit: number): Promise<Reaped> {
  const [requeued, deadLettered, promoted, more] = (await runScript(
    redis,
    'reap',
    [keys.active, keys.pending, keys.jobs, keys.deliveries, keys.errors, keys.dead, keys.delayed, keys.stats],
    [keys.wake, limit, JOB_DEFAULTS.attempts],
  )) as [number, number, number, number];
  return { requeued, deadLettered, promoted, more: more === 1 };
}

import type { RedisClient } from './connection.js';
import { PRIORITY_LISTS, priorityKey, type QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/** Ids one drain.lua call takes at most: about a millisecond of Redis time. */
export const DRAIN_CHUNK = 1000;

export interface DrainStep {
  /** Ids taken off pending and delayed by this call. */
  taken: number;
  /** Jobs whose record this call deleted. */
  removed: number;
  /** Waiting plus delayed ids left after this call. */
  left: number;
}

/** One bounded call of lua/drain.lua: deletes up to `max` (1..DRAIN_CHUNK) waiting or delayed jobs. */
export async function drainStep(
  redis: RedisClient,
  keys: QueueKeys,
  max: number = DRAIN_CHUNK,
): Promise<DrainStep> {
  const [taken, removed, left] = (await runScript(
    redis,
    'drain',
    [
      keys.pending,
      keys.delayed,
      keys.jobs,
      keys.deliveries,
      keys.errors,
      keys.stats,
      ...PRIORITY_LISTS.map((priority) => priorityKey(keys, priority)),
    ],
    [Math.max(1, Math.min(DRAIN_CHUNK, Math.floor(max)))],
  )) as [number, number, number];
  return { taken, removed, left };
}

/**
 * Deletes waiting and delayed jobs, DRAIN_CHUNK per script call, until none are left or as many
 * ids were taken as were waiting and delayed at the first call (so producers adding all along
 * cannot keep it running forever); returns how many jobs were deleted.
 */
export async function drain(redis: RedisClient, keys: QueueKeys): Promise<number> {
  let removed = 0;
  let budget = Number.POSITIVE_INFINITY;
  for (;;) {
    const step = await drainStep(redis, keys, Math.min(DRAIN_CHUNK, budget));
    if (budget === Number.POSITIVE_INFINITY) budget = step.taken + step.left;
    budget -= step.taken;
    removed += step.removed;
    if (step.left === 0 || step.taken === 0 || budget <= 0) return removed;
  }
}

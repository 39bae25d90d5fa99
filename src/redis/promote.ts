import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScriptPerId } from './scripts.js';

/** What "run now" did to one job (see lua/promote.lua). */
export type PromoteStatus = 'moved' | 'not-delayed' | 'missing';

const STATUS: Record<number, PromoteStatus> = { 1: 'moved', 0: 'not-delayed', [-1]: 'missing' };

export const PROMOTE_MAX = 1000;

/** Moves delayed jobs to the head of their waiting lists, waking idle engines; one status per id. */
export async function promote(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<PromoteStatus[]> {
  const codes = await runScriptPerId<number>(
    redis,
    'promote',
    [keys.delayed, keys.jobs, keys.pending],
    [keys.wake],
    ids,
    PROMOTE_MAX,
  );
  return codes.map((code) => STATUS[code] as PromoteStatus);
}

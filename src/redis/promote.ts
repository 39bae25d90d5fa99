import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

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
  const out: PromoteStatus[] = [];
  for (let i = 0; i < ids.length; i += PROMOTE_MAX) {
    const reply = (await runScript(
      redis,
      'promote',
      [keys.delayed, keys.jobs, keys.pending],
      [keys.wake, ...ids.slice(i, i + PROMOTE_MAX)],
    )) as number[];
    for (const code of reply) out.push(STATUS[code] as PromoteStatus);
  }
  return out;
}

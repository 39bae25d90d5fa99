import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';
import type { Completion } from './settle.js';

/** Gives leased jobs that never started back to the head of pending (see lua/release.lua). */
export async function release(
  redis: RedisClient,
  keys: QueueKeys,
  leases: readonly Completion[],
): Promise<number> {
  if (leases.length === 0) return 0;
  const args: (string | number)[] = [keys.wake];
  for (const { id, token } of leases) args.push(id, token);
  return (await runScript(
    redis,
    'release',
    [keys.active, keys.pending, keys.jobs, keys.deliveries],
    args,
  )) as number;
}

import type { CancelStatus } from '../job/info.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export const CANCEL_MAX = 1000;

/** Removes waiting, delayed and running jobs so they never run again; one status per id. */
export async function cancel(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<CancelStatus[]> {
  const out: CancelStatus[] = [];
  for (let i = 0; i < ids.length; i += CANCEL_MAX) {
    const reply = (await runScript(
      redis,
      'cancel',
      [
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
      ],
      [keys.cancel, ...ids.slice(i, i + CANCEL_MAX)],
    )) as CancelStatus[];
    out.push(...reply);
  }
  return out;
}

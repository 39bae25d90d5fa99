import type { RedisClient } from './connection.js';
import { LIVE_ENGINE_MS } from './engines.js';
import { KEY_NAMES, PRIORITY_LISTS, priorityKey, type QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface ObliterateOutcome {
  /** False when refused: jobs were leased or engines live, and nothing was deleted. */
  deleted: boolean;
  /** Jobs leased when the script ran. */
  active: number;
  /** Engines whose heartbeat was under LIVE_ENGINE_MS old (Redis clock). */
  liveEngines: number;
}

/** Unlinks every key of the queue in one call (lua/obliterate.lua), unless busy and not forced. */
export async function obliterate(
  redis: RedisClient,
  keys: QueueKeys,
  force: boolean,
): Promise<ObliterateOutcome> {
  const [status, active, liveEngines] = (await runScript(
    redis,
    'obliterate',
    [
      keys.active,
      keys.engines,
      ...KEY_NAMES.map((name) => keys[name]),
      ...PRIORITY_LISTS.map((priority) => priorityKey(keys, priority)),
    ],
    [force ? '1' : '0', LIVE_ENGINE_MS, keys['dead-groups']],
  )) as [number, number, number];
  return { deleted: status === 1, active, liveEngines };
}

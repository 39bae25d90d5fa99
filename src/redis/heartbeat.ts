import type { EngineInfo } from '../job/engine-info.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/** What the epoch check found (see lua/heartbeat.lua). */
export const EpochStatus = { same: 0, created: 1, lost: 2, changed: 3 } as const;
export type EpochStatus = (typeof EpochStatus)[keyof typeof EpochStatus];

export interface Beat {
  now: number;
  status: EpochStatus;
  epoch: string;
}

export interface HeartbeatArgs {
  info: EngineInfo;
  engineTtlMs: number;
  historySeconds: number;
  knownEpoch: string;
  freshEpoch: string;
}

/** Registers the engine as alive, writes a throughput point and checks the epoch. */
export async function heartbeat(redis: RedisClient, keys: QueueKeys, args: HeartbeatArgs): Promise<Beat> {
  const [now, status, epoch] = (await runScript(
    redis,
    'heartbeat',
    [keys.engines, keys['engine-info'], keys.history, keys.stats, keys.epoch],
    [
      args.info.id,
      JSON.stringify(args.info),
      args.engineTtlMs,
      args.historySeconds,
      args.knownEpoch,
      args.freshEpoch,
    ],
  )) as [number, EpochStatus, string];
  return { now, status, epoch };
}

/** Removes a stopping engine from the live list at once instead of after its TTL. */
export async function deregister(redis: RedisClient, keys: QueueKeys, id: string): Promise<void> {
  await redis.pipeline().zrem(keys.engines, id).hdel(keys['engine-info'], id).exec();
}

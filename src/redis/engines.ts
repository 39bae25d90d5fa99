import type { LiveEngine } from '../job/engine-info.js';
import { SECOND } from '../units.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { timeMs } from './time.js';

/** An engine whose last heartbeat is older than this (Redis clock) is not live (see lua/heartbeat.lua). */
export const LIVE_ENGINE_MS = 5 * SECOND;

const NUMBER_FIELDS = ['pid', 'threads', 'inFlight', 'jobsPerSec', 'startedAt', 'seenAt'] as const;

/** Parses one engine-info value; undefined when it is not a whole description. */
export function parseEngineInfo(json: string | undefined): LiveEngine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || typeof v.host !== 'string') return undefined;
  if (!NUMBER_FIELDS.every((f) => typeof v[f] === 'number' && Number.isFinite(v[f]))) return undefined;
  const n = v as Record<(typeof NUMBER_FIELDS)[number], number>;
  return {
    id: v.id,
    host: v.host,
    pid: n.pid,
    threads: n.threads,
    inFlight: n.inFlight,
    jobsPerSec: n.jobsPerSec,
    startedAt: n.startedAt,
    seenAt: n.seenAt,
  };
}

/** The ids of a ZRANGE WITHSCORES reply of the engines set whose heartbeat is recent at `now`. */
export function liveIds(now: number, withScores: readonly string[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < withScores.length; i += 2) {
    if (Number(withScores[i + 1]) >= now - LIVE_ENGINE_MS) ids.push(withScores[i] as string);
  }
  return ids;
}

/** The live engines of a queue, by id; "now" is the Redis clock read with them. */
export async function liveEngines(redis: RedisClient, keys: QueueKeys): Promise<LiveEngine[]> {
  const [[, time], [, scored], [, info]] = (await readTogether(redis, (batch) =>
    batch.time().zrange(keys.engines, 0, -1, 'WITHSCORES').hgetall(keys['engine-info']),
  )) as [[null, string[]], [null, string[]], [null, Record<string, string>]];
  const engines: LiveEngine[] = [];
  for (const id of liveIds(timeMs(time), scored).sort()) {
    const engine = parseEngineInfo(info[id]);
    if (engine) engines.push(engine);
  }
  return engines;
}

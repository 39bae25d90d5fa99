import type { RedisClient } from './connection.js';
import { liveIds } from './engines.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { timeMs } from './time.js';

export interface PublishedLatency {
  /** Redis time of the read (ms). */
  now: number;
  /** Per live engine id: the `latency` field of its heartbeat entry, unparsed beyond JSON. */
  byEngine: Map<string, unknown>;
}

/**
 * The latency slots every live engine of one partition published in its heartbeat entry
 * (sluice:{q}:engine-info, see engine/heartbeat.ts). An engine that stopped takes its figures
 * with it once it leaves the live list.
 */
export async function publishedLatency(redis: RedisClient, keys: QueueKeys): Promise<PublishedLatency> {
  const [[, time], [, scored], [, info]] = (await readTogether(redis, (batch) =>
    batch.time().zrange(keys.engines, 0, -1, 'WITHSCORES').hgetall(keys['engine-info']),
  )) as [[null, string[]], [null, string[]], [null, Record<string, string>]];
  const now = timeMs(time);
  const byEngine = new Map<string, unknown>();
  for (const id of liveIds(now, scored)) {
    try {
      byEngine.set(id, (JSON.parse(info[id] ?? 'null') as { latency?: unknown } | null)?.latency);
    } catch {
      // a damaged entry: that engine's figures are left out
    }
  }
  return { now, byEngine };
}

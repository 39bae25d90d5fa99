import type { ChainableCommander } from 'ioredis';
import { LIFETIME_FIELDS, type QueueCounts, type QueueTotals } from '../job/metrics.js';
import type { RedisClient } from './connection.js';
import { PRIORITY_LISTS, priorityKey, type QueueKeys } from './keys.js';
import { readTogether } from './read.js';

/** Every lifetime counter of the stats hash; `dead` (dead-lettered) is not part of QueueCounts. */
const STAT_FIELDS = [...LIFETIME_FIELDS, 'dead'] as const;

/** Appends the reads of the counts to a MULTI; parseMetrics reads their METRICS_REPLIES replies. */
export function readMetrics(multi: ChainableCommander, keys: QueueKeys): ChainableCommander {
  return multi
    .llen(keys.pending)
    .zcard(keys.active)
    .zcard(keys.delayed)
    .zcard(keys.dead)
    .hmget(keys.stats, ...STAT_FIELDS)
    .llen(priorityKey(keys, 1))
    .llen(priorityKey(keys, 2))
    .llen(priorityKey(keys, 4))
    .llen(priorityKey(keys, 5));
}

export const METRICS_REPLIES = 5 + PRIORITY_LISTS.length;

export function parseMetrics(reply: [Error | null, unknown][]): QueueTotals {
  const value = (i: number): unknown => reply[i]?.[1];
  const stats = (value(4) as (string | null)[]).map((v) => Number(v ?? 0));
  const [
    added = 0,
    completed = 0,
    failed = 0,
    retried = 0,
    reaped = 0,
    redriven = 0,
    cancelled = 0,
    drained = 0,
    deadLettered = 0,
  ] = stats;
  return {
    // pending, then the priority lists
    waiting: [0, 5, 6, 7, 8].reduce((sum, i) => sum + Number(value(i) ?? 0), 0),
    active: value(1) as number,
    delayed: value(2) as number,
    dead: value(3) as number,
    added,
    completed,
    failed,
    retried,
    reaped,
    redriven,
    cancelled,
    drained,
    deadLettered,
  };
}

export async function counts(redis: RedisClient, keys: QueueKeys): Promise<QueueCounts> {
  const { deadLettered: _, ...counted } = parseMetrics(
    await readTogether(redis, (batch) => readMetrics(batch, keys)),
  );
  return counted;
}

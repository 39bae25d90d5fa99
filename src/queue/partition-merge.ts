import type { DeadGroup } from '../job/dead-letter.js';
import type { LiveEngine } from '../job/engine-info.js';
import {
  COUNT_FIELDS,
  type QueueCounts,
  type QueueMetrics,
  type QueueSnapshot,
  type RatePoint,
} from '../job/metrics.js';

/** How a partitioned queue's reads are put together from its partitions' (pure). */

export function sumCounts<C extends QueueCounts>(parts: readonly C[]): C {
  const total = { ...(parts[0] as C) };
  for (const part of parts.slice(1)) {
    for (const field of COUNT_FIELDS) total[field] += part[field];
  }
  return total;
}

/**
 * Counters summed; paused only when every partition is; the rate limit is partition 0's (a
 * partitioned queue has none); engines as in mergeSnapshots; the oldest wait is the longest
 * (unknown when a partition's is).
 */
export function sumMetrics(parts: readonly QueueMetrics[]): QueueMetrics {
  return {
    ...sumCounts(parts),
    deadLettered: parts.reduce((n, p) => n + p.deadLettered, 0),
    paused: parts.every((p) => p.paused),
    rateLimit: parts[0]?.rateLimit,
    engines: Math.max(...parts.map((p) => p.engines)),
    oldestWaitingMs: parts.some((p) => p.oldestWaitingMs === undefined)
      ? undefined
      : Math.max(...parts.map((p) => p.oldestWaitingMs as number)),
  };
}

/** Paused only when every partition is; engines: each engine heartbeats into every partition it works. */
export function mergeSnapshots(parts: readonly QueueSnapshot[]): QueueSnapshot {
  return {
    paused: parts.every((p) => p.paused),
    counts: sumCounts(parts.map((p) => p.counts)),
    engines: Math.max(...parts.map((p) => p.engines)),
    rate: {
      completed: parts.reduce((n, p) => n + p.rate.completed, 0),
      failed: parts.reduce((n, p) => n + p.rate.failed, 0),
    },
    t: Math.max(...parts.map((p) => p.t)),
  };
}

/** Items with the same key combined into one, in the order their keys first appear. */
function mergeBy<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  combine: (seen: T, item: T) => T,
): T[] {
  const byKey = new Map<string | number, T>();
  for (const item of items) {
    const seen = byKey.get(key(item));
    byKey.set(key(item), seen === undefined ? { ...item } : combine(seen, item));
  }
  return [...byKey.values()];
}

/** One entry per engine: its jobs in flight and rate summed over the partitions it works. */
export function mergeEngines(parts: readonly LiveEngine[][]): LiveEngine[] {
  return mergeBy(
    parts.flat(),
    (engine) => engine.id,
    (seen, engine) => ({
      ...seen,
      inFlight: seen.inFlight + engine.inFlight,
      jobsPerSec: seen.jobsPerSec + engine.jobsPerSec,
      seenAt: Math.max(seen.seenAt, engine.seenAt),
    }),
  );
}

/** Per-second points summed by time, oldest first. */
export function mergeHistory(parts: readonly RatePoint[][]): RatePoint[] {
  return mergeBy(
    parts.flat(),
    (point) => point.t,
    (seen, point) => ({
      t: point.t,
      completed: seen.completed + point.completed,
      failed: seen.failed + point.failed,
    }),
  ).sort((a, b) => a.t - b.t);
}

/** A fingerprint's groups of every partition as one, largest first (as deadGroups lists them). */
export function mergeGroups(parts: readonly DeadGroup[][]): DeadGroup[] {
  return mergeBy(
    parts.flat(),
    (group) => group.id,
    (seen, group) => ({
      ...seen,
      count: seen.count + group.count,
      lastDeadAt: Math.max(seen.lastDeadAt, group.lastDeadAt),
    }),
  ).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export interface PageOf<T> {
  total: number;
  items: T[];
}

/**
 * One page of the partitions' lists laid end to end (partition 0's first): each partition is
 * asked for the part of the page that falls in it, after its total says where it ends.
 */
export async function concatPages<T>(
  count: number,
  read: (partition: number, offset: number, limit: number) => Promise<PageOf<T>>,
  offset: number,
  limit: number,
): Promise<PageOf<T>> {
  const items: T[] = [];
  let total = 0;
  for (let p = 0; p < count; p++) {
    const skip = Math.max(0, offset - total);
    const want = limit - items.length;
    const page = await read(p, skip, Math.max(1, want));
    if (want > 0 && skip < page.total) items.push(...page.items.slice(0, want));
    total += page.total;
  }
  return { total, items };
}

import type { DeadGroup } from '../redis/dead-groups.js';
import type { LiveEngine } from '../redis/engines.js';
import type { RatePoint } from '../redis/history.js';
import { COUNT_FIELDS, type QueueCounts, type QueueMetrics } from '../redis/inspect.js';
import type { QueueSnapshot } from '../redis/snapshot.js';

/** How a partitioned queue's reads are put together from its partitions' (pure). */

export function sumCounts<C extends QueueCounts>(parts: readonly C[]): C {
  const total = { ...(parts[0] as C) };
  for (const part of parts.slice(1)) {
    for (const field of COUNT_FIELDS) total[field] += part[field];
  }
  return total;
}

export function sumMetrics(parts: readonly QueueMetrics[]): QueueMetrics {
  return { ...sumCounts(parts), deadLettered: parts.reduce((n, p) => n + p.deadLettered, 0) };
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

/** One entry per engine: its jobs in flight and rate summed over the partitions it works. */
export function mergeEngines(parts: readonly LiveEngine[][]): LiveEngine[] {
  const byId = new Map<string, LiveEngine>();
  for (const engine of parts.flat()) {
    const seen = byId.get(engine.id);
    byId.set(
      engine.id,
      seen === undefined
        ? { ...engine }
        : {
            ...seen,
            inFlight: seen.inFlight + engine.inFlight,
            jobsPerSec: seen.jobsPerSec + engine.jobsPerSec,
            seenAt: Math.max(seen.seenAt, engine.seenAt),
          },
    );
  }
  return [...byId.values()];
}

/** Per-second points summed by time, oldest first. */
export function mergeHistory(parts: readonly RatePoint[][]): RatePoint[] {
  const byTime = new Map<number, RatePoint>();
  for (const point of parts.flat()) {
    const seen = byTime.get(point.t);
    byTime.set(
      point.t,
      seen === undefined
        ? { ...point }
        : { t: point.t, completed: seen.completed + point.completed, failed: seen.failed + point.failed },
    );
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

/** A fingerprint's groups of every partition as one, largest first (as deadGroups lists them). */
export function mergeGroups(parts: readonly DeadGroup[][]): DeadGroup[] {
  const byId = new Map<string, DeadGroup>();
  for (const group of parts.flat()) {
    const seen = byId.get(group.id);
    byId.set(
      group.id,
      seen === undefined
        ? { ...group }
        : {
            ...seen,
            count: seen.count + group.count,
            lastDeadAt: Math.max(seen.lastDeadAt, group.lastDeadAt),
          },
    );
  }
  return [...byId.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
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

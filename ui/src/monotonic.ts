// Live numbers that must not jump backwards, and the paused event feed's buffer. Pure and
// dependency-free (the tests import it as it is).

/** Lifetime counters: only ever grow (a stale reply arriving late must not undo a newer one). */
const LIFETIME = [
  'added',
  'completed',
  'failed',
  'retried',
  'reaped',
  'redriven',
  'cancelled',
  'drained',
] as const;

/**
 * The newer reading of a queue's counts, except that a lifetime counter below the one shown
 * keeps the one shown: replies from the stream, the poll and the queue list can arrive out of
 * order. Gauges (waiting, active, delayed, dead) go up and down and are taken as they come.
 */
export function mergeCounts<C extends Record<(typeof LIFETIME)[number], number>>(
  shown: C | null,
  next: C,
): C {
  if (shown === null) return next;
  const merged = { ...next };
  for (const field of LIFETIME) merged[field] = Math.max(shown[field], next[field]);
  return merged;
}

/** The feed keeps this many events on screen, newest first. */
export const FEED_KEPT = 200;

export interface Feed<T> {
  /** What is on screen, newest first. */
  shown: T[];
  /** Arrived while paused, newest first, not on screen yet. */
  held: T[];
}

/** New events (oldest first, as the stream pages them) go on screen, or are held while paused. */
export function receive<T>(feed: Feed<T>, incoming: readonly T[], paused: boolean): Feed<T> {
  if (incoming.length === 0) return feed;
  const newest = [...incoming].reverse();
  if (paused) return { shown: feed.shown, held: [...newest, ...feed.held].slice(0, FEED_KEPT) };
  return { shown: [...newest, ...feed.shown].slice(0, FEED_KEPT), held: [] };
}

/** Resuming puts what was held on top of what is shown. */
export function release<T>(feed: Feed<T>): Feed<T> {
  return { shown: [...feed.held, ...feed.shown].slice(0, FEED_KEPT), held: [] };
}

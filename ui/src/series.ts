// The throughput series: per-second rate points keyed by whole seconds. Pure and dependency-free.

export interface Point {
  /** Seconds since epoch (Redis clock). */
  t: number;
  completed: number;
  failed: number;
}

/** The chart's window: the last 15 minutes. */
export const WINDOW_SECONDS = 15 * 60;

/** Accepts a time in ms or s since epoch (the API sends ms) and returns whole seconds. */
export function toSeconds(t: number): number {
  return Math.floor(t > 1e11 ? t / 1000 : t);
}

/**
 * Both series merged by second (a point of `incoming` replaces one of `existing` at the same
 * second), oldest first, keeping only the `windowSeconds` that end at the newest point.
 */
export function mergePoints(
  existing: readonly Point[],
  incoming: readonly Point[],
  windowSeconds = WINDOW_SECONDS,
): Point[] {
  const bySecond = new Map<number, Point>();
  for (const p of existing) bySecond.set(p.t, p);
  for (const p of incoming) bySecond.set(p.t, p);
  const sorted = [...bySecond.values()].sort((a, b) => a.t - b.t);
  const newest = sorted.at(-1)?.t;
  if (newest === undefined) return sorted;
  return sorted.filter((p) => p.t > newest - windowSeconds);
}

/** Seconds without a point after which the line breaks (no engine wrote history meanwhile). */
export const GAP_SECONDS = 5;

/** uPlot's column layout: [seconds, completed/s, failed/s], with a null that breaks the line at each gap. */
export function toColumns(points: readonly Point[]): [number[], (number | null)[], (number | null)[]] {
  const t: number[] = [];
  const completed: (number | null)[] = [];
  const failed: (number | null)[] = [];
  let previous: number | undefined;
  for (const p of points) {
    if (previous !== undefined && p.t - previous > GAP_SECONDS) {
      t.push(previous + 1);
      completed.push(null);
      failed.push(null);
    }
    t.push(p.t);
    completed.push(p.completed);
    failed.push(p.failed);
    previous = p.t;
  }
  return [t, completed, failed];
}

/** The x range shown: the last 15 minutes, or less while there is less history, but at least a minute. */
export function visibleRange(points: readonly Point[], nowSeconds: number): [number, number] {
  const newest = points.at(-1)?.t ?? nowSeconds;
  const oldest = points[0]?.t ?? newest;
  const span = Math.min(WINDOW_SECONDS, Math.max(60, newest - oldest));
  return [newest - span, newest];
}

/**
 * The two latency histograms every engine keeps: enqueue-to-start (wait) and run time. Bucket
 * counts only, in shared memory the pool's threads add to (threads/latency-probe.ts), so a job
 * costs a few additions and nothing is allocated for it. This module is the pure part: the
 * buckets, the shared layout, quantiles, and the per-slot counts engines publish in their
 * heartbeat (see latency-recorder.ts) and the API merges across engines.
 */

/** Upper bounds (ms) of the buckets; one more bucket holds everything above the last. */
export const LATENCY_BOUNDS_MS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000,
] as const;
export const BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export const WAIT = 0;
export const RUN = 1;
export type Kind = typeof WAIT | typeof RUN;

/**
 * The shared Uint32Array: [0] the Redis clock's offset from Date.now() (ms, read as Int32), then
 * per histogram BUCKETS counts and its sum in µs as two words (low, high). Counts wrap at 2^32;
 * the reader takes differences, which stay right as long as it reads more often than that.
 */
export const OFFSET_SLOT = 0;
const STRIDE = BUCKETS + 2;
export const SHARED_WORDS = 1 + 2 * STRIDE;

export function countAt(kind: Kind, bucket: number): number {
  return 1 + kind * STRIDE + bucket;
}

export function sumAt(kind: Kind): number {
  return 1 + kind * STRIDE + BUCKETS;
}

/** The bucket of a duration in ms (a negative one, from clock error, counts as 0). */
export function bucketOf(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > (LATENCY_BOUNDS_MS[i] as number)) i++;
  return i;
}

/**
 * The q-quantile (0..1) of bucket counts, in ms, interpolated linearly inside its bucket as
 * Prometheus's histogram_quantile does; the open last bucket answers its lower bound. undefined
 * when there are no counts.
 */
export function quantile(counts: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
      const upper = LATENCY_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - below)) / n;
    }
    below += n;
  }
  return LATENCY_BOUNDS_MS.at(-1) as number;
}

/** Slots engines publish counts in: 15 s each, the last 15 minutes of them. */
export const SLOT_MS = 15_000;
export const SLOTS_KEPT = 60;

/**
 * One slot as an engine publishes it: its start (ms, Redis clock), then for wait and run the
 * non-empty buckets as a flat [bucket, count, bucket, count...] list (a JSON array, short).
 */
export type PublishedSlot = [start: number, wait: number[], run: number[]];

export interface SlotCounts {
  start: number;
  wait: number[];
  run: number[];
}

export function sparse(counts: readonly number[]): number[] {
  const out: number[] = [];
  counts.forEach((n, i) => {
    if (n > 0) out.push(i, n);
  });
  return out;
}

function dense(flat: unknown, into: number[]): boolean {
  if (!Array.isArray(flat) || flat.length % 2 !== 0) return false;
  for (let i = 0; i < flat.length; i += 2) {
    const bucket = flat[i];
    const n = flat[i + 1];
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS || !Number.isFinite(n) || n < 0)
      return false;
    into[bucket] = (into[bucket] as number) + n;
  }
  return true;
}

/**
 * Adds the published slots of several engines into one series by slot start, oldest first;
 * anything that is not a well-formed slot is skipped (a foreign or older engine-info value).
 */
export function mergeSlots(published: readonly unknown[]): SlotCounts[] {
  const bySlot = new Map<number, SlotCounts>();
  for (const slots of published) {
    if (!Array.isArray(slots)) continue;
    for (const slot of slots) {
      if (!Array.isArray(slot) || slot.length !== 3 || !Number.isInteger(slot[0])) continue;
      const start = slot[0] as number;
      const merged = bySlot.get(start) ?? {
        start,
        wait: new Array<number>(BUCKETS).fill(0),
        run: new Array<number>(BUCKETS).fill(0),
      };
      const wait = [...merged.wait];
      const run = [...merged.run];
      if (dense(slot[1], wait) && dense(slot[2], run)) bySlot.set(start, { start, wait, run });
    }
  }
  return [...bySlot.values()].sort((a, b) => a.start - b.start);
}

export interface Percentiles {
  count: number;
  p50?: number;
  p99?: number;
}

export function percentiles(counts: readonly number[]): Percentiles {
  const count = counts.reduce((a, b) => a + b, 0);
  const p50 = quantile(counts, 0.5);
  const p99 = quantile(counts, 0.99);
  return { count, ...(p50 === undefined ? {} : { p50 }), ...(p99 === undefined ? {} : { p99 }) };
}

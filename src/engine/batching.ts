/** How much work the dispatcher takes on: pure policy, tested without Redis. */

export interface WindowPolicy {
  /** Jobs leased and not yet settled, at most. */
  maxInFlight: number;
  /** Record bytes leased and not yet settled, at most (big payloads fill memory before counts do). */
  maxInFlightBytes: number;
  /** Jobs per acquire call, at most. */
  maxBlock: number;
}

/** Jobs to ask for in the next acquire; 0 means wait until running batches free capacity. */
export function nextBlockSize(inFlight: number, inFlightBytes: number, policy: WindowPolicy): number {
  if (inFlightBytes >= policy.maxInFlightBytes) return 0;
  const free = policy.maxInFlight - inFlight;
  // Topping up a nearly full window with tiny blocks costs a Redis call per few jobs.
  const worthIt = Math.max(1, Math.floor(Math.min(policy.maxBlock, policy.maxInFlight) / 8));
  return free < worthIt ? 0 : Math.min(free, policy.maxBlock);
}

/**
 * Splits n leased jobs into batches for the threads: at least one per thread when there are
 * enough jobs, at most maxBatch each, sizes differing by at most one.
 */
export function batchSizes(n: number, threads: number, maxBatch: number): number[] {
  const count = Math.min(n, Math.max(threads, Math.ceil(n / maxBatch)));
  const small = Math.floor(n / count);
  const big = n % count;
  return Array.from({ length: count }, (_, i) => (i < big ? small + 1 : small));
}

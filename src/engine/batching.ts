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

/** Smoothing of the measured rate and round trip (weight of the newest sample). */
const SMOOTHING = 0.25;

/**
 * The window of an engine whose jobs run at most `running` at once (`--concurrency`): what runs
 * plus the jobs leased ahead, which must last the threads through a round trip at the measured
 * rate (twice that, for the hand-off), and never fewer than what runs. Slow jobs keep it near
 * 2 × running: few leases held, so other engines get the rest and a crash strands few; fast
 * ones let it grow until the threads, not the round trips, set the pace.
 */
export class LeaseAhead {
  #jobsPerMs = 0;
  #roundTripMs = 0;
  #lastAt: number | undefined;

  constructor(
    private readonly running: number,
    /** The window never exceeds these (the engine's maxInFlight and maxInFlightBytes, its --batch). */
    private readonly cap: WindowPolicy,
  ) {}

  /** A settle call returned: `count` outcomes written, at `at` (ms, monotonic), after `roundTripMs`. */
  observe(count: number, roundTripMs: number, at: number): void {
    if (this.#lastAt === undefined) {
      this.#roundTripMs = roundTripMs;
    } else {
      const rate = count / Math.max(roundTripMs, at - this.#lastAt);
      this.#jobsPerMs += SMOOTHING * (rate - this.#jobsPerMs);
      this.#roundTripMs += SMOOTHING * (roundTripMs - this.#roundTripMs);
    }
    this.#lastAt = at;
  }

  window(): WindowPolicy {
    const ahead = Math.max(this.running, Math.ceil(2 * this.#jobsPerMs * this.#roundTripMs));
    const maxInFlight = Math.min(this.cap.maxInFlight, this.running + ahead);
    return {
      maxInFlight,
      maxInFlightBytes: this.cap.maxInFlightBytes,
      maxBlock: Math.min(this.cap.maxBlock, ahead),
    };
  }
}

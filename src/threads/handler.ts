/** What a handler module's default export receives besides the payload. */
export interface JobContext {
  readonly id: string;
  /** 1 for the first delivery; a crashed or timed-out delivery counts too. */
  readonly attempt: number;
  /**
   * This delivery's fencing token (the job's delivery count, growing with every lease). Pass it
   * to a downstream store that rejects writes carrying a token lower than one it has seen.
   */
  readonly token: number;
  /** Fires when the job's timeout passes or the engine shuts down; stop work and return or throw. */
  readonly signal: AbortSignal;
  /**
   * Reports how far the job has got: any JSON value within the progress limit (MAX_PROGRESS_BYTES
   * in threads/protocol.ts; the latest wins). Written to Redis shortly after, with other jobs'
   * progress (engine/progress.ts), while the attempt runs, for getJob and the API; cleared when
   * the attempt ends. Throws a TypeError for a value JSON cannot carry or that is too large.
   */
  progress(value: unknown): void;
}

/** A handler module exports `default async (payload, ctx) => result`. */
export type Handler<P = unknown, R = unknown> = (payload: P, ctx: JobContext) => R | Promise<R>;

/** What a handler module's optional `backoff` export receives for a failed attempt. */
export interface BackoffContext<P = unknown> {
  readonly id: string;
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  readonly error: unknown;
  readonly payload: P;
}

/**
 * A handler module may export `backoff(ctx)`: the ms to wait before the next attempt, or
 * undefined to use the job's `backoff` option. It runs for handler errors and timeouts only.
 */
export type BackoffStrategy<P = unknown> = (ctx: BackoffContext<P>) => number | undefined;

/**
 * Throw it (or any error named 'UnrecoverableError', so a second copy of the library works too)
 * to dead-letter the job at once, whatever attempts it has left.
 */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError';
}

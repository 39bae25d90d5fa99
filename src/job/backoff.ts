import { attemptsExhausted } from './attempt.js';
import type { StoredJobOptions } from './job-options.js';
import { MAX_DELAY } from './job-options.js';

/** What happens to an attempt that failed: retry after a delay (ms), or dead-letter. */
export type FailureStep = { retryInMs: number } | { dead: true };

/** The wait before attempt `attempt + 1`, jitter drawn from `random` in [0, 1). */
export function backoffDelay(attempt: number, backoff: StoredJobOptions['backoff'], random: number): number {
  const base = backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** (attempt - 1);
  return Math.min(MAX_DELAY, Math.round(base * (1 + backoff.jitter * random)));
}

/**
 * A custom backoff strategy's answer as a wait in ms, or undefined (use the job's backoff option)
 * when it is not a finite number >= 0.
 */
export function strategyDelay(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(MAX_DELAY, Math.round(value));
}

/**
 * Decides the fate of a failed attempt (1-based). `retryable: false` (an undecodable record,
 * say) dead-letters at once whatever attempts remain. `decided` is the thread's say (see
 * FailedOutcome.retryInMs): -1 dead-letters now, a wait >= 0 replaces the backoff option's.
 */
export function failureStep(
  attempt: number,
  options: StoredJobOptions,
  random: number,
  retryable = true,
  decided?: number,
): FailureStep {
  if (!retryable || decided === -1 || attemptsExhausted(attempt, options)) return { dead: true };
  return { retryInMs: decided ?? backoffDelay(attempt, options.backoff, random) };
}

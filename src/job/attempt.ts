import type { StoredJobOptions } from './job-options.js';

/**
 * Which attempt (1-based) a lease runs. Its fencing token counts the job's deliveries; the
 * record's base counts those before the job's attempts last started over (a retry from the dead
 * letters, lua/dlq-retry.lua). A crashed or timed-out delivery is an attempt too.
 */
export function attemptOf(token: number, base: number): number {
  return token - base;
}

/** A failed `attempt` was the last the job's options allow: it dead-letters. */
export function attemptsExhausted(attempt: number, options: StoredJobOptions): boolean {
  return attempt >= options.attempts;
}

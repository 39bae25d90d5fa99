/**
 * Sluice runs handlers in worker threads, and a job's retry may run on another thread than its
 * first attempt, so the retry handler's reports travel to the engine process's main thread,
 * which pairs them (see RetryReport): one message per report, as there are few.
 */
export const RETRY_CHANNEL = 'sluice-bench:retry';

export type RetryMessage = ['due' | 'started', id: string, wallMs: number];

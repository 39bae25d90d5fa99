import type { RateLimit } from './rate-limit.js';

/** What a reader is shown of a queue's numbers: counts, lifetime counters, rates. */

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
  /** Lifetime counters. */
  added: number;
  completed: number;
  failed: number;
  retried: number;
  reaped: number;
  redriven: number;
  /** Jobs removed by a cancellation (waiting, delayed or running). */
  cancelled: number;
  /** Waiting and delayed jobs deleted by Queue.drain(). */
  drained: number;
}

/** The lifetime counters of QueueCounts, in the order replies list them. */
export const LIFETIME_FIELDS = [
  'added',
  'completed',
  'failed',
  'retried',
  'reaped',
  'redriven',
  'cancelled',
  'drained',
] as const satisfies readonly (keyof QueueCounts)[];

/** Every field of QueueCounts, in the order replies list them (the API's schema is built from it). */
export const COUNT_FIELDS = [
  'waiting',
  'active',
  'delayed',
  'dead',
  ...LIFETIME_FIELDS,
] as const satisfies readonly (keyof QueueCounts)[];

/** QueueCounts plus the lifetime count of dead-lettered jobs (part of QueueMetrics). */
export interface QueueTotals extends QueueCounts {
  deadLettered: number;
}

/** What /metrics exports of a queue: its counts and counters, and its state at the same instant. */
export interface QueueMetrics extends QueueTotals {
  paused: boolean;
  /** undefined when the queue has no rate limit. */
  rateLimit: RateLimit | undefined;
  /** Engines whose heartbeat is recent (see LIVE_ENGINE_MS). */
  engines: number;
  /**
   * How long (ms, Redis clock) the longest-waiting job at the head of a waiting list has been in
   * the queue since it was added (a delay or retry backoff counts, as in sluice_job_wait_seconds);
   * 0 when nothing waits; undefined when Redis refused the script (it writes nothing, so only a
   * Redis that refuses every script would).
   */
  oldestWaitingMs: number | undefined;
}

export interface QueueSnapshot {
  paused: boolean;
  counts: QueueCounts;
  /** Engines whose heartbeat is recent. */
  engines: number;
  /** Jobs per second between the last two history points; 0 when no engine wrote one lately. */
  rate: { completed: number; failed: number };
  /** When this was read, ms by the Redis clock. */
  t: number;
}

/** Jobs per second over the interval that ends at `t` (ms). */
export interface RatePoint {
  t: number;
  completed: number;
  failed: number;
}

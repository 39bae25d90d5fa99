import type { ConnectionSpec } from '../redis/connection.js';

/** Given to the janitor thread at start (workerData). */
export interface JanitorData {
  connection: ConnectionSpec;
  queue: string;
  /** The queue's partitions, each swept in turn. */
  partitions: number;
  intervalMs: number;
  /** Jobs per reap call, so one call never holds Redis for long. */
  batch: number;
}

/** Janitor thread → main thread. */
export type JanitorReport =
  | { type: 'reaped'; requeued: number; deadLettered: number; promoted: number }
  /** Records deleted because the retention setting no longer keeps them. */
  | { type: 'trimmed'; completed: number; dead: number }
  /** A schedule's tick added its job; lateMs is by the Redis clock, from the tick to the firing. */
  | { type: 'fired'; schedule: string; tick: number; lateMs: number }
  | { type: 'error'; message: string };

/** Main thread → janitor thread. */
export const STOP = 'stop';

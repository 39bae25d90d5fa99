import type { ErrorEntry } from './failure.js';
import type { StoredJobOptions } from './job-options.js';

/** What a reader is shown of one job: its state, decoded record, attempts and errors. */

export type JobState = 'waiting' | 'active' | 'delayed' | 'dead' | 'completed';

export const JOB_STATES: readonly JobState[] = ['waiting', 'active', 'delayed', 'dead', 'completed'];

export interface JobInfo {
  id: string;
  state: JobState;
  /** The payload, or undefined when the stored record is damaged (then `raw` holds it). */
  payload: unknown;
  raw?: string;
  options?: StoredJobOptions;
  /** Attempts started in this life of the job (a retry from the DLQ starts again at 0). */
  attempts: number;
  /** Deliveries ever made: the current fencing token. */
  deliveries: number;
  enqueuedAt?: number;
  errors: ErrorEntry[];
  lastError?: ErrorEntry;
  /** Lease deadline (active), due time (delayed) or dead-at time (dead), ms by the Redis clock. */
  until?: number;
  /** The latest ctx.progress() of the running attempt. */
  progress?: unknown;
  /** The job's priority, when it was added with one other than the default (3). */
  priority?: number;
  /** When a kept completed job finished, ms by the Redis clock (see Queue.setRetention). */
  finishedAt?: number;
}

export interface JobPage {
  total: number;
  items: JobInfo[];
}

/** A kept result: the handler's return value, or why it could not be kept (too large, not JSON). */
export type JobResult = { value: unknown } | { notKept: string };

/** What cancelling did to one job (see lua/cancel.lua). */
export type CancelStatus = 'removed' | 'stopped' | 'dead' | 'missing';

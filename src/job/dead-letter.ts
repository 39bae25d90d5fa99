import type { ErrorEntry } from './failure.js';

/** What a reader is shown of dead letters, the filters they are listed by, and their groups. */

export interface DeadLetter {
  id: string;
  payload: unknown;
  raw?: string;
  attempts: number;
  errors: ErrorEntry[];
  reason: ErrorEntry['reason'] | undefined;
  enqueuedAt?: number;
  deadAt: number;
}

export interface DeadPage {
  total: number;
  items: DeadLetter[];
}

/** Dead-at bounds in ms by the Redis clock, both inclusive; absent = open. */
export interface DeadRange {
  from?: number | undefined;
  to?: number | undefined;
}

/** What a dead letter must match: text in an error's name or message, and a dead-at range. */
export interface DeadFilter extends DeadRange {
  q?: string | undefined;
}

/** Dead letters that failed the same way (see job/fingerprint.ts). */
export interface DeadGroup {
  /** The fingerprint id: 12 hex characters. */
  id: string;
  /** `TypeError at handler.js:12`, or just the error name. */
  label: string;
  /** Dead letters in the group now. */
  count: number;
  /** Dead-at time of its newest letter (ms, Redis clock). */
  lastDeadAt: number;
}

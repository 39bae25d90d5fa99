/**
 * The failing handlers of retry-lateness ('retry') and retry-storm ('flaky'), shared by the
 * peers' in-process handlers and Sluice's handler modules so every library runs the same code.
 * `id` is the library's job id and `attempt` its 1-based attempt number.
 */
import { wallNow } from '../../lib/protocol.js';

/** Where the retry handler reports; wall times in ms. */
export interface RetryReport {
  /** Job `id`'s first attempt failed: its retry is due at `at` (failure + backoff). */
  retryDue(id: string, at: number): void;
  /** Job `id`'s retry started at `at`. */
  retryStarted(id: string, at: number): void;
}

/** `d`: the job's fixed backoff in ms; warm-up jobs carry none and never fail. */
export interface RetryPayload {
  d?: number;
}

/** Fails every first attempt, reporting when its retry is due; reports when the retry starts. */
export function retryAttempt(payload: RetryPayload, id: string, attempt: number, report: RetryReport): void {
  if (payload.d === undefined) return;
  const now = wallNow();
  if (attempt > 1) {
    report.retryStarted(id, now);
    return;
  }
  report.retryDue(id, now + payload.d);
  throw new Error('first attempt fails');
}

/** `f`: the percentage of attempts that fail. */
export interface FlakyPayload {
  f?: number;
}

/** FNV-1a, then MurmurHash3's finaliser: strings that differ in one character land far apart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Fails `f` % of attempts, picked by a hash of job id and attempt: every library numbers its
 * jobs 1, 2, 3… in a fresh queue, so all three fail the same attempts.
 */
export function flakyAttempt(payload: FlakyPayload, id: string, attempt: number): void {
  if (hash(`${id}:${attempt}`) % 100 < (payload.f ?? 0)) throw new Error('planned failure');
}

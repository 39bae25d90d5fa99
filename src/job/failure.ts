import { KIB } from '../units.js';

/**
 * Why an attempt failed. `error`: the handler threw or rejected; `timeout`: it outran its
 * timeout; `crashed`: its thread or process died (or its lease expired) while it ran; `oom`: its
 * thread hit its memory limit; `decode_error`: its stored record could not be read.
 */
export type FailureReason = 'error' | 'timeout' | 'crashed' | 'oom' | 'decode_error';

export interface ErrorEntry {
  name: string;
  message: string;
  stack?: string;
  reason: FailureReason;
  /** Wall-clock time (ms) the failure was seen; for display only. */
  at: number;
}

const MAX_MESSAGE = 4 * KIB;
const MAX_STACK = 8 * KIB;

/** Serialises one error entry for the errors hash, capping what a handler's error can make us store. */
export function encodeErrorEntry(entry: ErrorEntry): string {
  const capped: ErrorEntry = {
    name: entry.name.slice(0, 200),
    message: entry.message.slice(0, MAX_MESSAGE),
    reason: entry.reason,
    at: entry.at,
  };
  if (entry.stack !== undefined) capped.stack = entry.stack.slice(0, MAX_STACK);
  return JSON.stringify(capped);
}

/** Parses the JSON array kept per job; a damaged value yields an empty list rather than an exception. */
export function decodeErrorEntries(json: string | null): ErrorEntry[] {
  if (json === null) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as ErrorEntry[]) : [];
  } catch {
    return [];
  }
}

/** Retrying cannot help these. */
export function isRetryable(reason: FailureReason): boolean {
  return reason !== 'decode_error';
}

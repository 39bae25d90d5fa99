import { invalidOption } from '../errors.js';
import { HOUR } from '../units.js';

/** At most `max` jobs leased per `duration` ms, in any window, across every engine of a queue. */
export interface RateLimit {
  max: number;
  /** Window length in ms (Redis clock). */
  duration: number;
}

export const MAX_RATE_LIMIT_MAX = 1_000_000;
export const MAX_RATE_LIMIT_DURATION = 24 * HOUR;

function integerIn(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw invalidOption(field, `must be an integer from 1 to ${max}, got ${shown}`);
  }
  return value;
}

/** Validates a rate limit setting; the error names the field at fault. */
export function checkRateLimit(limit: unknown): RateLimit {
  if (typeof limit !== 'object' || limit === null || Array.isArray(limit)) {
    throw invalidOption('rateLimit', 'must be an object { max, duration }');
  }
  const { max, duration, ...rest } = limit as Partial<RateLimit>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalidOption(unknown, 'is not a rate limit option');
  return {
    max: integerIn('max', max, MAX_RATE_LIMIT_MAX),
    duration: integerIn('duration', duration, MAX_RATE_LIMIT_DURATION),
  };
}

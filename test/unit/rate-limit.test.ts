import { describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../../dist/errors.js';
import { checkRateLimit, MAX_RATE_LIMIT_DURATION, MAX_RATE_LIMIT_MAX } from '../../dist/job/rate-limit.js';

function refusal(limit: unknown): SluiceError {
  try {
    checkRateLimit(limit);
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
    return error as SluiceError;
  }
  throw new Error(`${JSON.stringify(limit)} was accepted`);
}

describe('checkRateLimit', () => {
  it('accepts integers from 1 to the bounds and returns only max and duration', () => {
    expect(checkRateLimit({ max: 1, duration: 1 })).toEqual({ max: 1, duration: 1 });
    expect(checkRateLimit({ max: MAX_RATE_LIMIT_MAX, duration: MAX_RATE_LIMIT_DURATION })).toEqual({
      max: 1_000_000,
      duration: 86_400_000,
    });
  });

  it('names the field at fault', () => {
    expect(refusal({ max: 0, duration: 10 }).message).toBe(
      'max: must be an integer from 1 to 1000000, got 0',
    );
    expect(refusal({ max: MAX_RATE_LIMIT_MAX + 1, duration: 10 }).message).toMatch(/^max: /);
    expect(refusal({ max: 10 }).message).toBe(
      'duration: must be an integer from 1 to 86400000, got undefined',
    );
    expect(refusal({ max: 10, duration: '100' }).message).toBe(
      'duration: must be an integer from 1 to 86400000, got "100"',
    );
    expect(refusal({ max: 10, duration: Number.POSITIVE_INFINITY }).message).toMatch(/^duration: /);
    expect(refusal({ max: 10, duration: 100, per: 'second' }).message).toBe(
      'per: is not a rate limit option',
    );
    for (const bad of [undefined, null, 5, [10, 100]]) expect(refusal(bad).message).toMatch(/^rateLimit: /);
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay, failureStep, strategyDelay } from '../../dist/job/backoff.js';
import { JOB_DEFAULTS, MAX_DELAY, type StoredJobOptions } from '../../dist/job/job-options.js';

type Backoff = StoredJobOptions['backoff'];

const fixed = (delay: number, jitter = 0): Backoff => ({ type: 'fixed', delay, jitter });
const exponential = (delay: number, jitter = 0): Backoff => ({ type: 'exponential', delay, jitter });
const options = (attempts: number, backoff: Backoff = exponential(1000)): StoredJobOptions => ({
  ...JOB_DEFAULTS,
  attempts,
  backoff,
});

describe('backoffDelay', () => {
  it('fixed backoff waits the same delay after every attempt', () => {
    for (const attempt of [1, 2, 5, 20]) expect(backoffDelay(attempt, fixed(1500), 0)).toBe(1500);
  });

  it('exponential backoff doubles from the base delay with each attempt', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, exponential(1000), 0))).toEqual([
      1000, 2000, 4000, 8000, 16000,
    ]);
  });

  it('jitter adds nothing at random 0 and at most jitter × wait at random 0.999', () => {
    expect(backoffDelay(1, fixed(1000, 0.5), 0)).toBe(1000);
    expect(backoffDelay(1, fixed(1000, 0.5), 0.999)).toBe(1500); // 1499.5 rounded
    expect(backoffDelay(3, exponential(1000, 0.2), 0)).toBe(4000);
    expect(backoffDelay(3, exponential(1000, 0.2), 0.999)).toBe(4799); // 4799.2 rounded
    for (let r = 0; r < 1; r += 0.05) {
      const wait = backoffDelay(2, exponential(100, 1), r);
      expect(wait).toBeGreaterThanOrEqual(200);
      expect(wait).toBeLessThanOrEqual(400);
    }
  });

  it('caps every wait at MAX_DELAY, however many attempts or how much jitter', () => {
    expect(backoffDelay(10, exponential(MAX_DELAY / 4), 0)).toBe(MAX_DELAY);
    expect(backoffDelay(1, fixed(MAX_DELAY, 1), 0.999)).toBe(MAX_DELAY);
    expect(backoffDelay(1100, exponential(1), 0.5)).toBe(MAX_DELAY); // 2^1099 is Infinity
  });
});

describe('failureStep', () => {
  it('retries after the backoff while attempts remain', () => {
    expect(failureStep(1, options(3), 0)).toEqual({ retryInMs: 1000 });
    expect(failureStep(2, options(3), 0)).toEqual({ retryInMs: 2000 });
    expect(failureStep(1, JOB_DEFAULTS, 0)).toEqual({ retryInMs: 1000 });
  });

  it('dead-letters once the last attempt has failed', () => {
    expect(failureStep(3, options(3), 0)).toEqual({ dead: true });
    expect(failureStep(1, options(1), 0)).toEqual({ dead: true });
    expect(failureStep(7, options(3), 0)).toEqual({ dead: true });
  });

  it('dead-letters a non-retryable failure at once, whatever attempts remain', () => {
    expect(failureStep(1, options(1000), 0, false)).toEqual({ dead: true });
  });

  it("takes the thread's decision: -1 dead-letters now, a wait replaces the backoff option's", () => {
    expect(failureStep(1, options(1000), 0, true, -1)).toEqual({ dead: true });
    expect(failureStep(1, options(3), 0, true, 25)).toEqual({ retryInMs: 25 });
    expect(failureStep(2, options(3), 0, true, 0)).toEqual({ retryInMs: 0 });
    expect(failureStep(3, options(3), 0, true, 25)).toEqual({ dead: true });
  });
});

describe('strategyDelay', () => {
  it('rounds and caps a custom wait; anything but a finite number >= 0 means the backoff option', () => {
    expect(strategyDelay(12.6)).toBe(13);
    expect(strategyDelay(0)).toBe(0);
    expect(strategyDelay(Number.MAX_SAFE_INTEGER)).toBe(MAX_DELAY);
    for (const value of [undefined, null, -1, Number.NaN, Number.POSITIVE_INFINITY, '100', {}]) {
      expect(strategyDelay(value)).toBeUndefined();
    }
  });
});

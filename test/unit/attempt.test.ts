import { describe, expect, it } from 'vitest';
import { attemptOf, attemptsExhausted } from '../../dist/job/attempt.js';
import { JOB_DEFAULTS } from '../../dist/job/job-options.js';

describe('attemptOf', () => {
  it('counts deliveries since the base: the first lease of a new job is attempt 1', () => {
    expect(attemptOf(1, 0)).toBe(1);
    expect(attemptOf(3, 0)).toBe(3);
  });

  it('starts over after a retry from the dead letters moved the base up', () => {
    expect(attemptOf(4, 3)).toBe(1);
  });
});

describe('attemptsExhausted', () => {
  it('is true from the last attempt the options allow', () => {
    const options = { ...JOB_DEFAULTS, attempts: 3 };
    expect([1, 2, 3, 4].map((attempt) => attemptsExhausted(attempt, options))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

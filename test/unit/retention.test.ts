import { describe, expect, it } from 'vitest';
import { ErrorCode, type SluiceError } from '../../dist/errors.js';
import {
  checkRetention,
  decodeRetention,
  MAX_RETAIN_AGE,
  MAX_RETAIN_COUNT,
  retentionFields,
} from '../../dist/job/retention.js';

function refusal(setting: unknown): SluiceError {
  try {
    checkRetention(setting);
  } catch (error) {
    return error as SluiceError;
  }
  throw new Error(`accepted ${JSON.stringify(setting)}`);
}

describe('checkRetention', () => {
  it('accepts count, age or both for completed and dead, at their bounds', () => {
    const setting = { completed: { count: MAX_RETAIN_COUNT, age: 1 }, dead: { age: MAX_RETAIN_AGE } };
    expect(checkRetention(setting)).toEqual(setting);
    expect(checkRetention({ completed: { count: 1 } })).toEqual({ completed: { count: 1 } });
  });

  it('refuses a bad value naming the field, and explains that failed jobs are dead letters', () => {
    for (const [setting, field] of [
      [{ completed: { count: MAX_RETAIN_COUNT + 1 } }, 'completed.count'],
      [{ dead: { age: MAX_RETAIN_AGE + 1 } }, 'dead.age'],
      [{ dead: { count: '10' } }, 'dead.count'],
      [{ dead: 5 }, 'dead'],
      [{ completed: { count: 1 }, extra: 1 }, 'extra'],
      [[], 'retention'],
    ] as const) {
      const error = refusal(setting);
      expect(error.code).toBe(ErrorCode.INVALID_OPTION);
      expect(error.message.startsWith(`${field}:`), error.message).toBe(true);
    }
    expect(refusal({ failed: { count: 1 } }).message).toContain('dead: { count, age }');
  });
});

describe('retentionFields and decodeRetention', () => {
  it('round-trip through the Redis hash fields', () => {
    const setting = { completed: { count: 10 }, dead: { count: 3, age: 500 } };
    const fields = retentionFields(setting);
    expect(fields).toEqual({ 'completed-count': 10, 'dead-count': 3, 'dead-age': 500 });
    const stored = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    expect(decodeRetention(stored)).toEqual(setting);
    expect(decodeRetention({})).toBeUndefined();
  });
});

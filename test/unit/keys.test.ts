import { describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../../dist/errors.js';
import { KEY_NAMES, queueKeys, validateQueueName } from '../../dist/redis/keys.js';

/** The part of a key Redis Cluster hashes: between the first '{' and the next '}'. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : undefined;
}

describe('queueKeys', () => {
  it('gives every key and the wake channel the hash tag {name}', () => {
    for (const name of ['emails', 'a', 'A-z_0.9:x', 'q'.repeat(100)]) {
      const keys = queueKeys(name);
      const all = [...KEY_NAMES.map((k) => keys[k]), keys.wake];
      expect(all).toHaveLength(KEY_NAMES.length + 1);
      for (const key of all) {
        expect(key.startsWith(`sluice:{${name}}:`), key).toBe(true);
        expect(hashTag(key), key).toBe(name);
      }
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('names each key after its role', () => {
    const keys = queueKeys('emails');
    expect(keys.pending).toBe('sluice:{emails}:pending');
    expect(keys.jobs).toBe('sluice:{emails}:jobs');
    expect(keys.wake).toBe('sluice:{emails}:wake');
    expect(Object.isFrozen(keys)).toBe(true);
  });

  it('refuses invalid queue names with INVALID_QUEUE_NAME', () => {
    for (const name of [
      '',
      'q'.repeat(101),
      'has space',
      'brace{',
      'close}',
      'ünïcode',
      'tab\t',
      'slash/',
      42,
      undefined,
      null,
    ]) {
      let thrown: unknown;
      try {
        queueKeys(name as string);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(name)).toBeInstanceOf(SluiceError);
      expect((thrown as SluiceError).code).toBe(ErrorCode.INVALID_QUEUE_NAME);
      expect(() => validateQueueName(name)).toThrow(SluiceError);
    }
  });
});

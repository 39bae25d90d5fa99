import { describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../../dist/errors.js';
import { prepareJobOptions } from '../../dist/job/job-options.js';
import { decodeRecord, encodePayload, recordBody } from '../../dist/job/record.js';

function refusal(payload: unknown, maxBytes = 1024): SluiceError {
  try {
    encodePayload(payload, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    return error as SluiceError;
  }
  throw new Error('the payload was accepted');
}

describe('encodePayload', () => {
  it('encodes JSON values as JSON', () => {
    const payload = { to: 'ada@example.com', n: [1, 2.5, -3], ok: true, none: null, nested: { s: 'é|x' } };
    expect(JSON.parse(encodePayload(payload, 1024))).toEqual(payload);
    expect(encodePayload(null, 10)).toBe('null');
    expect(encodePayload('hi', 10)).toBe('"hi"');
  });

  it('refuses what JSON cannot carry with INVALID_PAYLOAD', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: [string, unknown][] = [
      ['a function', () => 1],
      ['a nested function', { run: () => 1 }],
      ['a symbol', Symbol('s')],
      ['a symbol in an array', [1, Symbol('s')]],
      ['NaN', Number.NaN],
      ['a nested NaN', { x: Number.NaN }],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a nested -Infinity', { x: [Number.NEGATIVE_INFINITY] }],
      ['a BigInt', 10n],
      ['a nested BigInt', { big: 10n }],
      ['undefined', undefined],
      ['a circular object', circular],
    ];
    for (const [what, payload] of cases) {
      const error = refusal(payload);
      expect(error.code, what).toBe(ErrorCode.INVALID_PAYLOAD);
      expect(error.message, what).toMatch(/^payload\b/);
    }
  });

  it('names the field given to it and the key holding the bad value', () => {
    try {
      encodePayload({ callback: () => 1 }, 1024, 'jobs[2].payload');
      expect.unreachable('a function was accepted');
    } catch (error) {
      expect((error as SluiceError).code).toBe(ErrorCode.INVALID_PAYLOAD);
      expect((error as SluiceError).message).toMatch(/^jobs\[2\]\.payload\b.*callback/);
    }
  });

  it('refuses oversize JSON with PAYLOAD_TOO_LARGE, counting UTF-8 bytes, not characters', () => {
    // 200 'é' are 202 characters of JSON but 402 bytes.
    const error = refusal('é'.repeat(200), 300);
    expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(error.message).toContain('402');
    expect(refusal('x'.repeat(299), 300).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(refusal('😀'.repeat(75), 300).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE); // 302 bytes
  });

  it('accepts JSON of exactly maxBytes', () => {
    expect(encodePayload('é'.repeat(149), 300)).toHaveLength(151); // 300 bytes
    expect(encodePayload('x'.repeat(298), 300)).toHaveLength(300);
    expect(encodePayload('😀'.repeat(74), 298)).toHaveLength(150); // 298 bytes
  });
});

describe('decodeRecord', () => {
  it('reads back what the producer and the enqueue script wrote', () => {
    const { header, stored } = prepareJobOptions({ attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    const payload = { text: 'pipes | inside | the payload', n: 1 };
    const json = encodePayload(payload, 1024);
    const record = `1700000000123|2|${recordBody(header, json)}`;
    const decoded = decodeRecord(record);
    expect(decoded).toEqual({ enqueuedAt: 1700000000123, base: 2, options: stored, payloadJson: json });
    expect(JSON.parse(decoded?.payloadJson ?? '')).toEqual(payload);
  });

  it('reads the default options from an empty header', () => {
    expect(decodeRecord(`5|0|${recordBody('', '"x"')}`)).toEqual({
      enqueuedAt: 5,
      base: 0,
      options: prepareJobOptions(undefined).stored,
      payloadJson: '"x"',
    });
  });

  it('returns undefined for garbage', () => {
    for (const record of [
      '',
      'garbage',
      '{"a":1}',
      '|0||{}',
      '12|0|{}',
      'x|0||{}',
      '12|y||{}',
      '12|0|bad|{}',
      '1.5|0||{}',
    ]) {
      expect(decodeRecord(record), JSON.stringify(record)).toBeUndefined();
    }
  });
});

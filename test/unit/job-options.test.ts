import { describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../../dist/errors.js';
import {
  decodeOptionHeader,
  encodeOptionHeader,
  JOB_DEFAULTS,
  type JobOptions,
  MAX_ATTEMPTS,
  MAX_DELAY,
  MAX_KEEP,
  MAX_TIMEOUT,
  prepareJobOptions,
  type StoredJobOptions,
  sameJobOptions,
} from '../../dist/job/job-options.js';

function refusal(opts: unknown, field = 'opts'): SluiceError {
  try {
    prepareJobOptions(opts as JobOptions, field);
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    return error as SluiceError;
  }
  throw new Error(`options ${JSON.stringify(opts)} were accepted`);
}

describe('prepareJobOptions', () => {
  it('yields the empty header for no options, empty options and options equal to the defaults', () => {
    for (const opts of [
      undefined,
      {},
      { attempts: 3 },
      { timeout: 0, delay: 0 },
      { attempts: 3, timeout: 0, backoff: { type: 'exponential', delay: 1000 } },
      { backoff: { type: 'exponential', delay: 1000, jitter: 0 } },
    ] as (JobOptions | undefined)[]) {
      const prepared = prepareJobOptions(opts);
      expect(prepared.header, JSON.stringify(opts)).toBe('');
      expect(prepared.stored).toEqual(JOB_DEFAULTS);
      expect(prepared.due).toEqual({ delay: 0 });
      expect(prepared.jobId).toBeUndefined();
    }
  });

  it('keeps delay, runAt and jobId out of the header', () => {
    const prepared = prepareJobOptions({ delay: 5000, jobId: 'order-7' });
    expect(prepared).toMatchObject({ header: '', due: { delay: 5000 }, jobId: 'order-7' });
    const at = Date.UTC(2030, 0, 1);
    expect(prepareJobOptions({ runAt: at })).toMatchObject({ header: '', due: { runAt: at } });
  });

  it('writes keepResult and uniqueFor into the header only when set', () => {
    const prepared = prepareJobOptions({ keepResult: 60_000, uniqueFor: 5000, jobId: 'order-7' });
    expect(prepared.header).toBe('3,0,e,1000,0,60000,5000');
    expect(prepared.stored).toMatchObject({ keepResult: 60_000, uniqueFor: 5000 });
  });

  it('refuses every bad field with INVALID_OPTION and a message that names it', () => {
    const cases: [unknown, string][] = [
      [{ attempts: 0 }, 'opts.attempts'],
      [{ attempts: 1.5 }, 'opts.attempts'],
      [{ attempts: '3' }, 'opts.attempts'],
      [{ attempts: MAX_ATTEMPTS + 1 }, 'opts.attempts'],
      [{ timeout: -1 }, 'opts.timeout'],
      [{ timeout: MAX_TIMEOUT + 1 }, 'opts.timeout'],
      [{ timeout: Number.NaN }, 'opts.timeout'],
      [{ delay: -1 }, 'opts.delay'],
      [{ delay: 0.5 }, 'opts.delay'],
      [{ delay: MAX_DELAY + 1 }, 'opts.delay'],
      [{ backoff: null }, 'opts.backoff'],
      [{ backoff: 1000 }, 'opts.backoff'],
      [{ backoff: { type: 'linear', delay: 10 } }, 'opts.backoff.type'],
      [{ backoff: { type: 'fixed', delay: -5 } }, 'opts.backoff.delay'],
      [{ backoff: { type: 'fixed' } }, 'opts.backoff.delay'],
      [{ backoff: { type: 'fixed', delay: 10, jitter: 1.5 } }, 'opts.backoff.jitter'],
      [{ backoff: { type: 'fixed', delay: 10, jitter: -0.1 } }, 'opts.backoff.jitter'],
      [{ backoff: { type: 'fixed', delay: 10, jitter: '0.5' } }, 'opts.backoff.jitter'],
      [{ backoff: { type: 'fixed', delay: 10, factor: 2 } }, 'opts.backoff.factor'],
      [{ jobId: '' }, 'opts.jobId'],
      [{ jobId: '12345' }, 'opts.jobId'],
      [{ jobId: 'has space' }, 'opts.jobId'],
      [{ jobId: 'x'.repeat(129) }, 'opts.jobId'],
      [{ jobId: 42 }, 'opts.jobId'],
      [{ lifo: true }, 'opts.lifo'],
      [{ priority: 0 }, 'opts.priority'],
      [{ priority: 2.5 }, 'opts.priority'],
      [{ runAt: Date.UTC(2030, 0, 1), delay: 10 }, 'opts.runAt'],
      [{ runAt: 1_900_000_000 }, 'opts.runAt'],
      [{ runAt: '2030-01-01' }, 'opts.runAt'],
      [{ keepResult: -1 }, 'opts.keepResult'],
      [{ keepResult: 31 * 24 * 3600 * 1000 }, 'opts.keepResult'],
      [{ uniqueFor: 1000 }, 'opts.uniqueFor'],
      [{ uniqueFor: 0.5, jobId: 'a' }, 'opts.uniqueFor'],
      ['fast', 'opts'],
      [null, 'opts'],
    ];
    for (const [opts, field] of cases) {
      const error = refusal(opts);
      expect(error.code, JSON.stringify(opts)).toBe(ErrorCode.INVALID_OPTION);
      expect(error.message.startsWith(`${field}: `), `${error.message} names ${field}`).toBe(true);
    }
  });

  it('prefixes the field path it is given (a bulk item)', () => {
    expect(refusal({ delay: -1 }, 'jobs[3].opts').message).toMatch(/^jobs\[3\]\.opts\.delay: /);
  });

  it('accepts the limits of each range', () => {
    const prepared = prepareJobOptions({
      attempts: MAX_ATTEMPTS,
      timeout: MAX_TIMEOUT,
      delay: MAX_DELAY,
      backoff: { type: 'fixed', delay: MAX_DELAY, jitter: 1 },
      jobId: 'a'.repeat(128),
    });
    expect(prepared.stored).toEqual({
      attempts: MAX_ATTEMPTS,
      timeout: MAX_TIMEOUT,
      backoff: { type: 'fixed', delay: MAX_DELAY, jitter: 1 },
      keepResult: 0,
      uniqueFor: 0,
    });
  });
});

const none = { keepResult: 0, uniqueFor: 0 };

describe('option header', () => {
  it('decodes what it encodes', () => {
    const samples: StoredJobOptions[] = [
      JOB_DEFAULTS,
      { ...none, attempts: 1, timeout: 0, backoff: { type: 'fixed', delay: 0, jitter: 0 } },
      { ...none, attempts: 5, timeout: 30_000, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 } },
      { ...none, attempts: 3, timeout: 0, backoff: { type: 'exponential', delay: 1000, jitter: 0.333 } },
      { ...JOB_DEFAULTS, keepResult: 1 },
      { ...JOB_DEFAULTS, uniqueFor: 60_000 },
      {
        attempts: MAX_ATTEMPTS,
        timeout: MAX_TIMEOUT,
        backoff: { type: 'fixed', delay: MAX_DELAY, jitter: 1 },
        keepResult: MAX_KEEP,
        uniqueFor: MAX_KEEP,
      },
    ];
    for (const options of samples) {
      expect(decodeOptionHeader(encodeOptionHeader(options))).toEqual(options);
    }
  });

  it('round-trips through prepareJobOptions', () => {
    const prepared = prepareJobOptions({ attempts: 7, timeout: 250, backoff: { type: 'fixed', delay: 30 } });
    expect(prepared.header).not.toBe('');
    expect(decodeOptionHeader(prepared.header)).toEqual(prepared.stored);
  });

  it('decodes a malformed header to undefined', () => {
    for (const header of [
      'x',
      '3',
      '3,0,e,1000',
      '0,0,e,1000,0',
      '3,0,z,1000,0',
      '3,-1,e,1000,0',
      '3,0,e,-1,0',
      '3,0,e,1000,2',
      '1.5,0,f,0,0',
      '3,0,e,1000,0,5',
      '3,0,e,1000,0,-1,0',
      '3,0,e,1000,0,0,0,0',
    ]) {
      expect(decodeOptionHeader(header), header).toBeUndefined();
    }
  });

  it('finds equal options equal and anything else different, so a shared header is never wrong', () => {
    const retry = { attempts: 4, backoff: { type: 'fixed', delay: 10 } } as const;
    expect(sameJobOptions(undefined, undefined)).toBe(true);
    expect(sameJobOptions(retry, retry)).toBe(true);
    expect(sameJobOptions(retry, { attempts: 4, backoff: { type: 'fixed', delay: 10 } })).toBe(true);
    const different: [string, unknown][] = [
      ['none vs some', undefined],
      ['another attempts', { attempts: 5, backoff: { type: 'fixed', delay: 10 } }],
      ['another backoff delay', { attempts: 4, backoff: { type: 'fixed', delay: 11 } }],
      ['a backoff with jitter', { attempts: 4, backoff: { type: 'fixed', delay: 10, jitter: 0.5 } }],
      ['a missing backoff', { attempts: 4, timeout: 10 }],
      ['an unknown key in place of a known one', { attempts: 4, bakcoff: { type: 'fixed', delay: 10 } }],
      ['NaN', { attempts: Number.NaN, backoff: { type: 'fixed', delay: 10 } }],
      ['a jobId', { attempts: 4, backoff: { type: 'fixed', delay: 10 }, jobId: 'a' }],
    ];
    for (const [what, other] of different) {
      expect(sameJobOptions(retry, other as JobOptions), what).toBe(false);
      expect(sameJobOptions(other as JobOptions, retry), what).toBe(false);
    }
    // An explicit undefined must not stand in for an unknown key of the other object.
    expect(
      sameJobOptions(
        { attempts: undefined } as unknown as JobOptions,
        { atempts: 3 } as unknown as JobOptions,
      ),
    ).toBe(false);
  });
});

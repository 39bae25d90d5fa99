import { invalidOption } from '../errors.js';
import { HOUR, SECOND } from '../units.js';

export type BackoffType = 'fixed' | 'exponential';

export interface BackoffOptions {
  type: BackoffType;
  /** Base delay in ms. */
  delay: number;
  /** Up to this fraction of the delay is added at random (0..1), so retries of a burst spread out. */
  jitter?: number;
}

export interface JobOptions {
  /** Deliveries allowed before the job is dead-lettered (a crash or timeout counts too). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** Wait this long (ms, by the Redis clock) before the job may start. */
  delay?: number;
  /** Idempotent add: adding an id that already exists is a no-op that returns the id. */
  jobId?: string;
  /** The handler's AbortSignal fires and the attempt fails after this many ms; 0 = no limit. */
  timeout?: number;
}

/** The options stored with a job (delay and jobId only decide where it is placed). */
export interface StoredJobOptions {
  attempts: number;
  backoff: Required<BackoffOptions>;
  timeout: number;
}

export const JOB_DEFAULTS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1 * SECOND, jitter: 0 },
  timeout: 0,
} as const satisfies StoredJobOptions;

export const MAX_ATTEMPTS = 1000;
export const MAX_DELAY = 365 * 24 * HOUR;
export const MAX_TIMEOUT = 2 ** 31 - 1;
/** Generated ids are decimal integers, so a caller's jobId must not be one. */
const JOB_ID = /^(?!\d+$)[A-Za-z0-9_.:-]{1,128}$/;

export interface PreparedOptions {
  stored: StoredJobOptions;
  /** The option header written before the payload: '' when every stored option is the default. */
  header: string;
  delay: number;
  jobId: string | undefined;
}

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function isValidJobId(id: string): boolean {
  return JOB_ID.test(id);
}

function prepareBackoff(field: string, value: unknown): Required<BackoffOptions> {
  if (typeof value !== 'object' || value === null) {
    throw invalidOption(field, `must be an object { type, delay, jitter? }, got ${describe(value)}`);
  }
  const { type, delay, jitter = 0, ...rest } = value as Partial<BackoffOptions>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalidOption(`${field}.${unknown}`, 'is not a backoff option');
  if (type !== 'fixed' && type !== 'exponential') {
    throw invalidOption(`${field}.type`, `must be 'fixed' or 'exponential', got ${describe(type)}`);
  }
  integerIn(`${field}.delay`, delay, 0, MAX_DELAY);
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw invalidOption(`${field}.jitter`, `must be a number from 0 to 1, got ${describe(jitter)}`);
  }
  return { type, delay: delay as number, jitter };
}

const KNOWN = new Set(['attempts', 'backoff', 'delay', 'jobId', 'timeout']);

/** Validates a job's options (naming the bad field) and resolves them against the defaults. */
export function prepareJobOptions(opts: JobOptions | undefined, field = 'opts'): PreparedOptions {
  if (opts === undefined) return { stored: JOB_DEFAULTS, header: '', delay: 0, jobId: undefined };
  if (typeof opts !== 'object' || opts === null) throw invalidOption(field, 'must be an object');
  for (const key of Object.keys(opts)) {
    if (!KNOWN.has(key)) throw invalidOption(`${field}.${key}`, 'is not a job option');
  }
  const stored: StoredJobOptions = {
    attempts:
      opts.attempts === undefined
        ? JOB_DEFAULTS.attempts
        : integerIn(`${field}.attempts`, opts.attempts, 1, MAX_ATTEMPTS),
    backoff:
      opts.backoff === undefined ? JOB_DEFAULTS.backoff : prepareBackoff(`${field}.backoff`, opts.backoff),
    timeout:
      opts.timeout === undefined
        ? JOB_DEFAULTS.timeout
        : integerIn(`${field}.timeout`, opts.timeout, 0, MAX_TIMEOUT),
  };
  const delay = opts.delay === undefined ? 0 : integerIn(`${field}.delay`, opts.delay, 0, MAX_DELAY);
  if (opts.jobId !== undefined && (typeof opts.jobId !== 'string' || !isValidJobId(opts.jobId))) {
    throw invalidOption(
      `${field}.jobId`,
      `must be 1-128 characters of A-Z a-z 0-9 _ . : - and not only digits (those are generated ids), got ${describe(opts.jobId)}`,
    );
  }
  return { stored, header: encodeOptionHeader(stored), delay, jobId: opts.jobId };
}

/** "attempts,timeout,f|e,delay,jitter", or '' for the defaults (most jobs: keeps records small). */
export function encodeOptionHeader(o: StoredJobOptions): string {
  const d = JOB_DEFAULTS;
  const b = o.backoff;
  if (
    o.attempts === d.attempts &&
    o.timeout === d.timeout &&
    b.type === d.backoff.type &&
    b.delay === d.backoff.delay &&
    b.jitter === d.backoff.jitter
  ) {
    return '';
  }
  return `${o.attempts},${o.timeout},${b.type === 'fixed' ? 'f' : 'e'},${b.delay},${b.jitter}`;
}

/** Inverse of encodeOptionHeader; undefined when the header is malformed. */
export function decodeOptionHeader(header: string): StoredJobOptions | undefined {
  if (header === '') return JOB_DEFAULTS;
  const [attempts, timeout, type, delay, jitter] = header
    .split(',')
    .map((part, i) => (i === 2 ? part : Number(part)));
  if (
    typeof attempts !== 'number' ||
    !Number.isInteger(attempts) ||
    attempts < 1 ||
    typeof timeout !== 'number' ||
    !Number.isInteger(timeout) ||
    timeout < 0 ||
    (type !== 'f' && type !== 'e') ||
    typeof delay !== 'number' ||
    !(delay >= 0) ||
    typeof jitter !== 'number' ||
    !(jitter >= 0 && jitter <= 1)
  ) {
    return undefined;
  }
  return { attempts, timeout, backoff: { type: type === 'f' ? 'fixed' : 'exponential', delay, jitter } };
}

import { invalidOption } from '../errors.js';
import { HOUR, SECOND } from '../units.js';
import { isChosenId } from './names.js';

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
  /** Not before this time (ms since the epoch, by the Redis clock); instead of `delay`. */
  runAt?: number;
  /** Idempotent add: adding an id that already exists is a no-op that returns the id. */
  jobId?: string;
  /** The handler's AbortSignal fires and the attempt fails after this many ms; 0 = no limit. */
  timeout?: number;
  /** Keep the handler's return value this many ms after completion (0 = not kept). */
  keepResult?: number;
  /** With jobId: the id stays taken this many ms after completion, so adding it again is a no-op. */
  uniqueFor?: number;
  /**
   * 1 (most urgent) to 5 (least); 3, the priority of every job added without one, is the default.
   * Within a priority jobs run in the order they were added (see README "Priorities").
   */
  priority?: number;
}

/** The options stored with a job (delay, runAt and jobId only decide where it is placed). */
export interface StoredJobOptions {
  attempts: number;
  backoff: Required<BackoffOptions>;
  timeout: number;
  keepResult: number;
  uniqueFor: number;
  /** Present only when it is not DEFAULT_PRIORITY: such jobs wait in their priority's own list. */
  priority?: number;
}

/** Priorities, 1 most urgent; jobs without one have the middle one and wait in `pending`. */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 5;
export const DEFAULT_PRIORITY = 3;

export const JOB_DEFAULTS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1 * SECOND, jitter: 0 },
  timeout: 0,
  keepResult: 0,
  uniqueFor: 0,
} as const satisfies StoredJobOptions;

export const MAX_ATTEMPTS = 1000;
export const MAX_DELAY = 365 * 24 * HOUR;
export const MAX_TIMEOUT = 2 ** 31 - 1;
/** Longest a result or a taken id is kept after completion. */
export const MAX_KEEP = 30 * 24 * HOUR;
/** runAt is ms since the epoch: from 2020 to 2200 catches seconds and other units by mistake. */
const RUN_AT_RANGE = [1_577_836_800_000, 7_258_118_400_000] as const;

/** When a job may start: now, after `delay` ms, or at `runAt` (both by the Redis clock). */
export type Due = { delay: number } | { runAt: number };

export interface PreparedOptions {
  stored: StoredJobOptions;
  /** The option header written before the payload: '' when every stored option is the default. */
  header: string;
  due: Due;
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
  return isChosenId(id);
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

const KNOWN = new Set([
  'attempts',
  'backoff',
  'delay',
  'runAt',
  'jobId',
  'timeout',
  'keepResult',
  'uniqueFor',
  'priority',
]);

/** Validates a job's options (naming the bad field) and resolves them against the defaults. */
export function prepareJobOptions(opts: JobOptions | undefined, field = 'opts'): PreparedOptions {
  if (opts === undefined) return DEFAULT_PREPARED;
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
    keepResult:
      opts.keepResult === undefined ? 0 : integerIn(`${field}.keepResult`, opts.keepResult, 0, MAX_KEEP),
    uniqueFor:
      opts.uniqueFor === undefined ? 0 : integerIn(`${field}.uniqueFor`, opts.uniqueFor, 0, MAX_KEEP),
  };
  if (opts.priority !== undefined) {
    const priority = integerIn(`${field}.priority`, opts.priority, MIN_PRIORITY, MAX_PRIORITY);
    if (priority !== DEFAULT_PRIORITY) stored.priority = priority;
  }
  if (stored.uniqueFor > 0 && opts.jobId === undefined) {
    throw invalidOption(`${field}.uniqueFor`, 'needs a jobId: it keeps that id taken after completion');
  }
  if (opts.delay !== undefined && opts.runAt !== undefined) {
    throw invalidOption(`${field}.runAt`, 'give delay or runAt, not both');
  }
  const due: Due =
    opts.runAt !== undefined
      ? { runAt: integerIn(`${field}.runAt`, opts.runAt, ...RUN_AT_RANGE) }
      : opts.delay !== undefined
        ? { delay: integerIn(`${field}.delay`, opts.delay, 0, MAX_DELAY) }
        : NOW;
  if (opts.jobId !== undefined && (typeof opts.jobId !== 'string' || !isValidJobId(opts.jobId))) {
    throw invalidOption(
      `${field}.jobId`,
      `must be 1-128 characters of A-Z a-z 0-9 _ . : - and not only digits (those are generated ids), got ${describe(opts.jobId)}`,
    );
  }
  return { stored, header: encodeOptionHeader(stored), due, jobId: opts.jobId };
}

const NOW: Due = Object.freeze({ delay: 0 });
const DEFAULT_PREPARED: PreparedOptions = Object.freeze({
  stored: JOB_DEFAULTS,
  header: '',
  due: NOW,
  jobId: undefined,
});

const sameBackoff = (a: unknown, b: unknown): boolean =>
  typeof a === 'object' &&
  a !== null &&
  typeof b === 'object' &&
  b !== null &&
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(
    ([key, value]) => Object.hasOwn(b, key) && (b as Record<string, unknown>)[key] === value,
  );

/**
 * Whether two jobs' options hold the same values, so one prepared header serves both (a bulk of
 * jobs built by one `map` repeats equal option objects). False when unsure: then each is prepared.
 */
export function sameJobOptions(a: JobOptions | undefined, b: JobOptions | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (!Object.hasOwn(b, key)) return false;
    if (x !== y && !(key === 'backoff' && sameBackoff(x, y))) return false;
  }
  return true;
}

/**
 * "attempts,timeout,f|e,delay,jitter[,keepResult,uniqueFor[,priority]]", or '' for the defaults
 * (most jobs: keeps records small). keepResult and uniqueFor are written only when one of them or
 * a priority is set; priority only when set. The Lua scripts find a priority as the 8th field,
 * ended by '|' or by the ';' of a traced job's trace context (tracing/carrier.ts), which a record
 * may carry after this header and which decodeRecord strips before calling decodeOptionHeader.
 */
export function encodeOptionHeader(o: StoredJobOptions): string {
  const d = JOB_DEFAULTS;
  const b = o.backoff;
  const kept = o.keepResult > 0 || o.uniqueFor > 0 || o.priority !== undefined;
  if (
    !kept &&
    o.attempts === d.attempts &&
    o.timeout === d.timeout &&
    b.type === d.backoff.type &&
    b.delay === d.backoff.delay &&
    b.jitter === d.backoff.jitter
  ) {
    return '';
  }
  const head = `${o.attempts},${o.timeout},${b.type === 'fixed' ? 'f' : 'e'},${b.delay},${b.jitter}`;
  if (!kept) return head;
  const tail = `${head},${o.keepResult},${o.uniqueFor}`;
  return o.priority === undefined ? tail : `${tail},${o.priority}`;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** Inverse of encodeOptionHeader; undefined when the header is malformed. */
export function decodeOptionHeader(header: string): StoredJobOptions | undefined {
  if (header === '') return JOB_DEFAULTS;
  const parts = header.split(',').map((part, i) => (i === 2 ? part : Number(part)));
  const [attempts, timeout, type, delay, jitter, keepResult = 0, uniqueFor = 0, priority] = parts;
  if (
    (parts.length !== 5 && parts.length !== 7 && parts.length !== 8) ||
    (priority !== undefined && !isPriority(priority)) ||
    !isCount(keepResult) ||
    !isCount(uniqueFor) ||
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
  const stored: StoredJobOptions = {
    attempts,
    timeout,
    backoff: { type: type === 'f' ? 'fixed' : 'exponential', delay, jitter },
    keepResult,
    uniqueFor,
  };
  if (priority !== undefined) stored.priority = priority as number;
  return stored;
}

/** A stored priority: never the default, which is not written. */
const isPriority = (n: unknown): boolean =>
  typeof n === 'number' &&
  Number.isInteger(n) &&
  n >= MIN_PRIORITY &&
  n <= MAX_PRIORITY &&
  n !== DEFAULT_PRIORITY;

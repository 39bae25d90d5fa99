import { ErrorCode, SluiceError } from '../errors.js';

/** Every Redis key of a queue; the README's "Under the hood" documents each. */
export const KEY_NAMES = [
  'pending',
  'priorities',
  'jobs',
  'deliveries',
  'active',
  'delayed',
  'dead',
  'errors',
  'dead-fingerprints',
  'dead-groups',
  'stats',
  'seq',
  'paused',
  'limit',
  'limit-log',
  'engines',
  'engine-info',
  'history',
  'epoch',
  'progress',
  'events',
  'schedules',
  'schedule-defs',
  'schedule-fired',
  'retention',
  'completed',
  'completed-jobs',
] as const;

export type KeyName = (typeof KEY_NAMES)[number];

export type QueueKeys = Readonly<Record<KeyName, string>> & {
  /** Pub/sub channel that tells idle dispatchers work has arrived (not a key). */
  readonly wake: string;
  /** Pub/sub channel naming cancelled running jobs, so their engine stops them (not a key). */
  readonly cancel: string;
  /** Pub/sub channel naming jobs whose result was kept ("c:ids") or that died ("d:ids"). */
  readonly finished: string;
  /** Prefix of the per-job STRING keys holding a kept result (id appended). */
  readonly resultPrefix: string;
  /** Prefix of the per-job STRING keys that keep a completed jobId taken (id appended). */
  readonly uniquePrefix: string;
};

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

export function validateQueueName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
    throw new SluiceError(
      ErrorCode.INVALID_QUEUE_NAME,
      `queue name must be 1-100 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(name)}`,
    );
  }
}

/** The ZSET of the dead letters in fingerprint group `id` (dead-at scores); lua/settle.lua builds the same. */
export function deadGroupKey(keys: QueueKeys, id: string): string {
  return `${keys['dead-groups']}:${id}`;
}

/** The LIST of the jobs waiting at priority `level` (not the default level 3, whose list is pending). */
export function levelKey(keys: QueueKeys, level: number): string {
  return `${keys.pending}:${level}`;
}

/** The priority levels that have their own list (3, the default, waits in pending). */
export const PRIORITY_LEVELS = [1, 2, 4, 5] as const;

/** The lists acquire.lua pops from, most urgent first: the default level is pending itself. */
export function runOrder(keys: QueueKeys): string[] {
  return [levelKey(keys, 1), levelKey(keys, 2), keys.pending, levelKey(keys, 4), levelKey(keys, 5)];
}

/** All keys share the hash tag {name}, so every script's keys live in one Redis Cluster slot. */
export function queueKeys(name: string): QueueKeys {
  validateQueueName(name);
  const prefix = `sluice:{${name}}:`;
  const keys = Object.fromEntries(KEY_NAMES.map((k) => [k, prefix + k])) as Record<KeyName, string>;
  return Object.freeze({
    ...keys,
    wake: `${prefix}wake`,
    cancel: `${prefix}cancel`,
    finished: `${prefix}finished`,
    resultPrefix: `${prefix}result:`,
    uniquePrefix: `${prefix}unique:`,
  });
}

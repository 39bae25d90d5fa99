import slotOf from 'cluster-key-slot';
import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import { isName, NAME_RULE } from '../job/names.js';

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
  'partitions',
] as const;

export type KeyName = (typeof KEY_NAMES)[number];

export type QueueKeys = Readonly<Record<KeyName, string>> & {
  /** Pub/sub channel that tells idle dispatchers work has arrived (not a key). */
  readonly wake: string;
  /** Pub/sub channel naming cancelled running jobs, so their engine stops them (not a key). */
  readonly cancel: string;
  /** Pub/sub channel naming jobs whose result was kept ("c:ids") or that died ("d:ids"). */
  readonly finished: string;
  /** Pub/sub channel of "which engine holds these jobs?" requests (see redis/holders.ts). */
  readonly holders: string;
  /** Prefix of the per-job STRING keys holding a kept result (id appended). */
  readonly resultPrefix: string;
  /** Prefix of the per-job STRING keys that keep a completed jobId taken (id appended). */
  readonly uniquePrefix: string;
  /** Put before the ids this partition generates ('' for a queue's own keys, `i~` for partition i > 0). */
  readonly idPrefix: string;
  /** The queue's name (a partition's keys name the queue it is part of). */
  readonly queue: string;
  /** The partition's index (0 for an unpartitioned queue). */
  readonly partition: number;
};

/**
 * The SET of every queue name used on this Redis (see redis/registry.ts). It belongs to no queue:
 * its slot is its own, so it is written with a plain SADD and never from a queue's script.
 */
export const QUEUE_REGISTRY = 'sluice:queues';
/** Set once the queues that predate the registry have been swept into it. */
export const REGISTRY_SWEPT = 'sluice:queues:swept';

export function isQueueName(name: unknown): name is string {
  return isName(name);
}

export function validateQueueName(name: unknown): asserts name is string {
  if (!isQueueName(name)) {
    throw new SluiceError(
      ErrorCode.INVALID_QUEUE_NAME,
      `queue name must be ${NAME_RULE}, got ${JSON.stringify(name)}`,
    );
  }
}

/** The ZSET of the dead letters in fingerprint group `id` (dead-at scores); lua/settle.lua builds the same. */
export function deadGroupKey(keys: QueueKeys, id: string): string {
  return `${keys['dead-groups']}:${id}`;
}

/** The LIST of the jobs waiting with `priority` (not the default 3, whose list is pending). */
export function priorityKey(keys: QueueKeys, priority: number): string {
  return `${keys.pending}:${priority}`;
}

/** The priorities that have their own list (3, the default, waits in pending). */
export const PRIORITY_LISTS = [1, 2, 4, 5] as const;

/** The lists acquire.lua pops from, most urgent first: the default priority's is pending itself. */
export function runOrder(keys: QueueKeys): string[] {
  return [
    priorityKey(keys, 1),
    priorityKey(keys, 2),
    keys.pending,
    priorityKey(keys, 4),
    priorityKey(keys, 5),
  ];
}

function keysWithTag(queue: string, tag: string, partition: number): QueueKeys {
  const prefix = `sluice:{${tag}}:`;
  const keys = Object.fromEntries(KEY_NAMES.map((k) => [k, prefix + k])) as Record<KeyName, string>;
  return Object.freeze({
    ...keys,
    wake: `${prefix}wake`,
    cancel: `${prefix}cancel`,
    finished: `${prefix}finished`,
    holders: `${prefix}holders`,
    resultPrefix: `${prefix}result:`,
    uniquePrefix: `${prefix}unique:`,
    idPrefix: partition === 0 ? '' : `${partition}~`,
    queue,
    partition,
  });
}

/** All keys share the hash tag {name}, so every script's keys live in one Redis Cluster slot. */
export function queueKeys(name: string): QueueKeys {
  validateQueueName(name);
  return keysWithTag(name, name, 0);
}

const SLOTS = 16_384;
export const MAX_PARTITIONS = 256;

/**
 * The hash tag of partition i > 0 of queue `name`: `name~i.n`, with the smallest n whose slot
 * lies just after s0 + i * 16384 / count (s0: the slot of {name}, partition 0). The partitions'
 * slots are so spaced evenly around the ring, and a cluster whose slots are split evenly among
 * its masters (what `redis-cli --cluster create` does) gets count / masters partitions on each.
 * `~` cannot occur in a queue name, so no partition tag is another queue's.
 */
function partitionTag(name: string, i: number, count: number, home: number): string {
  const target = (home + Math.round((i * SLOTS) / count)) % SLOTS;
  const width = Math.max(1, Math.floor(SLOTS / count / 8));
  for (let n = 0; ; n++) {
    const tag = `${name}~${i}.${n}`;
    if ((slotOf(tag) - target + SLOTS) % SLOTS < width) return tag;
  }
}

/** Refuses a partition count outside 1..MAX_PARTITIONS. */
export function checkPartitions(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
    throw invalidOption('partitions', `must be an integer from 1 to ${MAX_PARTITIONS}, got ${String(count)}`);
  }
  return count;
}

/** The keys of each of a queue's `count` partitions; partition 0 is the queue's own keys. */
export function partitionKeys(name: string, count: number): QueueKeys[] {
  const home = queueKeys(name);
  checkPartitions(count);
  const slot = slotOf(name);
  return [
    home,
    ...Array.from({ length: count - 1 }, (_, k) =>
      keysWithTag(name, partitionTag(name, k + 1, count, slot), k + 1),
    ),
  ];
}

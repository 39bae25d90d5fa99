import type { ChainableCommander } from 'ioredis';
import type { ErrorEntry } from '../job/failure.js';
import { decodeErrorEntries } from '../job/failure.js';
import type { StoredJobOptions } from '../job/job-options.js';
import { decodeRecord } from '../job/record.js';
import type { RedisClient } from './connection.js';
import { readNewestFirst } from './dead-order.js';
import { levelKey, PRIORITY_LEVELS, type QueueKeys, runOrder } from './keys.js';
import { readTogether } from './read.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
  /** Lifetime counters. */
  added: number;
  completed: number;
  failed: number;
  retried: number;
  reaped: number;
  redriven: number;
  /** Jobs removed by a cancellation (waiting, delayed or running). */
  cancelled: number;
  /** Waiting and delayed jobs deleted by Queue.drain(). */
  drained: number;
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'dead' | 'completed';

export interface JobInfo {
  id: string;
  state: JobState;
  /** The payload, or undefined when the stored record is damaged (then `raw` holds it). */
  payload: unknown;
  raw?: string;
  options?: StoredJobOptions;
  /** Attempts started in this life of the job (a retry from the DLQ starts again at 0). */
  attempts: number;
  /** Deliveries ever made: the current fencing token. */
  deliveries: number;
  enqueuedAt?: number;
  errors: ErrorEntry[];
  lastError?: ErrorEntry;
  /** Lease deadline (active), due time (delayed) or dead-at time (dead), ms by the Redis clock. */
  until?: number;
  /** The latest ctx.progress() of the running attempt. */
  progress?: unknown;
  /** The job's priority level, when it was added with one other than the default (3). */
  priority?: number;
  /** When a kept completed job finished, ms by the Redis clock (see Queue.setRetention). */
  finishedAt?: number;
}

export interface DeadLetter {
  id: string;
  payload: unknown;
  raw?: string;
  attempts: number;
  errors: ErrorEntry[];
  reason: ErrorEntry['reason'] | undefined;
  enqueuedAt?: number;
  deadAt: number;
}

export interface DeadPage {
  total: number;
  items: DeadLetter[];
}

/** Every field of QueueCounts, in the order replies list them (the API's schema is built from it). */
export const COUNT_FIELDS = [
  'waiting',
  'active',
  'delayed',
  'dead',
  'added',
  'completed',
  'failed',
  'retried',
  'reaped',
  'redriven',
  'cancelled',
  'drained',
] as const satisfies readonly (keyof QueueCounts)[];

/** Every lifetime counter of the stats hash; `dead` (dead-lettered) is not part of QueueCounts. */
const STAT_FIELDS = [
  'added',
  'completed',
  'failed',
  'retried',
  'reaped',
  'redriven',
  'cancelled',
  'drained',
  'dead',
] as const;

/** QueueCounts plus the lifetime count of dead-lettered jobs (part of QueueMetrics). */
export interface QueueTotals extends QueueCounts {
  deadLettered: number;
}

/** Appends the reads of the counts to a MULTI; parseMetrics reads their METRICS_REPLIES replies. */
export function readMetrics(multi: ChainableCommander, keys: QueueKeys): ChainableCommander {
  return multi
    .llen(keys.pending)
    .zcard(keys.active)
    .zcard(keys.delayed)
    .zcard(keys.dead)
    .hmget(keys.stats, ...STAT_FIELDS)
    .llen(levelKey(keys, 1))
    .llen(levelKey(keys, 2))
    .llen(levelKey(keys, 4))
    .llen(levelKey(keys, 5));
}

export const METRICS_REPLIES = 5 + PRIORITY_LEVELS.length;

export function parseMetrics(reply: [Error | null, unknown][]): QueueTotals {
  const value = (i: number): unknown => reply[i]?.[1];
  const stats = (value(4) as (string | null)[]).map((v) => Number(v ?? 0));
  const [
    added = 0,
    completed = 0,
    failed = 0,
    retried = 0,
    reaped = 0,
    redriven = 0,
    cancelled = 0,
    drained = 0,
    deadLettered = 0,
  ] = stats;
  return {
    // pending, then the level lists of prioritised jobs
    waiting: [0, 5, 6, 7, 8].reduce((sum, i) => sum + Number(value(i) ?? 0), 0),
    active: value(1) as number,
    delayed: value(2) as number,
    dead: value(3) as number,
    added,
    completed,
    failed,
    retried,
    reaped,
    redriven,
    cancelled,
    drained,
    deadLettered,
  };
}

export async function counts(redis: RedisClient, keys: QueueKeys): Promise<QueueCounts> {
  const { deadLettered: _, ...counted } = parseMetrics(
    await readTogether(redis, (batch) => readMetrics(batch, keys)),
  );
  return counted;
}

interface Decoded {
  payload: unknown;
  raw?: string;
  options?: StoredJobOptions;
  base: number;
  enqueuedAt?: number;
}

function decodeForDisplay(record: string): Decoded {
  const decoded = decodeRecord(record);
  if (decoded) {
    try {
      return {
        payload: JSON.parse(decoded.payloadJson),
        options: decoded.options,
        base: decoded.base,
        enqueuedAt: decoded.enqueuedAt,
      };
    } catch {
      // falls through: shown raw
    }
  }
  return { payload: undefined, raw: record, base: 0 };
}

function withOptional<T extends object>(target: T, extra: { [K in keyof T]?: T[K] | undefined }): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}

function toJobInfo(
  id: string,
  state: JobState,
  record: string,
  deliveries: string | null | undefined,
  errors: string | null | undefined,
  until: number | undefined,
): JobInfo {
  const d = decodeForDisplay(record);
  const entries = decodeErrorEntries(errors ?? null);
  const delivered = Math.abs(Number(deliveries ?? 0));
  return withOptional<JobInfo>(
    { id, state, payload: d.payload, attempts: delivered - d.base, deliveries: delivered, errors: entries },
    {
      raw: d.raw,
      options: d.options,
      enqueuedAt: d.enqueuedAt,
      lastError: entries.at(-1),
      until,
      priority: d.options?.priority,
    },
  );
}

/** A kept completed job from its "deliveries|record" entry and its finished-at score (µs). */
function toCompletedInfo(id: string, kept: string, finishedUs: string | number | null | undefined): JobInfo {
  const bar = kept.indexOf('|');
  const info = toJobInfo(id, 'completed', kept.slice(bar + 1), kept.slice(0, bar), null, undefined);
  return withOptional(info, { finishedAt: Math.floor(Number(finishedUs) / 1000) || undefined });
}

/**
 * A job that exists (waiting, active, delayed or dead), or a completed one the retention setting
 * keeps; undefined once completed (and not kept) or deleted.
 */
export async function getJob(redis: RedisClient, keys: QueueKeys, id: string): Promise<JobInfo | undefined> {
  const reply = await readTogether(redis, (batch) =>
    batch
      .hget(keys.jobs, id)
      .hget(keys.deliveries, id)
      .hget(keys.errors, id)
      .zscore(keys.active, id)
      .zscore(keys.delayed, id)
      .zscore(keys.dead, id)
      .hget(keys.progress, id)
      .hget(keys['completed-jobs'], id)
      .zscore(keys.completed, id),
  );
  const [record, deliveries, errors, active, delayed, dead, progress, kept, finished] = (reply ?? []).map(
    ([, v]) => v,
  ) as (string | null)[];
  if (record === null || record === undefined) {
    return kept == null ? undefined : toCompletedInfo(id, kept, finished);
  }
  const state: JobState =
    active != null ? 'active' : delayed != null ? 'delayed' : dead != null ? 'dead' : 'waiting';
  const until = Number(active ?? delayed ?? dead ?? Number.NaN) || undefined;
  const info = toJobInfo(id, state, record, deliveries, errors, until);
  if (typeof progress === 'string') {
    try {
      info.progress = JSON.parse(progress);
    } catch {
      // not written by progress.lua: shown as absent rather than failing the lookup
    }
  }
  return info;
}

export interface JobPage {
  total: number;
  items: JobInfo[];
}

/** Reads the ids (and scores) of one page of a state other than waiting, in the order it is listed. */
function pageOf(
  multi: ChainableCommander,
  keys: QueueKeys,
  state: Exclude<JobState, 'waiting' | 'dead'>,
  offset: number,
  limit: number,
) {
  const last = offset + limit - 1;
  switch (state) {
    case 'active':
      return multi.zcard(keys.active).zrange(keys.active, offset, last, 'WITHSCORES');
    case 'delayed':
      return multi.zcard(keys.delayed).zrange(keys.delayed, offset, last, 'WITHSCORES');
    case 'completed':
      return multi.zcard(keys.completed).zrevrange(keys.completed, offset, last, 'WITHSCORES');
  }
}

/**
 * One page of the jobs in a state: waiting in the order they will run, active by lease deadline,
 * delayed by due time, dead and kept completed newest first. A job that completes between the two reads is left out;
 * one that moved to another state meanwhile is shown in the state it was listed in.
 */
export async function listJobs(
  redis: RedisClient,
  keys: QueueKeys,
  state: JobState,
  offset: number,
  limit: number,
): Promise<JobPage> {
  let total: number;
  const ids: string[] = [];
  const scores: (number | undefined)[] = [];
  if (state === 'waiting') {
    ({ total } = await waitingPage(redis, keys, offset, limit, ids));
  } else if (state === 'dead') {
    const [count, page] = await Promise.all([
      redis.zcard(keys.dead),
      readNewestFirst(redis, keys.dead, '-inf', '+inf', offset, limit),
    ]);
    total = count;
    for (const { id, deadAt } of page) {
      ids.push(id);
      scores.push(deadAt);
    }
  } else {
    const [[, count], [, range]] = (await readTogether(redis, (batch) =>
      pageOf(batch, keys, state, offset, limit),
    )) as [[null, number], [null, string[]]];
    total = count;
    for (let i = 0; i < range.length; i += 2) {
      ids.push(range[i] as string);
      scores.push(Number(range[i + 1]));
    }
  }
  if (ids.length === 0) return { total, items: [] };
  if (state === 'completed') {
    const kept = await redis.hmget(keys['completed-jobs'], ...ids);
    const items: JobInfo[] = [];
    ids.forEach((id, i) => {
      const entry = kept[i];
      if (entry != null) items.push(toCompletedInfo(id, entry, scores[i]));
    });
    return { total, items };
  }
  const [records, deliveries, errors] = await hydrate(redis, keys, ids);
  const items: JobInfo[] = [];
  ids.forEach((id, i) => {
    const record = records[i];
    if (record != null) items.push(toJobInfo(id, state, record, deliveries[i], errors[i], scores[i]));
  });
  return { total, items };
}

/** The slices [start, end) of each list (lengths in run order) that a page [offset, offset + limit) covers. */
export function waitingSlices(
  lengths: readonly number[],
  offset: number,
  limit: number,
): { list: number; start: number; end: number }[] {
  const slices: { list: number; start: number; end: number }[] = [];
  let before = 0;
  lengths.forEach((length, list) => {
    const start = Math.max(0, offset - before);
    const end = Math.min(length, offset + limit - before);
    if (start < end) slices.push({ list, start, end });
    before += length;
  });
  return slices;
}

/**
 * Waiting ids in run order, appended to `ids`: the level lists and pending, most urgent first, each
 * LPUSHed and RPOPped, so its next job is its last element. Two reads: the lengths, then the ranges.
 */
async function waitingPage(
  redis: RedisClient,
  keys: QueueKeys,
  offset: number,
  limit: number,
  ids: string[],
): Promise<{ total: number }> {
  const lists = runOrder(keys);
  const lengths = (await readTogether(redis, (batch) => lists.reduce((b, list) => b.llen(list), batch))).map(
    ([, n]) => Number(n),
  );
  const slices = waitingSlices(lengths, offset, limit);
  if (slices.length > 0) {
    const ranges = await readTogether(redis, (batch) =>
      slices.reduce((b, s) => b.lrange(lists[s.list] as string, -s.end, -(s.start + 1)), batch),
    );
    for (const [, range] of ranges) ids.push(...(range as string[]).reverse());
  }
  return { total: lengths.reduce((sum, n) => sum + n, 0) };
}

type Column = (string | null)[];

function hydrate(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<[Column, Column, Column]> {
  return readTogether(redis, (batch) =>
    batch
      .hmget(keys.jobs, ...ids)
      .hmget(keys.deliveries, ...ids)
      .hmget(keys.errors, ...ids),
  ).then((reply) => reply.map(([, v]) => v) as [Column, Column, Column]);
}

/** Dead-at bounds in ms by the Redis clock, both inclusive; absent = open. */
export interface DeadRange {
  from?: number | undefined;
  to?: number | undefined;
}

export function scoreBounds(range: DeadRange): { min: string; max: string } {
  return {
    min: range.from === undefined ? '-inf' : String(range.from),
    max: range.to === undefined ? '+inf' : String(range.to),
  };
}

/** The dead letters of the given ids (with their dead-at times), in that order. */
export async function deadLetters(
  redis: RedisClient,
  keys: QueueKeys,
  entries: readonly { id: string; deadAt: number }[],
): Promise<DeadLetter[]> {
  if (entries.length === 0) return [];
  const [records, deliveries, errors] = await hydrate(
    redis,
    keys,
    entries.map((e) => e.id),
  );
  return entries.map(({ id, deadAt }, i): DeadLetter => {
    const d = decodeForDisplay(records[i] ?? '');
    const list = decodeErrorEntries(errors[i] ?? null);
    return withOptional<DeadLetter>(
      {
        id,
        payload: d.payload,
        attempts: Math.abs(Number(deliveries[i] ?? 0)) - d.base,
        errors: list,
        reason: list.at(-1)?.reason,
        deadAt,
      },
      { raw: d.raw, enqueuedAt: d.enqueuedAt },
    );
  });
}

/** Dead letters, newest first (see dead-order.ts), optionally only those that died within a time range. */
export async function listDead(
  redis: RedisClient,
  keys: QueueKeys,
  offset: number,
  limit: number,
  range: DeadRange = {},
): Promise<DeadPage> {
  const { min, max } = scoreBounds(range);
  const [total, page] = await Promise.all([
    redis.zcount(keys.dead, min, max),
    readNewestFirst(redis, keys.dead, min, max, offset, limit),
  ]);
  return { total, items: await deadLetters(redis, keys, page) };
}

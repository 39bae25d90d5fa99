import type { Redis } from 'ioredis';
import type { ErrorEntry } from '../engine/failure.js';
import { decodeErrorEntries } from '../engine/failure.js';
import type { StoredJobOptions } from '../engine/job-options.js';
import { decodeRecord } from '../engine/record.js';
import type { QueueKeys } from './keys.js';

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
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'dead';

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

const STAT_FIELDS = ['added', 'completed', 'failed', 'retried', 'reaped', 'redriven'] as const;

export async function counts(redis: Redis, keys: QueueKeys): Promise<QueueCounts> {
  const reply = await redis
    .multi()
    .llen(keys.pending)
    .zcard(keys.active)
    .zcard(keys.delayed)
    .zcard(keys.dead)
    .hmget(keys.stats, ...STAT_FIELDS)
    .exec();
  const value = (i: number): unknown => reply?.[i]?.[1];
  const stats = (value(4) as (string | null)[]).map((v) => Number(v ?? 0));
  const [added = 0, completed = 0, failed = 0, retried = 0, reaped = 0, redriven = 0] = stats;
  return {
    waiting: value(0) as number,
    active: value(1) as number,
    delayed: value(2) as number,
    dead: value(3) as number,
    added,
    completed,
    failed,
    retried,
    reaped,
    redriven,
  };
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

/** A job that exists (waiting, active, delayed or dead); undefined once completed or deleted. */
export async function getJob(redis: Redis, keys: QueueKeys, id: string): Promise<JobInfo | undefined> {
  const reply = await redis
    .multi()
    .hget(keys.jobs, id)
    .hget(keys.deliveries, id)
    .hget(keys.errors, id)
    .zscore(keys.active, id)
    .zscore(keys.delayed, id)
    .zscore(keys.dead, id)
    .exec();
  const [record, deliveries, errors, active, delayed, dead] = (reply ?? []).map(([, v]) => v) as (
    | string
    | null
  )[];
  if (record === null || record === undefined) return undefined;
  const d = decodeForDisplay(record);
  const state: JobState =
    active != null ? 'active' : delayed != null ? 'delayed' : dead != null ? 'dead' : 'waiting';
  const entries = decodeErrorEntries(errors ?? null);
  const delivered = Math.abs(Number(deliveries ?? 0));
  return withOptional<JobInfo>(
    { id, state, payload: d.payload, attempts: delivered - d.base, deliveries: delivered, errors: entries },
    {
      raw: d.raw,
      options: d.options,
      enqueuedAt: d.enqueuedAt,
      lastError: entries.at(-1),
      until: Number(active ?? delayed ?? dead ?? Number.NaN) || undefined,
    },
  );
}

/** Dead letters, newest first. */
export async function listDead(
  redis: Redis,
  keys: QueueKeys,
  offset: number,
  limit: number,
): Promise<DeadPage> {
  const [[, total], [, range]] = (await redis
    .multi()
    .zcard(keys.dead)
    .zrevrange(keys.dead, offset, offset + limit - 1, 'WITHSCORES')
    .exec()) as [[null, number], [null, string[]]];
  const ids: string[] = [];
  const deadAt: number[] = [];
  for (let i = 0; i < range.length; i += 2) {
    ids.push(range[i] as string);
    deadAt.push(Number(range[i + 1]));
  }
  if (ids.length === 0) return { total, items: [] };
  const [[, records], [, errors], [, deliveries]] = (await redis
    .multi()
    .hmget(keys.jobs, ...ids)
    .hmget(keys.errors, ...ids)
    .hmget(keys.deliveries, ...ids)
    .exec()) as [[null, (string | null)[]], [null, (string | null)[]], [null, (string | null)[]]];
  const items = ids.map((id, i): DeadLetter => {
    const d = decodeForDisplay(records[i] ?? '');
    const entries = decodeErrorEntries(errors[i] ?? null);
    return withOptional<DeadLetter>(
      {
        id,
        payload: d.payload,
        attempts: Math.abs(Number(deliveries[i] ?? 0)) - d.base,
        errors: entries,
        reason: entries.at(-1)?.reason,
        deadAt: deadAt[i] as number,
      },
      { raw: d.raw, enqueuedAt: d.enqueuedAt },
    );
  });
  return { total, items };
}

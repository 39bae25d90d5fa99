import { attemptOf } from '../job/attempt.js';
import type { DeadLetter } from '../job/dead-letter.js';
import { decodeErrorEntries } from '../job/failure.js';
import type { JobInfo, JobState } from '../job/info.js';
import type { StoredJobOptions } from '../job/job-options.js';
import { decodeRecord } from '../job/record.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';

/** How stored jobs are shown: what is read of them, and how it is decoded (a damaged record is shown raw). */

type Column = (string | null)[];

/** The records, deliveries and errors of the ids, in their order. */
export function hydrate(
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

export function toJobInfo(
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
    {
      id,
      state,
      payload: d.payload,
      attempts: attemptOf(delivered, d.base),
      deliveries: delivered,
      errors: entries,
    },
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
export function toCompletedInfo(
  id: string,
  kept: string,
  finishedUs: string | number | null | undefined,
): JobInfo {
  const bar = kept.indexOf('|');
  const info = toJobInfo(id, 'completed', kept.slice(bar + 1), kept.slice(0, bar), null, undefined);
  return withOptional(info, { finishedAt: Math.floor(Number(finishedUs) / 1000) || undefined });
}

export function toDeadLetter(
  id: string,
  deadAt: number,
  record: string | null | undefined,
  deliveries: string | null | undefined,
  errors: string | null | undefined,
): DeadLetter {
  const d = decodeForDisplay(record ?? '');
  const list = decodeErrorEntries(errors ?? null);
  return withOptional<DeadLetter>(
    {
      id,
      payload: d.payload,
      attempts: attemptOf(Math.abs(Number(deliveries ?? 0)), d.base),
      errors: list,
      reason: list.at(-1)?.reason,
      deadAt,
    },
    { raw: d.raw, enqueuedAt: d.enqueuedAt },
  );
}

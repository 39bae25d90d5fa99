import type { Fingerprint } from '../job/fingerprint.js';
import { entryFingerprint } from '../job/fingerprint.js';
import type { Keep } from '../job/kept.js';
import type { Acquired, LeaseRequest } from './acquire.js';
import { ACQUIRE_MAX, parseLeased } from './acquire.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface Completion {
  id: string;
  token: number;
  kept?: Keep;
}

export interface Failure {
  id: string;
  token: number;
  /** Wait before the next attempt; -1 dead-letters the job now. */
  retryInMs: number;
  /** One error entry, a JSON object (see job/failure.ts). */
  entry: string;
  /**
   * The group a dead-lettering failure is filed under (see job/fingerprint.ts); failureFor sets
   * it. When absent, it is taken from the entry's name and stack. Ignored for retries.
   */
  group?: Fingerprint;
}

export interface Settled {
  completed: number;
  retried: number;
  dead: number;
  /** Ids whose token was stale (the lease was lost): nothing was changed for them. */
  stale: string[];
  /** Earliest due time (ms, Redis clock) of the retries put in delayed, else -1. */
  retryDue: number;
  /** The jobs leased in the same call, when a LeaseRequest was given (and the rate limit is sound). */
  leased?: Acquired;
}

export const SETTLE_MAX = 1000;

async function settleChunk(
  redis: RedisClient,
  keys: QueueKeys,
  completions: readonly Completion[],
  failures: readonly Failure[],
  lease: LeaseRequest | undefined,
): Promise<Settled> {
  const kept = completions.filter((c) => c.kept !== undefined);
  const args: (string | number)[] = [
    keys.wake,
    keys.finished,
    keys.resultPrefix,
    keys.uniquePrefix,
    lease === undefined ? 0 : Math.min(lease.max, ACQUIRE_MAX),
    lease?.leaseMs ?? 0,
    lease?.promoteLimit ?? 0,
    completions.length,
    kept.length,
  ];
  for (const c of completions) args.push(c.id, c.token);
  for (const { id, kept: k } of kept) {
    const { result = '', keepResult, uniqueFor } = k as Keep;
    args.push(id, keepResult, result, uniqueFor);
  }
  for (const f of failures) {
    const group = f.retryInMs < 0 ? (f.group ?? entryFingerprint(f.entry)) : undefined;
    args.push(f.id, f.token, f.retryInMs, f.entry, group?.id ?? '', group?.label ?? '');
  }
  const reply = (await runScript(
    redis,
    'settle',
    [
      keys.active,
      keys.jobs,
      keys.deliveries,
      keys.errors,
      keys.pending,
      keys.delayed,
      keys.dead,
      keys.stats,
      keys['dead-fingerprints'],
      keys['dead-groups'],
      keys.progress,
      keys.priorities,
      keys.retention,
      keys.completed,
      keys['completed-jobs'],
      keys.events,
      keys.paused,
      keys.limit,
      keys['limit-log'],
    ],
    args,
  )) as (number | string)[];
  const leaseAt = 5 + (reply[4] as number);
  const settled: Settled = {
    completed: reply[0] as number,
    retried: reply[1] as number,
    dead: reply[2] as number,
    retryDue: reply[3] as number,
    stale: reply.slice(5, leaseAt) as string[],
  };
  if (reply.length > leaseAt) settled.leased = parseLeased(reply, leaseAt);
  return settled;
}

/**
 * Completes and fails leased jobs, each fenced by its token (see lua/settle.lua). With `lease`,
 * the same call then leases up to lease.max waiting jobs (the first of several chunks does).
 */
export async function settle(
  redis: RedisClient,
  keys: QueueKeys,
  completions: readonly Completion[],
  failures: readonly Failure[],
  lease?: LeaseRequest,
): Promise<Settled> {
  if (completions.length + failures.length <= SETTLE_MAX)
    return settleChunk(redis, keys, completions, failures, lease);
  const chunks: [Completion[], Failure[]][] = [];
  for (let i = 0; i < completions.length; i += SETTLE_MAX) {
    chunks.push([completions.slice(i, i + SETTLE_MAX), []]);
  }
  for (let i = 0; i < failures.length; i += SETTLE_MAX) chunks.push([[], failures.slice(i, i + SETTLE_MAX)]);
  const results = await Promise.all(
    chunks.map(([c, f], i) => settleChunk(redis, keys, c, f, i === 0 ? lease : undefined)),
  );
  const dues = results.map((r) => r.retryDue).filter((due) => due >= 0);
  const settled: Settled = {
    completed: results.reduce((n, r) => n + r.completed, 0),
    retried: results.reduce((n, r) => n + r.retried, 0),
    dead: results.reduce((n, r) => n + r.dead, 0),
    retryDue: dues.length > 0 ? Math.min(...dues) : -1,
    stale: results.flatMap((r) => r.stale),
  };
  if (results[0]?.leased !== undefined) settled.leased = results[0].leased;
  return settled;
}

import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface Leased {
  id: string;
  /** The delivery count, which fences this lease: settle and release must present it. */
  token: number;
  record: string;
}

export interface Acquired {
  /** Redis time (ms) at which the leases were set. */
  now: number;
  pendingLeft: number;
  /** Due time of the earliest delayed job, when nothing was leased; -1 otherwise or when none. */
  nextDue: number;
  /** Ms until the queue's rate limit frees a slot when it is full now (no lease before then); else -1. */
  limitWait: number;
  jobs: Leased[];
}

export const ACQUIRE_MAX = 1000;

/** Leases up to `max` waiting jobs (see lua/acquire.lua). */
export async function acquire(
  redis: RedisClient,
  keys: QueueKeys,
  max: number,
  leaseMs: number,
  promoteLimit: number,
): Promise<Acquired> {
  const reply = (await runScript(
    redis,
    'acquire',
    [
      keys.pending,
      keys.jobs,
      keys.deliveries,
      keys.active,
      keys.delayed,
      keys.paused,
      keys.limit,
      keys['limit-log'],
      keys.priorities,
      keys.events,
    ],
    [Math.min(max, ACQUIRE_MAX), leaseMs, promoteLimit],
  )) as (string | number)[];
  return parseLeased(reply, 0);
}

/** What to lease along with a settle call (see lua/settle.lua), as acquire's arguments. */
export interface LeaseRequest {
  max: number;
  leaseMs: number;
  promoteLimit: number;
}

/** Parses a lease reply (lua/includes/lease.lua) that starts at reply[from]. */
export function parseLeased(reply: readonly (string | number)[], from: number): Acquired {
  const jobs: Leased[] = [];
  for (let i = from + 4; i < reply.length; i += 3) {
    jobs.push({ id: reply[i] as string, token: reply[i + 1] as number, record: reply[i + 2] as string });
  }
  return {
    now: reply[from] as number,
    pendingLeft: reply[from + 1] as number,
    nextDue: reply[from + 2] as number,
    limitWait: reply[from + 3] as number,
    jobs,
  };
}

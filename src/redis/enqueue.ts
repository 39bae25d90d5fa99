import type { Due } from '../engine/job-options.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface EnqueueItem {
  /** "optionHeader|payloadJson" (see engine/record.ts). */
  body: string;
  due: Due;
  jobId: string | undefined;
  /** Has a priority other than the default: it waits in its level's list, not in pending. */
  ranked: boolean;
}

/** Jobs per script call: lua/enqueue.lua unpacks its arguments, and Lua caps unpack near 8,000. */
export const ENQUEUE_CHUNK = 1000;

function isPlain(item: EnqueueItem): boolean {
  return 'delay' in item.due && item.due.delay === 0 && item.jobId === undefined && !item.ranked;
}

/** lua/enqueue.lua's due argument: a delay in ms, or "@" and an absolute time. */
function dueArg(due: Due): string | number {
  return 'delay' in due ? due.delay : `@${due.runAt}`;
}

function callChunk(redis: RedisClient, keys: QueueKeys, chunk: readonly EnqueueItem[]): Promise<string[]> {
  const scriptKeys = [
    keys.pending,
    keys.jobs,
    keys.delayed,
    keys.seq,
    keys.stats,
    keys.priorities,
    keys.events,
  ];
  if (chunk.every(isPlain)) {
    return runScript(redis, 'enqueue', scriptKeys, [
      keys.wake,
      'p',
      keys.idPrefix,
      ...chunk.map((item) => item.body),
    ]).then((first) => chunk.map((_, i) => keys.idPrefix + ((first as number) + i)));
  }
  // 'y' reads each job's level from its option header; 'x' (no priorities) skips that work.
  const mode = chunk.some((item) => item.ranked) ? 'y' : 'x';
  const args: (string | number)[] = [keys.wake, mode, keys.idPrefix, keys.uniquePrefix];
  for (const item of chunk) args.push(item.jobId ?? '', dueArg(item.due), item.body);
  return runScript(redis, 'enqueue', scriptKeys, args) as Promise<string[]>;
}

/** Writes jobs in chunks sent together (one round trip's worth of latency); returns ids in order. */
export async function enqueue(
  redis: RedisClient,
  keys: QueueKeys,
  items: readonly EnqueueItem[],
): Promise<string[]> {
  if (items.length <= ENQUEUE_CHUNK) return callChunk(redis, keys, items);
  const calls: Promise<string[]>[] = [];
  for (let i = 0; i < items.length; i += ENQUEUE_CHUNK) {
    calls.push(callChunk(redis, keys, items.slice(i, i + ENQUEUE_CHUNK)));
  }
  return (await Promise.all(calls)).flat();
}

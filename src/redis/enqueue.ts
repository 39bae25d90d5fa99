import type { Due } from '../job/job-options.js';
import type { ReplicaWait } from '../job/replicas.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import type { ScriptInput } from './scripts.js';
import { runScript, runScriptsThenWait } from './scripts.js';

export interface EnqueueItem {
  /** "optionHeader|payloadJson" (see job/record.ts). */
  body: string;
  due: Due;
  jobId: string | undefined;
  /** Has a priority other than the default: it waits in its priority list, not in pending. */
  prioritised: boolean;
}

/** lua/enqueue.lua's modes: how much each job says about where it goes. */
type EnqueueMode = 'plain' | 'placed' | 'prioritised';

/** Jobs per script call: lua/enqueue.lua unpacks its arguments, and Lua caps unpack near 8,000. */
export const ENQUEUE_CHUNK = 1000;

function isPlain(item: EnqueueItem): boolean {
  return 'delay' in item.due && item.due.delay === 0 && item.jobId === undefined && !item.prioritised;
}

/** lua/enqueue.lua's due argument: a delay in ms, or "@" and an absolute time. */
function dueArg(due: Due): string | number {
  return 'delay' in due ? due.delay : `@${due.runAt}`;
}

interface ChunkCall extends ScriptInput {
  /** The ids of the chunk's jobs, in order, from the script's reply. */
  ids(reply: unknown): string[];
}

function chunkCall(keys: QueueKeys, chunk: readonly EnqueueItem[]): ChunkCall {
  const plainKeys = [keys.pending, keys.jobs, keys.seq, keys.stats, keys.events];
  if (chunk.every(isPlain)) {
    const args: string[] = [keys.wake, 'plain' satisfies EnqueueMode, keys.idPrefix];
    for (const item of chunk) args.push(item.body);
    return {
      keys: plainKeys,
      args,
      ids: (first) => chunk.map((_, i) => keys.idPrefix + ((first as number) + i)),
    };
  }
  // 'prioritised' reads each job's priority from its option header; 'placed' skips that work.
  const mode: EnqueueMode = chunk.some((item) => item.prioritised) ? 'prioritised' : 'placed';
  const args: (string | number)[] = [keys.wake, mode, keys.idPrefix, keys.uniquePrefix];
  for (const item of chunk) args.push(item.jobId ?? '', dueArg(item.due), item.body);
  return { keys: [...plainKeys, keys.delayed, keys.priorities], args, ids: (reply) => reply as string[] };
}

function chunks(items: readonly EnqueueItem[]): (readonly EnqueueItem[])[] {
  if (items.length <= ENQUEUE_CHUNK) return [items];
  const list: EnqueueItem[][] = [];
  for (let i = 0; i < items.length; i += ENQUEUE_CHUNK) list.push(items.slice(i, i + ENQUEUE_CHUNK));
  return list;
}

async function callChunk(
  redis: RedisClient,
  keys: QueueKeys,
  chunk: readonly EnqueueItem[],
): Promise<string[]> {
  const call = chunkCall(keys, chunk);
  return call.ids(await runScript(redis, 'enqueue', call.keys, call.args));
}

/** Writes jobs in chunks sent together (one round trip's worth of latency); returns ids in order. */
export async function enqueue(
  redis: RedisClient,
  keys: QueueKeys,
  items: readonly EnqueueItem[],
): Promise<string[]> {
  if (items.length <= ENQUEUE_CHUNK) return callChunk(redis, keys, items);
  return (await Promise.all(chunks(items).map((chunk) => callChunk(redis, keys, chunk)))).flat();
}

export interface ReplicatedIds {
  ids: string[];
  /** Replicas that acknowledged the writes (the fewest, over the WAITs sent). */
  replicas: number;
  waitError?: string;
}

/**
 * Writes jobs as enqueue does, then waits for `wait.count` replicas to acknowledge them (Redis
 * WAIT on the same connection), for at most `wait.timeoutMs`. Fewer acknowledgements are
 * reported, not thrown: the jobs are written on the master either way.
 */
export async function enqueueReplicated(
  redis: RedisClient,
  keys: QueueKeys,
  items: readonly EnqueueItem[],
  wait: ReplicaWait,
): Promise<ReplicatedIds> {
  const calls = chunks(items).map((chunk) => chunkCall(keys, chunk));
  const { replies, replicas, waitError } = await runScriptsThenWait(redis, 'enqueue', calls, wait);
  return {
    ids: calls.flatMap((call, i) => call.ids(replies[i])),
    replicas,
    ...(waitError === undefined ? {} : { waitError }),
  };
}

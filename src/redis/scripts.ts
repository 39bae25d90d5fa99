import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChainableCommander, Cluster } from 'ioredis';
import type { ReplicaWait } from '../job/replicas.js';
import type { RedisClient } from './connection.js';

/** The Lua scripts in lua/, one file each. */
const NAMES = [
  'enqueue',
  'acquire',
  'settle',
  'reap',
  'release',
  'dlq-retry',
  'dlq-delete',
  'dlq-edit',
  'heartbeat',
  'cancel',
  'progress',
  'drain',
  'obliterate',
  'schedule-upsert',
  'schedule-fire',
  'retention-trim',
  'promote',
  'oldest-waiting',
] as const;

export type ScriptName = (typeof NAMES)[number];

const LUA_DIR = new URL('../../lua/', import.meta.url);

interface Loaded {
  lua: string;
  /** SHA-1 of lua, for EVALSHA. */
  sha: string;
  /** Command name carries the script's digest, so a connection never runs an older version. */
  command: string;
}

/**
 * A line `-- @include NAME` is replaced by lua/includes/NAME.lua, so scripts share helpers (Redis
 * runs each script alone: there is no require). The digest covers the expanded text.
 */
function expandIncludes(lua: string): string {
  return lua.replace(/^-- @include ([a-z-]+)$/gm, (_, name: string) =>
    readFileSync(new URL(`includes/${name}.lua`, LUA_DIR), 'utf8').trimEnd(),
  );
}

const loaded = new Map<ScriptName, Loaded>(
  NAMES.map((name) => {
    const lua = expandIncludes(readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8'));
    const sha = createHash('sha1').update(lua).digest('hex');
    return [name, { lua, sha, command: `sluice_${name.replaceAll('-', '_')}_${sha.slice(0, 10)}` }];
  }),
);

/**
 * Each script by the digest EVALSHA names it with (the SHA-1 of the text EVAL sends): how a test of
 * what reaches Redis (test/script-contracts.test.ts) tells the scripts apart.
 */
export function scriptsByDigest(): ReadonlyMap<string, ScriptName> {
  return new Map([...loaded].map(([name, { sha }]) => [sha, name]));
}

const defined = new WeakSet<RedisClient>();

type ScriptCall = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

function define(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const { lua, command } of loaded.values()) redis.defineCommand(command, { lua });
  defined.add(redis);
}

/**
 * Runs a script (EVALSHA, loading it on NOSCRIPT: ioredis's defineCommand does that). The typed
 * wrapper of each script is the only caller; it parses the untyped reply.
 */
export function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  define(redis);
  const { command } = loaded.get(name) as Loaded;
  const call = (redis as unknown as Record<string, ScriptCall>)[command] as ScriptCall;
  return call.call(redis, keys.length, ...keys, ...args);
}

/**
 * Runs a script that takes a list of ids after `head` (at most `max` a call) and replies one
 * entry per id: one call per `max` ids, in order, the replies joined.
 */
export async function runScriptPerId<T>(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  head: readonly string[],
  ids: readonly string[],
  max: number,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += max) {
    out.push(...((await runScript(redis, name, keys, [...head, ...ids.slice(i, i + max)])) as T[]));
  }
  return out;
}

export interface ScriptInput {
  keys: readonly string[];
  args: readonly (string | number)[];
}

export interface Replicated {
  /** Each call's reply, in order. */
  replies: unknown[];
  /** The fewest replicas a WAIT reported (0 when a WAIT failed). */
  replicas: number;
  /** Why a WAIT failed, when one did (its writes are made but unconfirmed). */
  waitError?: string;
}

/**
 * How often, and how far apart, to send again calls a cluster node refused: as the cluster client
 * retries a single command (see connection.ts).
 */
function redirections(redis: RedisClient): { rounds: number; delayMs: number } {
  if (!(redis instanceof Cluster)) return { rounds: 1, delayMs: 0 };
  const { maxRedirections = 16, retryDelayOnFailover = 100 } = redis.options;
  return { rounds: maxRedirections, delayMs: retryDelayOnFailover };
}

/** A cluster's answer that the command was not run: the slot is elsewhere or unserved for now. */
function notRunHere(error: Error): boolean {
  return /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /.test(error.message);
}

/**
 * Runs calls of one script, then WAIT, in one pipeline: one connection, so the WAIT covers
 * exactly these writes (a cluster client sends a pipeline to the node of its keys; a bare WAIT
 * has no key and could go to any node). Sent as EVALSHA, and as EVAL where the server lacks the
 * script: not through the defined command, whose NOSCRIPT retry would come after the WAIT.
 * ioredis does not follow a redirection in a pipeline that also has a reply (the WAIT's), so
 * calls a cluster node refused (MOVED, CLUSTERDOWN: not run) are sent again after a slot
 * refresh, as often as the client retries a command. Any other error rejects, as runScript's would.
 */
export async function runScriptsThenWait(
  redis: RedisClient,
  name: ScriptName,
  calls: readonly ScriptInput[],
  wait: ReplicaWait,
): Promise<Replicated> {
  const { lua, sha } = loaded.get(name) as Loaded;
  const retry = redirections(redis);
  const replies: unknown[] = new Array(calls.length);
  let replicas = Number.POSITIVE_INFINITY;
  let waitError: string | undefined;
  let pending = calls.map((_, i) => ({ index: i, eval: false }));
  for (let round = 1; pending.length > 0; round++) {
    const pipeline = redis.pipeline();
    for (const call of pending) {
      const { keys, args } = calls[call.index] as ScriptInput;
      if (call.eval) pipeline.eval(lua, keys.length, ...keys, ...args);
      else pipeline.evalsha(sha, keys.length, ...keys, ...args);
    }
    pipeline.wait(wait.count, wait.timeoutMs);
    const results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    const again: typeof pending = [];
    let refused: Error | undefined;
    let wrote = false;
    for (const [i, call] of pending.entries()) {
      const [error, reply] = results[i] ?? [new Error('no reply in the pipeline'), undefined];
      if (error === null) {
        replies[call.index] = reply;
        wrote = true;
      } else if (error.message.startsWith('NOSCRIPT')) again.push({ index: call.index, eval: true });
      else if (notRunHere(error)) {
        again.push(call);
        refused = error;
      } else throw error;
    }
    if (wrote) {
      const [error, acked] = results[pending.length] ?? [new Error('no WAIT reply'), 0];
      if (error === null) replicas = Math.min(replicas, Number(acked));
      else {
        replicas = 0;
        waitError = error.message;
      }
    }
    if (refused !== undefined) {
      if (round >= retry.rounds) throw refused;
      if (redis instanceof Cluster) redis.refreshSlotsCache();
      await sleep(retry.delayMs);
    }
    pending = again;
  }
  return {
    replies,
    replicas: Number.isFinite(replicas) ? replicas : 0,
    ...(waitError === undefined ? {} : { waitError }),
  };
}

/**
 * Queues a read-only script on a MULTI or pipeline, so it runs at the same instant as the other
 * reads there. Sent as EVAL with its text (short): inside a MULTI a NOSCRIPT reply could not be
 * retried the way runScript retries it.
 */
export function queueScript(
  batch: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[] = [],
): ChainableCommander {
  const { lua } = loaded.get(name) as Loaded;
  return batch.eval(lua, keys.length, ...keys, ...args);
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
] as const;

export type ScriptName = (typeof NAMES)[number];

const LUA_DIR = new URL('../../lua/', import.meta.url);

interface Loaded {
  lua: string;
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
    const digest = createHash('sha1').update(lua).digest('hex').slice(0, 10);
    return [name, { lua, command: `sluice_${name.replaceAll('-', '_')}_${digest}` }];
  }),
);

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

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { onCleanup, track } from './processes.js';
import type { RedisTarget } from './protocol.js';

export type RedisMode = 'mem' | 'aof';

/** The two configurations of the issue: no persistence, and AOF with an fsync every second. */
export const MODE_SETTINGS: Readonly<Record<RedisMode, Readonly<Record<string, string>>>> = {
  mem: { save: '', appendonly: 'no' },
  aof: { save: '', appendonly: 'yes', appendfsync: 'everysec' },
};

/** What a row needs of the Redis it measures: one server, or every master of a cluster. */
export interface RedisUnderTest {
  /** Where the library's clients connect (db 0). */
  target(): RedisTarget;
  /** Empties every database (of every master). */
  flush(): Promise<void>;
  /** INFO cpu and memory (summed over the masters). */
  snapshot(): Promise<RedisSnapshot>;
}

export interface RedisServer extends RedisUnderTest {
  mode: RedisMode;
  port: number;
  /** Admin connection on db 0 (INFO, FLUSHALL, SWAPDB, counters). */
  admin: Redis;
  target(db?: number): RedisTarget;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess): Promise<Redis> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectionName: 'bench:admin',
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch {
      client.disconnect();
      await sleep(50);
    }
  }
  throw new Error('redis-server did not answer PING');
}

/**
 * Starts a redis-server of the suite's own on a free loopback port, data in a temp folder;
 * `extra` settings go on top of the mode's (a cluster node's, for one).
 */
export async function startRedis(
  mode: RedisMode,
  extra: Readonly<Record<string, string>> = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `sluice-bench-${mode}-`));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const settings: Record<string, string> = {
    bind: '127.0.0.1',
    port: String(port),
    dir,
    'maxmemory-policy': 'noeviction',
    ...MODE_SETTINGS[mode],
    ...extra,
  };
  const args = Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v]);
  const child = track(spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] }));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const admin = await Promise.race([waitForPing(port, child), spawnError]);
  admin.on('error', () => {});
  return {
    mode,
    port,
    admin,
    target: (db = 0) => ({ host: '127.0.0.1', port, db }),
    async flush() {
      await admin.flushall();
    },
    snapshot: () => snapshot(admin),
    async stop() {
      admin.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      removeDir();
    },
  };
}

/** Fields of INFO as numbers where they are numbers. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface RedisSnapshot {
  /** used_cpu_sys + used_cpu_user, µs. */
  cpuUs: number;
  usedMemory: number;
}

export async function snapshot(admin: Redis): Promise<RedisSnapshot> {
  const info = parseInfo(await admin.info('cpu', 'memory'));
  const number = (field: string) => {
    const value = Number(info.get(field));
    if (!Number.isFinite(value)) throw new Error(`INFO has no number for ${field}`);
    return value;
  };
  return {
    cpuUs: Math.round((number('used_cpu_sys') + number('used_cpu_user')) * 1e6),
    usedMemory: number('used_memory'),
  };
}

export async function redisVersion(admin: Redis): Promise<string> {
  return parseInfo(await admin.info('server')).get('redis_version') ?? 'unknown';
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when something accepts TCP connections at host:port within timeoutMs. */
export function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on 127.0.0.1:6379 with AOF persistence in dataDir, for a first run on a
 * machine with no Redis running. Returns undefined with a log line when redis-server is missing.
 */
export async function startLocalRedis(dataDir: string, log: Logger): Promise<LocalRedis | undefined> {
  if (spawnSync('redis-server', ['--version']).error) {
    log.error(
      'nothing answers at 127.0.0.1:6379 and redis-server is not installed: install Redis (apt-get install redis-server, brew install redis) or pass --redis URL',
    );
    return undefined;
  }
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      '6379',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    if (await answers('127.0.0.1', 6379)) {
      log.info(
        { dir, redisPid: child.pid },
        'started a local redis-server on 127.0.0.1:6379 (AOF persistence); it stops with the engine',
      );
      return {
        url: DEFAULT_REDIS_URL,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  log.error({ dir }, 'the local redis-server did not start; run redis-server yourself or pass --redis URL');
  return undefined;
}

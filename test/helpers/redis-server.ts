import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory (after kill or stop). */
  restart(): Promise<void>;
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

export function hasRedisServer(): boolean {
  return !spawnSync('redis-server', ['--version']).error;
}

async function waitForPing(url: string, child: ChildProcess, options: RedisOptions): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...options,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await sleep(50);
    }
  }
  throw new Error('redis-server did not answer PING');
}

/**
 * Starts a redis-server of our own on a free loopback port, with an explicit config (AOF off
 * unless asked, noeviction, DEBUG allowed). Tests use it so they can kill and restart Redis.
 */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export async function startRedisServer(
  config: Record<string, string> = {},
  tls?: TlsFiles,
): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  const settings: Record<string, string> = {
    bind: '127.0.0.1',
    port: String(port),
    dir,
    save: '',
    appendonly: 'no',
    'maxmemory-policy': 'noeviction',
    'enable-debug-command': 'local',
    // With TLS, the port speaks TLS only (plain port 0 = off).
    ...(tls
      ? {
          port: '0',
          'tls-port': String(port),
          'tls-cert-file': tls.cert,
          'tls-key-file': tls.key,
          'tls-ca-cert-file': tls.ca,
          'tls-auth-clients': 'no',
        }
      : {}),
    ...config,
  };
  const args = Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v]);
  let child: ChildProcess;
  const url = `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const probe: RedisOptions = {
    ...(settings.requirepass === undefined ? {} : { password: settings.requirepass }),
    ...(tls ? { tls: { ca: readFileSync(tls.ca) } } : {}),
  };
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    try {
      await waitForPing(url, child, probe);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  };
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once('exit', () => done()));
  await launch();
  return {
    port,
    url,
    dir,
    async kill() {
      const done = exited();
      child.kill('SIGKILL');
      await done;
    },
    restart: launch,
    async stop() {
      const done = exited();
      child.kill('SIGKILL');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type { RedisTarget } from './protocol.js';
import {
  freePort,
  parseInfo,
  type RedisMode,
  type RedisServer,
  type RedisSnapshot,
  type RedisUnderTest,
  startRedis,
} from './redis-server.js';

/** A Redis Cluster of masters only, every node a redis-server of the suite's own. */
export interface RedisCluster extends RedisUnderTest {
  masters: readonly RedisServer[];
  /** A cluster client for counters (never used by a library under test). */
  client: Cluster;
  stop(): Promise<void>;
}

async function clusterOk(server: RedisServer): Promise<boolean> {
  return parseInfo(String(await server.admin.call('CLUSTER', 'INFO'))).get('cluster_state') === 'ok';
}

function redisCli(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited ${code}: ${output}`)),
    );
  });
}

/**
 * Starts `count` masters (no replicas: the cluster scenario measures throughput, not failover)
 * with the mode's persistence settings, each with its cluster bus on a free port of its own
 * (`cluster-port`, Redis 7.0 or newer), and joins them with `redis-cli --cluster create`, which
 * splits the slots evenly. About 2 s: a master turns writable no sooner than 2 s after it started.
 */
export async function startCluster(mode: RedisMode, count: number): Promise<RedisCluster> {
  const masters: RedisServer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      masters.push(
        await startRedis(mode, {
          'cluster-enabled': 'yes',
          'cluster-config-file': 'nodes.conf',
          'cluster-port': String(await freePort()),
        }),
      );
    }
    await redisCli([
      '--cluster',
      'create',
      ...masters.map((m) => `127.0.0.1:${m.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (let i = 0; ; i++) {
      if ((await Promise.all(masters.map(clusterOk))).every(Boolean)) break;
      if (i === 200) throw new Error('the cluster did not reach cluster_state:ok');
      await sleep(20);
    }
  } catch (error) {
    await Promise.all(masters.map((m) => m.stop()));
    throw error;
  }
  const seed = masters[0] as RedisServer;
  const client = new Cluster([{ host: '127.0.0.1', port: seed.port }], {
    redisOptions: { connectionName: 'bench:counters', maxRetriesPerRequest: 1 },
  });
  client.on('error', () => {});
  return {
    masters,
    client,
    target: (): RedisTarget => ({ ...seed.target(0), cluster: true }),
    async flush() {
      await Promise.all(masters.map((m) => m.flush()));
    },
    async snapshot(): Promise<RedisSnapshot> {
      const each = await Promise.all(masters.map((m) => m.snapshot()));
      return {
        cpuUs: each.reduce((sum, s) => sum + s.cpuUs, 0),
        usedMemory: each.reduce((sum, s) => sum + s.usedMemory, 0),
      };
    },
    async stop() {
      client.disconnect();
      await Promise.all(masters.map((m) => m.stop()));
    },
  };
}

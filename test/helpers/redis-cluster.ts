import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, type RedisServer, startRedisServer } from './redis-server.js';

export interface ClusterNode {
  server: RedisServer;
  /** The node's address as the cluster reports it (127.0.0.1:port). */
  address: string;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** Every node's URL, comma-separated: the seeds Sluice's `--redis` takes. */
  seeds: string;
  /** The nodes serving slots now (masters), by address. */
  masters(): Promise<string[]>;
  stop(): Promise<void>;
}

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}: ${output}`)),
    );
  });
}

async function clusterInfo(address: string): Promise<string> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.call('CLUSTER', 'INFO')) as string;
  } catch {
    return '';
  } finally {
    client.disconnect();
  }
}

/** Masters by address, as a node that answers sees them. */
async function mastersSeenBy(address: string): Promise<string[]> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    return [...new Set(slots.map(([, , [ip, p]]) => `${ip}:${p}`))].sort();
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a Redis Cluster on loopback: `masters` masters with `replicasEach` replicas each, every
 * node a redis-server of our own (cluster bus on its own free port), joined by
 * `redis-cli --cluster create`. A short node timeout lets a replica take over within seconds.
 */
export async function startRedisCluster(
  masters = 3,
  replicasEach = 1,
  nodeTimeoutMs = 1000,
): Promise<RedisCluster> {
  const count = masters * (1 + replicasEach);
  const nodes: ClusterNode[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = await startRedisServer({
        'cluster-enabled': 'yes',
        'cluster-config-file': 'nodes.conf',
        'cluster-node-timeout': String(nodeTimeoutMs),
        'cluster-port': String(await freePort()),
        appendonly: 'yes',
        appendfsync: 'everysec',
      });
      nodes.push({ server, address: `127.0.0.1:${server.port}` });
    }
    await redisCli([
      '--cluster',
      'create',
      ...nodes.map((n) => n.address),
      '--cluster-replicas',
      String(replicasEach),
      '--cluster-yes',
    ]);
    for (let i = 0; i < 200; i++) {
      const infos = await Promise.all(nodes.map((n) => clusterInfo(n.address)));
      if (infos.every((info) => /cluster_state:ok/.test(info))) break;
      if (i === 199) throw new Error('the cluster did not reach cluster_state:ok');
      await sleep(50);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.server.stop()));
    throw error;
  }
  return {
    nodes,
    seeds: nodes.map((n) => n.server.url).join(','),
    async masters() {
      for (const node of nodes) {
        try {
          return await mastersSeenBy(node.address);
        } catch {
          // That node is down: ask the next.
        }
      }
      throw new Error('no cluster node answers');
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.server.stop()));
    },
  };
}

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
  /** The node serving `key`'s slot now, as a node that answers sees it. */
  masterOf(key: string): Promise<ClusterNode>;
  /** The node a client named `name` (CLIENT SETNAME) is connected to, if any. */
  nodeOfClient(name: string): Promise<ClusterNode | undefined>;
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

type SlotRange = [number, number, [string, number]];

/** Asks one node, by address; rejects when it does not answer. */
async function ask<T>(address: string, ...command: string[]): Promise<T> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.call(command[0] as string, ...command.slice(1))) as T;
  } finally {
    client.disconnect();
  }
}

/** Masters by address, as a node that answers sees them. */
async function mastersSeenBy(address: string): Promise<string[]> {
  const slots = await ask<SlotRange[]>(address, 'CLUSTER', 'SLOTS');
  return [...new Set(slots.map(([, , [ip, p]]) => `${ip}:${p}`))].sort();
}

/** The address of the master serving `key`'s slot, as a node that answers sees it. */
async function masterOfSeenBy(address: string, key: string): Promise<string> {
  const slot = await ask<number>(address, 'CLUSTER', 'KEYSLOT', key);
  const slots = await ask<SlotRange[]>(address, 'CLUSTER', 'SLOTS');
  const range = slots.find(([from, to]) => from <= slot && slot <= to);
  if (range === undefined) throw new Error(`no node serves slot ${slot}`);
  return `${range[2][0]}:${range[2][1]}`;
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
        // A replica syncs at once, not after the default 5 s wait for more replicas to share the
        // transfer: until it has synced it cannot take over, nor acknowledge a WAIT.
        'repl-diskless-sync-delay': '0',
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
      const infos = await Promise.all(
        nodes.map(async ({ address }) => {
          const [cluster, replication] = await Promise.all([
            ask<string>(address, 'CLUSTER', 'INFO'),
            ask<string>(address, 'INFO', 'replication'),
          ]).catch(() => ['', '']);
          return { cluster, replication };
        }),
      );
      const ready = ({ cluster, replication }: { cluster: string; replication: string }) =>
        /cluster_state:ok/.test(cluster) &&
        (/role:master/.test(replication) || /master_link_status:up/.test(replication));
      if (infos.every(ready)) break;
      if (i === 199) throw new Error('the cluster did not reach cluster_state:ok with every replica in sync');
      await sleep(50);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.server.stop()));
    throw error;
  }
  /** The answer of the first node that gives one. */
  const askAny = async <T>(question: (address: string) => Promise<T>): Promise<T> => {
    for (const node of nodes) {
      try {
        return await question(node.address);
      } catch {
        // That node is down: ask the next.
      }
    }
    throw new Error('no cluster node answers');
  };
  return {
    nodes,
    seeds: nodes.map((n) => n.server.url).join(','),
    masters: () => askAny(mastersSeenBy),
    async masterOf(key) {
      const address = await askAny((node) => masterOfSeenBy(node, key));
      const node = nodes.find((n) => n.address === address);
      if (node === undefined) throw new Error(`${address} is not a node of this cluster`);
      return node;
    },
    async nodeOfClient(name) {
      for (const node of nodes) {
        const clients = await ask<string>(node.address, 'CLIENT', 'LIST').catch(() => '');
        if (clients.split('\n').some((line) => line.includes(` name=${name} `))) return node;
      }
      return undefined;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.server.stop()));
    },
  };
}

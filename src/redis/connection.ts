import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A client to one Redis server, or to a Redis Cluster (ioredis routes each command by its key's slot). */
export type RedisClient = Redis | Cluster;

/**
 * A Redis Cluster, by seed nodes: any few of its masters or replicas (ioredis learns the rest
 * from CLUSTER SLOTS). `options` apply to every node's connection (password, TLS).
 */
export interface ClusterConnection {
  cluster: readonly string[];
  options?: RedisOptions;
}

/**
 * Where to reach Redis: a URL (redis:// or rediss:// with password), several comma-separated
 * URLs (the seeds of a Redis Cluster), ioredis options, a cluster's seeds, or a client to share.
 */
export type Connection = ConnectionSpec | RedisClient;

/** A connection described by values only, so it can be handed to a thread or a child process. */
export type ConnectionSpec = string | RedisOptions | ClusterConnection;

export interface Connected {
  redis: RedisClient;
  /** Whether we created the client (and so must close it). */
  owned: boolean;
}

/** The seeds of a cluster connection, or undefined for a single server. */
export function clusterSeeds(connection: ConnectionSpec): ClusterConnection | undefined {
  if (typeof connection === 'string') {
    const urls = connection
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    return urls.length > 1 ? { cluster: urls } : undefined;
  }
  return 'cluster' in connection ? connection : undefined;
}

/** A seed URL as ioredis's cluster client takes it (host, port, and the URL's password and TLS). */
function seedNode(url: string): { host: string; port: number } & RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

const FAILOVER_RETRY_MS = 200;

/** The seeds each cluster client was opened with, for messages. */
const seedsOf = new WeakMap<Cluster, string>();

function openCluster(seeds: ClusterConnection, options: RedisOptions): Cluster {
  const nodes = seeds.cluster.map(seedNode);
  const first = nodes[0];
  const clusterOptions: ClusterOptions = {
    // Credentials and TLS of the seed URLs hold for every node the cluster reports.
    redisOptions: {
      ...(first?.password ? { password: first.password } : {}),
      ...(first?.username ? { username: first.username } : {}),
      ...(first?.tls ? { tls: first.tls } : {}),
      ...seeds.options,
      ...options,
    },
    // Writes and the scripts' reads go to masters only: a replica's copy can lag.
    scaleReads: 'master',
    enableAutoPipelining: false,
    // A failover takes seconds (cluster-node-timeout, then an election); meanwhile the slot's
    // commands meet a closed connection, MOVED to the dead master, or CLUSTERDOWN. ioredis's
    // defaults (16 tries, 100 ms apart) give up within two seconds, failing adds mid-failover;
    // like the single-server client through a restart, a command now waits it out: 200 ms
    // between tries, up to 64 (a slot that stays down fails a command after about 13 s).
    retryDelayOnFailover: FAILOVER_RETRY_MS,
    retryDelayOnClusterDown: FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: FAILOVER_RETRY_MS,
    maxRedirections: 64,
    ...(options.maxRetriesPerRequest === null
      ? { clusterRetryStrategy: (times) => Math.min(100 * times, 2000) }
      : {}),
  };
  const cluster = new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    clusterOptions,
  );
  seedsOf.set(cluster, nodes.map(({ host, port }) => `${host}:${port}`).join(','));
  return cluster;
}

/**
 * Opens (or adopts) a client. `persistent` clients (dispatcher, janitor) retry a command for as
 * long as the connection is down instead of failing it, so a Redis restart pauses them rather
 * than stopping them; the producer keeps ioredis's bounded retries, so an enqueue fails visibly.
 */
export function connect(connection: Connection, name: string, persistent = false): Connected {
  if (connection instanceof Redis || connection instanceof Cluster)
    return { redis: connection, owned: false };
  const options: RedisOptions = {
    connectionName: name,
    enableAutoPipelining: false,
    ...(persistent ? { maxRetriesPerRequest: null } : {}),
  };
  const seeds = clusterSeeds(connection);
  if (seeds) return { redis: openCluster(seeds, options), owned: true };
  const redis =
    typeof connection === 'string'
      ? new Redis(connection, options)
      : new Redis({ ...(connection as RedisOptions), ...options });
  return { redis, owned: true };
}

/** A second client to the same server with the same settings (for a subscriber or a thread). */
export function duplicateOf(redis: RedisClient, name: string): RedisClient {
  const options: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableAutoPipelining: false,
  };
  if (redis instanceof Cluster) {
    const copy = redis.duplicate(undefined, { redisOptions: { ...redis.options.redisOptions, ...options } });
    const seeds = seedsOf.get(redis);
    if (seeds !== undefined) seedsOf.set(copy, seeds);
    return copy;
  }
  return redis.duplicate(options);
}

/** host:port of a client (every seed of a cluster), for messages (never the password). */
export function describeServer(redis: RedisClient): string {
  if (redis instanceof Cluster) {
    const tls = redis.options.redisOptions?.tls;
    const seeds =
      seedsOf.get(redis) ??
      redis
        .nodes()
        .map((node) => `${node.options.host}:${node.options.port}`)
        .join(',');
    return `${tls ? 'rediss' : 'redis'} cluster ${seeds}`;
  }
  const { host, port, tls } = redis.options;
  return `${tls ? 'rediss' : 'redis'}://${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/**
 * Waits until the server answers PING, trying `attempts` times `delayMs` apart; false if it
 * never did. Bounded, so a wrong address fails the start instead of hanging it.
 */
export async function reachable(redis: RedisClient, attempts: number, delayMs: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), delayMs);
    });
    const answered = await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
    clearTimeout(timer);
    if (answered) return true;
  }
  return false;
}

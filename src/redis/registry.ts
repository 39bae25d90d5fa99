import { Cluster } from 'ioredis';
import { NAME_SOURCE } from '../job/names.js';
import type { RedisClient } from './connection.js';
import { isQueueName, QUEUE_REGISTRY, REGISTRY_SWEPT } from './keys.js';

/** Names this process has registered, per client: each is SADDed once per process. */
const registered = new WeakMap<RedisClient, Set<string>>();

/**
 * Records `name` in the registry so monitors on the same Redis can find it. Sent without being
 * awaited (the add it accompanies never waits on it) and once per client; a refusal (a full
 * Redis) is forgotten, so the next call tries again.
 */
export function registerQueue(redis: RedisClient, name: string): void {
  let names = registered.get(redis);
  if (names === undefined) {
    names = new Set();
    registered.set(redis, names);
  }
  if (names.has(name)) return;
  names.add(name);
  const mine = names;
  redis.sadd(QUEUE_REGISTRY, name).catch(() => mine.delete(name));
}

/** Takes an obliterated queue out of the registry; this process registers it again on its next add. */
export async function unregisterQueue(redis: RedisClient, name: string): Promise<void> {
  registered.get(redis)?.delete(name);
  await redis.srem(QUEUE_REGISTRY, name);
}

/** Every registered queue name, sorted. */
export async function registeredQueues(redis: RedisClient): Promise<string[]> {
  return (await redis.smembers(QUEUE_REGISTRY)).filter(isQueueName).sort();
}

export async function isRegistered(redis: RedisClient, name: string): Promise<boolean> {
  return (await redis.sismember(QUEUE_REGISTRY, name)) === 1;
}

/** A queue's counters (written by every add) or its partition count (written by every engine). */
const QUEUE_MARK = new RegExp(`^sluice:\\{(${NAME_SOURCE})\\}:(?:stats|partitions)$`);
const SCAN_COUNT = 1000;

/**
 * Registers the queues used before the registry existed, once per Redis: SCANs every master for
 * their keys (a partition's tag holds `~`, so only queues' own keys match), SADDs the names, then
 * sets REGISTRY_SWEPT. Returns how many names it found (0 when the sweep was already done).
 */
export async function sweepUnregistered(redis: RedisClient): Promise<number> {
  if ((await redis.exists(REGISTRY_SWEPT)) === 1) return 0;
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found = new Set<string>();
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', 'sluice:{*}:*', 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const key of keys) {
        const name = QUEUE_MARK.exec(key)?.[1];
        if (name !== undefined) found.add(name);
      }
    } while (cursor !== '0');
  }
  if (found.size > 0) await redis.sadd(QUEUE_REGISTRY, ...found);
  await redis.set(REGISTRY_SWEPT, String(Date.now()));
  return found.size;
}

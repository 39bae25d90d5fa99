import { Redis, type RedisOptions } from 'ioredis';

/** Where to reach Redis: a URL (redis:// or rediss:// with password), ioredis options, or a client to share. */
export type Connection = string | RedisOptions | Redis;

export interface Connected {
  redis: Redis;
  /** Whether we created the client (and so must close it). */
  owned: boolean;
}

/**
 * Opens (or adopts) a client. `persistent` clients (dispatcher, janitor) retry a command for as
 * long as the connection is down instead of failing it, so a Redis restart pauses them rather
 * than stopping them; the producer keeps ioredis's bounded retries, so an enqueue fails visibly.
 */
export function connect(connection: Connection, name: string, persistent = false): Connected {
  if (connection instanceof Redis) return { redis: connection, owned: false };
  const options: RedisOptions = {
    connectionName: name,
    enableAutoPipelining: false,
    ...(persistent ? { maxRetriesPerRequest: null } : {}),
  };
  const redis =
    typeof connection === 'string'
      ? new Redis(connection, options)
      : new Redis({ ...connection, ...options });
  return { redis, owned: true };
}

/** A second client to the same server with the same settings (for a subscriber or a thread). */
export function duplicateOf(redis: Redis, name: string): Redis {
  return redis.duplicate({ connectionName: name, maxRetriesPerRequest: null, enableAutoPipelining: false });
}

/** host:port of a client, for messages (never the password). */
export function describeServer(redis: Redis): string {
  const { host, port, tls } = redis.options;
  return `${tls ? 'rediss' : 'redis'}://${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/**
 * Waits until the server answers PING, trying `attempts` times `delayMs` apart; false if it
 * never did. Bounded, so a wrong address fails the start instead of hanging it.
 */
export async function reachable(redis: Redis, attempts: number, delayMs: number): Promise<boolean> {
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

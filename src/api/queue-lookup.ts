import type { FastifyRequest, RouteOptions } from 'fastify';
import { invalidOption } from '../errors.js';
import { Queue } from '../queue/queue.js';
import type { RedisClient } from '../redis/connection.js';
import { isRegistered, registeredQueues, sweepUnregistered } from '../redis/registry.js';
import type { RedisWatch } from '../redis/watch.js';
import { ApiCode, ApiError } from './errors.js';

export interface Listed {
  queue: Queue;
  /** Discovered in Redis rather than served here: no admin route acts on it. */
  readOnly: boolean;
}

/**
 * The queues the API serves, by name, and the others registered in the same Redis (see
 * redis/registry.ts), opened read-only on the shared connection when first asked for. A name
 * neither served nor registered is a 404, an admin route on a discovered queue a 409, and while
 * Redis is known to be unreachable every lookup is a 503 at once, all before the route runs.
 */
export class QueueLookup {
  readonly #served = new Map<string, Queue>();
  readonly #discovered = new Map<string, Queue>();
  readonly #all: readonly Queue[];
  /** Discovery reads the Redis of the first served queue (the server and the engine share one). */
  readonly #redis: RedisClient | undefined;

  constructor(
    all: readonly Queue[],
    readonly watch: RedisWatch,
  ) {
    this.#all = all;
    for (const queue of all) {
      if (this.#served.has(queue.name)) throw invalidOption('queues', `lists ${queue.name} twice`);
      this.#served.set(queue.name, queue);
    }
    this.#redis = all[0]?.redis;
  }

  /**
   * Starts the one-off sweep of queues older than the registry, in the background; not awaited
   * by close(), since on a Redis that is down it would wait out the client's retries. A failure
   * (Redis down, a user without SCAN) is left for the next start to try again.
   */
  sweep(): void {
    if (this.#redis !== undefined) sweepUnregistered(this.#redis).catch(() => {});
  }

  /** The served queues (what /metrics reports). */
  get all(): readonly Queue[] {
    this.#reachable();
    return this.#all;
  }

  /** The served queues, then every other registered one (read-only), by name. */
  async list(): Promise<Listed[]> {
    const served = this.all.map((queue) => ({ queue, readOnly: false }));
    if (this.#redis === undefined) return served;
    const redis = this.#redis;
    const others = (await registeredQueues(redis)).filter((name) => !this.#served.has(name));
    return [...served, ...others.map((name) => ({ queue: this.#open(redis, name), readOnly: true }))];
  }

  /** A served queue, or a discovered one that resolve() has opened. */
  get(name: string): Queue {
    const queue = this.#served.get(name) ?? this.#discovered.get(name);
    if (!queue) throw notFound(name);
    this.#reachable();
    return queue;
  }

  isReadOnly(name: string): boolean {
    return !this.#served.has(name);
  }

  /** The connection discovery uses (the Redis info route reads it). */
  server(): RedisClient {
    this.#reachable();
    if (this.#redis === undefined) throw new ApiError(404, ApiCode.NOT_FOUND, 'no queue is served here');
    return this.#redis;
  }

  /** Makes get(name) answer: opens a registered queue; refuses an admin route on one. */
  async resolve(name: string, admin: boolean): Promise<void> {
    if (this.#served.has(name)) return;
    this.#reachable();
    if (!this.#discovered.has(name)) {
      const redis = this.#redis;
      if (redis === undefined || !(await isRegistered(redis, name))) throw notFound(name);
      this.#open(redis, name);
    }
    if (admin) {
      throw new ApiError(
        409,
        ApiCode.QUEUE_READ_ONLY,
        `queue ${name} is read-only here: it was discovered in Redis, and no engine of it serves this API`,
      );
    }
  }

  /** Closes the discovered queues (their connection is the served queues', left open). */
  async close(): Promise<void> {
    await Promise.all([...this.#discovered.values()].map((queue) => queue.close()));
    this.#discovered.clear();
  }

  #open(redis: RedisClient, name: string): Queue {
    let queue = this.#discovered.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: redis });
      this.#discovered.set(name, queue);
    }
    return queue;
  }

  #reachable(): void {
    const since = this.watch.downSince;
    if (since !== undefined) {
      throw new ApiError(
        503,
        ApiCode.REDIS_UNAVAILABLE,
        `Redis unreachable since ${new Date(since).toISOString()}`,
      );
    }
  }
}

function notFound(name: string): ApiError {
  return new ApiError(404, ApiCode.QUEUE_NOT_FOUND, `no queue ${name} is served here or registered in Redis`);
}

/** The queue a request names: the `:queue` path part, or `?queue=` (the event stream). */
function queueOf(request: FastifyRequest): string | undefined {
  const params = request.params as { queue?: unknown } | undefined;
  const query = request.query as { queue?: unknown } | undefined;
  const name = params?.queue ?? query?.queue;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Resolves the queue a route names before its handler runs (an onRoute hook, added before the
 * Redis time bound so the lookup is bounded too): a discovered queue is opened, and an admin
 * route on it refused.
 */
export function resolveQueueFirst(route: RouteOptions, queues: QueueLookup): void {
  const access = route.config?.access;
  if (access === undefined || access === 'public') return;
  const handler = route.handler;
  route.handler = async function (request, reply) {
    const name = queueOf(request);
    if (name !== undefined) await queues.resolve(name, access === 'admin');
    return handler.call(this, request, reply);
  };
}

import type { Queue } from '../engine/producer.js';
import { invalidOption } from '../errors.js';
import type { RedisWatch } from '../redis/watch.js';
import { ApiCode, ApiError } from './errors.js';

/**
 * The queues the API serves, by name; a name it was not given is a 404, and while Redis is known
 * to be unreachable every lookup is a 503 at once, both before any Redis call.
 */
export class QueueLookup {
  readonly #byName = new Map<string, Queue>();
  readonly #all: readonly Queue[];

  constructor(
    all: readonly Queue[],
    readonly watch: RedisWatch,
  ) {
    this.#all = all;
    for (const queue of all) {
      if (this.#byName.has(queue.name)) throw invalidOption('queues', `lists ${queue.name} twice`);
      this.#byName.set(queue.name, queue);
    }
  }

  get all(): readonly Queue[] {
    this.#reachable();
    return this.#all;
  }

  get(name: string): Queue {
    const queue = this.#byName.get(name);
    if (!queue) throw new ApiError(404, ApiCode.QUEUE_NOT_FOUND, `no queue ${name} is served here`);
    this.#reachable();
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

import type { Queue } from '../engine/producer.js';
import { invalidOption } from '../errors.js';
import { ApiCode, ApiError } from './errors.js';

/** The queues the API serves, by name; a name it was not given is a 404, before any Redis call. */
export class QueueLookup {
  readonly #byName = new Map<string, Queue>();

  constructor(readonly all: readonly Queue[]) {
    for (const queue of all) {
      if (this.#byName.has(queue.name)) throw invalidOption('queues', `lists ${queue.name} twice`);
      this.#byName.set(queue.name, queue);
    }
  }

  get(name: string): Queue {
    const queue = this.#byName.get(name);
    if (!queue) throw new ApiError(404, ApiCode.QUEUE_NOT_FOUND, `no queue ${name} is served here`);
    return queue;
  }
}

import { ENQUEUE_CHUNK, type EnqueueItem } from '../redis/enqueue.js';

/** Writes items (each to its partition); resolves with their ids in the items' order. */
export type SendItems = (items: readonly EnqueueItem[]) => Promise<string[]>;

/**
 * Writes of the batcher's own in flight at once: enough that Redis runs one while the producer
 * encodes and sends the next (with two, large jobs joined ran slower than unbatched).
 */
export const BATCH_WRITES_IN_FLIGHT = 4;

/**
 * Characters of job bodies one write may join. Small jobs gain most from one call for many; large
 * ones cost their encoding whatever the call, and joined in one long call they keep Redis waiting
 * until the whole of it has arrived.
 */
export const BATCH_CHARS = 64 * 1024;

interface Call {
  items: readonly EnqueueItem[];
  resolve(ids: string[]): void;
  reject(error: unknown): void;
}

/**
 * Joins concurrent add and addBulk calls into one write, as a database's group commit does: calls
 * made in the same tick go out together on the next microtask, and calls made while
 * BATCH_WRITES_IN_FLIGHT writes are on their way go out together when one of those returns. No
 * timer: a call made alone is sent at once, so an awaited add waits for nothing. Calls are written
 * in the order they were made.
 *
 * A write holds at most ENQUEUE_CHUNK jobs (one script call per partition) and BATCH_CHARS of
 * their bodies, unless a single call is larger, which then goes alone. A script call is validated
 * before it writes, so it fails whole: every call that joined it rejects with its error.
 */
export class AddBatcher {
  #calls: Call[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** Told once nothing is held or in flight (see idle). */
  #onIdle: (() => void)[] = [];

  constructor(private readonly send: SendItems) {}

  add(items: readonly EnqueueItem[]): Promise<string[]> {
    const added = new Promise<string[]>((resolve, reject) => this.#calls.push({ items, resolve, reject }));
    this.#schedule();
    return added;
  }

  /** Resolves once every call made so far has been written or refused (Queue.close waits for it). */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#calls.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onIdle.push(resolve));
  }

  #schedule(): void {
    if (this.#inFlight === 0 && this.#calls.length === 0) {
      for (const resolve of this.#onIdle.splice(0)) resolve();
      return;
    }
    if (this.#scheduled || this.#inFlight >= BATCH_WRITES_IN_FLIGHT || this.#calls.length === 0) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }

  #flush = (): void => {
    this.#scheduled = false;
    const calls = this.#take();
    const items = calls.length === 1 ? (calls[0] as Call).items : calls.flatMap((call) => call.items);
    this.#inFlight++;
    this.send(items).then(
      (ids) => {
        this.#inFlight--;
        let at = 0;
        for (const call of calls) {
          call.resolve(calls.length === 1 ? ids : ids.slice(at, at + call.items.length));
          at += call.items.length;
        }
        this.#schedule();
      },
      (error: unknown) => {
        this.#inFlight--;
        for (const call of calls) call.reject(error);
        this.#schedule();
      },
    );
    this.#schedule();
  };

  /** The oldest calls that fit in one write together (at least one). */
  #take(): Call[] {
    let jobs = 0;
    let chars = 0;
    let n = 0;
    while (n < this.#calls.length) {
      const items = (this.#calls[n] as Call).items;
      jobs += items.length;
      for (const item of items) chars += item.body.length;
      if (n > 0 && (jobs > ENQUEUE_CHUNK || chars > BATCH_CHARS)) break;
      n++;
    }
    return this.#calls.splice(0, n);
  }
}

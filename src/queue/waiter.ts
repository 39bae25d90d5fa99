import { ErrorCode, SluiceError } from '../errors.js';
import type { RedisClient } from '../redis/connection.js';
import { duplicateOf } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import type { Finish } from '../redis/results.js';
import { readFinishes } from '../redis/results.js';

/** Pub/sub can miss a message (a reconnect, a job dead-lettered by the janitor): look this often. */
const POLL_MS = 1000;

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Waits for jobs to finish, for Queue.addAndWait: one subscriber connection per queue, opened
 * on first use, listening on the finished channel, plus a poll of every awaited id each second.
 */
export class ResultWaiter {
  readonly #waiting = new Map<string, Waiting[]>();
  #subscriber: Promise<RedisClient> | undefined;
  #poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
  ) {}

  /** Subscribes (once); call before adding the job, so its finish cannot be missed. */
  ready(): Promise<RedisClient> {
    this.#subscriber ??= (async () => {
      const subscriber = duplicateOf(this.redis, `sluice:results:${this.keys.finished}`);
      subscriber.on('message', (_channel: string, message: string) => {
        const ids = message
          .slice(2)
          .split(',')
          .filter((id) => this.#waiting.has(id));
        if (ids.length > 0) void this.#check(ids);
      });
      subscriber.on('error', () => {}); // the poll covers a lost connection
      await subscriber.subscribe(this.keys.finished);
      return subscriber;
    })();
    return this.#subscriber;
  }

  /** Resolves with the job's result value; rejects if it dies, its result was not kept, or waitMs passes. */
  wait(id: string, waitMs: number): Promise<unknown> {
    const settled = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#forget(id, waiting);
        reject(
          new SluiceError(
            ErrorCode.WAIT_TIMEOUT,
            `job ${id} did not finish within ${waitMs} ms; it stays queued`,
          ),
        );
      }, waitMs);
      const waiting: Waiting = { resolve, reject, timer };
      this.#waiting.set(id, [...(this.#waiting.get(id) ?? []), waiting]);
    });
    this.#poller ??= setInterval(() => void this.#check([...this.#waiting.keys()]), POLL_MS);
    void this.#check([id]);
    return settled;
  }

  async #check(ids: string[]): Promise<void> {
    let finishes: Finish[];
    try {
      finishes = await readFinishes(this.redis, this.keys, ids);
    } catch {
      return; // the next poll tries again
    }
    finishes.forEach((finish, i) => {
      if (finish !== undefined) this.#finish(ids[i] as string, finish);
    });
  }

  #finish(id: string, finish: NonNullable<Finish>): void {
    const waiters = this.#waiting.get(id) ?? [];
    this.#waiting.delete(id);
    for (const { resolve, reject, timer } of waiters) {
      clearTimeout(timer);
      if ('dead' in finish) {
        const last = finish.dead;
        reject(
          new SluiceError(
            ErrorCode.JOB_DEAD,
            `job ${id} was dead-lettered${last ? `: ${last.name}: ${last.message}` : ''}`,
          ),
        );
      } else if ('value' in finish.result) resolve(finish.result.value);
      else
        reject(
          new SluiceError(ErrorCode.RESULT_NOT_KEPT, `job ${id} completed, but ${finish.result.notKept}`),
        );
    }
    this.#idle();
  }

  #forget(id: string, waiting: Waiting): void {
    const left = (this.#waiting.get(id) ?? []).filter((w) => w !== waiting);
    if (left.length > 0) this.#waiting.set(id, left);
    else this.#waiting.delete(id);
    this.#idle();
  }

  #idle(): void {
    if (this.#waiting.size > 0) return;
    clearInterval(this.#poller);
    this.#poller = undefined;
  }

  async close(): Promise<void> {
    for (const [id, waiters] of this.#waiting) {
      for (const { reject, timer } of waiters) {
        clearTimeout(timer);
        reject(new SluiceError(ErrorCode.CLOSED, `the queue was closed while waiting for job ${id}`));
      }
    }
    this.#waiting.clear();
    this.#idle();
    const subscriber = await this.#subscriber?.catch(() => undefined);
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }
}

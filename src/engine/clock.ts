import { performance } from 'node:perf_hooks';

/**
 * The Redis server's clock as seen from here: the last Redis time we were told (acquire
 * replies carry it) plus the monotonic time elapsed since. Lease deadlines are computed from
 * this, never from Date.now(), so a skewed host clock cannot shorten or stretch a lease.
 */
export class RedisClock {
  #offset: number | undefined;
  readonly #monotonic: () => number;

  constructor(monotonic: () => number = () => performance.now()) {
    this.#monotonic = monotonic;
  }

  observe(redisNowMs: number): void {
    this.#offset = redisNowMs - this.#monotonic();
  }

  get known(): boolean {
    return this.#offset !== undefined;
  }

  now(): number {
    if (this.#offset === undefined) throw new Error('RedisClock.now() before any Redis time was observed');
    return Math.round(this.#monotonic() + this.#offset);
  }
}

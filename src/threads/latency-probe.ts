/**
 * Thread side of the latency histograms (job/latency.ts): adds one job's wait or run time to
 * the shared bucket counts. A few Atomics.add per job, no allocation.
 */
import { bucketOf, countAt, type Kind, OFFSET_SLOT, RUN, SHARED_WORDS, sumAt, WAIT } from '../job/latency.js';

const WORD = 2 ** 32;

export class LatencyProbe {
  readonly #words: Uint32Array;
  readonly #signed: Int32Array;

  constructor(shared: SharedArrayBuffer) {
    this.#words = new Uint32Array(shared, 0, SHARED_WORDS);
    this.#signed = new Int32Array(shared, 0, 1);
  }

  /**
   * A first attempt starts: its wait since `enqueuedAt` (ms, Redis clock, from the record).
   * Date.now() is moved onto the Redis clock by the offset the engine's heartbeat measures at each
   * beat, so a host clock that is off by minutes still gives the right wait; what is left is that
   * offset's error (half a heartbeat round trip) and any step of the host clock since the last
   * beat. A wait that comes out negative counts as 0.
   */
  waited(enqueuedAt: number): void {
    const now = Date.now() + Atomics.load(this.#signed, OFFSET_SLOT);
    this.#add(WAIT, Math.max(0, now - enqueuedAt));
  }

  ran(ms: number): void {
    this.#add(RUN, ms);
  }

  #add(kind: Kind, ms: number): void {
    const words = this.#words;
    Atomics.add(words, countAt(kind, bucketOf(ms)), 1);
    const us = Math.min(WORD - 1, Math.round(ms * 1000));
    const at = sumAt(kind);
    // The low word's previous value tells whether this addition carried into the high word.
    if (Atomics.add(words, at, us) + us >= WORD) Atomics.add(words, at + 1, 1);
  }
}

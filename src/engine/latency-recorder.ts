import { Histogram, type Registry } from 'prom-client';
import {
  BUCKETS,
  countAt,
  type Kind,
  LATENCY_BOUNDS_MS,
  OFFSET_SLOT,
  type PublishedSlot,
  RUN,
  SHARED_WORDS,
  SLOT_MS,
  SLOTS_KEPT,
  sparse,
  sumAt,
  WAIT,
} from '../job/latency.js';
import { RedisClock } from './clock.js';

const WORD = 2 ** 32;
const MAX_OFFSET = 2 ** 31 - 1;

/**
 * Main side of the latency histograms: owns the shared counts the pool's threads add to, tells
 * them the Redis clock's offset, and turns what they added into cumulative totals (for /metrics)
 * and per-slot counts of the last 15 minutes (published in the heartbeat, so the API of any
 * engine charts the whole queue). Read at each heartbeat and at each scrape.
 */
export class LatencyRecorder {
  readonly shared = new SharedArrayBuffer(SHARED_WORDS * 4);
  readonly #words = new Uint32Array(this.shared);
  readonly #signed = new Int32Array(this.shared, 0, 1);
  /** The words as last read, to take differences of. */
  readonly #seen = new Uint32Array(SHARED_WORDS);
  readonly #totals: [number[], number[]] = [new Array(BUCKETS).fill(0), new Array(BUCKETS).fill(0)];
  readonly #sumsUs = [0, 0];
  readonly #slots = new Map<number, [number[], number[]]>();
  readonly #clock = new RedisClock();

  /** A Redis time just read (ms): threads add this offset to Date.now() to be on the Redis clock. */
  observeRedisTime(redisNow: number): void {
    this.#clock.observe(redisNow);
    const offset = Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, Math.round(redisNow - Date.now())));
    Atomics.store(this.#signed, OFFSET_SLOT, offset);
  }

  /** Moves what the threads added since the last pull into the totals and the current slot. */
  pull(): void {
    const start = this.#clock.known ? Math.floor(this.#clock.now() / SLOT_MS) * SLOT_MS : undefined;
    let slot = start === undefined ? undefined : this.#slots.get(start);
    for (const kind of [WAIT, RUN] as const) {
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        const added = this.#delta(countAt(kind, bucket));
        if (added === 0) continue;
        (this.#totals[kind][bucket] as number) += added;
        if (start === undefined) continue;
        if (slot === undefined) {
          slot = [new Array(BUCKETS).fill(0), new Array(BUCKETS).fill(0)];
          this.#slots.set(start, slot);
        }
        (slot[kind][bucket] as number) += added;
      }
      const at = sumAt(kind);
      this.#sumsUs[kind] = (this.#sumsUs[kind] as number) + this.#delta(at) + this.#delta(at + 1) * WORD;
    }
    if (start !== undefined) {
      for (const old of this.#slots.keys()) if (old <= start - SLOTS_KEPT * SLOT_MS) this.#slots.delete(old);
    }
  }

  #delta(index: number): number {
    const now = Atomics.load(this.#words, index);
    const added = (now - (this.#seen[index] as number) + WORD) % WORD;
    this.#seen[index] = now;
    return added;
  }

  /** The slots of the last 15 minutes, oldest first, as the heartbeat publishes them. */
  published(): PublishedSlot[] {
    return [...this.#slots]
      .sort(([a], [b]) => a - b)
      .map(([start, [wait, run]]) => [start, sparse(wait), sparse(run)]);
  }

  /** Cumulative counts per bucket and the sum in seconds, since the engine started. */
  totals(kind: Kind): { counts: readonly number[]; sumSeconds: number } {
    return { counts: this.#totals[kind], sumSeconds: (this.#sumsUs[kind] as number) / 1e6 };
  }
}

type Exported = Awaited<ReturnType<Histogram['get']>>;

/**
 * A prom-client histogram whose values are the recorder's totals, read at scrape time (the
 * threads never call observe(): that would cost an object walk per job on the main thread).
 * get() returns what prom-client's own histogram does: cumulative _bucket lines, _sum, _count.
 */
class RecordedHistogram extends Histogram {
  constructor(
    private readonly metricName: string,
    private readonly helpText: string,
    registry: Registry,
    private readonly recorder: LatencyRecorder,
    private readonly kind: Kind,
  ) {
    super({
      name: metricName,
      help: helpText,
      buckets: LATENCY_BOUNDS_MS.map((ms) => ms / 1000),
      registers: [registry],
    });
  }

  override async get(): Promise<Exported> {
    this.recorder.pull();
    const { counts, sumSeconds } = this.recorder.totals(this.kind);
    const name = this.metricName;
    let cumulative = 0;
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] =
      counts.map((n, i) => {
        cumulative += n;
        const le = i < LATENCY_BOUNDS_MS.length ? (LATENCY_BOUNDS_MS[i] as number) / 1000 : '+Inf';
        return { metricName: `${name}_bucket`, labels: { le }, value: cumulative };
      });
    values.push(
      { metricName: `${name}_sum`, labels: {}, value: sumSeconds },
      { metricName: `${name}_count`, labels: {}, value: cumulative },
    );
    return { name, help: this.helpText, type: 'histogram', values, aggregator: 'sum' } as unknown as Exported;
  }

  /** What the registry formats (prom-client reads this instead of get() when it exists). */
  getForPromString(): Promise<Exported> {
    return this.get();
  }
}

/** Registers sluice_job_wait_seconds and sluice_job_run_seconds, read from `recorder`. */
export function registerLatency(registry: Registry, recorder: LatencyRecorder): void {
  new RecordedHistogram(
    'sluice_job_wait_seconds',
    "Enqueue to start of a job's first attempt (Redis clock), jobs this engine started",
    registry,
    recorder,
    WAIT,
  );
  new RecordedHistogram(
    'sluice_job_run_seconds',
    "Handler run time of each attempt this engine's threads ran",
    registry,
    recorder,
    RUN,
  );
}

import { build, type Histogram } from 'hdr-histogram-js';
import type { RetryReport } from '../workers/handlers/failing.js';
import type { LatencySummary, LatencyWindow } from './protocol.js';

/**
 * Enqueue→handler-start latencies in an HDR histogram (microsecond resolution, 3 significant
 * digits). Only jobs enqueued inside the window count, so warm-up and drain are left out.
 * A retry's lateness (due time → start) is recorded the same way, once both halves of a job's
 * report have come (in either order: they may come from two threads).
 */
export class LatencyRecorder implements RetryReport {
  readonly #histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: true,
    useWebAssembly: false,
  });
  #from = Number.POSITIVE_INFINITY;
  #to = Number.NEGATIVE_INFINITY;
  /** Retries with only one half reported yet, by job id. */
  readonly #dueAt = new Map<string, number>();
  readonly #startedAt = new Map<string, number>();

  setWindow(window: LatencyWindow): void {
    this.#from = window.from;
    this.#to = window.to;
  }

  /** enqueuedAt and startedAt: wall milliseconds (performance.timeOrigin + performance.now()). */
  record(enqueuedAt: number, startedAt: number): void {
    if (enqueuedAt < this.#from || enqueuedAt >= this.#to) return;
    this.#histogram.recordValue(Math.max(1, Math.round((startedAt - enqueuedAt) * 1000)));
  }

  retryDue(id: string, at: number): void {
    const started = this.#startedAt.get(id);
    if (started === undefined) {
      this.#dueAt.set(id, at);
      return;
    }
    this.#startedAt.delete(id);
    this.record(at, started);
  }

  /** A retry that started before it was due would count as 1 µs late. */
  retryStarted(id: string, at: number): void {
    const due = this.#dueAt.get(id);
    if (due === undefined) {
      this.#startedAt.set(id, at);
      return;
    }
    this.#dueAt.delete(id);
    this.record(due, at);
  }

  summary(): LatencySummary | undefined {
    const h = this.#histogram;
    if (h.totalCount === 0) return undefined;
    const ms = (us: number) => us / 1000;
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}

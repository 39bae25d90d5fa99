import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, registerLatency } from '../../dist/engine/latency-recorder.js';
import {
  BUCKETS,
  bucketOf,
  LATENCY_BOUNDS_MS,
  mergeSlots,
  percentiles,
  quantile,
  SLOT_MS,
  SLOTS_KEPT,
} from '../../dist/job/latency.js';
import { LatencyProbe } from '../../dist/threads/latency-probe.js';

const WAIT = 0;
const RUN = 1;

function counts(entries: Record<number, number>): number[] {
  const out = new Array<number>(BUCKETS).fill(0);
  for (const [bucket, n] of Object.entries(entries)) out[Number(bucket)] = n;
  return out;
}

describe('latency buckets', () => {
  it('puts a duration in the first bucket whose bound is not below it; negatives in the first', () => {
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(0.1)).toBe(0);
    expect(bucketOf(0.11)).toBe(1);
    expect(bucketOf(30)).toBe(LATENCY_BOUNDS_MS.indexOf(50));
    expect(bucketOf(10 * 60_000)).toBe(BUCKETS - 1);
  });

  it('interpolates quantiles inside a bucket, answers the last bound for the open bucket, nothing for no counts', () => {
    const at50 = LATENCY_BOUNDS_MS.indexOf(50); // (25, 50]
    expect(quantile(counts({ [at50]: 100 }), 0.5)).toBe(37.5);
    expect(quantile(counts({ [at50]: 99, [at50 + 1]: 1 }), 0.99)).toBe(50);
    expect(quantile(counts({ [BUCKETS - 1]: 3 }), 0.5)).toBe(300_000);
    expect(quantile(counts({}), 0.5)).toBeUndefined();
    expect(percentiles(counts({}))).toEqual({ count: 0 });
  });

  it('adds up the slots of several engines by slot start, skipping what is not a slot', () => {
    const merged = mergeSlots([
      [
        [30_000, [2, 5], [0, 1]],
        [15_000, [2, 1], []],
      ],
      [[30_000, [2, 1, 3, 2], [0, 4]], 'junk', [45_000, [99, 1], []]],
      'not slots',
    ]);
    expect(merged.map((s) => s.start)).toEqual([15_000, 30_000]);
    expect(merged[1]?.wait).toEqual(counts({ 2: 6, 3: 2 }));
    expect(merged[1]?.run).toEqual(counts({ 0: 5 }));
  });
});

describe('LatencyRecorder and LatencyProbe', () => {
  it('measures waits on the Redis clock however far the host clock is off', () => {
    const recorder = new LatencyRecorder();
    const probe = new LatencyProbe(recorder.shared);
    // Redis is an hour ahead of this host: a job enqueued 40 ms ago by Redis time waited 40 ms.
    const redisNow = Date.now() + 3_600_000;
    recorder.observeRedisTime(redisNow);
    probe.waited(redisNow - 40);
    // ...and one "enqueued in the future" (clock error) counts as 0, not as a negative wait.
    probe.waited(redisNow + 5_000);
    probe.ran(3);
    recorder.pull();
    expect(recorder.totals(WAIT).counts).toEqual(counts({ 0: 1, [LATENCY_BOUNDS_MS.indexOf(50)]: 1 }));
    expect(recorder.totals(RUN).counts).toEqual(counts({ [LATENCY_BOUNDS_MS.indexOf(5)]: 1 }));
    expect(recorder.totals(RUN).sumSeconds).toBeCloseTo(0.003, 6);
  });

  it('publishes the counts of the current slot and keeps sums exact past 2^32 µs', () => {
    const recorder = new LatencyRecorder();
    const probe = new LatencyProbe(recorder.shared);
    const redisNow = Date.now();
    recorder.observeRedisTime(redisNow);
    for (let i = 0; i < 3; i++) probe.ran(2_000_000); // 3 × 2e9 µs: the low word carries
    recorder.pull();
    expect(recorder.totals(RUN).sumSeconds).toBe(6000);
    const [slot] = recorder.published();
    expect(slot?.[0]).toBe(Math.floor(redisNow / SLOT_MS) * SLOT_MS);
    expect(slot?.[2]).toEqual([BUCKETS - 1, 3]);
    // nothing new: the next pull adds nothing
    recorder.pull();
    expect(recorder.totals(RUN).counts[BUCKETS - 1]).toBe(3);
    expect(recorder.published().length).toBeLessThanOrEqual(SLOTS_KEPT);
  });

  it('exports both as prom-client histograms: cumulative buckets, sum and count', async () => {
    const registry = new Registry();
    const recorder = new LatencyRecorder();
    registerLatency(registry, recorder);
    const probe = new LatencyProbe(recorder.shared);
    recorder.observeRedisTime(Date.now());
    probe.ran(30);
    probe.ran(30);
    probe.ran(700);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE sluice_job_run_seconds histogram');
    expect(text).toContain('sluice_job_run_seconds_bucket{le="0.025"} 0');
    expect(text).toContain('sluice_job_run_seconds_bucket{le="0.05"} 2');
    expect(text).toContain('sluice_job_run_seconds_bucket{le="1"} 3');
    expect(text).toContain('sluice_job_run_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('sluice_job_run_seconds_sum 0.76');
    expect(text).toContain('sluice_job_run_seconds_count 3');
    expect(text).toContain('sluice_job_wait_seconds_count 0');
  });
});

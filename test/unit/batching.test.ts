import { describe, expect, it } from 'vitest';
import { batchSizes, LeaseAhead, nextBlockSize, type WindowPolicy } from '../../dist/engine/batching.js';

const MIB = 1024 * 1024;
const policy: WindowPolicy = { maxInFlight: 8192, maxInFlightBytes: 64 * MIB, maxBlock: 512 };

describe('nextBlockSize', () => {
  it('is 0 when the window is full', () => {
    expect(nextBlockSize(8192, 0, policy)).toBe(0);
    expect(nextBlockSize(9000, 0, policy)).toBe(0);
  });

  it('is 0 when the bytes in flight reach the cap, however few jobs', () => {
    expect(nextBlockSize(0, 64 * MIB, policy)).toBe(0);
    expect(nextBlockSize(1, 64 * MIB + 1, policy)).toBe(0);
    expect(nextBlockSize(0, 64 * MIB - 1, policy)).toBe(512);
  });

  it('never asks for more than maxBlock or the free window', () => {
    const policies: WindowPolicy[] = [
      policy,
      { maxInFlight: 100, maxInFlightBytes: MIB, maxBlock: 1000 },
      { maxInFlight: 10, maxInFlightBytes: MIB, maxBlock: 3 },
      { maxInFlight: 1, maxInFlightBytes: MIB, maxBlock: 1 },
    ];
    const violations: string[] = [];
    for (const p of policies) {
      for (let inFlight = 0; inFlight <= p.maxInFlight; inFlight++) {
        const n = nextBlockSize(inFlight, 0, p);
        if (!(n >= 0 && n <= p.maxBlock && n <= p.maxInFlight - inFlight)) {
          violations.push(`${JSON.stringify(p)} inFlight ${inFlight}: ${n}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('does not top up with blocks smaller than an eighth of the block size', () => {
    // An eighth of min(maxBlock, maxInFlight) = 64 here.
    expect(nextBlockSize(8192 - 63, 0, policy)).toBe(0);
    expect(nextBlockSize(8192 - 64, 0, policy)).toBe(64);
    expect(nextBlockSize(0, 0, policy)).toBe(512);
    // A window smaller than a block: the eighth is of the window.
    const small: WindowPolicy = { maxInFlight: 16, maxInFlightBytes: MIB, maxBlock: 512 };
    expect(nextBlockSize(15, 0, small)).toBe(0);
    expect(nextBlockSize(14, 0, small)).toBe(2);
    // Tiny blocks: never below one job, so a one-job window still works.
    expect(nextBlockSize(0, 0, { maxInFlight: 1, maxInFlightBytes: MIB, maxBlock: 1 })).toBe(1);
  });
});

describe('batchSizes', () => {
  it('sums to n with every batch between 1 and maxBatch', () => {
    const violations: string[] = [];
    for (const n of [0, 1, 2, 5, 7, 100, 512, 1000, 3001]) {
      for (const threads of [1, 2, 3, 4, 8]) {
        for (const maxBatch of [1, 3, 256]) {
          const sizes = batchSizes(n, threads, maxBatch);
          const sum = sizes.reduce((a, b) => a + b, 0);
          if (sum !== n || sizes.some((size) => size < 1 || size > maxBatch)) {
            violations.push(`batchSizes(${n}, ${threads}, ${maxBatch}) = ${JSON.stringify(sizes)}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('spreads a block evenly over the threads', () => {
    expect(batchSizes(512, 2, 256)).toEqual([256, 256]);
    expect(batchSizes(8, 4, 256)).toEqual([2, 2, 2, 2]);
    expect(batchSizes(3, 4, 256)).toEqual([1, 1, 1]);
    expect(batchSizes(2000, 2, 256)).toHaveLength(8);
  });

  it('gives every thread a batch when there are at least as many jobs as threads', () => {
    // e.g. 5 jobs over 4 threads should be [2, 1, 1, 1], not [2, 2, 1] with one thread idle.
    const uneven: string[] = [];
    for (let threads = 1; threads <= 8; threads++) {
      for (let n = threads; n <= 4 * threads; n++) {
        const sizes = batchSizes(n, threads, 256);
        if (sizes.length !== threads || Math.max(...sizes) - Math.min(...sizes) > 1) {
          uneven.push(`batchSizes(${n}, ${threads}, 256) = ${JSON.stringify(sizes)}`);
        }
      }
    }
    expect(uneven).toEqual([]);
  });
});

describe('LeaseAhead', () => {
  const cap: WindowPolicy = { maxInFlight: 8192, maxInFlightBytes: 64 * MIB, maxBlock: 1000 };

  /** Settle replies of `count` outcomes, `everyMs` apart, each taking `roundTripMs`. */
  function feed(window: LeaseAhead, count: number, everyMs: number, roundTripMs: number, times = 40): void {
    for (let i = 0; i < times; i++) window.observe(count, roundTripMs, i * everyMs);
  }

  it('starts at twice what can run, a block of what can run', () => {
    expect(new LeaseAhead(8, cap).window()).toEqual({
      maxInFlight: 16,
      maxInFlightBytes: 64 * MIB,
      maxBlock: 8,
    });
  });

  it('stays at twice what can run for jobs slower than a round trip', () => {
    // One job at a time, 100 ms each, settled in 0.3 ms.
    const window = new LeaseAhead(1, cap);
    feed(window, 1, 100, 0.3);
    expect(window.window()).toMatchObject({ maxInFlight: 2, maxBlock: 1 });
  });

  it('leases what lasts twice the round trip for fast jobs', () => {
    // 64 outcomes a ms, settled in 0.5 ms: 64 jobs ahead, in blocks of 64.
    const window = new LeaseAhead(1, cap);
    feed(window, 64, 1, 0.5);
    expect(window.window()).toMatchObject({ maxInFlight: 65, maxBlock: 64 });
  });

  it('never leaves the cap', () => {
    const window = new LeaseAhead(4, { maxInFlight: 50, maxInFlightBytes: MIB, maxBlock: 20 });
    feed(window, 1000, 1, 5);
    expect(window.window()).toEqual({ maxInFlight: 50, maxInFlightBytes: MIB, maxBlock: 20 });
  });
});

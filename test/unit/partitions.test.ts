import slotOf from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { COUNT_FIELDS, type QueueCounts } from '../../dist/job/metrics.js';
import {
  concatPages,
  mergeEngines,
  mergeGroups,
  mergeHistory,
  sumCounts,
  sumMetrics,
} from '../../dist/queue/partition-merge.js';
import { partitionOfId, RoundRobin, route } from '../../dist/queue/partition-route.js';
import { partitionKeys, queueKeys } from '../../dist/redis/keys.js';

/** The slot of a key's {hash tag}. */
const tagSlot = (key: unknown) => slotOf(String(key));

describe('partitionKeys', () => {
  it('partition 0 is the queue itself; the others have their own tags, prefixes and ids', () => {
    const parts = partitionKeys('orders', 4);
    expect(parts).toHaveLength(4);
    expect(parts[0]).toEqual(queueKeys('orders'));
    expect(parts.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(parts.map((p) => p.idPrefix)).toEqual(['', '1~', '2~', '3~']);
    for (const part of parts.slice(1)) {
      expect(part.pending).toMatch(/^sluice:\{orders~\d\.\d+\}:pending$/);
      expect(part.queue).toBe('orders');
      // every key of a partition shares its slot
      expect(
        new Set(
          Object.values(part)
            .filter((v) => typeof v === 'string' && v.startsWith('sluice:'))
            .map(tagSlot),
        ).size,
      ).toBe(1);
    }
    expect(new Set(parts.map((p) => p.pending)).size).toBe(4);
  });

  it('is the same on every call (every producer and engine computes the same layout)', () => {
    expect(partitionKeys('orders', 6)).toEqual(partitionKeys('orders', 6));
  });

  it('spaces the partitions evenly over the slot ring, so 3 masters of an even split get 2 each of 6', () => {
    for (const name of ['orders', 'emails', 'q1', 'a-much-longer-queue-name.v2']) {
      const slots = partitionKeys(name, 6).map((p) => tagSlot(p.pending));
      const home = slots[0] as number;
      slots.forEach((slot, i) => {
        const offset = (slot - home + 16_384) % 16_384;
        expect(Math.abs(offset - (i * 16_384) / 6)).toBeLessThan(16_384 / 6 / 8 + 1);
      });
    }
  });

  it('refuses a count outside 1-256', () => {
    for (const bad of [0, 257, 1.5, Number.NaN]) {
      expect(() => partitionKeys('orders', bad)).toThrow(/partitions: must be an integer from 1 to 256/);
    }
    expect(partitionKeys('orders', 1)).toEqual([queueKeys('orders')]);
  });
});

describe('partitionOfId', () => {
  it('a generated id names its partition; plain numbers are partition 0', () => {
    expect(partitionOfId('3~1041', 4)).toBe(3);
    expect(partitionOfId('1~1', 4)).toBe(1);
    expect(partitionOfId('1041', 4)).toBe(0);
  });

  it('a chosen jobId goes by its hash: the same id always to the same partition, ids spread', () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const p = partitionOfId(`order-${i}`, 4);
      expect(partitionOfId(`order-${i}`, 4)).toBe(p);
      seen.set(p, (seen.get(p) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const n of seen.values()) expect(n).toBeGreaterThan(800);
  });

  it('everything is partition 0 of an unpartitioned queue', () => {
    expect(partitionOfId('order-7', 1)).toBe(0);
    expect(partitionOfId('3~9', 1)).toBe(0);
  });
});

describe('route', () => {
  it('deals jobs without an id in turn and keeps where each came from', () => {
    const turn = new RoundRobin(3);
    const groups = route(['a', 'b', 'c', 'd', 'e'], () => undefined, turn);
    expect(groups.map((g) => g.items)).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
    expect(groups.map((g) => g.at)).toEqual([[0, 3], [1, 4], [2]]);
    // the turn goes on from where it stopped
    expect(route(['f'], () => undefined, turn).map((g) => g.items)).toEqual([[], [], ['f']]);
  });

  it('sends a job with an id to its id partition', () => {
    const groups = route(['x'], () => 'order-42', new RoundRobin(4));
    expect(groups[partitionOfId('order-42', 4)]?.items).toEqual(['x']);
  });
});

describe('merging partitions', () => {
  const counts = (n: number): QueueCounts =>
    Object.fromEntries(COUNT_FIELDS.map((field, i) => [field, n * (i + 1)])) as unknown as QueueCounts;

  it('sums every count field', () => {
    expect(sumCounts([counts(1), counts(2), counts(4)])).toEqual(counts(7));
  });

  it("puts /metrics' figures together: sums, paused only if every partition is, the longest oldest wait", () => {
    const part = (n: number, paused: boolean, oldestWaitingMs: number | undefined) => ({
      ...counts(n),
      deadLettered: n,
      paused,
      rateLimit: n === 1 ? { max: 5, duration: 1000 } : undefined,
      engines: n,
      oldestWaitingMs,
    });
    expect(sumMetrics([part(1, true, 300), part(2, false, 1200), part(4, true, 0)])).toEqual({
      ...counts(7),
      deadLettered: 7,
      paused: false,
      rateLimit: { max: 5, duration: 1000 },
      // each engine heartbeats into every partition it works
      engines: 4,
      oldestWaitingMs: 1200,
    });
    expect(sumMetrics([part(1, true, 300), part(2, true, 0)])).toMatchObject({ paused: true });
    // unknown in one partition: unknown for the queue, not understated
    expect(sumMetrics([part(1, true, 300), part(2, true, undefined)]).oldestWaitingMs).toBeUndefined();
  });

  it('merges a fingerprint group found in several partitions into one, largest first', () => {
    const merged = mergeGroups([
      [
        { id: 'aaaaaaaaaaaa', label: 'TypeError at h.js:1', count: 2, lastDeadAt: 10 },
        { id: 'bbbbbbbbbbbb', label: 'Error', count: 3, lastDeadAt: 5 },
      ],
      [{ id: 'aaaaaaaaaaaa', label: 'TypeError at h.js:1', count: 4, lastDeadAt: 7 }],
    ]);
    expect(merged).toEqual([
      { id: 'aaaaaaaaaaaa', label: 'TypeError at h.js:1', count: 6, lastDeadAt: 10 },
      { id: 'bbbbbbbbbbbb', label: 'Error', count: 3, lastDeadAt: 5 },
    ]);
  });

  it('sums history points by second and engines by id', () => {
    expect(
      mergeHistory([
        [
          { t: 1, completed: 1, failed: 0 },
          { t: 2, completed: 2, failed: 1 },
        ],
        [{ t: 2, completed: 5, failed: 0 }],
      ]),
    ).toEqual([
      { t: 1, completed: 1, failed: 0 },
      { t: 2, completed: 7, failed: 1 },
    ]);
    const engine = {
      id: 'h:1:ab',
      host: 'h',
      pid: 1,
      threads: 2,
      inFlight: 3,
      jobsPerSec: 10,
      startedAt: 0,
      seenAt: 5,
    };
    expect(mergeEngines([[engine], [{ ...engine, inFlight: 4, jobsPerSec: 5, seenAt: 6 }]])).toEqual([
      { ...engine, inFlight: 7, jobsPerSec: 15, seenAt: 6 },
    ]);
  });

  it('pages across partitions laid end to end, asking each only for its part', async () => {
    const lists = [['a', 'b', 'c'], [], ['d', 'e'], ['f']];
    const asked: [number, number, number][] = [];
    const read = async (p: number, offset: number, limit: number) => {
      asked.push([p, offset, limit]);
      const list = lists[p] as string[];
      return { total: list.length, items: list.slice(offset, offset + limit) };
    };
    expect(await concatPages(4, read, 0, 10)).toEqual({ total: 6, items: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(await concatPages(4, read, 2, 3)).toEqual({ total: 6, items: ['c', 'd', 'e'] });
    expect(await concatPages(4, read, 5, 3)).toEqual({ total: 6, items: ['f'] });
    expect(await concatPages(4, read, 9, 3)).toEqual({ total: 6, items: [] });
    asked.length = 0;
    await concatPages(4, read, 4, 1);
    expect(asked).toEqual([
      [0, 4, 1],
      [1, 1, 1],
      [2, 1, 1],
      [3, 0, 1],
    ]);
  });
});

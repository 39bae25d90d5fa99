import { describe, expect, it } from 'vitest';
import { packJobs, unpackJobs, type WireJob } from '../../dist/threads/protocol.js';

/** What postMessage does to a task on its way to a thread. */
const overTheWire = <T>(value: T): T => structuredClone(value);

describe('packJobs / unpackJobs', () => {
  it('gives back every id, token and record in order, whatever the characters', () => {
    const jobs: WireJob[] = [
      { id: '1', token: 1, record: '1796332254352|0||{"x":1}' },
      { id: 'order-42', token: 2 ** 40, record: '1796332254352|1|,,,,5000|"héllo 🚀 \\u0000"' },
      { id: '3~17', token: 7, record: '' },
      { id: 'ü', token: 3, record: '|||\n\r\t"' },
    ];
    expect(unpackJobs(overTheWire(packJobs(jobs)))).toEqual(jobs);
  });

  it('splits the text between jobs once it passes a segment, and reads it back', () => {
    const big = 'x'.repeat(700_000);
    const jobs: WireJob[] = Array.from({ length: 5 }, (_, i) => ({
      id: `${i + 1}`,
      token: i,
      record: big + i,
    }));
    const packed = packJobs(jobs);
    expect(packed.segments.length).toBeGreaterThan(1);
    for (const segment of packed.segments) expect(segment.length).toBeLessThanOrEqual(2 ** 20);
    expect(unpackJobs(overTheWire(packed))).toEqual(jobs);
  });

  it('puts a record longer than a segment in a segment of its own', () => {
    const jobs: WireJob[] = [
      { id: 'a', token: 1, record: 'small' },
      { id: 'b', token: 1, record: 'y'.repeat(3 * 2 ** 20) },
      { id: 'c', token: 1, record: 'small' },
    ];
    const packed = packJobs(jobs);
    expect(packed.segments).toHaveLength(3);
    expect(unpackJobs(overTheWire(packed))).toEqual(jobs);
  });

  it('packs an empty batch', () => {
    expect(unpackJobs(overTheWire(packJobs([])))).toEqual([]);
  });
});

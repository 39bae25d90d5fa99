import { describe, expect, it } from 'vitest';
import {
  decodeOptionHeader,
  encodeOptionHeader,
  JOB_DEFAULTS,
  prepareJobOptions,
} from '../../dist/job/job-options.js';
import { waitingSlices } from '../../dist/redis/job-pages.js';

describe('priority in the option header', () => {
  it('is written as an 8th field only when set, so jobs without one keep their header', () => {
    expect(prepareJobOptions({ priority: 1 }).header).toBe('3,0,e,1000,0,0,0,1');
    expect(prepareJobOptions({ attempts: 5, priority: 5 }).header).toBe('5,0,e,1000,0,0,0,5');
    expect(prepareJobOptions({ attempts: 5 }).header).toBe('5,0,e,1000,0');
    expect(prepareJobOptions({ keepResult: 10 }).header).toBe('3,0,e,1000,0,10,0');
  });

  it('treats priority 3 as no priority: not stored, the header stays empty', () => {
    const prepared = prepareJobOptions({ priority: 3 });
    expect(prepared.header).toBe('');
    expect(prepared.stored.priority).toBeUndefined();
  });

  it('round-trips, and headers written before priorities decode without one', () => {
    for (const priority of [1, 2, 4, 5]) {
      const stored = { ...JOB_DEFAULTS, keepResult: 5, priority };
      expect(decodeOptionHeader(encodeOptionHeader(stored))).toEqual(stored);
    }
    expect(decodeOptionHeader('3,0,e,1000,0')?.priority).toBeUndefined();
    expect(decodeOptionHeader('3,0,e,1000,0,10,0')?.priority).toBeUndefined();
  });

  it('decodes a header with a priority that is out of range, the default, or not an integer to undefined', () => {
    for (const header of [
      '3,0,e,1000,0,0,0,0',
      '3,0,e,1000,0,0,0,6',
      '3,0,e,1000,0,0,0,3',
      '3,0,e,1000,0,0,0,1.5',
    ]) {
      expect(decodeOptionHeader(header), header).toBeUndefined();
    }
  });
});

describe('waitingSlices (a page of waiting jobs across the level lists)', () => {
  it('covers the lists in run order, skipping empty ones and stopping at the page end', () => {
    expect(waitingSlices([2, 0, 3, 1, 0], 1, 3)).toEqual([
      { list: 0, start: 1, end: 2 },
      { list: 2, start: 0, end: 2 },
    ]);
    expect(waitingSlices([0, 0, 5, 0, 0], 0, 50)).toEqual([{ list: 2, start: 0, end: 5 }]);
    expect(waitingSlices([1, 1, 1, 1, 1], 10, 5)).toEqual([]);
  });
});

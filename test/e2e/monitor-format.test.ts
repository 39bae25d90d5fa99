// The monitor's display formatting, without a browser: times dated once they are not today, the
// full timestamp for the hover title, and the compact rates of the throughput chart's axis.
import { describe, expect, it } from 'vitest';
import { formatCompact, formatTime, fullTime } from '../../ui/src/format.js';

/** Local time, as the monitor shows it. */
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('formatTime', () => {
  const now = at(2026, 3, 15, 10, 0, 0);

  it('shows the time alone when it is today, early or late', () => {
    expect(formatTime(at(2026, 3, 15, 0, 0, 1), now)).toBe('00:00:01');
    expect(formatTime(at(2026, 3, 15, 23, 59, 59), now)).toBe('23:59:59');
  });

  it('dates a time of another day, even a minute before midnight yesterday', () => {
    expect(formatTime(at(2026, 3, 14, 23, 59, 0), now)).toBe('2026-03-14 23:59:00');
    expect(formatTime(at(2026, 3, 16, 0, 0, 0), now)).toBe('2026-03-16 00:00:00');
    expect(formatTime(at(2025, 12, 31, 8, 5, 9), now)).toBe('2025-12-31 08:05:09');
  });

  it('shows a dash for no time', () => {
    expect(formatTime(undefined, now)).toBe('–');
    expect(formatTime(Number.NaN, now)).toBe('–');
  });

  it('gives the full timestamp for the hover title', () => {
    expect(fullTime(Date.UTC(2026, 2, 14, 23, 59, 0, 120))).toBe('2026-03-14T23:59:00.120Z');
  });
});

describe('formatCompact', () => {
  it('keeps small rates as they are and shortens large ones to k, M and G', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(2.5)).toBe('2.5');
    expect(formatCompact(850)).toBe('850');
    expect(formatCompact(1500)).toBe('1.5k');
    expect(formatCompact(100_000)).toBe('100k');
    expect(formatCompact(2_345_678)).toBe('2.3M');
    expect(formatCompact(4e9)).toBe('4G');
  });
});

// The monitor's pure parts, without a browser: the SSE parser that reads /api/events from a fetch
// body, the reconnect backoff, and the throughput series.
import { describe, expect, it } from 'vitest';
import { mergePoints, toColumns, toSeconds, visibleRange, WINDOW_SECONDS } from '../../ui/src/series.js';
import { reconnectDelayMs, SseParser } from '../../ui/src/sse.js';

describe('SSE parser', () => {
  it('yields one event per blank-line-terminated block, however the text is chunked', () => {
    const stream = 'event: stats\ndata: {"a":1}\n\n: keep-alive comment\n\nevent: stats\ndata: {"a":2}\n\n';
    const whole = new SseParser().push(stream);
    expect(whole).toEqual([
      { event: 'stats', data: '{"a":1}' },
      { event: 'stats', data: '{"a":2}' },
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const got = [];
      for (let i = 0; i < stream.length; i += size) got.push(...parser.push(stream.slice(i, i + size)));
      expect(got, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('accepts CRLF and CR line ends, even a CRLF split across chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: stats\r')).toEqual([]);
    expect(parser.push('\ndata: x\r\n\r')).toEqual([{ event: 'stats', data: 'x' }]);
    expect(parser.push('\ndata: y\r\r')).toEqual([{ event: 'message', data: 'y' }]);
  });

  it('joins data lines with LF, keeps the last id, reads retry, and drops events without data', () => {
    const parser = new SseParser();
    const events = parser.push('id: 7\ndata: one\ndata:two\nretry: 2500\n\nevent: lonely\n\n');
    expect(events).toEqual([{ event: 'message', data: 'one\ntwo', id: '7' }]);
    expect(parser.retryMs).toBe(2500);
  });
});

describe('reconnect backoff', () => {
  it('starts at 0.5 s, doubles, and stops growing at 15 s, within ±20 % jitter', () => {
    expect(reconnectDelayMs(1, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(2, () => 0.5)).toBe(1000);
    expect(reconnectDelayMs(4, () => 0.5)).toBe(4000);
    expect(reconnectDelayMs(30, () => 0.5)).toBe(15_000);
    expect(reconnectDelayMs(1, () => 0)).toBe(400);
    expect(reconnectDelayMs(1, () => 1)).toBe(600);
  });
});

describe('throughput series', () => {
  it('takes ms or s and keeps whole seconds', () => {
    expect(toSeconds(1_700_000_000_123)).toBe(1_700_000_000);
    expect(toSeconds(1_700_000_000)).toBe(1_700_000_000);
  });

  it('merges history and live points by second, newer readings winning, within 15 minutes', () => {
    const history = [
      { t: 100, completed: 1, failed: 0 },
      { t: 101, completed: 2, failed: 0 },
    ];
    const live = [
      { t: 101, completed: 5, failed: 1 },
      { t: 100 + WINDOW_SECONDS, completed: 3, failed: 0 },
    ];
    const merged = mergePoints(history, live);
    expect(merged).toEqual([
      { t: 101, completed: 5, failed: 1 },
      { t: 100 + WINDOW_SECONDS, completed: 3, failed: 0 },
    ]);
  });

  it('breaks the line where no point was written for more than 5 s', () => {
    const points = [
      { t: 10, completed: 1, failed: 0 },
      { t: 12, completed: 2, failed: 0 },
      { t: 30, completed: 3, failed: 1 },
    ];
    expect(toColumns(points)).toEqual([
      [10, 12, 13, 30],
      [1, 2, null, 3],
      [0, 0, null, 1],
    ]);
  });

  it('shows 15 minutes once there is that much history, less before, but at least a minute', () => {
    const at = (...ts: number[]) => ts.map((t) => ({ t, completed: 0, failed: 0 }));
    expect(visibleRange([], 5000)).toEqual([4940, 5000]);
    expect(visibleRange(at(1000, 1010), 5000)).toEqual([950, 1010]);
    expect(visibleRange(at(1000, 1300), 5000)).toEqual([1000, 1300]);
    expect(visibleRange(at(1000, 3000), 5000)).toEqual([3000 - WINDOW_SECONDS, 3000]);
  });
});

// The pure parts behind the monitor's new views: counters that never go back, and the event
// feed's hold-while-reading buffer.
import { describe, expect, it } from 'vitest';
import { FEED_KEPT, mergeCounts, receive, release } from '../../ui/src/monotonic.js';
import type { Counts } from '../../ui/src/types.js';

const counts = (over: Partial<Counts>): Counts => ({
  waiting: 0,
  active: 0,
  delayed: 0,
  dead: 0,
  added: 0,
  completed: 0,
  failed: 0,
  retried: 0,
  reaped: 0,
  redriven: 0,
  cancelled: 0,
  drained: 0,
  ...over,
});

describe('mergeCounts', () => {
  it('keeps the higher lifetime counter when an older reading arrives late, and takes gauges as they come', () => {
    const shown = counts({ completed: 40, added: 45, waiting: 5 });
    const late = counts({ completed: 38, added: 45, waiting: 7 });
    expect(mergeCounts(shown, late)).toEqual(counts({ completed: 40, added: 45, waiting: 7 }));
    expect(mergeCounts(shown, counts({ completed: 41, added: 46, waiting: 0 }))).toEqual(
      counts({ completed: 41, added: 46, waiting: 0 }),
    );
    expect(mergeCounts(null, late)).toBe(late);
  });
});

describe('event feed buffer', () => {
  it('shows new events on top while live, holds them while paused, and shows them on release', () => {
    let feed = receive({ shown: [], held: [] }, [1, 2], false);
    expect(feed).toEqual({ shown: [2, 1], held: [] });
    feed = receive(feed, [3, 4], true);
    expect(feed).toEqual({ shown: [2, 1], held: [4, 3] });
    feed = receive(feed, [5], true);
    expect(feed.held).toEqual([5, 4, 3]);
    expect(release(feed)).toEqual({ shown: [5, 4, 3, 2, 1], held: [] });
  });

  it('keeps at most FEED_KEPT events', () => {
    const many = Array.from({ length: FEED_KEPT + 50 }, (_, i) => i);
    const feed = receive({ shown: [], held: [] }, many, false);
    expect(feed.shown.length).toBe(FEED_KEPT);
    expect(feed.shown[0]).toBe(FEED_KEPT + 49);
  });
});

// The live event feed: pages of the queue's event stream (GET /events), polled every second from
// where the last page ended. While the operator reads (pointer over the list, the list scrolled,
// or the Pause button) new events are held, counted on screen, and shown on resume.
import { computed, signal } from '@preact/signals';
import type { QueueEvent } from '../api-views';
import { type Feed, receive, release } from '../monotonic';
import { client } from './auth';
import { points } from './live';
import { attempt, notify } from './notices';
import { every, messageOf } from './poll';

export const feed = signal<Feed<QueueEvent>>({ shown: [], held: [] });
export const hovered = signal(false);
export const scrolled = signal(false);
export const pinned = signal(false);
export const paused = computed(() => hovered.value || scrolled.value || pinned.value);
export const gap = signal(false);
export const loadError = signal<string | null>(null);
/** No event has come since the feed opened: the stream may be off. */
export const quiet = computed(() => feed.value.shown.length === 0 && feed.value.held.length === 0);

/** Where to start: a minute before the newest throughput point (Redis clock), or the stream's start. */
function startId(): string {
  const newest = points.peek().at(-1)?.t;
  return newest === undefined ? '0' : `${(newest - 60) * 1000}-0`;
}

export function follow(queue: string): () => void {
  feed.value = { shown: [], held: [] };
  gap.value = false;
  let from = startId();
  // The first read starts at an arbitrary point: only a later one can prove events were missed.
  let first = true;
  return every(1000, async (stopped) => {
    try {
      // Up to 5 pages a tick, so a burst is caught up with quickly but never in one huge read.
      for (let i = 0; i < 5; i++) {
        const page = await client.events(queue, from, 100);
        if (stopped()) return;
        from = page.next;
        if (page.gap && !first) gap.value = true;
        first = false;
        feed.value = receive(feed.peek(), page.events, paused.peek());
        loadError.value = null;
        if (page.events.length < 100) break;
      }
    } catch (error) {
      if (!stopped()) loadError.value = messageOf(error);
    }
  });
}

/** Resumes the feed: held events go on screen. */
export function resume(): void {
  pinned.value = false;
  scrolled.value = false;
  hovered.value = false;
  feed.value = release(feed.value);
}

export function togglePinned(): void {
  if (pinned.value) resume();
  else pinned.value = true;
}

/** When the pause ends by itself (pointer out, scrolled back to the top), show what was held. */
export function settle(): void {
  if (!paused.value && feed.value.held.length > 0) feed.value = release(feed.value);
}

export async function turnOn(queue: string): Promise<void> {
  const reply = await attempt('Turn events on', () => client.setEvents(queue, true));
  if (reply) notify('ok', `Events are on for ${queue}: the feed shows them as they happen`);
}

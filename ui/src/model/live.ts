// Live state of the selected queue: the SSE stream (`/api/events`, read with fetch so it can carry
// the token), the throughput series (history loaded once, then appended from the stream), the
// engines (polled), and pause/resume.
//
// Stream lifecycle: connecting → live → (connection dropped, server error or 5 s of silence)
// reconnecting, after a backoff of 0.5 s doubling to 15 s → connecting … A 401 stops the loop
// (locked) until a token is entered; changing queue or token stops it and starts a new one.
import { computed, signal } from '@preact/signals';
import { authHeaders } from '../api';
import { mergeCounts } from '../monotonic';
import { mergePoints, type Point, toSeconds } from '../series';
import { reconnectDelayMs, SseParser } from '../sse';
import type { Counts, EngineInfo, StatsEvent } from '../types';
import { askForToken, client, token } from './auth';
import { attempt, notify } from './notices';
import { queues } from './route';

export type StreamStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'locked';

export const streamStatus = signal<StreamStatus>('idle');
/** When the next reconnect attempt starts (client clock), while reconnecting. */
export const reconnectAt = signal<number | null>(null);
export const streamError = signal<string | null>(null);

export const counts = signal<Counts | null>(null);
export const paused = signal<boolean | null>(null);
export const engineCount = signal<number | null>(null);
export const rate = signal<{ completed: number; failed: number } | null>(null);
export const points = signal<Point[]>([]);
export const deadCount = computed(() => counts.value?.dead);

/** Client time, ticking once a second: for "3 s ago" and countdowns only. */
export const now = signal(Date.now());

export function tickClock(): () => void {
  const timer = setInterval(() => {
    now.value = Date.now();
  }, 1000);
  return () => clearInterval(timer);
}

export const engines = signal<EngineInfo[] | null>(null);
export const enginesError = signal<string | null>(null);
export const pauseBusy = signal(false);

/** Silence longer than this means a dead connection (the server sends once a second). */
const STALE_MS = 5000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function applyStats(event: StatsEvent): void {
  counts.value = mergeCounts(counts.peek(), event.counts);
  paused.value = event.paused;
  engineCount.value = event.engines;
  rate.value = event.rate;
  const point = { t: toSeconds(event.t), completed: event.rate.completed, failed: event.rate.failed };
  points.value = mergePoints(points.peek(), [point]);
}

/** Reads one connection until it ends; resolves 'locked' on a 401, else 'ended'. */
async function readStream(queue: string, stop: AbortSignal): Promise<'locked' | 'ended'> {
  const connection = new AbortController();
  const abort = () => connection.abort();
  stop.addEventListener('abort', abort);
  let watchdog = setTimeout(abort, STALE_MS);
  try {
    const response = await fetch(`/api/events?queue=${encodeURIComponent(queue)}`, {
      headers: { Accept: 'text/event-stream', ...authHeaders(token.peek()) },
      cache: 'no-store',
      signal: connection.signal,
    });
    if (response.status === 401) return 'locked';
    if (!response.ok || !response.body) throw new Error(`the event stream answered HTTP ${response.status}`);
    const parser = new SseParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'ended';
      clearTimeout(watchdog);
      watchdog = setTimeout(abort, STALE_MS);
      for (const event of parser.push(value)) {
        if (event.event !== 'stats') continue;
        applyStats(JSON.parse(event.data) as StatsEvent);
        streamStatus.value = 'live';
        streamError.value = null;
      }
    }
  } finally {
    clearTimeout(watchdog);
    stop.removeEventListener('abort', abort);
  }
}

async function streamLoop(queue: string, stop: AbortSignal): Promise<void> {
  let failures = 0;
  while (!stop.aborted) {
    streamStatus.value = failures === 0 ? 'connecting' : 'reconnecting';
    reconnectAt.value = null;
    let outcome: 'locked' | 'ended';
    try {
      outcome = await readStream(queue, stop);
    } catch (error) {
      if (stop.aborted) return;
      streamError.value = error instanceof Error ? error.message : String(error);
      outcome = 'ended';
    }
    if (stop.aborted) return;
    if (outcome === 'locked') {
      streamStatus.value = 'locked';
      askForToken('read');
      return;
    }
    // A connection that delivered events resets the backoff.
    failures = streamStatus.peek() === 'live' ? 1 : failures + 1;
    streamStatus.value = 'reconnecting';
    const wait = reconnectDelayMs(failures);
    reconnectAt.value = Date.now() + wait;
    await sleep(wait, stop);
  }
}

async function loadHistory(queue: string, stop: AbortSignal): Promise<void> {
  try {
    const { points: history } = await client.history(queue, 900);
    if (stop.aborted) return;
    const loaded = history.map((p) => ({ t: toSeconds(p.t), completed: p.completed, failed: p.failed }));
    // Stream points that arrived first win: they are newer readings of the same seconds.
    points.value = mergePoints(loaded, points.peek());
  } catch (error) {
    if (!stop.aborted)
      streamError.value = `history: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Starts following `queue`: resets the live state, loads history, opens the stream. Returns stop. */
export function followQueue(queue: string): () => void {
  const stop = new AbortController();
  const summary = queues.peek()?.find((q) => q.name === queue);
  counts.value = summary?.counts ?? null;
  paused.value = summary?.paused ?? null;
  engineCount.value = null;
  rate.value = null;
  points.value = [];
  engines.value = null;
  streamError.value = null;
  void loadHistory(queue, stop.signal);
  void streamLoop(queue, stop.signal);
  return () => {
    stop.abort();
    streamStatus.value = 'idle';
    reconnectAt.value = null;
  };
}

/** Polls the live engines of `queue` every 2 s. Returns stop. */
export function pollEngines(queue: string): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const reply = await client.engines(queue);
      if (stopped) return;
      engines.value = reply.engines;
      enginesError.value = null;
    } catch (error) {
      if (stopped) return;
      enginesError.value = error instanceof Error ? error.message : String(error);
    }
    timer = setTimeout(tick, 2000);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function setPaused(queue: string, pause: boolean): Promise<void> {
  pauseBusy.value = true;
  const reply = await attempt(pause ? 'Pause' : 'Resume', () =>
    pause ? client.pause(queue) : client.resume(queue),
  );
  pauseBusy.value = false;
  if (!reply) return;
  paused.value = reply.paused;
  notify('ok', reply.paused ? `${queue} paused: no new jobs are leased` : `${queue} resumed`);
}

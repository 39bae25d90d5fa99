// Which view and which queue are shown, mirrored in the URL hash (`#/dead?queue=emails`), and the
// server's list of queues.
import { computed, signal } from '@preact/signals';
import type { QueueSummary } from '../types';
import { client } from './auth';

export const VIEWS = ['overview', 'dead', 'groups', 'jobs', 'browse', 'schedules', 'events'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  queue: string | null;
}

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'overview';
  const queue = new URLSearchParams(search).get('queue');
  return { view, queue: queue || null };
}

export function formatHash({ view, queue }: Route): string {
  return `#/${view}${queue ? `?queue=${encodeURIComponent(queue)}` : ''}`;
}

const initial = parseHash(location.hash);
export const view = signal<View>(initial.view);
/** The queue the views show; null until the list of queues has loaded. */
export const queue = signal<string | null>(null);
/** The queue named in the URL, picked once the list has loaded if the server has it. */
let wanted = initial.queue;

export const queues = signal<QueueSummary[] | null>(null);
export const queuesError = signal<string | null>(null);
export const hasSeveralQueues = computed(() => (queues.value?.length ?? 0) > 1);
export const currentSummary = computed(() => queues.value?.find((q) => q.name === queue.value));

/**
 * Why admin actions are off for the shown queue, for the buttons' hover text; null when they are
 * on. A queue discovered in Redis and served by no engine of this monitor is read-only here.
 */
export const readOnlyReason = computed(() => {
  const summary = currentSummary.value;
  return summary?.readOnly
    ? `Read-only: ${summary.name} was found in Redis but no engine of it serves this monitor; open an engine's monitor of ${summary.name} to change it`
    : null;
});

export function show(next: View): void {
  view.value = next;
}

export function selectQueue(name: string): void {
  wanted = name;
  queue.value = name;
}

export async function loadQueues(): Promise<void> {
  try {
    const { queues: list } = await client.queues();
    queues.value = list;
    queuesError.value = null;
    const names = list.map((q) => q.name);
    const pick = [wanted, queue.peek()].find((n) => n !== null && names.includes(n)) ?? names[0] ?? null;
    queue.value = pick;
  } catch (error) {
    queuesError.value = error instanceof Error ? error.message : String(error);
  }
}

/** Keeps the hash and the signals in step; returns the cleanup. */
export function syncHash(): () => void {
  const onHash = () => {
    const route = parseHash(location.hash);
    view.value = route.view;
    if (route.queue && queues.peek()?.some((q) => q.name === route.queue)) selectQueue(route.queue);
  };
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}

export const hash = computed(() => formatHash({ view: view.value, queue: queue.value ?? wanted }));

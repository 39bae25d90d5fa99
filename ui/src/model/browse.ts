// The job pages: running, delayed and kept completed jobs, a page at a time, reloaded every 2 s
// while shown. Running jobs are named with the engine holding them (asked of the engines, see
// GET /holders); a delayed job can be run now (admin).
import { computed, signal } from '@preact/signals';
import type { Holder, ListedJob, ListedState } from '../api-views';
import type { Page } from '../types';
import { client } from './auth';
import { attempt, notify } from './notices';
import { every, messageOf } from './poll';

export const PAGE_SIZE = 20;
export const STATES: readonly ListedState[] = ['active', 'delayed', 'completed'];

export const state = signal<ListedState>('active');
export const offset = signal(0);
/** Shown rows are those whose id or payload contains this (any case). */
export const filterText = signal('');
export const page = signal<Page<ListedJob> | null>(null);
export const loadError = signal<string | null>(null);
export const holders = signal<ReadonlyMap<string, Holder>>(new Map());
/** Bumped after a change we made, so the page reloads at once. */
export const version = signal(0);

export const rows = computed(() => {
  const items = page.value?.items ?? [];
  const text = filterText.value.trim().toLowerCase();
  if (!text) return items;
  return items.filter(
    (job) =>
      job.id.toLowerCase().includes(text) ||
      JSON.stringify(job.payload ?? job.raw ?? '')
        .toLowerCase()
        .includes(text),
  );
});

export function choose(next: ListedState): void {
  state.value = next;
  offset.value = 0;
  page.value = null;
  holders.value = new Map();
}

export function goToPage(next: number): void {
  offset.value = Math.max(0, next);
}

async function load(queue: string, which: ListedState, from: number, stopped: () => boolean): Promise<void> {
  try {
    const reply = await client.jobs(queue, which, from, PAGE_SIZE);
    if (stopped()) return;
    page.value = reply;
    loadError.value = null;
    if (which === 'active' && reply.items.length > 0) {
      const found = await client.holders(
        queue,
        reply.items.map((job) => job.id),
      );
      if (!stopped()) holders.value = new Map(found.holders.map((h) => [h.id, h]));
    }
  } catch (error) {
    if (!stopped()) loadError.value = messageOf(error);
  }
}

/** Reloads the page shown of `queue` every 2 s. Returns stop. */
export function follow(queue: string, which: ListedState, from: number): () => void {
  return every(2000, (stopped) => load(queue, which, from, stopped));
}

export async function runNow(queue: string, id: string): Promise<void> {
  const reply = await attempt(`Run ${id} now`, () => client.promote(queue, id));
  if (!reply) return;
  notify('ok', `Job ${id} moved to the head of the waiting list`);
  version.value++;
}

// The dead-letter browser: filters, the current page, row selection, the payload editor, and the
// retry / delete / purge actions (the bulk and destructive ones behind a confirmation).
import { computed, signal } from '@preact/signals';
import { localInputToMs, parseJson } from '../format';
import type { DeadFilter, DeadLetter, Page } from '../types';
import { client } from './auth';
import { ask, attempt, notify } from './notices';

export const PAGE_SIZE = 50;

/** The filter inputs as typed; `applied` is what the listed page was asked with. */
export const filterText = signal('');
export const filterFrom = signal('');
export const filterTo = signal('');
export const applied = signal<DeadFilter>({});
export const offset = signal(0);

export const page = signal<Page<DeadLetter> | null>(null);
export const loading = signal(false);
export const loadError = signal<string | null>(null);
/** Bumped after every change we make, so the list reloads. */
export const version = signal(0);

export const selected = signal<ReadonlySet<string>>(new Set());
export const open = signal<ReadonlySet<string>>(new Set());
export const editor = signal<{ id: string; text: string } | null>(null);
export const editorCheck = computed(() => (editor.value ? parseJson(editor.value.text) : null));

export const items = computed(() => page.value?.items ?? []);
export const total = computed(() => page.value?.total ?? 0);
export const isFiltered = computed(() => Object.keys(applied.value).length > 0);
export const allOnPageSelected = computed(
  () => items.value.length > 0 && items.value.every((d) => selected.value.has(d.id)),
);

function toggled(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

let sequence = 0;

export async function load(queue: string): Promise<void> {
  const mine = ++sequence;
  loading.value = true;
  try {
    const reply = await client.dead(queue, applied.peek(), offset.peek(), PAGE_SIZE);
    if (mine !== sequence) return;
    page.value = reply;
    loadError.value = null;
    // Forget selections of rows that left the dead-letter queue.
    const present = new Set(reply.items.map((d) => d.id));
    const kept = [...selected.peek()].filter((id) => present.has(id));
    if (kept.length !== selected.peek().size) selected.value = new Set(kept);
  } catch (error) {
    if (mine === sequence) loadError.value = error instanceof Error ? error.message : String(error);
  } finally {
    if (mine === sequence) loading.value = false;
  }
}

export function reset(): void {
  page.value = null;
  selected.value = new Set();
  open.value = new Set();
  editor.value = null;
  offset.value = 0;
}

export function applyFilter(): void {
  const filter: DeadFilter = {};
  const q = filterText.value.trim();
  const from = localInputToMs(filterFrom.value);
  const to = localInputToMs(filterTo.value);
  if (q) filter.q = q;
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  applied.value = filter;
  offset.value = 0;
  selected.value = new Set();
}

export function clearFilter(): void {
  filterText.value = '';
  filterFrom.value = '';
  filterTo.value = '';
  applyFilter();
}

export function goToPage(nextOffset: number): void {
  offset.value = Math.max(0, nextOffset);
}

export function toggleSelected(id: string): void {
  selected.value = toggled(selected.value, id);
}

export function toggleAllOnPage(): void {
  const ids = items.value.map((d) => d.id);
  const next = new Set(selected.value);
  if (allOnPageSelected.value) for (const id of ids) next.delete(id);
  else for (const id of ids) next.add(id);
  selected.value = next;
}

export function toggleOpen(id: string): void {
  open.value = toggled(open.value, id);
}

function changed(): void {
  version.value++;
}

export async function retryOne(queue: string, id: string): Promise<void> {
  const reply = await attempt(`Retry ${id}`, () => client.retryOne(queue, id));
  if (reply) notify('ok', `Job ${id} is back in the queue`);
  changed();
}

export function deleteOne(queue: string, id: string): void {
  ask({
    title: `Delete dead letter ${id}?`,
    message: 'The job, its payload and its error history are removed for good.',
    confirmLabel: 'Delete',
    danger: true,
    action: async () => {
      const reply = await attempt(`Delete ${id}`, () => client.deleteDead(queue, id));
      if (reply) notify('ok', `Dead letter ${id} deleted`);
      changed();
    },
  });
}

export function retrySelected(queue: string): void {
  const ids = [...selected.value];
  if (ids.length === 0) return;
  ask({
    title: `Retry ${ids.length} dead letter${ids.length === 1 ? '' : 's'}?`,
    message: 'Each goes back to the queue with fresh attempts; its error history is kept.',
    confirmLabel: `Retry ${ids.length}`,
    action: async () => {
      const reply = await attempt('Retry selected', () => client.retryDead(queue, ids));
      if (reply) {
        notify('ok', `${reply.retried} job${reply.retried === 1 ? '' : 's'} back in the queue`);
        selected.value = new Set();
      }
      changed();
    },
  });
}

export function retryAllMatching(queue: string): void {
  const filter = applied.value;
  const count = total.value;
  ask({
    title: `Retry all ${count} matching dead letter${count === 1 ? '' : 's'}?`,
    message: isFiltered.value
      ? 'Every dead letter that matches the current filter goes back to the queue, including those on other pages and any that match by the time the server runs it.'
      : 'Every dead letter of this queue goes back to the queue, including any that die before the server runs it.',
    confirmLabel: 'Retry all matching',
    action: async () => {
      const reply = await attempt('Retry all', () => client.retryAllDead(queue, filter));
      if (reply) {
        notify('ok', `${reply.retried} job${reply.retried === 1 ? '' : 's'} back in the queue`);
        selected.value = new Set();
      }
      changed();
    },
  });
}

export function purge(queue: string): void {
  ask({
    title: `Purge every dead letter of ${queue}?`,
    message: 'All dead letters of this queue (not only the filtered ones) are deleted for good.',
    confirmLabel: 'Purge',
    typeToConfirm: queue,
    danger: true,
    action: async () => {
      const reply = await attempt('Purge', () => client.purgeDead(queue, queue));
      if (reply) {
        notify('ok', `${reply.deleted} dead letter${reply.deleted === 1 ? '' : 's'} deleted`);
        selected.value = new Set();
      }
      changed();
    },
  });
}

export function startEdit(letter: DeadLetter): void {
  const text =
    letter.raw !== undefined && letter.payload === undefined
      ? letter.raw
      : JSON.stringify(letter.payload, null, 2);
  editor.value = { id: letter.id, text: text ?? 'null' };
  if (!open.value.has(letter.id)) toggleOpen(letter.id);
}

export function editText(text: string): void {
  if (editor.value) editor.value = { ...editor.value, text };
}

export function cancelEdit(): void {
  editor.value = null;
}

export async function retryEdited(queue: string): Promise<void> {
  const draft = editor.value;
  const check = editorCheck.value;
  if (!draft || !check?.ok) return;
  const reply = await attempt(`Retry ${draft.id}`, () => client.retryOne(queue, draft.id, check.value));
  if (reply) {
    notify('ok', `Job ${draft.id} is back in the queue with the edited payload`);
    editor.value = null;
  }
  changed();
}

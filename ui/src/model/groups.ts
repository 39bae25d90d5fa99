// The dead-letter groups view: dead letters grouped by error fingerprint, the letters of one
// group on demand, and the retry-group / delete-group actions (both behind a confirmation).
import { signal } from '@preact/signals';
import type { DeadGroup, DeadLetter, Page } from '../types';
import { client } from './auth';
import { ask, attempt, notify } from './notices';

/** Letters shown when a group is opened (the Dead letters view pages through everything). */
export const MEMBERS_SHOWN = 20;

export const list = signal<DeadGroup[] | null>(null);
export const loadError = signal<string | null>(null);
/** Bumped after every change we make, so the list reloads. */
export const version = signal(0);

/** The open group and its newest letters (null while they load). */
export const open = signal<{ id: string; members: Page<DeadLetter> | null } | null>(null);

let sequence = 0;

async function loadMembers(queue: string, id: string): Promise<void> {
  const members = await client.deadGroup(queue, id, 0, MEMBERS_SHOWN);
  if (open.peek()?.id === id) open.value = { id, members };
}

export async function load(queue: string): Promise<void> {
  const mine = ++sequence;
  try {
    const { groups } = await client.deadGroups(queue);
    if (mine !== sequence) return;
    list.value = groups;
    loadError.value = null;
    const opened = open.peek();
    if (opened && !groups.some((g) => g.id === opened.id)) open.value = null;
    else if (opened) await loadMembers(queue, opened.id);
  } catch (error) {
    if (mine === sequence) loadError.value = error instanceof Error ? error.message : String(error);
  }
}

export function reset(): void {
  list.value = null;
  open.value = null;
}

export async function toggleOpen(queue: string, id: string): Promise<void> {
  if (open.value?.id === id) {
    open.value = null;
    return;
  }
  open.value = { id, members: null };
  await attempt('Show the letters of a group', () => loadMembers(queue, id));
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export function retryGroup(queue: string, group: DeadGroup): void {
  ask({
    title: `Retry ${plural(group.count, 'dead letter')} of “${group.label}”?`,
    message:
      'Every letter in this group goes back to the queue with fresh attempts; its error history is kept. Deploy the fix first: a letter that fails the same way again returns to this group.',
    confirmLabel: 'Retry group',
    action: async () => {
      const reply = await attempt('Retry group', () => client.retryGroup(queue, group.id));
      if (reply) notify('ok', `${plural(reply.retried, 'job')} back in the queue`);
      version.value++;
    },
  });
}

export function deleteGroup(queue: string, group: DeadGroup): void {
  ask({
    title: `Delete ${plural(group.count, 'dead letter')} of “${group.label}”?`,
    message: 'Every letter in this group, with its payload and error history, is removed for good.',
    confirmLabel: 'Delete group',
    danger: true,
    action: async () => {
      const reply = await attempt('Delete group', () => client.deleteGroup(queue, group.id));
      if (reply) notify('ok', `${plural(reply.deleted, 'dead letter')} deleted`);
      version.value++;
    },
  });
}

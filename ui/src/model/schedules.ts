// The schedules view: every cron and interval schedule of the queue, polled, and Remove (admin,
// behind a confirmation).
import { signal } from '@preact/signals';
import type { Schedule } from '../api-views';
import { client } from './auth';
import { ask, attempt, notify } from './notices';
import { every, messageOf } from './poll';

export const list = signal<Schedule[] | null>(null);
export const loadError = signal<string | null>(null);

async function load(queue: string, stopped: () => boolean): Promise<void> {
  try {
    const { items } = await client.schedules(queue);
    if (stopped()) return;
    list.value = items;
    loadError.value = null;
  } catch (error) {
    if (!stopped()) loadError.value = messageOf(error);
  }
}

/** Polls the schedules of `queue` every 2 s (their next fire moves). Returns stop. */
export function follow(queue: string): () => void {
  list.value = null;
  return every(2000, (stopped) => load(queue, stopped));
}

export function remove(queue: string, name: string): void {
  ask({
    title: `Remove schedule ${name}?`,
    message: 'Engines stop adding its jobs. Jobs it already added stay in the queue.',
    confirmLabel: 'Remove schedule',
    danger: true,
    async action() {
      const reply = await attempt(`Remove ${name}`, () => client.removeSchedule(queue, name));
      if (!reply) return;
      notify('ok', `Schedule ${name} removed`);
      list.value = (list.value ?? []).filter((s) => s.name !== name);
    },
  });
}

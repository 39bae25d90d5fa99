// The Redis panel's reply (GET /api/redis), polled while the overview is shown.
import { signal } from '@preact/signals';
import type { RedisInfo } from '../types';
import { client } from './auth';
import { every, messageOf } from './poll';

/** Memory, clients and persistence change slowly: every 5 s is enough. */
const POLL_MS = 5000;

export const info = signal<RedisInfo | null>(null);
export const error = signal<string | null>(null);

export function follow(): () => void {
  return every(POLL_MS, async (stopped) => {
    try {
      const reply = await client.redis();
      if (stopped()) return;
      info.value = reply;
      error.value = null;
    } catch (e) {
      if (!stopped()) error.value = messageOf(e);
    }
  });
}

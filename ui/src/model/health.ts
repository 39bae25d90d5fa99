// Whether the API reaches Redis (GET /api/health, public, every 2 s): while it does not, the
// monitor says since when; when Redis is back, `recovered` ticks so the queue list and the stream
// start again at once rather than after their backoff.
import { signal } from '@preact/signals';
import { every } from './poll';

/** When the API began to find Redis unreachable (the API's clock), or null while it answers. */
export const redisDownSince = signal<number | null>(null);
/** Bumped each time Redis is reachable again after an outage. */
export const recovered = signal(0);

interface Health {
  ok: boolean;
  redis: { reachable: boolean; since?: number };
}

async function check(stopped: () => boolean): Promise<void> {
  let health: Health;
  try {
    const response = await fetch('/api/health', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    health = (await response.json()) as Health;
  } catch {
    return; // the API itself is not answering: the stream badge says so
  }
  if (stopped()) return;
  if (!health.redis.reachable) {
    redisDownSince.value = health.redis.since ?? redisDownSince.peek() ?? Date.now();
  } else if (redisDownSince.peek() !== null) {
    redisDownSince.value = null;
    recovered.value++;
  }
}

export function followHealth(): () => void {
  return every(2000, check);
}

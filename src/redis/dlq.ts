import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/** Dead letters moved per call of retryAllDead, so no call holds Redis for long. */
export const DLQ_CHUNK = 500;

/** Moves the given dead letters back to pending; returns how many were dead. */
export async function retryDead(redis: Redis, keys: QueueKeys, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [moved] = (await runScript(
    redis,
    'dlq-retry',
    [keys.dead, keys.pending, keys.jobs, keys.deliveries, keys.stats],
    [keys.wake, 'ids', ...ids],
  )) as [number, number];
  return moved;
}

/** Moves every dead letter back to pending in bounded chunks; returns how many moved. */
export async function retryAllDead(redis: Redis, keys: QueueKeys): Promise<number> {
  let total = 0;
  for (;;) {
    const [moved, left] = (await runScript(
      redis,
      'dlq-retry',
      [keys.dead, keys.pending, keys.jobs, keys.deliveries, keys.stats],
      [keys.wake, 'all', DLQ_CHUNK],
    )) as [number, number];
    total += moved;
    if (left === 0 || moved === 0) return total;
  }
}

/** Deletes dead letters; returns how many were dead (others are left alone). */
export async function deleteDead(redis: Redis, keys: QueueKeys, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return (await runScript(
    redis,
    'dlq-delete',
    [keys.dead, keys.jobs, keys.deliveries, keys.errors],
    ids,
  )) as number;
}

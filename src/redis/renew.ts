import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

const CHUNK = 1000;

/**
 * Pushes the lease deadline of every given job to `deadline` with pipelined ZADD XX GT: XX never
 * re-adds a job that was settled or reaped meanwhile, and GT never moves a deadline back. A
 * renewal computed before a stall (Redis asleep, a long GC) may run after the job was reaped and
 * leased again with a later deadline; without GT it would put that new lease in the past.
 */
export async function renewLeases(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
  deadline: number,
): Promise<void> {
  if (ids.length === 0) return;
  const pipeline = redis.pipeline();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const args: (string | number)[] = [];
    for (const id of ids.slice(i, i + CHUNK)) args.push(deadline, id);
    pipeline.zadd(keys.active, 'XX', 'GT', ...args);
  }
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null);
  if (failed) throw failed[0];
}

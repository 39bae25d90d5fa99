import { setTimeout as sleep } from 'node:timers/promises';
import { type Redis, Redis as RedisClient } from 'ioredis';
import type { Lib } from './protocol.js';

/**
 * Jobs a library has finished and written back, read with one cheap command: Sluice's
 * `completed` counter, BullMQ's completed ZSET, bee-queue's succeeded SET (both peers keep
 * finished jobs by default). Polled every few ms to tell when a run is over.
 */
export async function completedCount(redis: Redis, lib: Lib, queue: string): Promise<number> {
  switch (lib) {
    case 'sluice':
      return Number((await redis.hget(`sluice:{${queue}}:stats`, 'completed')) ?? 0);
    case 'bullmq':
      return redis.zcard(`bull:${queue}:completed`);
    case 'bee':
      return redis.scard(`bq:${queue}:succeeded`);
  }
}

/**
 * Jobs finished for good: completed, or dead after their last attempt (Sluice's `dead` counter,
 * BullMQ's failed ZSET, bee-queue's failed SET: a failed attempt with attempts left goes to
 * neither).
 */
export async function settledCount(redis: Redis, lib: Lib, queue: string): Promise<number> {
  switch (lib) {
    case 'sluice': {
      const [completed, dead] = await redis.hmget(`sluice:{${queue}}:stats`, 'completed', 'dead');
      return Number(completed ?? 0) + Number(dead ?? 0);
    }
    case 'bullmq': {
      const [completed, failed] = await Promise.all([
        redis.zcard(`bull:${queue}:completed`),
        redis.zcard(`bull:${queue}:failed`),
      ]);
      return completed + failed;
    }
    case 'bee': {
      const [succeeded, failed] = await Promise.all([
        redis.scard(`bq:${queue}:succeeded`),
        redis.scard(`bq:${queue}:failed`),
      ]);
      return succeeded + failed;
    }
  }
}

export const POLL_MS = 2;

/**
 * Resolves with the wall time (performance.now()) at which `read()` (a completed count) reached
 * `target`; `what` names the queue in the timeout's message.
 */
export async function waitCompleted(
  read: () => Promise<number>,
  what: string,
  target: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const count = await read();
    const now = performance.now();
    if (count >= target) return now;
    if (now > deadline) {
      throw new Error(`${what}: ${count} of ${target} jobs completed after ${timeoutMs} ms`);
    }
    await sleep(POLL_MS);
  }
}

/** A plain client for counters and INFO (never used by a library under test). */
export function plainClient(target: { host: string; port: number; db: number }, name: string): Redis {
  return new RedisClient({
    host: target.host,
    port: target.port,
    db: target.db,
    connectionName: name,
    maxRetriesPerRequest: 1,
  });
}

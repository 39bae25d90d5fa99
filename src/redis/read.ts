import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';

type Replies = [Error | null, unknown][];

/**
 * Runs a group of reads in one MULTI, so they see one instant. A Redis over `maxmemory` refuses
 * every command queued in a MULTI, reads included (EXECABORT); the reads then go in a plain
 * pipeline, because an operator most needs to see a queue when its Redis is full.
 */
export async function readTogether(
  redis: RedisClient,
  reads: (batch: ChainableCommander) => ChainableCommander,
): Promise<Replies> {
  try {
    return (await reads(redis.multi()).exec()) ?? [];
  } catch (error) {
    if (!(error as Error).message?.startsWith('EXECABORT')) throw error;
    return (await reads(redis.pipeline()).exec()) ?? [];
  }
}

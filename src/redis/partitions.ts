import { ErrorCode, SluiceError } from '../errors.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

/**
 * The queue's partition count, kept in its own keys so every producer, engine and monitor splits
 * it the same way. `wanted` (when given) is stored if no count is; a different stored count is
 * PARTITIONS_MISMATCH, since jobs routed by one count are not found by another. An engine
 * (`claim`) stores the count it works with even when it is 1, so a producer asking for another
 * later is refused rather than adding to partitions no engine serves; a producer wanting 1 or
 * nothing only reads (a queue with no count stored is unpartitioned).
 */
export async function partitionCount(
  redis: RedisClient,
  keys: QueueKeys,
  wanted: number | undefined,
  claim: boolean,
): Promise<number> {
  let stored = await redis.get(keys.partitions);
  if (stored === null && (claim || (wanted !== undefined && wanted > 1))) {
    try {
      const reply = await redis
        .multi()
        .setnx(keys.partitions, wanted ?? 1)
        .get(keys.partitions)
        .exec();
      stored = (reply?.[1]?.[1] as string | null) ?? null;
    } catch (error) {
      // A full Redis (noeviction) refuses the write; an engine must still start there, since
      // settling is what frees memory. Unpartitioned, it simply goes without the record.
      if (wanted !== undefined && wanted > 1) throw error;
    }
  }
  const count = stored === null ? 1 : Number(stored);
  if (wanted !== undefined && count !== wanted) {
    throw new SluiceError(
      ErrorCode.PARTITIONS_MISMATCH,
      `queue ${keys.queue} has ${count} partition(s), not ${wanted}: a queue's partition count is fixed when it is first used (obliterate the queue to change it)`,
    );
  }
  return count;
}

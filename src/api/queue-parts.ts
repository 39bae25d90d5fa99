import { partitionOfId } from '../queue/partition-route.js';
import type { Queue } from '../queue/queue.js';
import { partitionKeys, type QueueKeys } from '../redis/keys.js';
import { partitionCount } from '../redis/partitions.js';

/** The keys of each partition of a served queue (its own keys alone when it is not partitioned). */
export async function partsOf(queue: Queue): Promise<readonly QueueKeys[]> {
  const count = await partitionCount(queue.redis, queue.keys, undefined, false);
  return count === 1 ? [queue.keys] : partitionKeys(queue.name, count);
}

/** The keys of the partition holding job `id`. */
export async function partOfJob(queue: Queue, id: string): Promise<QueueKeys> {
  const parts = await partsOf(queue);
  return parts[partitionOfId(id, parts.length)] as QueueKeys;
}

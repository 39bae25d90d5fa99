import slotOf from 'cluster-key-slot';
import { GENERATED_ID } from '../job/names.js';

/**
 * The partition that holds job `id` in a queue of `count` partitions. A generated id names its
 * partition; a jobId the producer chose goes by its hash, so the same jobId always lands in the
 * same partition and deduplication holds across the queue.
 */
export function partitionOfId(id: string, count: number): number {
  if (count === 1) return 0;
  const generated = GENERATED_ID.exec(id);
  if (generated) return Number(generated[1] ?? 0) % count;
  return slotOf(id) % count;
}

/** Hands out partitions in turn, for jobs without a jobId. */
export class RoundRobin {
  #next = 0;

  constructor(readonly count: number) {}

  next(): number {
    const partition = this.#next;
    this.#next = (partition + 1) % this.count;
    return partition;
  }
}

/**
 * Splits items by partition (jobId's partition, else the next in turn); `at` maps each group's
 * positions back to the items' order.
 */
export function route<T>(
  items: readonly T[],
  jobIdOf: (item: T) => string | undefined,
  turn: RoundRobin,
): { items: T[]; at: number[] }[] {
  const groups = Array.from({ length: turn.count }, () => ({ items: [] as T[], at: [] as number[] }));
  items.forEach((item, i) => {
    const jobId = jobIdOf(item);
    const group = groups[
      jobId === undefined ? turn.next() : partitionOfId(jobId, turn.count)
    ] as (typeof groups)[number];
    group.items.push(item);
    group.at.push(i);
  });
  return groups;
}

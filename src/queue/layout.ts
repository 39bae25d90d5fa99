import { ErrorCode, SluiceError } from '../errors.js';
import type { RedisClient } from '../redis/connection.js';
import type { EnqueueItem } from '../redis/enqueue.js';
import { partitionKeys, type QueueKeys } from '../redis/keys.js';
import { partitionCount } from '../redis/partitions.js';
import { concatPages, type PageOf } from './partition-merge.js';
import { partitionOfId, RoundRobin, route } from './partition-route.js';

/** Writes jobs to one partition; resolves with their ids. */
export type Write = (keys: QueueKeys, items: readonly EnqueueItem[]) => Promise<string[]>;

/**
 * Where a Queue's jobs live: the keys of each of its partitions (just the queue's own keys when
 * it is not partitioned), learnt from Redis on first use, and how adds and ids are routed to them.
 */
export class QueueLayout {
  #parts: Promise<readonly QueueKeys[]> | undefined;
  #turn = new RoundRobin(1);

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly wanted: number | undefined,
  ) {}

  parts(): Promise<readonly QueueKeys[]> {
    this.#parts ??= partitionCount(this.redis, this.keys, this.wanted, false).then(
      (count) => {
        this.#turn = new RoundRobin(count);
        return count === 1 ? [this.keys] : partitionKeys(this.keys.queue, count);
      },
      (error: unknown) => {
        this.#parts = undefined;
        throw error;
      },
    );
    return this.#parts;
  }

  /** Read the count again on next use (the queue was obliterated). */
  forget(): void {
    this.#parts = undefined;
  }

  /** The partition holding job `id`. */
  async partOf(id: string): Promise<QueueKeys> {
    const parts = await this.parts();
    return parts[partitionOfId(id, parts.length)] as QueueKeys;
  }

  /** The partition a new job goes to: its jobId's, or the next in turn. */
  async partFor(jobId: string | undefined): Promise<QueueKeys> {
    const parts = await this.parts();
    return parts[jobId === undefined ? this.#turn.next() : partitionOfId(jobId, parts.length)] as QueueKeys;
  }

  /** Refuses what a partitioned queue cannot do as one queue (`what`); else the queue's keys. */
  async only(what: string): Promise<QueueKeys> {
    const parts = await this.parts();
    if (parts.length > 1) {
      throw new SluiceError(
        ErrorCode.PARTITIONED,
        `queue ${this.keys.queue} has ${parts.length} partitions: ${what} works on an unpartitioned queue only`,
      );
    }
    return this.keys;
  }

  /** Runs `op` on every partition, in parallel. */
  async each<T>(op: (keys: QueueKeys) => Promise<T>): Promise<T[]> {
    return Promise.all((await this.parts()).map(op));
  }

  async sum(op: (keys: QueueKeys) => Promise<number>): Promise<number> {
    return (await this.each(op)).reduce((a, b) => a + b, 0);
  }

  /** Runs `op` on each partition with the ids it holds, one partition after another; sums the replies. */
  async byPartition(
    ids: readonly string[],
    op: (keys: QueueKeys, ids: string[]) => Promise<number>,
  ): Promise<number> {
    const parts = await this.parts();
    if (parts.length === 1) return op(this.keys, [...ids]);
    let total = 0;
    for (const [p, group] of route(ids, (id) => id, this.#turn).entries()) {
      if (group.items.length > 0) total += await op(parts[p] as QueueKeys, group.items);
    }
    return total;
  }

  /** A page of the partitions' lists laid end to end (see concatPages). */
  async page<T>(
    read: (keys: QueueKeys, offset: number, limit: number) => Promise<PageOf<T>>,
    offset: number,
    limit: number,
  ): Promise<PageOf<T>> {
    const parts = await this.parts();
    return concatPages(parts.length, (p, o, l) => read(parts[p] as QueueKeys, o, l), offset, limit);
  }

  /**
   * Adds items, each to its partition (one `write` per partition, in parallel); ids in the items'
   * order.
   */
  async enqueue(items: readonly EnqueueItem[], write: Write): Promise<string[]> {
    const parts = await this.parts();
    if (parts.length === 1) return write(this.keys, items);
    const ids: string[] = new Array(items.length);
    await Promise.all(
      route(items, (item) => item.jobId, this.#turn).map(async (group, p) => {
        if (group.items.length === 0) return;
        const got = await write(parts[p] as QueueKeys, group.items);
        got.forEach((id, i) => {
          ids[group.at[i] as number] = id;
        });
      }),
    );
    return ids;
  }
}

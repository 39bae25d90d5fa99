import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Queue } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { reap } from '../dist/redis/reap.js';
import { release } from '../dist/redis/release.js';
import { settle } from '../dist/redis/settle.js';
import { openQueue, queueName } from './helpers/index.js';

function errorEntry(message: string): string {
  return JSON.stringify({ name: 'Error', message, reason: 'error', at: Date.now() });
}

/** Leases the job at the head of the queue (the only one) for leaseMs; returns its token. */
async function leaseOne(queue: Queue, id: string, leaseMs: number): Promise<number> {
  const got = await acquire(queue.redis, queue.keys, 1, leaseMs, 100);
  expect(got.jobs.map((j) => j.id)).toEqual([id]);
  return (got.jobs[0] as { token: number }).token;
}

/** Lets a short lease run out, then reaps it: the job goes back to pending. */
async function expireAndReap(queue: Queue, id: string): Promise<void> {
  await sleep(80);
  const reaped = await reap(queue.redis, queue.keys, 100);
  expect(reaped.requeued).toBe(1);
  expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([id]);
  expect(await queue.redis.zscore(queue.keys.active, id)).toBeNull();
}

describe('fencing tokens', () => {
  it('rejects complete, fail and release presented with a stale token once the job was re-delivered', async () => {
    const queue = openQueue(queueName('stale'));
    const { redis, keys } = queue;
    const id = await queue.add({ x: 1 });

    const first = await leaseOne(queue, id, 50);
    expect(first).toBe(1);
    await expireAndReap(queue, id);
    const second = await leaseOne(queue, id, 30_000);
    expect(second).toBe(2);
    const deadline = await redis.zscore(keys.active, id);
    expect(deadline).not.toBeNull();

    // complete with the old token
    expect(await settle(redis, keys, [{ id, token: first }], [])).toEqual({
      completed: 0,
      retried: 0,
      dead: 0,
      retryDue: -1,
      stale: [id],
    });
    expect(await redis.hexists(keys.jobs, id)).toBe(1);
    expect(await redis.zscore(keys.active, id)).toBe(deadline);
    expect(await redis.hget(keys.deliveries, id)).toBe('2');

    // fail (retry or dead-letter) with the old token
    const failed = await settle(
      redis,
      keys,
      [],
      [
        { id, token: first, retryInMs: 0, entry: errorEntry('stale retry') },
        { id, token: first, retryInMs: -1, entry: errorEntry('stale dead') },
      ],
    );
    expect(failed).toEqual({ completed: 0, retried: 0, dead: 0, retryDue: -1, stale: [id, id] });
    expect(await redis.hexists(keys.errors, id)).toBe(0);
    expect(await redis.zscore(keys.dead, id)).toBeNull();
    expect(await redis.zscore(keys.delayed, id)).toBeNull();
    expect(await redis.llen(keys.pending)).toBe(0);
    expect(await redis.zscore(keys.active, id)).toBe(deadline);

    // release with the old token
    expect(await release(redis, keys, [{ id, token: first }])).toBe(0);
    expect(await redis.zscore(keys.active, id)).toBe(deadline);
    expect(await redis.llen(keys.pending)).toBe(0);

    const counts = await queue.counts();
    expect(counts).toMatchObject({ completed: 0, failed: 0, retried: 0, dead: 0, active: 1 });

    // the current holder still settles
    expect(await settle(redis, keys, [{ id, token: second }], [])).toEqual({
      completed: 1,
      retried: 0,
      dead: 0,
      retryDue: -1,
      stale: [],
    });
    expect(await redis.hexists(keys.jobs, id)).toBe(0);
    expect(await redis.zscore(keys.active, id)).toBeNull();
    expect((await queue.counts()).completed).toBe(1);
    await queue.close();
  });

  it('rejects a completion that arrives after the lease was reaped, leaving the job pending', async () => {
    const queue = openQueue(queueName('late'));
    const { redis, keys } = queue;
    const id = await queue.add({ x: 2 });
    const token = await leaseOne(queue, id, 50);
    await expireAndReap(queue, id);

    const late = await settle(redis, keys, [{ id, token }], []);
    expect(late).toEqual({ completed: 0, retried: 0, dead: 0, retryDue: -1, stale: [id] });
    expect(await redis.lrange(keys.pending, 0, -1)).toEqual([id]);
    expect(await redis.hexists(keys.jobs, id)).toBe(1);
    expect(await redis.zscore(keys.active, id)).toBeNull();
    expect((await queue.getJob(id))?.state).toBe('waiting');
    expect((await queue.counts()).completed).toBe(0);

    // the job is still deliverable, with the next token
    expect(await leaseOne(queue, id, 30_000)).toBe(token + 1);
    await queue.close();
  });

  it('deleteDead deletes dead jobs only: a waiting job named alongside is left alone', async () => {
    const queue = openQueue(queueName('deldead'));
    const { redis, keys } = queue;
    const doomed = await queue.add({ doomed: true }, { attempts: 1 });
    const token = await leaseOne(queue, doomed, 30_000);
    const dead = await settle(
      redis,
      keys,
      [],
      [{ id: doomed, token, retryInMs: -1, entry: errorEntry('x') }],
    );
    expect(dead.dead).toBe(1);
    const waiting = await queue.add({ waiting: true });

    expect(await queue.deleteDead([waiting, doomed])).toBe(1);
    expect(await queue.deleteDead(waiting)).toBe(0);

    expect(await redis.zscore(keys.dead, doomed)).toBeNull();
    expect(await redis.hexists(keys.jobs, doomed)).toBe(0);
    const job = await queue.getJob(waiting);
    expect(job?.state).toBe('waiting');
    expect(job?.payload).toEqual({ waiting: true });
    expect(await redis.lrange(keys.pending, 0, -1)).toEqual([waiting]);
    await queue.close();
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, SluiceError } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { settle } from '../dist/redis/settle.js';
import { handlerPath, openQueue, queueName, rejection, startEngine, waitFor } from './helpers/index.js';

function errorEntry(message: string): string {
  return JSON.stringify({ name: 'Error', message, reason: 'error', at: Date.now() });
}

/**
 * Adds n jobs (attempts 1) and dead-letters them through acquire + settle, as a failing engine
 * would. With spacingMs > 0 each dies in its own settle call, so dead-at times differ.
 * Returns the ids in the order they died.
 */
async function makeDead(queue: Queue, n: number, spacingMs = 0): Promise<string[]> {
  const ids = await queue.addBulk(
    Array.from({ length: n }, (_, i) => ({ payload: { i }, opts: { attempts: 1 } })),
  );
  const leased: { id: string; token: number }[] = [];
  while (leased.length < n) {
    const got = await acquire(queue.redis, queue.keys, 1000, 60_000, 100);
    expect(got.jobs.length).toBeGreaterThan(0);
    leased.push(...got.jobs);
  }
  expect(leased.map((j) => j.id)).toEqual(ids);
  const failures = leased.map(({ id, token }) => ({
    id,
    token,
    retryInMs: -1,
    entry: errorEntry(`failed ${id}`),
  }));
  if (spacingMs === 0) {
    expect((await settle(queue.redis, queue.keys, [], failures)).dead).toBe(n);
  } else {
    for (const failure of failures) {
      expect((await settle(queue.redis, queue.keys, [], [failure])).dead).toBe(1);
      await sleep(spacingMs);
    }
  }
  return ids;
}

describe('dead-letter queue', () => {
  it('lists dead letters newest first, with total, and clamps offset and limit', async () => {
    const queue = openQueue(queueName('dlq-page'));
    const died = await makeDead(queue, 7, 3);
    const newestFirst = [...died].reverse();

    const all = await queue.listDead();
    expect(all.total).toBe(7);
    expect(all.items.map((d) => d.id)).toEqual(newestFirst);
    for (let i = 1; i < all.items.length; i++) {
      expect(all.items[i - 1]?.deadAt).toBeGreaterThan(all.items[i]?.deadAt as number);
    }
    const first = all.items[0];
    expect(first).toMatchObject({ payload: { i: 6 }, attempts: 1, reason: 'error' });
    expect(first?.errors).toEqual([expect.objectContaining({ message: `failed ${first?.id}` })]);
    expect(first?.enqueuedAt).toEqual(expect.any(Number));

    const ids = async (page: { offset?: number; limit?: number }) => {
      const result = await queue.listDead(page);
      expect(result.total).toBe(7);
      return result.items.map((d) => d.id);
    };
    expect(await ids({ offset: 2, limit: 3 })).toEqual(newestFirst.slice(2, 5));
    expect(await ids({ offset: 5, limit: 50 })).toEqual(newestFirst.slice(5));
    expect(await ids({ offset: 7 })).toEqual([]);
    expect(await ids({ offset: 100, limit: 10 })).toEqual([]);
    expect(await ids({ offset: -3, limit: 2 })).toEqual(newestFirst.slice(0, 2));
    expect(await ids({ offset: 1.9, limit: 2.7 })).toEqual(newestFirst.slice(1, 3));
    expect(await ids({ limit: 0 })).toEqual(newestFirst.slice(0, 1));
    expect(await ids({ limit: -10 })).toEqual(newestFirst.slice(0, 1));
    await queue.close();
  });

  it('caps a dead-letter page at 1000 items', async () => {
    const queue = openQueue(queueName('dlq-cap'));
    await makeDead(queue, 1001);
    const page = await queue.listDead({ limit: 5000 });
    expect(page.total).toBe(1001);
    expect(page.items).toHaveLength(1000);
    await queue.close();
  });

  it('retryDead runs a dead job again from attempt 1 and keeps its error history', async () => {
    const name = queueName('dlq-retry');
    const queue = openQueue(name);
    let engine = await startEngine({ queue: name, handler: handlerPath('throws'), janitorIntervalMs: 50 });
    const id = await queue.add({ n: 5 }, { attempts: 1 });
    await waitFor('the first death', async () => (await queue.redis.zscore(queue.keys.dead, id)) !== null);
    await engine.stop();

    const dead = await queue.getJob(id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 1, deliveries: 1 });
    expect(dead?.errors.map((e) => e.message)).toEqual(['boom 5 on attempt 1']);

    expect(await queue.retryDead(id)).toBe(1);
    const waiting = await queue.getJob(id);
    expect(waiting).toMatchObject({ state: 'waiting', attempts: 0, deliveries: 1, payload: { n: 5 } });
    expect(waiting?.errors).toHaveLength(1);
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([id]);
    expect(await queue.retryDead(id)).toBe(0); // no longer dead
    expect((await queue.counts()).redriven).toBe(1);

    engine = await startEngine({ queue: name, handler: handlerPath('throws'), janitorIntervalMs: 50 });
    await waitFor('the second death', async () => (await queue.redis.zscore(queue.keys.dead, id)) !== null);
    await engine.stop();

    const again = await queue.getJob(id);
    // attempts: 1 still allowed exactly one more delivery, and the handler saw ctx.attempt === 1
    expect(again).toMatchObject({ state: 'dead', attempts: 1, deliveries: 2 });
    expect(again?.errors.map((e) => e.message)).toEqual(['boom 5 on attempt 1', 'boom 5 on attempt 1']);
    expect(again?.lastError?.name).toBe('TypeError');
    const letter = (await queue.listDead()).items.find((d) => d.id === id);
    expect(letter?.attempts).toBe(1);
    expect(letter?.errors).toHaveLength(2);
    await queue.close();
  });

  it('retryAllDead moves more than one chunk (500) of dead letters and returns the count', async () => {
    const queue = openQueue(queueName('dlq-retry-all'));
    const ids = await makeDead(queue, 1203);
    expect(await queue.redis.zcard(queue.keys.dead)).toBe(1203);

    expect(await queue.retryAllDead()).toBe(1203);
    expect(await queue.redis.zcard(queue.keys.dead)).toBe(0);
    const pending = await queue.redis.lrange(queue.keys.pending, 0, -1);
    expect(new Set(pending)).toEqual(new Set(ids));
    expect(pending).toHaveLength(1203);
    expect(await queue.counts()).toMatchObject({ redriven: 1203, waiting: 1203, dead: 0 });
    expect(await queue.getJob(ids[0] as string)).toMatchObject({
      state: 'waiting',
      attempts: 0,
      deliveries: 1,
    });
    expect(await queue.getJob(ids[1202] as string)).toMatchObject({ state: 'waiting', attempts: 0 });
    expect(await queue.retryAllDead()).toBe(0);
    await queue.close();
  });

  it('a dead letter whose record is damaged stays dead on retry, and retryAllDead steps over it', async () => {
    const queue = openQueue(queueName('dlq-damaged'));
    const ids = await makeDead(queue, 1100);
    // The oldest 600 (more than a chunk) are overwritten with something that is not a record.
    const damaged = ids.slice(0, 600);
    await queue.redis.hset(queue.keys.jobs, ...damaged.flatMap((id) => [id, 'garbage']));
    expect(await queue.retryDead(damaged[0] as string)).toBe(0);
    expect(await queue.getJob(damaged[0] as string)).toMatchObject({ state: 'dead', raw: 'garbage' });
    expect(await queue.retryAllDead()).toBe(500);
    expect(await queue.redis.zcard(queue.keys.dead)).toBe(600);
    expect(new Set(await queue.redis.zrange(queue.keys.dead, 0, -1))).toEqual(new Set(damaged));
    expect(await queue.redis.llen(queue.keys.pending)).toBe(500);
    await queue.close();
  });

  it('deleteDead removes the record, errors and delivery count of a dead job', async () => {
    const queue = openQueue(queueName('dlq-delete'));
    const { redis, keys } = queue;
    const [gone, kept] = (await makeDead(queue, 2)) as [string, string];

    expect(await queue.deleteDead(gone)).toBe(1);
    expect(await redis.zscore(keys.dead, gone)).toBeNull();
    expect(await redis.hexists(keys.jobs, gone)).toBe(0);
    expect(await redis.hexists(keys.errors, gone)).toBe(0);
    expect(await redis.hexists(keys.deliveries, gone)).toBe(0);
    expect(await queue.getJob(gone)).toBeUndefined();
    expect(await queue.deleteDead(gone)).toBe(0);

    expect(await redis.zscore(keys.dead, kept)).not.toBeNull();
    expect(await redis.hexists(keys.jobs, kept)).toBe(1);
    expect(await redis.hexists(keys.errors, kept)).toBe(1);
    expect(await redis.hexists(keys.deliveries, kept)).toBe(1);
    expect((await queue.listDead()).total).toBe(1);
    await queue.close();
  });

  it('retryDead and deleteDead of unknown ids return 0', async () => {
    const queue = openQueue(queueName('dlq-unknown'));
    expect(await queue.retryDead('424242')).toBe(0);
    expect(await queue.retryDead(['no-such-job', '7'])).toBe(0);
    expect(await queue.deleteDead('no-such-job')).toBe(0);
    expect(await queue.deleteDead(['1', 'x.y'])).toBe(0);
    expect(await queue.retryDead([])).toBe(0);
    expect(await queue.redis.keys(`sluice:{${queue.name}}:*`)).toEqual([]);
    await queue.close();
  });

  it('rejects an invalid job id with SluiceError INVALID_JOB_ID, touching nothing', async () => {
    const queue = openQueue(queueName('dlq-badid'));
    const [deadId] = (await makeDead(queue, 1)) as [string];
    const calls: [string, () => unknown][] = [
      ['retryDead with a space', () => queue.retryDead('has space')],
      ['retryDead with an empty id', () => queue.retryDead('')],
      ['retryDead with one bad id among good ones', () => queue.retryDead([deadId, 'bad id'])],
      ['deleteDead with braces', () => queue.deleteDead('x{y}')],
      ['deleteDead with one bad id among good ones', () => queue.deleteDead([deadId, 'a'.repeat(129)])],
      ['getJob with a slash', () => queue.getJob('a/b')],
      ['deleteDead with a non-string id', () => queue.deleteDead([42 as unknown as string])],
    ];
    for (const [what, call] of calls) {
      const error = await rejection(call);
      expect(error, what).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code, what).toBe(ErrorCode.INVALID_JOB_ID);
    }
    // the valid id named alongside a bad one was neither retried nor deleted
    expect(await queue.redis.zscore(queue.keys.dead, deadId)).not.toBeNull();
    expect(await queue.redis.hexists(queue.keys.jobs, deadId)).toBe(1);
    expect((await queue.counts()).redriven).toBe(0);
    await queue.close();
  });
});

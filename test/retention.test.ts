import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { trimRetained } from '../dist/redis/retention.js';
import { settle } from '../dist/redis/settle.js';
import {
  handlerPath,
  keysMatching,
  openQueue,
  queueName,
  rejection,
  startEngine,
  waitFor,
} from './helpers/index.js';

/** Leases every waiting job (in the order they run) and completes them in that order, `per` per settle call. */
async function completeAll(queue: Queue, per = 1000): Promise<string[]> {
  const leased: { id: string; token: number }[] = [];
  for (;;) {
    const { jobs } = await acquire(queue.redis, queue.keys, 1000, 60_000, 100);
    if (jobs.length === 0) break;
    leased.push(...jobs.map(({ id, token }) => ({ id, token })));
  }
  for (let i = 0; i < leased.length; i += per) {
    await settle(queue.redis, queue.keys, leased.slice(i, i + per), []);
  }
  return leased.map((j) => j.id);
}

async function keptIds(queue: Queue): Promise<string[]> {
  return queue.redis.zrevrange(queue.keys.completed, 0, -1);
}

function entry(name: string, site: string): string {
  const stack = `${name}: boom\n    at work (/srv/app/${site}:7)`;
  return JSON.stringify({ name, message: 'boom', stack, reason: 'error', at: Date.now() });
}

describe('retention', () => {
  it('README example: keeps the last 1,000 completed jobs, readable with getJob and listJobs', async () => {
    const queue = openQueue(queueName('ret-readme'));
    await queue.setRetention({ completed: { count: 1000, age: 24 * 3600 * 1000 } });
    expect(await queue.retention()).toEqual({ completed: { count: 1000, age: 86_400_000 } });
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    const id = await queue.add({ to: 'ada@example.com' });
    await waitFor('completion', async () => (await queue.counts()).completed === 1);
    const job = await queue.getJob(id);
    expect(job).toMatchObject({ id, state: 'completed', payload: { to: 'ada@example.com' }, attempts: 1 });
    expect(job?.finishedAt).toBeGreaterThanOrEqual(job?.enqueuedAt ?? Number.POSITIVE_INFINITY);
    const page = await queue.listJobs('completed', { limit: 20 });
    expect(page.total).toBe(1);
    expect(page.items.map((j) => j.id)).toEqual([id]);
    await queue.clearRetention();
    expect(await queue.retention()).toBeUndefined();
    expect(await queue.getJob(id)).toBeUndefined();
    await engine.stop();
    await queue.close();
  });

  it('with count N, after M > N completions exactly the newest N records are kept, newest first', async () => {
    const queue = openQueue(queueName('ret-count'));
    await queue.setRetention({ completed: { count: 5 } });
    await queue.addBulk(Array.from({ length: 23 }, (_, i) => ({ payload: { i } })));
    const order = await completeAll(queue, 4); // six settle calls of 1-4 jobs
    const newest = order.slice(-5).reverse();
    expect(await keptIds(queue)).toEqual(newest);
    expect(await queue.redis.hlen(queue.keys['completed-jobs'])).toBe(5);
    const page = await queue.listJobs('completed');
    expect(page.total).toBe(5);
    expect(page.items.map((j) => j.id)).toEqual(newest);
    expect(page.items.map((j) => j.payload)).toEqual(newest.map((id) => ({ i: order.indexOf(id) })));
    expect((await queue.listJobs('completed', { offset: 1, limit: 2 })).items.map((j) => j.id)).toEqual(
      newest.slice(1, 3),
    );
    expect(await queue.getJob(order[0] as string)).toBeUndefined();
    expect(await queue.getJob(newest[0] as string)).toMatchObject({ state: 'completed', deliveries: 1 });
    await queue.close();
  });

  it('with count N, one settle call of more than N jobs keeps only its newest N', async () => {
    const queue = openQueue(queueName('ret-call'));
    await queue.setRetention({ completed: { count: 3 } });
    await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ payload: { i } })));
    const order = await completeAll(queue, 10);
    expect(await keptIds(queue)).toEqual(order.slice(-3).reverse());
    await queue.close();
  });

  it('with age T, records older than T are gone after the next completion or a trim sweep', async () => {
    const queue = openQueue(queueName('ret-age'));
    await queue.setRetention({ completed: { age: 300 } });
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    const old = await completeAll(queue);
    expect((await keptIds(queue)).sort()).toEqual([...old].sort());
    await sleep(400);
    const [fresh] = await queue.addBulk([{ payload: 3 }]);
    await completeAll(queue);
    expect(await keptIds(queue)).toEqual([fresh]);
    expect(await queue.redis.hkeys(queue.keys['completed-jobs'])).toEqual([fresh]);
    await sleep(400);
    expect(await trimRetained(queue.redis, queue.keys, 200)).toEqual({ completed: 1, dead: 0, more: false });
    expect(await queue.redis.exists(queue.keys.completed, queue.keys['completed-jobs'])).toBe(0);
    await queue.close();
  });

  it("the engine's janitor sweep trims records past their age when nothing completes", async () => {
    const queue = openQueue(queueName('ret-janitor'));
    await queue.setRetention({ completed: { age: 200 } });
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('noop'),
      janitorIntervalMs: 50,
    });
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await waitFor('completions', async () => (await queue.counts()).completed === 2);
    expect(await queue.redis.zcard(queue.keys.completed)).toBeGreaterThan(0);
    await waitFor('trim', async () => (await queue.redis.zcard(queue.keys.completed)) === 0, 5000);
    expect(await queue.redis.hlen(queue.keys['completed-jobs'])).toBe(0);
    await engine.stop();
    await queue.close();
  });

  it('without retention a completed job leaves no key and no record behind', async () => {
    const queue = openQueue(queueName('ret-none'));
    const ids = await queue.addBulk(Array.from({ length: 50 }, (_, i) => ({ payload: { i } })));
    await completeAll(queue);
    const keys = await keysMatching(queue.redis, `sluice:{${queue.name}}:*`);
    expect(keys).toEqual([queue.keys.stats, queue.keys.seq].sort());
    expect(await queue.getJob(ids[0] as string)).toBeUndefined();
    expect((await queue.listJobs('completed')).total).toBe(0);
    await queue.close();
  });

  it('trimming is bounded per settle call: lowering the count from 5,000 to 10 takes several calls', async () => {
    const queue = openQueue(queueName('ret-bound'));
    await queue.setRetention({ completed: { count: 10_000 } });
    await queue.addBulk(Array.from({ length: 5000 }, (_, i) => ({ payload: i })));
    await completeAll(queue);
    expect(await queue.redis.zcard(queue.keys.completed)).toBe(5000);
    await queue.setRetention({ completed: { count: 10 } });
    const [next] = await queue.addBulk([{ payload: 'next' }]);
    await completeAll(queue);
    // 5,001 kept, of which the call deletes 1 (what it added) + 200 at most
    expect(await queue.redis.zcard(queue.keys.completed)).toBe(5001 - 201);
    expect(await queue.redis.hlen(queue.keys['completed-jobs'])).toBe(5001 - 201);
    expect((await keptIds(queue))[0]).toBe(next);
    const first = await trimRetained(queue.redis, queue.keys, 200);
    expect(first).toEqual({ completed: 200, dead: 0, more: true });
    let calls = 1;
    while ((await trimRetained(queue.redis, queue.keys, 200)).more) calls++;
    expect(calls).toBeGreaterThan(20);
    expect(await queue.redis.zcard(queue.keys.completed)).toBe(10);
    expect((await keptIds(queue))[0]).toBe(next);
    await queue.close();
  });

  it('dead: { count } trims the oldest dead letters as deleteDead does, keeping the groups exact', async () => {
    const queue = openQueue(queueName('ret-dead'));
    const ids = await queue.addBulk(
      Array.from({ length: 5 }, (_, i) => ({ payload: { i }, opts: { attempts: 1 } })),
    );
    for (const [i, id] of ids.entries()) {
      const [job] = (await acquire(queue.redis, queue.keys, 1, 60_000, 0)).jobs;
      expect(job?.id).toBe(id);
      const site = i < 3 ? 'a.js:1' : 'b.js:2';
      await settle(
        queue.redis,
        queue.keys,
        [],
        [{ id, token: job?.token ?? 0, retryInMs: -1, entry: entry('TypeError', site) }],
      );
      await sleep(2); // distinct dead-at times
    }
    await queue.setRetention({ dead: { count: 2 } });
    expect(await trimRetained(queue.redis, queue.keys, 200)).toEqual({ completed: 0, dead: 3, more: false });
    expect((await queue.listDead()).items.map((d) => d.id)).toEqual([ids[4], ids[3]]);
    const groups = await queue.deadGroups();
    expect(groups.map((g) => [g.label, g.count])).toEqual([['TypeError at b.js:2', 2]]);
    expect(await queue.redis.hlen(queue.keys['dead-fingerprints'])).toBe(2);
    expect(await queue.redis.hmget(queue.keys.jobs, ...ids.slice(0, 3))).toEqual([null, null, null]);
    expect(await queue.redis.hlen(queue.keys.errors)).toBe(2);
    await queue.close();
  });

  it('without a dead cap the trim sweep leaves every dead letter alone', async () => {
    const queue = openQueue(queueName('ret-dead-kept'));
    const [id] = await queue.addBulk([{ payload: 1, opts: { attempts: 1 } }]);
    const [job] = (await acquire(queue.redis, queue.keys, 1, 60_000, 0)).jobs;
    await settle(
      queue.redis,
      queue.keys,
      [],
      [{ id: id as string, token: job?.token ?? 0, retryInMs: -1, entry: entry('Error', 'x.js:1') }],
    );
    await queue.setRetention({ completed: { count: 1 } });
    expect(await trimRetained(queue.redis, queue.keys, 200)).toEqual({ completed: 0, dead: 0, more: false });
    expect((await queue.counts()).dead).toBe(1);
    await queue.close();
  });

  it('a setting without completed, or clearRetention, deletes the kept completed records', async () => {
    const queue = openQueue(queueName('ret-clear'));
    await queue.setRetention({ completed: { count: 10 } });
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await completeAll(queue);
    expect(await queue.redis.zcard(queue.keys.completed)).toBe(2);
    await queue.setRetention({ dead: { age: 60_000 } });
    expect(await queue.retention()).toEqual({ dead: { age: 60_000 } });
    expect(await queue.redis.exists(queue.keys.completed, queue.keys['completed-jobs'])).toBe(0);
    await queue.clearRetention();
    expect(await queue.redis.exists(queue.keys.retention)).toBe(0);
    await queue.close();
  });

  it('an invalid setting is refused with the field named, and changes nothing', async () => {
    const queue = openQueue(queueName('ret-invalid'));
    await queue.setRetention({ completed: { count: 7 } });
    for (const [setting, field] of [
      [{ completed: { count: 0 } }, 'completed.count'],
      [{ completed: { count: 2.5 } }, 'completed.count'],
      [{ completed: { age: -1 } }, 'completed.age'],
      [{ dead: { count: 1_000_001 } }, 'dead.count'],
      [{ completed: {} }, 'completed'],
      [{ completed: { count: 1, max: 2 } }, 'completed.max'],
      [{ failed: { count: 10 } }, 'failed'],
      [{}, 'retention'],
      [null, 'retention'],
    ] as const) {
      const error = await rejection(() => queue.setRetention(setting as never));
      expect(error, JSON.stringify(setting)).toMatchObject({ code: ErrorCode.INVALID_OPTION });
      expect((error as Error).message).toContain(field);
    }
    expect(await queue.retention()).toEqual({ completed: { count: 7 } });
    await queue.close();
  });

  it("listJobs('completed') is a state the queue accepts", async () => {
    const queue = openQueue(queueName('ret-state'));
    expect(await queue.listJobs('completed')).toEqual({ total: 0, items: [] });
    await queue.close();
  });
});

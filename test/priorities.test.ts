import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, SluiceError } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { retryDead } from '../dist/redis/dlq.js';
import { priorityKey } from '../dist/redis/keys.js';
import { reap } from '../dist/redis/reap.js';
import { release } from '../dist/redis/release.js';
import { fireSchedule } from '../dist/redis/schedules.js';
import { settle } from '../dist/redis/settle.js';
import { asAdmin, call, testApp } from './api/support.js';
import {
  handlerPath,
  openQueue,
  queueName,
  rejection,
  singleServer,
  startEngine,
  waitFor,
} from './helpers/index.js';
import { useLedger } from './helpers/ledger.js';

const failure = (id: string, token: number, retryInMs: number) => ({
  id,
  token,
  retryInMs,
  entry: JSON.stringify({ name: 'Error', message: 'again', reason: 'error', at: 0 }),
});

/** Leases up to `max` jobs and returns their ids in the order acquire.lua handed them out. */
async function lease(queue: Queue, max: number, leaseMs = 60_000): Promise<{ id: string; token: number }[]> {
  const { jobs } = await acquire(queue.redis, queue.keys, max, leaseMs, 1000);
  return jobs.map(({ id, token }) => ({ id, token }));
}

const ids = (jobs: { id: string }[]) => jobs.map((job) => job.id);

/** Adds jobs named by their payload; returns name -> id. */
async function addNamed(queue: Queue, jobs: [string, number | undefined][]): Promise<Map<string, string>> {
  const added = await queue.addBulk(
    jobs.map(([name, priority]) => ({ payload: name, opts: priority === undefined ? {} : { priority } })),
  );
  return new Map(jobs.map(([name], i) => [name, added[i] as string]));
}

describe('priorities', () => {
  it('README example: an urgent job added last runs first, a bulk job after the default ones', async () => {
    const ledger = useLedger();
    const queue = openQueue(queueName('prio-readme'));
    await queue.pause();
    // README "Priorities"
    const report = await queue.add({ report: 42 }); // no priority: the default level, 3
    const backfill = await queue.add({ backfill: '2024' }, { priority: 5 }); // after every default job
    const reset = await queue.add({ passwordReset: 'ada@example.com' }, { priority: 1 }); // before all others
    await queue.resume();
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('starts'),
      threads: 1,
      concurrency: 1,
      batch: 1,
      threadBatch: 1,
    });
    await waitFor('3 completed', async () => (await queue.counts()).completed === 3);
    await engine.stop();
    const started = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    expect(started).toEqual([reset, report, backfill]);
    await queue.close();
  });

  it('one engine at concurrency 1 runs mixed priorities most urgent level first, FIFO within a level', async () => {
    const ledger = useLedger();
    const queue = openQueue(queueName('prio-engine'));
    await queue.pause();
    const named = await addNamed(queue, [
      ['a', undefined],
      ['b', 5],
      ['c', 1],
      ['d', undefined],
      ['e', 2],
      ['f', 1],
      ['g', 4],
      ['h', 3],
      ['i', 5],
      ['j', 2],
    ]);
    await queue.resume();
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('starts'),
      threads: 1,
      concurrency: 1,
      batch: 1,
      threadBatch: 1,
    });
    await waitFor('10 completed', async () => (await queue.counts()).completed === 10);
    await engine.stop();
    const started = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    const byId = new Map([...named].map(([name, id]) => [id, name]));
    expect(started.map((id) => byId.get(id as string))).toEqual([
      'c',
      'f',
      'e',
      'j',
      'a',
      'd',
      'h',
      'g',
      'b',
      'i',
    ]);
    await queue.close();
  });

  it('acquire fills one block across levels, most urgent first, and FIFO within each level', async () => {
    const queue = openQueue(queueName('prio-block'));
    const named = await addNamed(queue, [
      ['low1', 5],
      ['plain1', undefined],
      ['top1', 1],
      ['low2', 5],
      ['top2', 1],
      ['plain2', undefined],
    ]);
    // other options beside the priority: the scripts still find it as the header's 8th field
    named.set(
      'top3',
      await queue.add('top3', {
        priority: 1,
        attempts: 7,
        keepResult: 1000,
        backoff: { type: 'fixed', delay: 10, jitter: 0.25 },
      }),
    );
    const name = (id: string) => [...named].find(([, v]) => v === id)?.[0];
    expect(ids(await lease(queue, 3)).map(name)).toEqual(['top1', 'top2', 'top3']);
    expect(ids(await lease(queue, 10)).map(name)).toEqual(['plain1', 'plain2', 'low1', 'low2']);
    expect(await lease(queue, 10)).toEqual([]);
    await queue.close();
  });

  it('counts().waiting and listJobs("waiting") include prioritised jobs, listed in run order across pages', async () => {
    const queue = openQueue(queueName('prio-list'));
    const named = await addNamed(queue, [
      ['p1', undefined],
      ['l5', 5],
      ['u1', 1],
      ['p2', undefined],
      ['u2', 2],
      ['l4', 4],
    ]);
    const order = ['u1', 'u2', 'p1', 'p2', 'l4', 'l5'].map((n) => named.get(n));
    expect((await queue.counts()).waiting).toBe(6);
    const all = await queue.listJobs('waiting', { limit: 10 });
    expect(all.total).toBe(6);
    expect(all.items.map((job) => job.id)).toEqual(order);
    expect(all.items.map((job) => job.priority)).toEqual([1, 2, undefined, undefined, 4, 5]);
    const page = await queue.listJobs('waiting', { offset: 1, limit: 3 });
    expect(page.items.map((job) => job.id)).toEqual(order.slice(1, 4));
    expect((await queue.getJob(named.get('u1') as string))?.options?.priority).toBe(1);
    await queue.close();
  });

  it('a retry with delay 0 and a retry with a backoff both go back to their level, ahead of plain jobs', async () => {
    const queue = openQueue(queueName('prio-retry'));
    const named = await addNamed(queue, [
      ['top', 1],
      ['plain', undefined],
    ]);
    const [first] = await lease(queue, 1);
    expect(first?.id).toBe(named.get('top'));
    const { id, token } = first as { id: string; token: number };
    expect((await settle(queue.redis, queue.keys, [], [failure(id, token, 0)])).retried).toBe(1);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([id]);
    const [again] = await lease(queue, 1);
    expect(again?.id).toBe(id);
    const retry = again as { id: string; token: number };
    await settle(queue.redis, queue.keys, [], [failure(retry.id, retry.token, 30)]);
    await sleep(60);
    // acquire promotes the due retry to level 1's list, so it comes before the plain job
    expect(ids(await lease(queue, 2))).toEqual([id, named.get('plain')]);
    await queue.close();
  });

  it('a delayed prioritised job goes to its level when due, both through acquire and through the janitor', async () => {
    const queue = openQueue(queueName('prio-delayed'));
    const plain = await queue.add('plain');
    const viaAcquire = await queue.add('soon', { priority: 2, delay: 30 });
    const viaReap = await queue.add('later', { priority: 4, delay: 30 });
    expect((await queue.counts()).delayed).toBe(2);
    await sleep(60);
    // the janitor's reap promotes both: each to its level's list
    expect((await reap(queue.redis, queue.keys, 100)).promoted).toBe(2);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 2), 0, -1)).toEqual([viaAcquire]);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 4), 0, -1)).toEqual([viaReap]);
    expect(ids(await lease(queue, 3))).toEqual([viaAcquire, plain, viaReap]);

    const next = await queue.add('next', { priority: 1, delay: 30 });
    const plain2 = await queue.add('plain2');
    await sleep(60);
    expect(ids(await lease(queue, 2))).toEqual([next, plain2]);
    await queue.close();
  });

  it('a job recovered by the janitor or released at shutdown keeps its level', async () => {
    const queue = openQueue(queueName('prio-recover'));
    const plain = await queue.add('plain');
    const top = await queue.add('top', { priority: 1 });
    const low = await queue.add('low', { priority: 5 });
    const leased = await lease(queue, 3, 1);
    expect(ids(leased)).toEqual([top, plain, low]);
    await sleep(20);
    expect((await reap(queue.redis, queue.keys, 100)).requeued).toBe(3);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([top]);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 5), 0, -1)).toEqual([low]);
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([plain]);

    const again = await lease(queue, 3);
    expect(ids(again)).toEqual([top, plain, low]);
    expect(await release(queue.redis, queue.keys, again)).toBe(3);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([top]);
    expect(ids(await lease(queue, 3))).toEqual([top, plain, low]);
    await queue.close();
  });

  it('a redriven dead letter goes back to its level', async () => {
    const queue = openQueue(queueName('prio-dlq'));
    const plain = await queue.add('plain');
    const top = await queue.add('top', { priority: 1 });
    const [first] = await lease(queue, 1);
    expect(first?.id).toBe(top);
    await settle(queue.redis, queue.keys, [], [failure(top, first?.token as number, -1)]);
    expect((await queue.counts()).dead).toBe(1);
    expect(await retryDead(queue.redis, queue.keys, [top])).toBe(1);
    expect(ids(await lease(queue, 2))).toEqual([top, plain]);
    await queue.close();
  });

  it('a dead letter edited and redriven goes back to its level', async () => {
    const queue = openQueue(queueName('prio-dlq-edit'));
    const plain = await queue.add('plain');
    const top = await queue.add('top', { priority: 2 });
    const [first] = await lease(queue, 1);
    await settle(queue.redis, queue.keys, [], [failure(top, first?.token as number, -1)]);
    expect(await queue.editDeadAndRetry(top, 'fixed')).toBe(true);
    expect(await queue.redis.lrange(priorityKey(queue.keys, 2), 0, -1)).toEqual([top]);
    expect(ids(await lease(queue, 2))).toEqual([top, plain]);
    await queue.close();
  });

  it('a schedule whose job has a priority fires each tick into that level', async () => {
    const queue = openQueue(queueName('prio-sched'));
    const info = await queue.upsertSchedule(
      'urgent',
      { every: 60_000 },
      { payload: 1, opts: { priority: 1 } },
    );
    const due = info.next - 60_000;
    await queue.redis.zadd(queue.keys.schedules, due, 'urgent');
    const plain = await queue.add('plain');
    const fired = await fireSchedule(queue.redis, queue.keys, 'urgent', due, due + 60_000, '{"every":60000}');
    expect(fired).toBeGreaterThan(0);
    expect(ids(await lease(queue, 2))).toEqual([`urgent:${due}`, plain]);
    await queue.close();
  });

  it('cancel and drain find prioritised waiting jobs', async () => {
    const queue = openQueue(queueName('prio-cancel'));
    const top = await queue.add('top', { priority: 1 });
    const low = await queue.add('low', { priority: 5 });
    const plain = await queue.add('plain');
    const delayed = await queue.add('delayed', { priority: 2, delay: 60_000 });
    expect(await queue.cancel(top)).toBe('removed');
    expect(await queue.redis.llen(priorityKey(queue.keys, 1))).toBe(0);
    expect((await queue.counts()).waiting).toBe(2);
    expect(await queue.drain()).toBe(3);
    expect(await queue.redis.llen(priorityKey(queue.keys, 5))).toBe(0);
    expect(await Promise.all([low, plain, delayed].map((id) => queue.getJob(id)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect((await queue.counts()).waiting).toBe(0);
    await queue.close();
  });

  it('obliterate removes the level lists and the priorities marker', async () => {
    const queue = openQueue(queueName('prio-obliterate'));
    await queue.add('top', { priority: 1 });
    await queue.obliterate();
    expect(await queue.redis.exists(priorityKey(queue.keys, 1), queue.keys.priorities)).toBe(0);
    await queue.close();
  });

  it('the enqueue route accepts a priority (1-5) and job views show it', async () => {
    const { app, queue, close } = testApp('prio-api');
    const added = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      headers: asAdmin,
      payload: { payload: 'x', opts: { priority: 2 } },
    });
    expect(added.status).toBe(201);
    const id = added.body.ids[0] as string;
    const view = await call(app, { url: `/api/queues/${queue.name}/jobs/${id}`, headers: asAdmin });
    expect(view.body).toMatchObject({ id, state: 'waiting', priority: 2 });
    const list = await call(app, { url: `/api/queues/${queue.name}/jobs?state=waiting`, headers: asAdmin });
    expect(list.body.items[0]).toMatchObject({ id, priority: 2 });
    const bad = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      headers: asAdmin,
      payload: { payload: 'x', opts: { priority: 6 } },
    });
    expect(bad.status).toBe(400);
    expect((await queue.counts()).added).toBe(1);
    await close();
  });

  it('a priority outside 1-5 or not an integer is refused, naming the field, before anything is written', async () => {
    const queue = openQueue(queueName('prio-invalid'));
    for (const priority of [0, 6, 2.5, '1', null]) {
      const error = await rejection(() => queue.add('x', { priority } as never));
      expect(error).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
      expect((error as SluiceError).message).toContain('job.opts.priority');
    }
    const bulk = await rejection(() =>
      queue.addBulk([{ payload: 1 }, { payload: 2, opts: { priority: 9 } }]),
    );
    expect((bulk as SluiceError).message).toContain('jobs[1].opts.priority');
    expect((await queue.counts()).added).toBe(0);
    await queue.close();
  });

  it('an acquire on a queue that never used priorities issues one extra command: EXISTS of the priorities key', async () => {
    const queue = openQueue(queueName('prio-cost'));
    await queue.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const client = singleServer(queue.redis).duplicate();
    const monitor = await client.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => arg.includes(queue.name))) seen.push(args);
    });
    await sleep(50);
    expect((await lease(queue, 10)).length).toBe(3);
    await sleep(100);
    monitor.disconnect();
    client.disconnect();
    const fromScript = seen.filter(([command]) => !/^evalsha$|^eval$/i.test(command as string));
    const touchesPriorities = fromScript.filter((args) =>
      args.some((a) => /:priorities$|:pending:\d$/.test(a)),
    );
    expect(touchesPriorities.map(([command]) => (command as string).toLowerCase())).toEqual(['exists']);
    // the key-touching commands of one acquire call of 3 jobs, whatever the batch size
    expect(fromScript.map(([command]) => (command as string).toLowerCase())).toEqual([
      'exists',
      'hmget',
      'exists',
      'zrangebyscore',
      'rpop',
      'hmget',
      'hmget',
      'llen',
      'zadd',
      'hset',
      'exists', // is the event stream on (it is off)
    ]);
    await queue.close();
  });
});

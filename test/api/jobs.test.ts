import { describe, expect, it } from 'vitest';
import { acquire } from '../../dist/redis/acquire.js';
import { call, dumpQueue, expectError, makeDead, testApp } from './support.js';

describe('job routes', () => {
  it('GET a job by id shows payload, state, attempts, errors and the lease deadline', async () => {
    const { app, queue, close } = testApp('job-by-id');
    const id = await queue.add({ to: 'ada' }, { attempts: 2 });
    const waiting = await call(app, { url: `/api/queues/${queue.name}/jobs/${id}` });
    expect(waiting.status).toBe(200);
    expect(waiting.body).toEqual({
      id,
      state: 'waiting',
      payload: { to: 'ada' },
      attempts: 0,
      deliveries: 0,
      enqueuedAt: expect.any(Number),
      errors: [],
    });

    const { jobs, now } = await acquire(queue.redis, queue.keys, 1, 30_000, 0);
    expect(jobs.map((j) => j.id)).toEqual([id]);
    const active = await call(app, { url: `/api/queues/${queue.name}/jobs/${id}` });
    expect(active.body).toMatchObject({
      id,
      state: 'active',
      attempts: 1,
      deliveries: 1,
      until: now + 30_000,
    });
    // options are the library's business; the contract's Job has no such field
    expect(active.body).not.toHaveProperty('options');
    await close();
  });

  it('a dead job shows its errors and dead-at time; an unknown id is 404 JOB_NOT_FOUND', async () => {
    const { app, queue, close } = testApp('job-dead');
    const [id] = await makeDead(queue, [{ name: 'TypeError', message: 'no such user' }]);
    const dead = await call(app, { url: `/api/queues/${queue.name}/jobs/${id}` });
    expect(dead.body).toMatchObject({
      state: 'dead',
      attempts: 1,
      errors: [{ name: 'TypeError', message: 'no such user', reason: 'error', at: expect.any(Number) }],
      lastError: { name: 'TypeError', message: 'no such user' },
      until: Number(await queue.redis.zscore(queue.keys.dead, id as string)),
    });
    expectError(await call(app, { url: `/api/queues/${queue.name}/jobs/424242` }), 404, 'JOB_NOT_FOUND');
    expectError(await call(app, { url: `/api/queues/${queue.name}/jobs/no-such-job` }), 404, 'JOB_NOT_FOUND');
    await close();
  });

  it('malformed job ids are 400 INVALID_JOB_ID before Redis is asked', async () => {
    const { app, queue, close } = testApp('job-badid');
    await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);
    for (const id of ['has%20space', 'a%7Bb%7D', 'x'.repeat(129), '1'.repeat(21), 'semi%3Bcolon', '%00']) {
      expectError(await call(app, { url: `/api/queues/${queue.name}/jobs/${id}` }), 400, 'INVALID_JOB_ID');
    }
    // a 128-character custom id is a valid id (the router allows that long a parameter)
    expectError(
      await call(app, { url: `/api/queues/${queue.name}/jobs/${'x'.repeat(128)}` }),
      404,
      'JOB_NOT_FOUND',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('lists jobs by state and page: waiting in run order, delayed by due time, with total', async () => {
    const { app, queue, close } = testApp('job-list');
    const ids = await queue.addBulk(Array.from({ length: 7 }, (_, i) => ({ payload: { i } })));
    const late = await queue.add({ late: true }, { delay: 120_000 });
    const soon = await queue.add({ soon: true }, { delay: 60_000 });

    const page = async (query: string) => {
      const { status, body } = await call(app, { url: `/api/queues/${queue.name}/jobs?${query}` });
      expect(status, query).toBe(200);
      return { total: body.total, ids: body.items.map((j: { id: string }) => j.id), items: body.items };
    };
    expect(await page('state=waiting')).toMatchObject({ total: 7, ids });
    expect(await page('state=waiting&offset=2&limit=3')).toMatchObject({ total: 7, ids: ids.slice(2, 5) });
    expect(await page('state=waiting&offset=7')).toMatchObject({ total: 7, ids: [] });
    const delayed = await page('state=delayed');
    expect(delayed).toMatchObject({ total: 2, ids: [soon, late] });
    expect(delayed.items[0]).toMatchObject({
      state: 'delayed',
      payload: { soon: true },
      until: expect.any(Number),
    });
    expect(await page('state=active')).toMatchObject({ total: 0, ids: [] });
    expect(await page('state=dead')).toMatchObject({ total: 0, ids: [] });
    await close();
  });

  it('clamps a huge or zero limit to 1..100 instead of reading everything', async () => {
    const { app, queue, close } = testApp('job-clamp');
    await queue.addBulk(Array.from({ length: 150 }, (_, i) => ({ payload: i })));
    const list = (q: string) => call(app, { url: `/api/queues/${queue.name}/jobs?state=waiting&${q}` });
    for (const limit of ['1000', '100000000000000000000', '101']) {
      const { status, body } = await list(`limit=${limit}`);
      expect(status).toBe(200);
      expect(body.total).toBe(150);
      expect(body.items).toHaveLength(100);
    }
    expect((await list('limit=0')).body.items).toHaveLength(1);
    expect((await list('limit=-20')).body.items).toHaveLength(1);
    await close();
  });

  it('refuses bad list queries: state missing or unknown, negative or non-integer offset, unknown parameter', async () => {
    const { app, queue, close } = testApp('job-list-bad');
    for (const q of [
      '',
      'state=finished',
      'state=WAITING',
      'state=waiting&offset=-1',
      'state=waiting&offset=1.5',
      'state=waiting&limit=ten',
      'state=waiting&sort=id',
    ]) {
      expectError(await call(app, { url: `/api/queues/${queue.name}/jobs?${q}` }), 400, 'INVALID_REQUEST');
    }
    await close();
  });

  it('enqueue adds validated jobs (201 with ids), count copies at once, options honoured', async () => {
    const { app, queue, close } = testApp('job-add');
    const one = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      payload: { payload: { n: 1 } },
    });
    expect(one.status).toBe(201);
    expect(one.body).toEqual({ ids: [expect.stringMatching(/^\d+$/)] });
    expect(await queue.getJob(one.body.ids[0])).toMatchObject({ state: 'waiting', payload: { n: 1 } });

    const many = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      payload: {
        payload: 'x',
        count: 1000,
        opts: { attempts: 5, delay: 60_000, backoff: { type: 'fixed', delay: 10 } },
      },
    });
    expect(many.status).toBe(201);
    expect(many.body.ids).toHaveLength(1000);
    expect(await queue.counts()).toMatchObject({ waiting: 1, delayed: 1000, added: 1001 });
    expect((await queue.getJob(many.body.ids[999]))?.options).toMatchObject({
      attempts: 5,
      backoff: { type: 'fixed', delay: 10 },
    });

    const custom = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      payload: { payload: null, opts: { jobId: 'order-7' } },
    });
    expect(custom).toMatchObject({ status: 201, body: { ids: ['order-7'] } });
    expect(await queue.getJob('order-7')).toMatchObject({ payload: null });
    await close();
  });

  it('refuses a bad enqueue with a stable code and writes nothing', async () => {
    const { app, queue, close } = testApp('job-add-bad');
    await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);
    const post = (payload: unknown) =>
      call(app, { method: 'POST', url: `/api/queues/${queue.name}/jobs`, payload: payload as object });
    const cases: [unknown, number, string][] = [
      [{}, 400, 'INVALID_REQUEST'],
      [{ payload: 1, count: 0 }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, count: 1001 }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, extra: true }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { attempts: 0 } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { priority: 0 } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { priority: 6 } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { lifo: true } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { jobId: '123' } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { backoff: { type: 'linear', delay: 1 } } }, 400, 'INVALID_REQUEST'],
      [{ payload: 1, opts: { delay: 1e12 } }, 400, 'INVALID_REQUEST'],
      [{ payload: 'x'.repeat(600 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
      [[1, 2], 400, 'INVALID_REQUEST'],
    ];
    for (const [body, status, code] of cases) expectError(await post(body), status, code);
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });
});

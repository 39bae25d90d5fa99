import { describe, expect, it } from 'vitest';
import { SEARCH_CHUNK } from '../../dist/redis/dead-filter.js';
import { PURGE_CHUNK } from '../../dist/redis/dlq.js';
import { call, dumpQueue, expectError, makeDead, testApp } from './support.js';

const ERRORS = [
  { name: 'TypeError', message: 'cannot read user' },
  { name: 'Error', message: 'SMTP timeout' },
  { name: 'HttpError', message: 'upstream said 503' },
  { name: 'Error', message: 'smtp refused' },
];

describe('dead-letter routes', () => {
  it('lists dead letters newest first, paged, with the contract fields', async () => {
    const { app, queue, close } = testApp('dead-list');
    const ids = await makeDead(queue, ERRORS);
    const { status, body } = await call(app, { url: `/api/queues/${queue.name}/dead?offset=1&limit=2` });
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(body.items.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    expect(body.items[1]).toEqual({
      id: ids[1],
      payload: { i: 1 },
      attempts: 1,
      errors: [{ name: 'Error', message: 'SMTP timeout', reason: 'error', at: expect.any(Number) }],
      reason: 'error',
      enqueuedAt: expect.any(Number),
      deadAt: Number(await queue.redis.zscore(queue.keys.dead, ids[1] as string)),
    });
    await close();
  });

  it('orders letters dead in the same millisecond by numeric id on every page, filtered or not', async () => {
    const { app, queue, close } = testApp('dead-same-ms');
    const ids = await makeDead(
      queue,
      Array.from({ length: 25 }, () => ({ message: 'same ms' })),
    );
    // Ids 1..25 (as text, "9" sorts after "25"): all dead at one millisecond, but the newest.
    const t = Number(await queue.redis.zscore(queue.keys.dead, ids[0] as string));
    for (const id of ids.slice(0, -1)) await queue.redis.zadd(queue.keys.dead, 'XX', t, id);
    const newest = ids.at(-1) as string;
    const expected = [newest, ...ids.slice(0, -1).sort((a, b) => Number(b) - Number(a))];
    const pages = async (query: string) => {
      const got: string[] = [];
      for (let offset = 0; offset < 25; offset += 7) {
        const { body } = await call(app, {
          url: `/api/queues/${queue.name}/dead?limit=7&offset=${offset}${query}`,
        });
        got.push(...body.items.map((d: { id: string }) => d.id));
      }
      return got;
    };
    expect(await pages('')).toEqual(expected);
    expect(await pages('&q=same')).toEqual(expected);
    expect(await pages(`&from=${t}&to=${t}`)).toEqual(expected.slice(1));
    const { body } = await call(app, { url: `/api/queues/${queue.name}/jobs?state=dead&limit=5&offset=3` });
    expect(body.items.map((j: { id: string }) => j.id)).toEqual(expected.slice(3, 8));
    await close();
  });

  it('filters by error text (name or message, any case) and by dead-at range; total counts matches', async () => {
    const { app, queue, close } = testApp('dead-filter');
    const ids = (await makeDead(queue, ERRORS)) as string[];
    const deadAt = await Promise.all(
      ids.map(async (id) => Number(await queue.redis.zscore(queue.keys.dead, id))),
    );
    const list = async (query: string) => {
      const { status, body } = await call(app, { url: `/api/queues/${queue.name}/dead?${query}` });
      expect(status, query).toBe(200);
      return { total: body.total, ids: body.items.map((d: { id: string }) => d.id) };
    };
    expect(await list('q=smtp')).toEqual({ total: 2, ids: [ids[3], ids[1]] });
    expect(await list('q=HTTPERROR')).toEqual({ total: 1, ids: [ids[2]] });
    expect(await list('q=smtp&limit=1&offset=1')).toEqual({ total: 2, ids: [ids[1]] });
    expect(await list(`from=${deadAt[1]}&to=${deadAt[2]}`)).toEqual({ total: 2, ids: [ids[2], ids[1]] });
    expect(await list(`q=smtp&from=${deadAt[2]}`)).toEqual({ total: 1, ids: [ids[3]] });
    expect(await list('q=nothing-like-this')).toEqual({ total: 0, ids: [] });
    expect(await list('q=')).toEqual({ total: 4, ids: [...ids].reverse() });
    await close();
  });

  it('a text search spans several chunks and still counts every match', async () => {
    const { app, queue, close } = testApp('dead-search-chunks');
    const n = SEARCH_CHUNK * 2 + 10;
    const ids = await queue.addBulk(
      Array.from({ length: n }, (_, i) => ({ payload: i, opts: { attempts: 1 } })),
    );
    const { acquire } = await import('../../dist/redis/acquire.js');
    const { settle } = await import('../../dist/redis/settle.js');
    const leased = (await acquire(queue.redis, queue.keys, 1000, 60_000, 0)).jobs;
    const failures = leased.map(({ id, token }, i) => ({
      id,
      token,
      retryInMs: -1,
      entry: JSON.stringify({
        name: 'Error',
        message: i % 3 === 0 ? 'needle' : 'hay',
        reason: 'error',
        at: 0,
      }),
    }));
    expect((await settle(queue.redis, queue.keys, [], failures)).dead).toBe(n);
    const { body } = await call(app, { url: `/api/queues/${queue.name}/dead?q=needle&limit=100` });
    expect(body.total).toBe(ids.filter((_, i) => i % 3 === 0).length);
    expect(body.items).toHaveLength(100);
    await close();
  });

  it('refuses bad filters with 400 and an inverted range with 400', async () => {
    const { app, queue, close } = testApp('dead-filter-bad');
    for (const q of ['from=-1', 'to=abc', `q=${'x'.repeat(201)}`, 'from=10&to=5', 'state=dead']) {
      expectError(await call(app, { url: `/api/queues/${queue.name}/dead?${q}` }), 400, 'INVALID_REQUEST');
    }
    await close();
  });

  it('retries one dead letter (404 when not dead), keeping its errors', async () => {
    const { app, queue, close } = testApp('dead-retry-one');
    const [id] = (await makeDead(queue, [ERRORS[0] as (typeof ERRORS)[0]])) as [string];
    const retry = () => call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/${id}/retry` });
    expect(await retry()).toMatchObject({ status: 200, body: { retried: 1 } });
    expect(await queue.getJob(id)).toMatchObject({ state: 'waiting', attempts: 0, errors: [ERRORS[0]] });
    expectError(await retry(), 404, 'JOB_NOT_FOUND');
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/999999/retry` }),
      404,
      'JOB_NOT_FOUND',
    );
    expect((await queue.counts()).redriven).toBe(1);
    await close();
  });

  it('retries selected ids, counting only those that were dead', async () => {
    const { app, queue, close } = testApp('dead-retry-ids');
    const ids = (await makeDead(queue, ERRORS)) as string[];
    const { status, body } = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/retry`,
      payload: { ids: [ids[0], ids[2], '777777', 'never-was'] },
    });
    expect({ status, body }).toEqual({ status: 200, body: { retried: 2 } });
    expect(await queue.redis.zrange(queue.keys.dead, 0, -1)).toEqual([ids[1], ids[3]]);
    await close();
  });

  it('retries all matching a filter, and all with no filter, returning the count', async () => {
    const { app, queue, close } = testApp('dead-retry-all');
    const ids = (await makeDead(queue, ERRORS)) as string[];
    const post = (payload: object) =>
      call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/retry`, payload });
    expect((await post({ all: true, filter: { q: 'smtp' } })).body).toEqual({ retried: 2 });
    expect(await queue.redis.zrange(queue.keys.dead, 0, -1)).toEqual([ids[0], ids[2]]);
    const deadAt2 = Number(await queue.redis.zscore(queue.keys.dead, ids[2] as string));
    expect((await post({ all: true, filter: { from: deadAt2 } })).body).toEqual({ retried: 1 });
    expect((await post({ all: true })).body).toEqual({ retried: 1 });
    expect(await queue.counts()).toMatchObject({ dead: 0, waiting: 4, redriven: 4 });
    await close();
  });

  it('a filtered retry-all and a purge leave alone letters that died after the call began', async () => {
    const { app, queue, close } = testApp('dead-after-start');
    const ids = (await makeDead(queue, ERRORS)) as string[];
    // ids[1] "dies" a minute from now by the Redis clock, as a redriven job dying again mid-call would
    const [seconds] = await queue.redis.time();
    await queue.redis.zadd(queue.keys.dead, 'XX', Number(seconds) * 1000 + 60_000, ids[1] as string);
    const retried = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/retry`,
      payload: { all: true, filter: { q: 'smtp' } },
    });
    expect(retried.body).toEqual({ retried: 1 });
    expect(await queue.redis.zrange(queue.keys.dead, 0, -1)).toEqual([ids[0], ids[2], ids[1]]);
    const purged = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/purge`,
      payload: { confirm: queue.name },
    });
    expect(purged.body).toEqual({ deleted: 2 });
    expect(await queue.redis.zrange(queue.keys.dead, 0, -1)).toEqual([ids[1]]);
    await close();
  });

  it('refuses malformed retry bodies and bad ids, changing nothing', async () => {
    const { app, queue, close } = testApp('dead-retry-bad');
    const ids = (await makeDead(queue, ERRORS)) as string[];
    const before = await dumpQueue(queue.redis, queue.name);
    const post = (payload: object) =>
      call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/retry`, payload });
    expectError(await post({}), 400, 'INVALID_REQUEST');
    expectError(await post({ ids: [] }), 400, 'INVALID_REQUEST');
    expectError(
      await post({ ids: Array.from({ length: 1001 }, (_, i) => String(i + 1)) }),
      400,
      'INVALID_REQUEST',
    );
    expectError(await post({ ids: [ids[0], 'bad id'] }), 400, 'INVALID_JOB_ID');
    expectError(await post({ ids: [ids[0]], all: true }), 400, 'INVALID_REQUEST');
    expectError(await post({ all: false }), 400, 'INVALID_REQUEST');
    expectError(await post({ filter: { q: 'smtp' } }), 400, 'INVALID_REQUEST');
    expectError(await post({ all: true, filter: { from: 10, to: 5 } }), 400, 'INVALID_REQUEST');
    expectError(await post({ all: true, filter: { level: 'x' } }), 400, 'INVALID_REQUEST');
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/bad%20id/retry` }),
      400,
      'INVALID_JOB_ID',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('edit and retry replaces only the payload and redrives the job atomically', async () => {
    const { app, queue, close } = testApp('dead-edit');
    const id = await queue.add({ to: 'typo@example' }, { attempts: 1, timeout: 5000 });
    const [leased] = (
      await (await import('../../dist/redis/acquire.js')).acquire(queue.redis, queue.keys, 1, 60_000, 0)
    ).jobs;
    const { settle } = await import('../../dist/redis/settle.js');
    const entry = JSON.stringify({ name: 'Error', message: 'bad address', reason: 'error', at: 1 });
    await settle(queue.redis, queue.keys, [], [{ id, token: leased?.token as number, retryInMs: -1, entry }]);
    const before = await queue.getJob(id);

    const res = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/${id}/retry`,
      payload: { payload: { to: 'ada@example.com' } },
    });
    expect(res.body).toEqual({ retried: 1 });
    const after = await queue.getJob(id);
    expect(after).toMatchObject({
      state: 'waiting',
      payload: { to: 'ada@example.com' },
      attempts: 0,
      deliveries: 1,
      enqueuedAt: before?.enqueuedAt,
      options: before?.options,
      errors: before?.errors,
    });
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([id]);
    expect((await queue.counts()).redriven).toBe(1);
    await close();
  });

  it('edit of a job that is no longer dead is 409 CONFLICT and changes nothing; of an unknown one 404', async () => {
    const { app, queue, close } = testApp('dead-edit-conflict');
    const id = await queue.add({ v: 1 });
    const before = await dumpQueue(queue.redis, queue.name);
    const edit = (jobId: string) =>
      call(app, {
        method: 'POST',
        url: `/api/queues/${queue.name}/dead/${jobId}/retry`,
        payload: { payload: { v: 2 } },
      });
    expectError(await edit(id), 409, 'CONFLICT');
    expectError(await edit('123456'), 404, 'JOB_NOT_FOUND');
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('edit refuses an oversized payload (413) and a damaged record (409), changing nothing', async () => {
    const { app, queue, close } = testApp('dead-edit-bad');
    const [id] = (await makeDead(queue, [{}])) as [string];
    // a record with no payload part, as a decode_error letter may hold (this test is about that parse)
    await queue.redis.hset(queue.keys.jobs, id, 'garbage');
    const before = await dumpQueue(queue.redis, queue.name);
    const edit = (payload: unknown) =>
      call(app, { method: 'POST', url: `/api/queues/${queue.name}/dead/${id}/retry`, payload: { payload } });
    expectError(await edit('x'.repeat(600 * 1024)), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await edit({ ok: true }), 409, 'CONFLICT');
    expectError(
      await call(app, {
        method: 'POST',
        url: `/api/queues/${queue.name}/dead/${id}/retry`,
        payload: { payload: 1, attempts: 3 },
      }),
      400,
      'INVALID_REQUEST',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('deletes one dead letter (404 when not dead), leaving other jobs alone', async () => {
    const { app, queue, close } = testApp('dead-delete');
    const [id] = (await makeDead(queue, [{}])) as [string];
    const waiting = await queue.add({ stay: true });
    const del = (jobId: string) =>
      call(app, { method: 'DELETE', url: `/api/queues/${queue.name}/dead/${jobId}` });
    expect((await del(id)).body).toEqual({ deleted: 1 });
    expect(await queue.getJob(id)).toBeUndefined();
    expectError(await del(id), 404, 'JOB_NOT_FOUND');
    expectError(await del(waiting), 404, 'JOB_NOT_FOUND');
    expect(await queue.getJob(waiting)).toMatchObject({ state: 'waiting' });
    expectError(await del('a%7Cb'), 400, 'INVALID_JOB_ID');
    await close();
  });

  it('purge needs the queue name as confirmation, then deletes more than one chunk', async () => {
    const { app, queue, close } = testApp('dead-purge');
    const n = PURGE_CHUNK + 5;
    const ids = await queue.addBulk(
      Array.from({ length: n }, (_, i) => ({ payload: i, opts: { attempts: 1 } })),
    );
    const { acquire } = await import('../../dist/redis/acquire.js');
    const { settle } = await import('../../dist/redis/settle.js');
    const leased = [];
    while (leased.length < n) leased.push(...(await acquire(queue.redis, queue.keys, 1000, 60_000, 0)).jobs);
    const entry = JSON.stringify({ name: 'Error', message: 'x', reason: 'error', at: 0 });
    await settle(
      queue.redis,
      queue.keys,
      [],
      leased.map(({ id, token }) => ({ id, token, retryInMs: -1, entry })),
    );
    const kept = await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);

    const purge = (payload?: object) =>
      call(app, {
        method: 'POST',
        url: `/api/queues/${queue.name}/dead/purge`,
        ...(payload ? { payload } : {}),
      });
    expectError(await purge(), 400, 'CONFIRMATION_REQUIRED');
    expectError(await purge({}), 400, 'CONFIRMATION_REQUIRED');
    expectError(await purge({ confirm: 'another-queue' }), 400, 'CONFIRMATION_REQUIRED');
    expectError(await purge({ confirm: queue.name.toUpperCase() }), 400, 'CONFIRMATION_REQUIRED');
    expectError(await purge({ confirm: queue.name, force: true }), 400, 'INVALID_REQUEST');
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);

    expect((await purge({ confirm: queue.name })).body).toEqual({ deleted: n });
    expect(await queue.counts()).toMatchObject({ dead: 0, waiting: 1 });
    expect(await queue.redis.hexists(queue.keys.jobs, ids[0] as string)).toBe(0);
    expect(await queue.redis.hexists(queue.keys.errors, ids[n - 1] as string)).toBe(0);
    expect(await queue.getJob(kept)).toMatchObject({ state: 'waiting' });
    await close();
  });
});

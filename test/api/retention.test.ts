import { describe, expect, it } from 'vitest';
import { acquire } from '../../dist/redis/acquire.js';
import { settle } from '../../dist/redis/settle.js';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

describe('retention routes', () => {
  it('GET reads null, PUT sets the setting in Redis, GET reads it back, DELETE clears it', async () => {
    const { app, queue, close } = testApp('ret-route');
    const url = `/api/queues/${queue.name}/retention`;
    expect(await call(app, { url })).toMatchObject({ status: 200, body: { retention: null } });
    const setting = { completed: { count: 100, age: 60_000 }, dead: { count: 5000 } };
    expect(await call(app, { method: 'PUT', url, payload: setting })).toMatchObject({
      status: 200,
      body: { retention: setting },
    });
    expect(await queue.redis.hgetall(queue.keys.retention)).toEqual({
      'completed-count': '100',
      'completed-age': '60000',
      'dead-count': '5000',
    });
    expect(await call(app, { url })).toMatchObject({ status: 200, body: { retention: setting } });
    expect(await call(app, { method: 'DELETE', url })).toMatchObject({
      status: 200,
      body: { retention: null },
    });
    expect(await queue.retention()).toBeUndefined();
    await close();
  });

  it('PUT refuses a bad setting with INVALID_REQUEST naming the field, and changes nothing', async () => {
    const { app, queue, close } = testApp('ret-bad');
    const url = `/api/queues/${queue.name}/retention`;
    await queue.setRetention({ completed: { count: 7 } });
    const before = await dumpQueue(queue.redis, queue.name);
    for (const [payload, field] of [
      [{ completed: { count: 0 } }, 'count'],
      [{ completed: { age: 1.5 } }, 'age'],
      [{ dead: { count: 1_000_001 } }, 'count'],
      [{ completed: {} }, 'completed'],
      [{}, 'fewer than 1'],
      [{ failed: { count: 3 } }, 'unknown field "failed"'],
    ] as const) {
      const result = await call(app, { method: 'PUT', url, payload });
      expectError(result, 400, 'INVALID_REQUEST');
      expect(result.body.error.message, JSON.stringify(payload)).toContain(field);
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('reading needs the read token, setting and clearing the admin token', async () => {
    const { app, queue, close } = testApp('ret-auth', { tokens: { read: READ, admin: ADMIN } });
    const url = `/api/queues/${queue.name}/retention`;
    const payload = { completed: { count: 5 } };
    expectError(await call(app, { url }), 401, 'UNAUTHORIZED');
    expect((await call(app, { url, headers: asReader })).status).toBe(200);
    expectError(await call(app, { method: 'PUT', url, headers: asReader, payload }), 403, 'FORBIDDEN');
    expectError(await call(app, { method: 'DELETE', url, headers: asReader }), 403, 'FORBIDDEN');
    expect(await queue.retention()).toBeUndefined();
    expect((await call(app, { method: 'PUT', url, headers: asAdmin, payload })).status).toBe(200);
    expect(await queue.retention()).toEqual(payload);
    expect((await call(app, { method: 'DELETE', url, headers: asAdmin })).status).toBe(200);
    expect(await queue.retention()).toBeUndefined();
    await close();
  });

  it('jobs?state=completed lists kept completed jobs newest first, and jobs/:id finds one', async () => {
    const { app, queue, close } = testApp('ret-jobs');
    await queue.setRetention({ completed: { count: 10 } });
    await queue.addBulk([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const { jobs } = await acquire(queue.redis, queue.keys, 10, 60_000, 0);
    for (const { id, token } of jobs) await settle(queue.redis, queue.keys, [{ id, token }], []);
    const newest = jobs.map((j) => j.id).reverse();
    const list = await call(app, { url: `/api/queues/${queue.name}/jobs?state=completed` });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual(newest);
    const one = await call(app, { url: `/api/queues/${queue.name}/jobs/${newest[0]}` });
    expect(one).toMatchObject({ status: 200, body: { id: newest[0], state: 'completed', attempts: 1 } });
    expect(typeof one.body.finishedAt).toBe('number');
    await close();
  });
});

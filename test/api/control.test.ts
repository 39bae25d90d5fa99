import { describe, expect, it } from 'vitest';
import { acquire } from '../../dist/redis/acquire.js';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

const tokens = { tokens: { read: READ, admin: ADMIN } };

describe('queue control routes', () => {
  it('POST drain deletes waiting and delayed jobs and answers { removed }', async () => {
    const { app, queue, close } = testApp('api-drain', tokens);
    await queue.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3, opts: { delay: 60_000 } }]);
    await acquire(queue.redis, queue.keys, 1, 60_000, 100);

    const url = `/api/queues/${queue.name}/drain`;
    expect(await call(app, { method: 'POST', url, headers: asAdmin })).toMatchObject({
      status: 200,
      body: { removed: 2 },
    });
    expect(await queue.counts()).toMatchObject({ waiting: 0, delayed: 0, active: 1, drained: 2 });
    expectError(
      await call(app, { method: 'POST', url, headers: asAdmin, payload: { all: true } }),
      400,
      'INVALID_REQUEST',
    );
    await close();
  });

  it('the read token may neither drain nor obliterate, and Redis is untouched', async () => {
    const { app, queue, close } = testApp('api-control-read', tokens);
    await queue.addBulk([{ payload: 1 }, { payload: 2, opts: { delay: 60_000 } }]);
    const before = await dumpQueue(queue.redis, queue.name);
    const q = queue.name;
    for (const request of [
      { method: 'POST', url: `/api/queues/${q}/drain` },
      { method: 'DELETE', url: `/api/queues/${q}` },
      { method: 'DELETE', url: `/api/queues/${q}?force=true` },
    ] as const) {
      expectError(await call(app, { ...request, headers: asReader }), 403, 'FORBIDDEN');
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('DELETE refuses a busy queue with 409 QUEUE_BUSY and changes nothing; force in the query deletes it', async () => {
    const { app, queue, close } = testApp('api-obliterate-busy', tokens);
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    const before = await dumpQueue(queue.redis, queue.name);
    const url = `/api/queues/${queue.name}`;

    const refused = await call(app, { method: 'DELETE', url, headers: asAdmin });
    expectError(refused, 409, 'QUEUE_BUSY');
    expect(refused.body.error.message).toContain('1 jobs leased');
    expectError(
      await call(app, { method: 'DELETE', url, headers: asAdmin, payload: { force: false } }),
      409,
      'QUEUE_BUSY',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);

    expect(await call(app, { method: 'DELETE', url: `${url}?force=true`, headers: asAdmin })).toMatchObject({
      status: 200,
      body: { obliterated: true },
    });
    expect(await dumpQueue(queue.redis, queue.name)).toEqual({});
    await close();
  });

  it('DELETE takes force in the body; a bad or doubled force is 400 and changes nothing', async () => {
    const { app, queue, close } = testApp('api-obliterate-body', tokens);
    await queue.add(1);
    await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    const before = await dumpQueue(queue.redis, queue.name);
    const url = `/api/queues/${queue.name}`;
    for (const bad of [
      { url, payload: { force: 'yes' } },
      { url, payload: { force: true, confirm: queue.name } },
      { url: `${url}?force=true`, payload: { force: true } },
      { url: `${url}?force=true&all=1` },
    ]) {
      expectError(await call(app, { method: 'DELETE', headers: asAdmin, ...bad }), 400, 'INVALID_REQUEST');
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);

    expect(
      await call(app, { method: 'DELETE', url, headers: asAdmin, payload: { force: true } }),
    ).toMatchObject({ status: 200, body: { obliterated: true } });
    expect(await dumpQueue(queue.redis, queue.name)).toEqual({});
    await close();
  });
});

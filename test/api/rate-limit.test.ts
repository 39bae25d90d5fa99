import { describe, expect, it } from 'vitest';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

describe('rate-limit routes', () => {
  it('GET reads null, PUT sets { max, duration } in Redis, GET reads it back, DELETE clears it', async () => {
    const { app, queue, close } = testApp('rl-route');
    const url = `/api/queues/${queue.name}/rate-limit`;
    expect(await call(app, { url })).toMatchObject({ status: 200, body: { rateLimit: null } });

    const put = await call(app, { method: 'PUT', url, payload: { max: 50, duration: 200 } });
    expect(put).toMatchObject({ status: 200, body: { rateLimit: { max: 50, duration: 200 } } });
    expect(await queue.redis.hgetall(queue.keys.limit)).toEqual({ max: '50', duration: '200' });
    expect(await queue.rateLimit()).toEqual({ max: 50, duration: 200 });
    expect(await call(app, { url })).toMatchObject({
      status: 200,
      body: { rateLimit: { max: 50, duration: 200 } },
    });

    expect(await call(app, { method: 'DELETE', url })).toMatchObject({
      status: 200,
      body: { rateLimit: null },
    });
    expect(await queue.redis.exists(queue.keys.limit)).toBe(0);
    expect(await call(app, { url })).toMatchObject({ status: 200, body: { rateLimit: null } });
    await close();
  });

  it('PUT refuses a bad setting with INVALID_REQUEST naming the field, and changes nothing', async () => {
    const { app, queue, close } = testApp('rl-bad');
    const url = `/api/queues/${queue.name}/rate-limit`;
    await queue.setRateLimit({ max: 7, duration: 1000 });
    const before = await dumpQueue(queue.redis, queue.name);
    for (const [payload, field] of [
      [{ max: 0, duration: 1000 }, 'max'],
      [{ max: 2.5, duration: 1000 }, 'max'],
      [{ max: 1_000_001, duration: 1000 }, 'max'],
      [{ max: 10, duration: 0 }, 'duration'],
      [{ max: 10, duration: 86_400_001 }, 'duration'],
      [{ max: 10, duration: '1s' }, 'duration'],
      [{ duration: 1000 }, 'max'],
      [{ max: 10, duration: 1000, burst: 5 }, 'unknown field "burst"'],
    ] as const) {
      const result = await call(app, { method: 'PUT', url, payload });
      expectError(result, 400, 'INVALID_REQUEST');
      expect(result.body.error.message, JSON.stringify(payload)).toContain(field);
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('reading needs the read token, setting and clearing the admin token', async () => {
    const { app, queue, close } = testApp('rl-auth', { tokens: { read: READ, admin: ADMIN } });
    const url = `/api/queues/${queue.name}/rate-limit`;
    const payload = { max: 5, duration: 1000 };
    expectError(await call(app, { url }), 401, 'UNAUTHORIZED');
    expect((await call(app, { url, headers: asReader })).status).toBe(200);
    expectError(await call(app, { method: 'PUT', url, headers: asReader, payload }), 403, 'FORBIDDEN');
    expectError(await call(app, { method: 'DELETE', url, headers: asReader }), 403, 'FORBIDDEN');
    expect(await queue.rateLimit()).toBeUndefined();
    expect((await call(app, { method: 'PUT', url, headers: asAdmin, payload })).status).toBe(200);
    expect(await queue.rateLimit()).toEqual(payload);
    expect((await call(app, { method: 'DELETE', url, headers: asAdmin })).status).toBe(200);
    expect(await queue.rateLimit()).toBeUndefined();
    await close();
  });

  it('an unknown queue is 404 QUEUE_NOT_FOUND and a malformed name 400, for each method', async () => {
    const { app, close } = testApp('rl-unknown');
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const payload = method === 'PUT' ? { payload: { max: 1, duration: 1 } } : {};
      expectError(
        await call(app, { method, url: '/api/queues/no-such-queue/rate-limit', ...payload }),
        404,
        'QUEUE_NOT_FOUND',
      );
      expectError(
        await call(app, { method, url: '/api/queues/bad%20name/rate-limit', ...payload }),
        400,
        'INVALID_REQUEST',
      );
    }
    await close();
  });
});

import { describe, expect, it } from 'vitest';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

const tokens = { admin: ADMIN, read: READ };

describe('schedule routes', () => {
  it('PUT creates or replaces a schedule, GET lists it, DELETE removes it', async () => {
    const { app, queue, close } = testApp('api-sched', { tokens });
    const url = `/api/queues/${queue.name}/schedules`;
    const put = await call(app, {
      method: 'PUT',
      url: `${url}/nightly`,
      headers: asAdmin,
      payload: {
        spec: { cron: '0 2 * * *', tz: 'Europe/Berlin' },
        job: { payload: { kind: 'daily' }, opts: { attempts: 5 } },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      name: 'nightly',
      spec: { cron: '0 2 * * *', tz: 'Europe/Berlin' },
      next: expect.any(Number),
    });
    const every = await call(app, {
      method: 'PUT',
      url: `${url}/beat`,
      headers: asAdmin,
      payload: { spec: { every: 60_000 } },
    });
    expect(every.status).toBe(200);

    const list = await call(app, { url, headers: asReader });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { name: string }) => s.name).sort()).toEqual(['beat', 'nightly']);
    expect(list.body.items.find((s: { name: string }) => s.name === 'nightly')).toEqual(put.body);

    expect((await call(app, { method: 'DELETE', url: `${url}/beat`, headers: asAdmin })).body).toEqual({
      deleted: 1,
    });
    expectError(
      await call(app, { method: 'DELETE', url: `${url}/beat`, headers: asAdmin }),
      404,
      'SCHEDULE_NOT_FOUND',
    );
    expect((await queue.listSchedules()).map((s) => s.name)).toEqual(['nightly']);
    await close();
  });

  it('changing a schedule needs the admin token; bad specs are 400 and change nothing', async () => {
    const { app, queue, close } = testApp('api-sched-bad', { tokens });
    const url = `/api/queues/${queue.name}/schedules`;
    expectError(
      await call(app, {
        method: 'PUT',
        url: `${url}/x`,
        headers: asReader,
        payload: { spec: { every: 1000 } },
      }),
      403,
      'FORBIDDEN',
    );
    expectError(await call(app, { method: 'DELETE', url: `${url}/x`, headers: asReader }), 403, 'FORBIDDEN');
    const before = await dumpQueue(queue.redis, queue.name);
    for (const [payload, field] of [
      [{ spec: { cron: '99 * * * *' } }, 'spec.cron'],
      [{ spec: { cron: '* * * * *', tz: 'Nowhere/City' } }, 'spec.tz'],
      [{ spec: { every: 10 } }, 'spec.every'],
      [{ spec: { every: 1000 }, job: { payload: 1, opts: { jobId: 'fixed' } } }, 'job.opts.jobId'],
      [{ spec: { every: 1000, cron: '* * * * *' } }, undefined],
      [{ spec: { every: 1000 }, extra: 1 }, undefined],
    ] as const) {
      const result = await call(app, { method: 'PUT', url: `${url}/x`, headers: asAdmin, payload });
      expectError(result, 400, 'INVALID_REQUEST');
      if (field)
        expect(result.body.error.message.startsWith(`${field}: `), result.body.error.message).toBe(true);
    }
    expectError(
      await call(app, {
        method: 'PUT',
        url: `${url}/bad%20name`,
        headers: asAdmin,
        payload: { spec: { every: 1000 } },
      }),
      400,
      'INVALID_REQUEST',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });
});

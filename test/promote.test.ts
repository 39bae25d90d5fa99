import { describe, expect, it } from 'vitest';
import { acquire } from '../dist/redis/acquire.js';
import { duplicateOf } from '../dist/redis/connection.js';
import { priorityKey } from '../dist/redis/keys.js';
import { promote } from '../dist/redis/promote.js';
import { settle } from '../dist/redis/settle.js';
import { ADMIN, asAdmin, asReader, call, expectError, READ, testApp } from './api/support.js';
import { openQueue, queueName, waitFor } from './helpers/index.js';

describe('promote (run now)', () => {
  it('moves a delayed job ahead of the waiting ones, once, and leaves other states alone', async () => {
    const queue = openQueue(queueName('promote'));
    const [first, second] = await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    const later = await queue.add(3, { delay: 3_600_000 });
    const leased = await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    expect(leased.jobs.map((j) => j.id)).toEqual([first]);

    expect(
      await promote(queue.redis, queue.keys, [later, later, second as string, first as string, '999']),
    ).toEqual(['moved', 'not-delayed', 'not-delayed', 'not-delayed', 'missing']);
    expect(await queue.counts()).toMatchObject({ waiting: 2, delayed: 0, active: 1 });
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([second, later]);
    // The promoted job is leased before the one that was already waiting, with a fresh token.
    const next = await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    expect(next.jobs.map((j) => [j.id, j.token])).toEqual([[later, 1]]);
    await queue.close();
  });

  it('runs a retry that waits out its backoff now, keeping its delivery count as the fence', async () => {
    const queue = openQueue(queueName('promote-retry'));
    const id = await queue.add('x', { attempts: 3 });
    const [job] = (await acquire(queue.redis, queue.keys, 1, 60_000, 100)).jobs;
    const entry = JSON.stringify({ name: 'Error', message: 'boom', reason: 'error', at: Date.now() });
    await settle(
      queue.redis,
      queue.keys,
      [],
      [{ id, token: job?.token as number, retryInMs: 3_600_000, entry }],
    );
    expect(await queue.counts()).toMatchObject({ delayed: 1, waiting: 0 });
    expect(await promote(queue.redis, queue.keys, [id])).toEqual(['moved']);
    const again = await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    expect(again.jobs.map((j) => [j.id, j.token])).toEqual([[id, 2]]);
    expect((await queue.getJob(id))?.attempts).toBe(2);
    await queue.close();
  });

  it('puts a prioritised job in its level list, and wakes idle engines only when a list was empty', async () => {
    const queue = openQueue(queueName('promote-level'));
    const urgent = await queue.add('u', { delay: 3_600_000, priority: 1 });
    const plain = await queue.add('p', { delay: 3_600_000 });
    const waiting = await queue.add('w');
    const subscriber = duplicateOf(queue.redis, 'sluice:test:wake');
    const wakes: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => wakes.push(message));
    await subscriber.subscribe(queue.keys.wake);
    try {
      // pending already holds `waiting`: no wake; the level-1 list was empty: one wake.
      expect(await promote(queue.redis, queue.keys, [plain, urgent])).toEqual(['moved', 'moved']);
      expect(await queue.redis.lrange(priorityKey(queue.keys, 1), 0, -1)).toEqual([urgent]);
      expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([waiting, plain]);
      await waitFor('the wake message', () => wakes.length === 1);
      const leased = await acquire(queue.redis, queue.keys, 3, 60_000, 100);
      expect(leased.jobs.map((j) => j.id)).toEqual([urgent, plain, waiting]);
    } finally {
      await subscriber.quit();
    }
    expect(wakes).toEqual(['1']);
    await queue.close();
  });

  it('POST /jobs/:id/promote: admin only, 404 for no job, 409 for a job that is not delayed', async () => {
    const t = testApp('promote-api', { tokens: { admin: ADMIN, read: READ } });
    try {
      const later = await t.queue.add(1, { delay: 3_600_000 });
      const now = await t.queue.add(2);
      const url = (id: string) => `/api/queues/${t.queue.name}/jobs/${id}/promote`;
      expectError(
        await call(t.app, { method: 'POST', url: url(later), headers: asReader }),
        403,
        'FORBIDDEN',
      );
      expect((await t.queue.counts()).delayed).toBe(1);
      expect(await call(t.app, { method: 'POST', url: url(later), headers: asAdmin })).toMatchObject({
        status: 200,
        body: { status: 'moved' },
      });
      expect(await t.queue.counts()).toMatchObject({ waiting: 2, delayed: 0 });
      expectError(await call(t.app, { method: 'POST', url: url(now), headers: asAdmin }), 409, 'CONFLICT');
      expectError(
        await call(t.app, { method: 'POST', url: url('12345'), headers: asAdmin }),
        404,
        'JOB_NOT_FOUND',
      );
    } finally {
      await t.close();
    }
  });
});

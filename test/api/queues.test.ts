import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from '../helpers/index.js';
import { asAdmin, call, dumpQueue, expectError, testApp } from './support.js';

const ZERO_COUNTS = {
  waiting: 0,
  active: 0,
  delayed: 0,
  dead: 0,
  added: 0,
  completed: 0,
  failed: 0,
  retried: 0,
  reaped: 0,
  redriven: 0,
  cancelled: 0,
  drained: 0,
};

describe('queue routes', () => {
  it('health answers 200 with ok and Redis reachable while Redis answers', async () => {
    const { app, close } = testApp('health');
    expect(await call(app, { url: '/api/health' })).toMatchObject({
      status: 200,
      body: { ok: true, redis: { reachable: true } },
    });
    await close();
  });

  it('lists every served queue first, writable, with paused and exactly the contract counts', async () => {
    const other = openQueue(queueName('other'));
    const { app, queue, close } = testApp('list', { others: [other] });
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await other.add({ x: 1 }, { delay: 60_000 });
    await other.pause();

    const { status, body } = await call(app, { url: '/api/queues' });
    expect(status).toBe(200);
    expect(body.queues.slice(0, 2)).toEqual([
      { name: queue.name, readOnly: false, paused: false, counts: { ...ZERO_COUNTS, waiting: 2, added: 2 } },
      { name: other.name, readOnly: false, paused: true, counts: { ...ZERO_COUNTS, delayed: 1, added: 1 } },
    ]);
    // the rest are other tests' queues, discovered in the shared Redis (see test/api/discovery.test.ts)
    for (const listed of body.queues.slice(2)) {
      expect(listed).toMatchObject({ readOnly: true });
      expect([queue.name, other.name]).not.toContain(listed.name);
    }
    expect(await call(app, { url: `/api/queues/${other.name}` })).toMatchObject({
      status: 200,
      body: {
        name: other.name,
        readOnly: false,
        paused: true,
        counts: { ...ZERO_COUNTS, delayed: 1, added: 1 },
      },
    });
    await close();
  });

  it('an unknown queue is 404 QUEUE_NOT_FOUND and a malformed name 400, on every queue route', async () => {
    const { app, close } = testApp('unknown');
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['POST', '/drain'],
      ['DELETE', ''],
      ['GET', '/history'],
      ['GET', '/engines'],
      ['GET', '/jobs?state=waiting'],
      ['GET', '/jobs/1'],
      ['POST', '/jobs'],
      ['GET', '/dead'],
      ['POST', '/dead/retry'],
      ['POST', '/dead/1/retry'],
      ['DELETE', '/dead/1'],
      ['POST', '/dead/purge'],
    ] as const) {
      const payload =
        method === 'POST' && path === '/jobs'
          ? { payload: 1 }
          : path === '/dead/retry'
            ? { ids: ['1'] }
            : undefined;
      const unknown = await call(app, {
        method,
        url: `/api/queues/no-such-queue${path}`,
        ...(payload ? { payload } : {}),
      });
      expectError(unknown, 404, 'QUEUE_NOT_FOUND');
      const malformed = await call(app, {
        method,
        url: `/api/queues/bad%20name${path}`,
        ...(payload ? { payload } : {}),
      });
      expectError(malformed, 400, 'INVALID_REQUEST');
    }
    await close();
  });

  it('pause sets the paused key so a running engine leases nothing; resume publishes a wake-up and it runs', async () => {
    const { app, queue, close } = testApp('pause');
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    expect(await call(app, { method: 'POST', url: `/api/queues/${queue.name}/pause` })).toMatchObject({
      status: 200,
      body: { paused: true },
    });
    expect(await queue.redis.get(queue.keys.paused)).toBe('1');
    expect(await queue.isPaused()).toBe(true);

    await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ payload: i })));
    await sleep(300);
    expect(await queue.counts()).toMatchObject({ waiting: 20, completed: 0 });

    const subscriber = queue.redis.duplicate();
    const woken = new Promise<string>((resolve) =>
      subscriber.once('message', (_channel, message) => resolve(message)),
    );
    await subscriber.subscribe(queue.keys.wake);
    expect(await call(app, { method: 'POST', url: `/api/queues/${queue.name}/resume` })).toMatchObject({
      status: 200,
      body: { paused: false },
    });
    expect(await woken).toBe('1');
    await subscriber.quit();
    expect(await queue.redis.exists(queue.keys.paused)).toBe(0);
    await waitFor('the 20 jobs to complete', async () => (await queue.counts()).completed === 20);
    await engine.stop();
    await close();
  });

  it('engines lists a running engine from its heartbeat, and drops it once stopped', async () => {
    const { app, queue, close } = testApp('engines');
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop'), threads: 2 });
    const { status, body } = await call(app, { url: `/api/queues/${queue.name}/engines` });
    expect(status).toBe(200);
    expect(body.engines).toEqual([
      {
        id: engine.id,
        host: expect.any(String),
        pid: process.pid,
        threads: 2,
        inFlight: expect.any(Number),
        jobsPerSec: expect.any(Number),
        startedAt: expect.any(Number),
        seenAt: expect.any(Number),
      },
    ]);
    const [seconds] = await queue.redis.time();
    expect(Math.abs(body.engines[0].seenAt - Number(seconds) * 1000)).toBeLessThan(3000);
    await engine.stop();
    expect((await call(app, { url: `/api/queues/${queue.name}/engines` })).body).toEqual({ engines: [] });
    await close();
  });

  it('history turns the heartbeat points of a running engine into per-second rates, oldest first', async () => {
    const { app, queue, close } = testApp('history');
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    await queue.addBulk(Array.from({ length: 50 }, (_, i) => ({ payload: i })));
    // the engine's own points: "second:completed:failed"
    const members = async () =>
      (await queue.redis.zrange(queue.keys.history, 0, -1)).map((m) => m.split(':').map(Number));
    await waitFor('a point after the 50 completions', async () => (await members()).at(-1)?.[1] === 50, 5000);
    await engine.stop();

    const { status, body } = await call(app, { url: `/api/queues/${queue.name}/history` });
    expect(status).toBe(200);
    const points = body.points as { t: number; completed: number; failed: number }[];
    const written = await members();
    expect(written[0]?.[1]).toBe(0); // the engine's first beat came before any job ran
    expect(points).toHaveLength(written.length - 1);
    expect(points.map((p) => p.t)).toEqual(written.slice(1).map(([second]) => (second as number) * 1000));
    // rate × seconds since the previous point adds up to the completions between first and last point
    let previous = (written[0]?.[0] as number) * 1000;
    let completed = 0;
    for (const p of points) {
      expect(p.failed).toBe(0);
      completed += (p.completed * (p.t - previous)) / 1000;
      previous = p.t;
    }
    expect(completed).toBeCloseTo(50, 9);

    const lastSecond = await call(app, { url: `/api/queues/${queue.name}/history?seconds=1` });
    expect(lastSecond.status).toBe(200);
    expect(lastSecond.body.points.length).toBeLessThanOrEqual(1);
    await close();
  });

  it('refuses history windows outside 1..900 seconds, leaving Redis untouched', async () => {
    const { app, queue, close } = testApp('history-bad');
    await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);
    for (const seconds of ['0', '901', '-5', '1.5', 'abc']) {
      expectError(
        await call(app, { url: `/api/queues/${queue.name}/history?seconds=${seconds}` }),
        400,
        'INVALID_REQUEST',
      );
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('pause and resume refuse a body with fields, and accept none or an empty JSON body', async () => {
    const { app, queue, close } = testApp('pause-body');
    const before = await dumpQueue(queue.redis, queue.name);
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queue.name}/pause`, payload: { now: true } }),
      400,
      'INVALID_REQUEST',
    );
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    const empty = { 'content-type': 'application/json', ...asAdmin };
    expect(
      (
        await call(app, {
          method: 'POST',
          url: `/api/queues/${queue.name}/pause`,
          headers: empty,
          payload: '',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(app, { method: 'POST', url: `/api/queues/${queue.name}/resume`, payload: {} })).status,
    ).toBe(200);
    expect(await queue.isPaused()).toBe(false);
    await close();
  });
});

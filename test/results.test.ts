import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { settle } from '../dist/redis/settle.js';
import { call, expectError, testApp } from './api/support.js';
import { handlerPath, openQueue, queueName, rejection, startEngine, waitFor } from './helpers/index.js';

describe('results', () => {
  it('addAndWait resolves with the return value, for many concurrent callers each with its own', async () => {
    const name = queueName('add-and-wait');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('echo') });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) => queue.addAndWait<{ doubled: number }>({ n })),
    );
    expect(answers.map((a) => a.doubled)).toEqual(Array.from({ length: 200 }, (_, n) => 2 * n));
    await engine.stop();
    await queue.close();
  });

  it('addAndWait rejects with JOB_DEAD naming the last error, and RESULT_NOT_KEPT past maxResultBytes', async () => {
    const name = queueName('wait-fails');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('echo'), maxResultBytes: 100 });
    const dead = await rejection(() => queue.addAndWait({ fail: true, n: 3 }, { attempts: 1 }));
    expect(dead).toMatchObject({
      code: ErrorCode.JOB_DEAD,
      message: expect.stringContaining('RangeError: bad 3'),
    });
    const big = await rejection(() => queue.addAndWait({ bytes: 200 }));
    expect(big).toMatchObject({
      code: ErrorCode.RESULT_NOT_KEPT,
      message: expect.stringContaining('over maxResultBytes (100)'),
    });
    expect(await queue.counts()).toMatchObject({ completed: 1, dead: 1 });
    await engine.stop();
    await queue.close();
  });

  it('addAndWait gives up with WAIT_TIMEOUT after waitMs and leaves the job queued', async () => {
    const queue = openQueue(queueName('wait-timeout'));
    const started = performance.now();
    const error = await rejection(() => queue.addAndWait({ n: 1 }, {}, { waitMs: 200 }));
    expect(error).toMatchObject({ code: ErrorCode.WAIT_TIMEOUT });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await queue.counts()).waiting).toBe(1);
    expect(await rejection(() => queue.addAndWait({ n: 1 }, { keepResult: 0 }))).toMatchObject({
      code: ErrorCode.INVALID_OPTION,
    });
    await queue.close();
  });

  it('keeps a result for keepResult ms only, and none at all without the option', async () => {
    const name = queueName('keep-result');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('echo') });
    const kept = await queue.add({ n: 21 }, { keepResult: 400 });
    const plain = await queue.add({ n: 1 });
    await waitFor('both completed', async () => (await queue.counts()).completed === 2);
    expect(await queue.getResult(kept)).toEqual({ value: { doubled: 42 } });
    expect(await queue.getResult(plain)).toBeUndefined();
    await sleep(450);
    expect(await queue.getResult(kept)).toBeUndefined();
    await engine.stop();
    await queue.close();
  });
});

describe('GET /jobs/:id/result', () => {
  it('answers a kept value or why it was not kept, and 404 when none is kept', async () => {
    const { app, queue, close } = testApp('result-route');
    const added = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/jobs`,
      payload: { payload: {}, opts: { keepResult: 60_000 }, count: 2 },
    });
    const [a, b] = added.body.ids as string[];
    const jobs = (await acquire(queue.redis, queue.keys, 2, 30_000, 0)).jobs;
    const kept = (result: string) => ({ keepResult: 60_000, uniqueFor: 0, result });
    await settle(
      queue.redis,
      queue.keys,
      [
        { ...(jobs[0] as { id: string; token: number }), kept: kept('v{"ok":1}') },
        { ...(jobs[1] as { id: string; token: number }), kept: kept('eresult: too big') },
      ],
      [],
    );
    const url = (id: string) => `/api/queues/${queue.name}/jobs/${id}/result`;
    expect(await call(app, { url: url(a as string) })).toMatchObject({
      status: 200,
      body: { value: { ok: 1 } },
    });
    expect(await call(app, { url: url(b as string) })).toMatchObject({
      status: 200,
      body: { notKept: 'result: too big' },
    });
    expectError(await call(app, { url: url('424242') }), 404, 'JOB_NOT_FOUND');
    await close();
  });
});

describe('uniqueFor', () => {
  it('keeps a completed jobId taken for uniqueFor ms: adding it again meanwhile is a no-op', async () => {
    const name = queueName('unique-for');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('echo') });
    expect(await queue.add({ n: 1 }, { jobId: 'order-1', uniqueFor: 600 })).toBe('order-1');
    await waitFor('the first run', async () => (await queue.counts()).completed === 1);
    expect(await queue.add({ n: 1 }, { jobId: 'order-1', uniqueFor: 600 })).toBe('order-1');
    await sleep(100);
    expect(await queue.counts()).toMatchObject({ added: 1, completed: 1, waiting: 0 });

    await sleep(600);
    await queue.add({ n: 1 }, { jobId: 'order-1', uniqueFor: 600 });
    await waitFor('the second run', async () => (await queue.counts()).completed === 2);
    expect((await queue.counts()).added).toBe(2);
    await engine.stop();
    await queue.close();
  });

  it('refuses uniqueFor without a jobId', async () => {
    const queue = openQueue(queueName('unique-no-id'));
    expect(await rejection(() => queue.add({}, { uniqueFor: 1000 }))).toMatchObject({
      code: ErrorCode.INVALID_OPTION,
      message: expect.stringContaining('opts.uniqueFor'),
    });
    await queue.close();
  });
});

describe('runAt', () => {
  it('holds a job until its time by the Redis clock; a time already past queues it at once', async () => {
    const queue = openQueue(queueName('run-at'));
    const [seconds, micros] = (await queue.redis.time()) as [number | string, number | string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const later = await queue.add({ n: 1 }, { runAt: now + 60_000 });
    const past = await queue.add({ n: 2 }, { runAt: now - 60_000 });
    expect(await queue.getJob(later)).toMatchObject({ state: 'delayed', until: now + 60_000 });
    expect(await queue.getJob(past)).toMatchObject({ state: 'waiting' });
    expect(await rejection(() => queue.add({}, { runAt: now + 1, delay: 5 }))).toMatchObject({
      code: ErrorCode.INVALID_OPTION,
      message: expect.stringContaining('opts.runAt'),
    });
    // a time in seconds rather than ms is refused rather than read as 1970
    expect(await rejection(() => queue.add({}, { runAt: Math.floor(now / 1000) }))).toMatchObject({
      code: ErrorCode.INVALID_OPTION,
    });
    await queue.close();
  });
});

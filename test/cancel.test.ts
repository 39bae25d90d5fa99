import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { acquire } from '../dist/redis/acquire.js';
import { settle } from '../dist/redis/settle.js';
import { call, expectError, testApp } from './api/support.js';
import {
  capturingLogger,
  handlerPath,
  openQueue,
  queueName,
  rejection,
  startEngine,
  waitFor,
} from './helpers/index.js';

const markerFile = (label: string) => join(tmpdir(), `sluice-cancel-${label}-${process.pid}-${Date.now()}`);

describe('cancel', () => {
  it('removes waiting and delayed jobs so they never run; others run as usual', async () => {
    const name = queueName('cancel-waiting');
    const queue = openQueue(name);
    const [, b] = await queue.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const later = await queue.add(4, { delay: 60_000 });
    expect(await queue.cancel(b as string)).toBe('removed');
    expect(await queue.cancel(later)).toBe('removed');
    expect(await queue.cancel(b as string)).toBe('missing');
    expect(await queue.getJob(b as string)).toBeUndefined();
    expect(await queue.counts()).toMatchObject({ waiting: 2, delayed: 0, cancelled: 2 });

    const engine = await startEngine({ queue: name, handler: handlerPath('noop') });
    await waitFor('two completed', async () => (await queue.counts()).completed === 2);
    await engine.stop();
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0, completed: 2, failed: 0 });
    await queue.close();
  });

  it('in a queue of over 10,000 waiting jobs, leaves the id for the engine to drop unrun', async () => {
    const name = queueName('cancel-long');
    const queue = openQueue(name);
    const ids = await queue.addBulk(Array.from({ length: 10_001 }, (_, i) => ({ payload: i })));
    expect(await queue.cancel(ids[5_000] as string)).toBe('removed');
    expect(await queue.counts()).toMatchObject({ waiting: 10_001, cancelled: 1 });

    const engine = await startEngine({ queue: name, handler: handlerPath('noop') });
    await waitFor('the queue to empty', async () => (await queue.counts()).waiting === 0);
    await waitFor('10,000 completed', async () => (await queue.counts()).completed === 10_000);
    await engine.stop();
    expect(await queue.counts()).toMatchObject({ active: 0, completed: 10_000, failed: 0 });
    await queue.close();
  });

  it('stops a running job: its signal fires with CancelledError and nothing of it is recorded', async () => {
    const name = queueName('cancel-running');
    const queue = openQueue(name);
    const { logger, lines } = capturingLogger();
    const engine = await startEngine({ queue: name, handler: handlerPath('until-aborted'), logger });
    const file = markerFile('running');
    const id = await queue.add({ file });
    await waitFor('the handler to start', () => existsSync(`${file}.started`));

    expect(await queue.cancel(id)).toBe('stopped');
    await waitFor('the handler to see the abort', () => existsSync(file));
    expect(readFileSync(file, 'utf8')).toBe('CancelledError');
    await sleep(100); // room for a settle that must not happen
    await engine.stop();

    expect(await queue.counts()).toMatchObject({ active: 0, completed: 0, failed: 0, dead: 0, cancelled: 1 });
    expect(await queue.getJob(id)).toBeUndefined();
    expect(lines.filter((line) => line.msg.includes('stale')).map((line) => line.msg)).toEqual([]);
    expect(lines.some((line) => line.msg === 'jobs cancelled' && line.count === 1)).toBe(true);
    await queue.close();
  });

  it('a handler that ignores the signal and finishes is not counted as completed', async () => {
    const name = queueName('cancel-ignored');
    const queue = openQueue(name);
    const { logger, lines } = capturingLogger();
    const engine = await startEngine({ queue: name, handler: handlerPath('until-aborted'), logger });
    const file = markerFile('ignored');
    const id = await queue.add({ file, ignore: true, ms: 50 });
    await waitFor('the handler to start', () => existsSync(`${file}.started`));

    expect(await queue.cancel(id)).toBe('stopped');
    await waitFor('the handler to see the abort', () => existsSync(file));
    await sleep(200);
    await engine.stop();
    expect(await queue.counts()).toMatchObject({ active: 0, completed: 0, cancelled: 1 });
    // its completion is dropped in the engine, not sent to Redis to be refused
    expect(lines.filter((line) => line.msg.includes('stale')).map((line) => line.msg)).toEqual([]);
    await queue.close();
  });

  it("fences a cancelled lease: its holder's settle is rejected as stale", async () => {
    const queue = openQueue(queueName('cancel-fenced'));
    const id = await queue.add({});
    const [job] = (await acquire(queue.redis, queue.keys, 1, 30_000, 0)).jobs;
    expect(await queue.cancel(id)).toBe('stopped');
    const settled = await settle(queue.redis, queue.keys, [job as { id: string; token: number }], []);
    expect(settled).toMatchObject({ completed: 0, stale: [id] });
    expect(await queue.counts()).toMatchObject({ active: 0, completed: 0, cancelled: 1 });
    await queue.close();
  });

  it("leaves dead letters alone, refuses a malformed id, and answers 'missing' for unknown ids", async () => {
    const queue = openQueue(queueName('cancel-dead'));
    const id = await queue.add({}, { attempts: 1 });
    const [job] = (await acquire(queue.redis, queue.keys, 1, 30_000, 0)).jobs;
    const { token } = job as { token: number };
    await settle(
      queue.redis,
      queue.keys,
      [],
      [{ id, token, retryInMs: -1, entry: '{"name":"E","message":"m","reason":"error","at":0}' }],
    );
    expect(await queue.cancel(id)).toBe('dead');
    expect((await queue.counts()).dead).toBe(1);
    expect(await queue.cancel('424242')).toBe('missing');
    expect(await rejection(() => queue.cancel('no spaces allowed'))).toMatchObject({
      code: 'SLUICE_ERR_INVALID_JOB_ID',
    });
    await queue.close();
  });

  it('POST /jobs/:id/cancel answers the status, 404 for an unknown job and 409 for a dead letter', async () => {
    const { app, queue, close } = testApp('cancel-api');
    const id = await queue.add({});
    const url = (job: string) => `/api/queues/${queue.name}/jobs/${job}/cancel`;
    expect(await call(app, { method: 'POST', url: url(id) })).toMatchObject({
      status: 200,
      body: { status: 'removed' },
    });
    expectError(await call(app, { method: 'POST', url: url(id) }), 404, 'JOB_NOT_FOUND');
    const dead = await queue.add({}, { attempts: 1 });
    const [job] = (await acquire(queue.redis, queue.keys, 1, 30_000, 0)).jobs;
    await settle(
      queue.redis,
      queue.keys,
      [],
      [{ id: dead, token: (job as { token: number }).token, retryInMs: -1, entry: '{}' }],
    );
    expectError(await call(app, { method: 'POST', url: url(dead) }), 409, 'CONFLICT');
    await close();
  });
});

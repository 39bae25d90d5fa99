import { describe, expect, it } from 'vitest';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from '../helpers/index.js';
import { call, expectError, testApp } from './support.js';

describe('which engine holds a running job', () => {
  it('the engines answer from their leases: each running job is named with its engine, in well under the timeout', async () => {
    const t = testApp('holders');
    const name = t.queue.name;
    // Each engine takes at most 2 jobs of 2 s: 4 jobs run, 2 on each, the rest wait.
    const settings = { handler: handlerPath('slow'), threadBatch: 1, maxInFlight: 2 };
    const a = await startEngine({ queue: name, ...settings });
    const b = await startEngine({ queue: name, ...settings });
    try {
      const ids = await t.queue.addBulk(Array.from({ length: 6 }, () => ({ payload: { ms: 2000 } })));
      await waitFor('4 running', async () => (await t.queue.counts()).active === 4);
      const active = (await t.queue.listJobs('active')).items;
      const url = `/api/queues/${name}/holders?ids=${ids.join(',')}`;
      const { status, body } = await call(t.app, { url });
      expect(status).toBe(200);
      expect({ asked: body.asked, answered: body.answered }).toEqual({ asked: 2, answered: 2 });
      const held = new Map(body.holders.map((h: { id: string }) => [h.id, h]));
      expect([...held.keys()].sort()).toEqual(active.map((j) => j.id).sort());
      for (const job of active) {
        expect(held.get(job.id)).toMatchObject({ token: job.deliveries, pid: process.pid });
      }
      const engines = body.holders.map((h: { engine: string }) => h.engine);
      expect(new Set(engines)).toEqual(new Set([a.id, b.id]));
      expect(body.ms, 'every engine answered, so no wait for the timeout').toBeLessThan(250);

      // The answer's latency, as the commit message and README report it.
      const times: number[] = [];
      for (let i = 0; i < 20; i++) times.push((await call(t.app, { url })).body.ms);
      times.sort((x, y) => x - y);
      console.info(`holders lookup over 2 engines: median ${times[10]} ms, max ${times[19]} ms`);
    } finally {
      await a.stop(0);
      await b.stop(0);
      await t.close();
    }
  });

  it('answers no holder for jobs nobody runs, and refuses a malformed id list', async () => {
    const other = openQueue(queueName('holders-none-engine'));
    const t = testApp('holders-none');
    const engine = await startEngine({ queue: other.name, handler: handlerPath('noop') });
    try {
      const id = await t.queue.add(1);
      const { body } = await call(t.app, { url: `/api/queues/${t.queue.name}/holders?ids=${id}` });
      expect(body).toMatchObject({ holders: [], asked: 0, answered: 0 });
      expectError(
        await call(t.app, { url: `/api/queues/${t.queue.name}/holders?ids=1,,2` }),
        400,
        'INVALID_REQUEST',
      );
      expectError(await call(t.app, { url: `/api/queues/${t.queue.name}/holders` }), 400, 'INVALID_REQUEST');
    } finally {
      await engine.stop();
      await t.close();
      await other.close();
    }
  });
});

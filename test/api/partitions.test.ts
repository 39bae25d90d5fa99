import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from '../helpers/index.js';
import { call, expectError } from './support.js';

describe('the API on a partitioned queue', () => {
  it('finds the partitions itself and shows the whole queue: counts, jobs by id, dead letters, one group', async () => {
    const name = queueName('api-parts');
    const producer = openQueue(name, { partitions: 3 });
    const ids = await producer.addBulk(
      Array.from({ length: 9 }, (_, n) => ({ payload: { n }, opts: { attempts: 1 } })),
    );
    // the API's queue is opened without the option, as `--api` opens it
    const served = openQueue(name);
    const app = buildApp({ uiDir: false, queues: [served] });
    try {
      const listed = await call(app, { url: '/api/queues' });
      // the served queue first; the others are discovered in the shared Redis, read-only
      expect(listed.body.queues[0]).toMatchObject({
        name,
        readOnly: false,
        counts: { waiting: 9, added: 9 },
      });
      for (const other of listed.body.queues.slice(1)) expect(other).toMatchObject({ readOnly: true });
      for (const id of [ids[1], ids[2]]) {
        const job = await call(app, { url: `/api/queues/${name}/jobs/${id}` });
        expect(job).toMatchObject({ status: 200, body: { id, state: 'waiting' } });
      }

      const engine = await startEngine({ queue: name, handler: handlerPath('throws') });
      await waitFor('9 dead letters', async () => (await served.counts()).dead === 9);
      await engine.stop();
      const dead = await call(app, { url: `/api/queues/${name}/dead?limit=100` });
      expect(dead.status).toBe(200);
      expect((dead.body as { total: number }).total).toBe(9);
      const groups = await call(app, { url: `/api/queues/${name}/dead/groups` });
      expect(groups.body).toMatchObject({ groups: [{ count: 9 }] });
      expectError(await call(app, { url: `/api/queues/${name}/events` }), 409, 'CONFLICT');
    } finally {
      await app.close();
      await producer.obliterate({ force: true });
      await Promise.all([producer.close(), served.close()]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Queue } from '../dist/index.js';
import { queueName, rejection } from './helpers/index.js';
import { startRedisServer } from './helpers/redis-server.js';

describe('a Redis over maxmemory (noeviction)', () => {
  it('refuses adds with its OOM error but still answers every read, and a paused queue can be resumed', async () => {
    const server = await startRedisServer({ maxmemory: '4mb' });
    const queue = new Queue(queueName('full'), { connection: server.url });
    try {
      const [id] = await queue.addBulk([{ payload: { n: 1 } }]);
      await queue.pause();
      // Fill Redis past maxmemory with a script (writes inside a running script are not refused).
      await queue.redis.eval(
        "for i = 1, 40000 do redis.call('HSET', KEYS[1], i, string.rep('x', 200)) end",
        1,
        'ballast',
      );
      const refused = await rejection(() => queue.add({ n: 2 }));
      expect(String((refused as Error).message)).toMatch(/OOM/);
      expect(await queue.counts()).toMatchObject({ waiting: 1, added: 1 });
      expect(await queue.getJob(id as string)).toMatchObject({ state: 'waiting', payload: { n: 1 } });
      expect((await queue.listJobs('waiting')).items.map((j) => j.id)).toEqual([id]);
      expect(await queue.listDead()).toEqual({ total: 0, items: [] });
      expect(await queue.snapshot()).toMatchObject({ paused: true, counts: { waiting: 1 } });
      // what /metrics reads, the oldest waiting job's age (a read-only script) included
      const metrics = await queue.metrics();
      expect(metrics).toMatchObject({ waiting: 1, added: 1, paused: true, engines: 0 });
      expect(metrics.oldestWaitingMs).toBeGreaterThanOrEqual(0);
      expect(await queue.engines()).toEqual([]);
      expect(await queue.history(60)).toEqual([]);
      await queue.resume();
      expect(await queue.isPaused()).toBe(false);
    } finally {
      await queue.close();
      await server.stop();
    }
  });
});

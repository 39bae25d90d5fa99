import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../dist/index.js';
import { openQueue, queueName, rejection, waitFor } from './helpers/index.js';
import { startRedisServer } from './helpers/redis-server.js';

/** Calls of a command since the server started, from INFO commandstats. */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
}

describe('queue option replicas (acknowledged once a replica has the jobs)', () => {
  it('refuses a malformed replicas option with INVALID_OPTION naming the field', async () => {
    const bad: [unknown, string][] = [
      [1, 'replicas'],
      [null, 'replicas'],
      [{ count: 1 }, 'replicas.timeoutMs'],
      [{ timeoutMs: 100 }, 'replicas.count'],
      [{ count: 0, timeoutMs: 100 }, 'replicas.count'],
      [{ count: 17, timeoutMs: 100 }, 'replicas.count'],
      [{ count: 1.5, timeoutMs: 100 }, 'replicas.count'],
      [{ count: 1, timeoutMs: 0 }, 'replicas.timeoutMs'],
      [{ count: 1, timeoutMs: 60_001 }, 'replicas.timeoutMs'],
      [{ count: 1, timeoutMs: '100' }, 'replicas.timeoutMs'],
      [{ count: 1, timeoutMs: 100, quorum: true }, 'replicas.quorum'],
    ];
    for (const [replicas, field] of bad) {
      const error = await rejection(() => openQueue(queueName('badrepl'), { replicas } as never));
      expect(error, JSON.stringify(replicas)).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
      expect((error as SluiceError).message).toMatch(new RegExp(`^${field}: `));
    }
    const ok = openQueue(queueName('okrepl'), { replicas: { count: 16, timeoutMs: 60_000 } });
    await ok.close();
  });

  it('resolves once the replica has the jobs (WAIT after the script, one pipeline); without the option, no WAIT is sent', async () => {
    // Sync at once rather than after the default 5 s wait for more replicas.
    const master = await startRedisServer({ 'repl-diskless-sync-delay': '0' });
    const replicaServer = await startRedisServer({ replicaof: `127.0.0.1 ${master.port}` });
    const admin = new Redis(master.url);
    const replica = new Redis(replicaServer.url);
    try {
      await waitFor('the replica to sync', async () =>
        /master_link_status:up/.test(await replica.info('replication')),
      );
      const name = queueName('repl');
      const plain = openQueue(name, { connection: master.url });
      await plain.add({ n: 0 });
      await plain.addBulk([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
      expect(await calls(admin, 'wait')).toBe(0);

      const confirmed = openQueue(name, { connection: master.url, replicas: { count: 1, timeoutMs: 5000 } });
      const id = await confirmed.add({ n: 3 });
      // On the replica the moment the add resolves: that is what the WAIT bought.
      expect(await replica.hexists(confirmed.keys.jobs, id)).toBe(1);
      // 2,500 jobs are three script calls, confirmed by one WAIT after the last.
      const ids = await confirmed.addBulk(Array.from({ length: 2500 }, (_, n) => ({ payload: { n } })));
      expect(ids).toHaveLength(2500);
      expect(await replica.hlen(confirmed.keys.jobs)).toBe(2504);
      expect(await calls(admin, 'wait')).toBe(2);

      // A server that lost the script (SCRIPT FLUSH) refuses the EVALSHA: the job goes again as
      // EVAL in a second pipeline, with a WAIT of its own after it.
      await admin.script('FLUSH');
      const again = await confirmed.add({ n: 4 }, { jobId: 'after-flush' });
      expect(await replica.hexists(confirmed.keys.jobs, again)).toBe(1);
      expect(await calls(admin, 'wait')).toBe(4);
      await Promise.all([plain.close(), confirmed.close()]);
    } finally {
      admin.disconnect();
      replica.disconnect();
      await Promise.all([replicaServer.stop(), master.stop()]);
    }
  });

  it('rejects with REPLICATION_TIMEOUT when too few replicas confirm; the jobs are written, and a retry with the same jobIds adds none again', async () => {
    const master = await startRedisServer();
    try {
      const queue = openQueue(queueName('repl-timeout'), {
        connection: master.url,
        replicas: { count: 1, timeoutMs: 50 },
      });
      const jobs = [
        { payload: { n: 1 }, opts: { jobId: 'order-1' } },
        { payload: { n: 2 }, opts: { jobId: 'order-2' } },
      ];
      for (let attempt = 0; attempt < 2; attempt++) {
        const started = performance.now();
        const error = await rejection(() => queue.addBulk(jobs));
        expect(performance.now() - started).toBeGreaterThanOrEqual(45);
        expect(error).toBeInstanceOf(SluiceError);
        expect((error as SluiceError).code).toBe(ErrorCode.REPLICATION_TIMEOUT);
        expect((error as SluiceError).message).toContain(
          '2 job(s) (order-1, order-2) ARE written on the master',
        );
        expect((error as SluiceError).message).toContain(
          'not confirmed on 1 replica(s) (only 0 did within 50 ms)',
        );
      }
      expect(await queue.counts()).toMatchObject({ added: 2, waiting: 2 });
      expect((await queue.getJob('order-2'))?.payload).toEqual({ n: 2 });
      await queue.close();
    } finally {
      await master.stop();
    }
  });
});

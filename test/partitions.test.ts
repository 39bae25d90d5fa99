import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, SluiceError } from '../dist/index.js';
import { partitionKeys } from '../dist/redis/keys.js';
import {
  handlerPath,
  keysMatching,
  openQueue,
  queueName,
  redisClient,
  redisUrl,
  rejection,
  startEngine,
  waitFor,
} from './helpers/index.js';
import { readLedger, useLedger } from './helpers/ledger.js';

/** Waiting jobs in each partition, read straight from its keys. */
async function perPartition(queue: Queue, count: number): Promise<number[]> {
  return Promise.all(partitionKeys(queue.name, count).map((keys) => queue.redis.llen(keys.pending)));
}

describe('a partitioned queue', () => {
  it('spreads 8,000 jobs over 4 partitions; one engine runs each exactly once; counts add up; no key is left', async () => {
    const ledger = useLedger();
    const name = queueName('parts');
    const queue = openQueue(name, { partitions: 4 });
    const ids = await queue.addBulk(Array.from({ length: 8000 }, (_, i) => ({ payload: { i } })));
    expect(new Set(ids).size).toBe(8000);
    expect(await perPartition(queue, 4)).toEqual([2000, 2000, 2000, 2000]);
    // generated ids name their partition
    expect(ids.slice(0, 4).map((id) => id.split('~')[0])).toEqual([
      expect.stringMatching(/^\d+$/),
      '1',
      '2',
      '3',
    ]);
    expect((await queue.counts()).waiting).toBe(8000);

    // the engine finds the partition count in Redis
    const engine = await startEngine({ queue: name, handler: handlerPath('ledger') });
    await waitFor('8,000 completions', async () => (await queue.counts()).completed >= 8000, 40_000);
    await engine.stop();

    const lines = readLedger(ledger);
    expect(lines).toHaveLength(8000);
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(ids));
    expect(await queue.counts()).toMatchObject({
      added: 8000,
      completed: 8000,
      waiting: 0,
      active: 0,
      dead: 0,
    });
    await queue.obliterate();
    expect(await keysMatching(queue.redis, `sluice:{${name}*`)).toEqual([]);
    await queue.close();
  });

  it('routes a chosen jobId to one partition, so a second add of it is a duplicate, and finds it by id', async () => {
    const queue = openQueue(queueName('parts-id'), { partitions: 3 });
    const first = await queue.addBulk(
      Array.from({ length: 30 }, (_, i) => ({ payload: { i }, opts: { jobId: `order-${i}` } })),
    );
    const again = await queue.addBulk(
      Array.from({ length: 30 }, (_, i) => ({ payload: { i, again: true }, opts: { jobId: `order-${i}` } })),
    );
    expect(again).toEqual(first);
    expect(await queue.counts()).toMatchObject({ added: 30, waiting: 30 });
    const spread = await perPartition(queue, 3);
    expect(spread.every((n) => n > 0)).toBe(true);
    expect((await queue.getJob('order-7'))?.payload).toEqual({ i: 7 });
    expect(await queue.cancel('order-7')).toBe('removed');
    expect(await queue.getJob('order-7')).toBeUndefined();
    // generated ids too
    const generated = await queue.add({ plain: true });
    expect((await queue.getJob(generated))?.payload).toEqual({ plain: true });
    const listed = await queue.listJobs('waiting', { limit: 1000 });
    expect(listed.total).toBe(30);
    expect(new Set(listed.items.map((job) => job.id)).size).toBe(30);
    await queue.obliterate();
    await queue.close();
  });

  it('keeps its partition count: another count is PARTITIONS_MISMATCH; a queue opened without one finds it', async () => {
    const name = queueName('parts-fixed');
    const queue = openQueue(name, { partitions: 4 });
    await queue.add({ n: 1 });
    const other = openQueue(name, { partitions: 2 });
    const refused = await rejection(() => other.add({ n: 2 }));
    expect(refused).toBeInstanceOf(SluiceError);
    expect((refused as SluiceError).code).toBe(ErrorCode.PARTITIONS_MISMATCH);
    const engineRefused = await rejection(() =>
      startEngine({ queue: name, handler: handlerPath('noop'), partitions: 3 }),
    );
    expect((engineRefused as SluiceError).code).toBe(ErrorCode.PARTITIONS_MISMATCH);
    const found = openQueue(name);
    await found.addBulk(Array.from({ length: 8 }, (_, i) => ({ payload: i })));
    expect(await perPartition(found, 4)).toEqual([3, 2, 2, 2]);
    expect(
      ((await rejection(() => queue.setRateLimit({ max: 10, duration: 1000 }))) as SluiceError).code,
    ).toBe(ErrorCode.PARTITIONED);
    expect(((await rejection(() => queue.events())) as SluiceError).code).toBe(ErrorCode.PARTITIONED);
    await queue.obliterate();
    await Promise.all([queue.close(), other.close(), found.close()]);
  });

  it('gathers the dead letters of every partition: list, groups, and a group retry across partitions', async () => {
    const name = queueName('parts-dlq');
    const queue = openQueue(name, { partitions: 3 });
    await queue.addBulk(Array.from({ length: 12 }, (_, n) => ({ payload: { n }, opts: { attempts: 1 } })));
    const engine = await startEngine({ queue: name, handler: handlerPath('throws') });
    await waitFor('12 dead letters', async () => (await queue.counts()).dead === 12);
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    const page = await queue.listDead({ limit: 5, offset: 5 });
    expect(page.total).toBe(12);
    expect(page.items).toHaveLength(5);
    const all = await queue.listDead({ limit: 100 });
    expect(new Set(all.items.map((letter) => letter.id)).size).toBe(12);
    const groups = await queue.deadGroups();
    expect(groups).toHaveLength(1);
    expect(groups[0]?.count).toBe(12);
    expect((await queue.listDeadGroup(groups[0]?.id as string, { limit: 100 })).total).toBe(12);
    expect(await queue.retryDeadGroup(groups[0]?.id as string)).toBe(12);
    expect(await queue.counts()).toMatchObject({ dead: 0, waiting: 12 });
    expect(await queue.deleteDead(all.items.map((letter) => letter.id))).toBe(0);
    await engine.stop();
    await queue.obliterate();
    await queue.close();
  });

  it('an engine on 8 empty partitions sleeps: a job added to any of them starts at once', async () => {
    const ledger = useLedger();
    const name = queueName('parts-idle');
    const queue = openQueue(name, { partitions: 8 });
    const engine = await startEngine({ queue: name, handler: handlerPath('ledger'), partitions: 8 });
    await sleep(300);
    expect(engine.state).toBe('idle');
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      const id = await queue.add({ i });
      await waitFor(`job ${id} to run`, () => readLedger(ledger).some((line) => line.id === id), 2000);
      // the 1 s poll would take up to a second: the wake message of its partition did it
      expect(performance.now() - started).toBeLessThan(500);
    }
    await engine.stop();
    await queue.obliterate();
    await queue.close();
  });

  it.runIf(redisUrl().includes(','))(
    'puts 6 partitions on the 3 masters of the cluster, 2 on each',
    async () => {
      const client = redisClient() as Cluster;
      try {
        const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const perMaster = new Map<string, number>();
        for (const keys of partitionKeys('orders', 6)) {
          const slot = (await client.call('CLUSTER', 'KEYSLOT', keys.pending)) as number;
          const [, , [host, port]] = slots.find(([from, to]) => slot >= from && slot <= to) as [
            number,
            number,
            [string, number],
          ];
          perMaster.set(`${host}:${port}`, (perMaster.get(`${host}:${port}`) ?? 0) + 1);
        }
        expect([...perMaster.values()]).toEqual([2, 2, 2]);
      } finally {
        client.disconnect();
      }
    },
  );
});

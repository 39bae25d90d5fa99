import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, Queue as QueueClass, SluiceError } from '../dist/index.js';
import { openQueue, queueName, rejection } from './helpers/index.js';
import { startRedisServer } from './helpers/redis-server.js';

/** The 'added' entries of the queue's event stream: one per enqueue script call. */
async function addedCalls(queue: Queue): Promise<string[][]> {
  const page = await queue.events('0', 1000);
  return page.events.filter((e) => e.type === 'added').map((e) => e.jobIds);
}

describe('add batching', () => {
  it('concurrent adds and addBulks of one tick make one script call, written in call order', async () => {
    const queue = openQueue(queueName('batch'));
    await queue.setEvents(true);
    const calls = [
      queue.add({ n: 1 }),
      queue.addBulk([{ payload: { n: 2 } }, { payload: { n: 3 } }]),
      queue.add({ n: 4 }, { jobId: 'named-4' }),
      queue.add({ n: 5 }, { delay: 60_000 }),
      queue.add({ n: 6 }),
    ];
    const [a, bulk, named, delayed, f] = await Promise.all(calls);
    expect(named).toBe('named-4');
    expect(bulk).toHaveLength(2);
    const order = [a, ...(bulk as string[]), named, f] as string[];
    // LPUSH in, RPOP out: the list read from its tail is the order jobs run in.
    expect((await queue.redis.lrange(queue.keys.pending, 0, -1)).reverse()).toEqual(order);
    expect(await queue.redis.zscore(queue.keys.delayed, delayed as string)).not.toBeNull();
    expect(await addedCalls(queue)).toEqual([[...order.slice(0, 4), delayed, order[4]]]);
    expect(await queue.counts()).toMatchObject({ added: 6, waiting: 5, delayed: 1 });
    await queue.close();
  });

  it('with batchAdds: false, each add is its own script call', async () => {
    const queue = openQueue(queueName('unbatched'), { batchAdds: false });
    await queue.setEvents(true);
    const ids = await Promise.all([queue.add({ n: 1 }), queue.add({ n: 2 }), queue.add({ n: 3 })]);
    expect(await addedCalls(queue)).toEqual(ids.map((id) => [id]));
    await queue.close();
  });

  it('a bad add in a tick rejects alone; the others of the tick are written', async () => {
    const queue = openQueue(queueName('bad-one'));
    const results = await Promise.allSettled([
      queue.add({ n: 1 }),
      queue.add({ n: Number.NaN }),
      queue.add({ n: 3 }, { attempts: -1 }),
      queue.add({ n: 4 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as SluiceError).code).toBe(
      ErrorCode.INVALID_PAYLOAD,
    );
    expect(((results[2] as PromiseRejectedResult).reason as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
    expect(await queue.counts()).toMatchObject({ added: 2, waiting: 2 });
    await queue.close();
  });

  it('a write Redis refuses rejects every add that joined it, and none of them is written', async () => {
    const server = await startRedisServer({ maxmemory: '4mb' });
    const queue = new QueueClass(queueName('refused'), { connection: server.url });
    try {
      await queue.add({ n: 0 });
      // Fill Redis past maxmemory with a script (writes inside a running script are not refused).
      await queue.redis.eval(
        "for i = 1, 40000 do redis.call('HSET', KEYS[1], i, string.rep('x', 200)) end",
        1,
        'ballast',
      );
      const results = await Promise.allSettled([1, 2, 3].map((n) => queue.add({ n })));
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect(String((result as PromiseRejectedResult).reason)).toMatch(/OOM/);
      }
      expect(await queue.counts()).toMatchObject({ added: 1, waiting: 1 });
    } finally {
      await queue.close();
      await server.stop();
    }
  });

  it('refuses a batchAdds that is not a boolean, naming it', async () => {
    const error = await rejection(
      () => new QueueClass(queueName('opt'), { batchAdds: 'yes' as unknown as boolean }),
    );
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
    expect((error as SluiceError).message).toContain('batchAdds');
  });
});

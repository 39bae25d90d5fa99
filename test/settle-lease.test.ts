import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { acquire } from '../dist/redis/acquire.js';
import { reap } from '../dist/redis/reap.js';
import { settle } from '../dist/redis/settle.js';
import { openQueue, queueName } from './helpers/index.js';

const LEASE = { leaseMs: 60_000, promoteLimit: 100 };

function errorEntry(message: string): string {
  return JSON.stringify({ name: 'Error', message, reason: 'error', at: Date.now() });
}

describe('settle and lease in one call', () => {
  it('settles its entries, then leases the next jobs in order, each in active under a new token', async () => {
    const queue = openQueue(queueName('sl-next'));
    const { redis, keys } = queue;
    const ids = await queue.addBulk([1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));
    const first = await acquire(redis, keys, 2, 60_000, 100);
    expect(first.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));

    const settled = await settle(redis, keys, first.jobs, [], { max: 2, ...LEASE });
    expect(settled).toMatchObject({ completed: 2, stale: [], retryDue: -1 });
    expect(settled.leased?.jobs.map((j) => [j.id, j.token])).toEqual([
      [ids[2], 1],
      [ids[3], 1],
    ]);
    expect(settled.leased?.pendingLeft).toBe(1);
    for (const job of settled.leased?.jobs ?? []) {
      expect(Number(await redis.zscore(keys.active, job.id))).toBe((settled.leased?.now ?? 0) + 60_000);
    }
    expect(await queue.counts()).toMatchObject({ completed: 2, active: 2, waiting: 1 });
    await queue.close();
  });

  it('leases nothing from a paused queue and says the queue is empty when it is', async () => {
    const queue = openQueue(queueName('sl-empty'));
    const { redis, keys } = queue;
    const [a, b] = await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    const leased = (await acquire(redis, keys, 1, 60_000, 100)).jobs;
    expect(leased.map((j) => j.id)).toEqual([a]);
    await queue.pause();
    const paused = await settle(redis, keys, leased, [], { max: 10, ...LEASE });
    expect(paused.leased).toMatchObject({ jobs: [], pendingLeft: 0 });
    expect(await redis.lrange(keys.pending, 0, -1)).toEqual([b]);
    await queue.resume();
    const second = (await acquire(redis, keys, 1, 60_000, 100)).jobs;
    const drained = await settle(redis, keys, second, [], { max: 10, ...LEASE });
    expect(second.map((j) => j.id)).toEqual([b]);
    expect(drained.leased).toMatchObject({ jobs: [], pendingLeft: 0, nextDue: -1, limitWait: -1 });
    await queue.close();
  });

  it('reports the earliest due time of the retries it delays, and can lease a retry requeued at once', async () => {
    const queue = openQueue(queueName('sl-retry'));
    const { redis, keys } = queue;
    const [a, b, c] = await queue.addBulk([1, 2, 3].map((n) => ({ payload: n, opts: { attempts: 3 } })));
    const leased = (await acquire(redis, keys, 3, 60_000, 100)).jobs;
    const [ja, jb, jc] = leased as [(typeof leased)[0], (typeof leased)[0], (typeof leased)[0]];
    const settled = await settle(
      redis,
      keys,
      [],
      [
        { id: ja.id, token: ja.token, retryInMs: 5000, entry: errorEntry('later') },
        { id: jb.id, token: jb.token, retryInMs: 200, entry: errorEntry('soon') },
        { id: jc.id, token: jc.token, retryInMs: 0, entry: errorEntry('now') },
      ],
      { max: 10, ...LEASE },
    );
    expect(settled).toMatchObject({ retried: 3, stale: [] });
    const now = settled.leased?.now ?? 0;
    expect(settled.retryDue).toBeGreaterThanOrEqual(now + 190);
    expect(settled.retryDue).toBeLessThanOrEqual(now + 200);
    // c went back to pending and was leased again in the same call, with the next token.
    expect(settled.leased?.jobs.map((j) => [j.id, j.token])).toEqual([[c, 2]]);
    expect(settled.leased?.nextDue).toBe(-1);
    expect(await redis.zrange(keys.delayed, 0, -1)).toEqual([b, a]);
    await queue.close();
  });

  it('a block leased by a call whose engine died comes back after the lease, and the stale tokens are refused', async () => {
    const queue = openQueue(queueName('sl-crash'));
    const { redis, keys } = queue;
    const ids = await queue.addBulk([1, 2, 3].map((n) => ({ payload: n })));
    const first = (await acquire(redis, keys, 1, 60_000, 100)).jobs;
    // The engine settles its job and leases two more, then dies before handing them to a thread.
    const lost = await settle(redis, keys, first, [], { max: 2, leaseMs: 50, promoteLimit: 100 });
    expect(lost.leased?.jobs.map((j) => j.id)).toEqual(ids.slice(1));
    await sleep(80);
    expect((await reap(redis, keys, 100)).requeued).toBe(2);
    expect(await queue.counts()).toMatchObject({ waiting: 2, active: 0, completed: 1 });
    // A second engine leases them under new tokens; the dead engine's tokens change nothing.
    const again = (await acquire(redis, keys, 2, 60_000, 100)).jobs;
    expect(again.map((j) => j.token)).toEqual([2, 2]);
    const stale = await settle(redis, keys, lost.leased?.jobs ?? [], []);
    expect(stale).toMatchObject({ completed: 0, stale: ids.slice(1) });
    expect((await settle(redis, keys, again, [])).completed).toBe(2);
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0, completed: 3 });
    await queue.close();
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Queue } from '../dist/index.js';
import { acquire, type Leased } from '../dist/redis/acquire.js';
import { handlerPath, openQueue, queueName, redisClient, startEngine, waitFor } from './helpers/index.js';
import { readLedger, useLedger } from './helpers/ledger.js';

/** Milliseconds by the Redis clock, from a TIME reply. */
function redisMs([seconds, micros]: [string, string]): number {
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

async function keySizes(queue: Queue) {
  const { redis, keys } = queue;
  const [pending, active, delayed, dead, jobs, deliveries, errors] = await Promise.all([
    redis.llen(keys.pending),
    redis.zcard(keys.active),
    redis.zcard(keys.delayed),
    redis.zcard(keys.dead),
    redis.hlen(keys.jobs),
    redis.hlen(keys.deliveries),
    redis.hlen(keys.errors),
  ]);
  return { pending, active, delayed, dead, jobs, deliveries, errors };
}

describe('job lifecycle', () => {
  it('runs each of 10,000 bulk-added jobs exactly once and leaves no key behind', async () => {
    const ledger = useLedger();
    const name = queueName('bulk10k');
    const queue = openQueue(name);
    const ids = await queue.addBulk(Array.from({ length: 10_000 }, (_, i) => ({ payload: { i } })));
    expect(new Set(ids).size).toBe(10_000);

    const engine = await startEngine({ queue: name, handler: handlerPath('ledger') });
    await waitFor('10,000 completions', async () => (await queue.counts()).completed >= 10_000, 50_000);
    await engine.stop();

    const counts = await queue.counts();
    expect(counts).toMatchObject({
      added: 10_000,
      completed: 10_000,
      failed: 0,
      retried: 0,
      reaped: 0,
      waiting: 0,
      active: 0,
      delayed: 0,
      dead: 0,
    });
    expect(await keySizes(queue)).toEqual({
      pending: 0,
      active: 0,
      delayed: 0,
      dead: 0,
      jobs: 0,
      deliveries: 0,
      errors: 0,
    });

    const lines = readLedger(ledger);
    expect(lines).toHaveLength(10_000);
    const ran = new Set(lines.map((l) => l.id));
    expect(ran.size).toBe(10_000);
    expect([...ran].sort()).toEqual([...ids].sort());
    expect(lines.every((l) => l.attempt === 1)).toBe(true);
    await queue.close();
  });

  it('hands each job out exactly once to 4 dispatchers acquiring concurrently', async () => {
    const name = queueName('acquire4');
    const queue = openQueue(name);
    const ids = await queue.addBulk(Array.from({ length: 5000 }, (_, i) => ({ payload: { i } })));
    const clients = Array.from({ length: 4 }, () => redisClient());
    let perClient: Leased[][];
    try {
      await Promise.all(clients.map((c) => c.ping()));
      perClient = await Promise.all(
        clients.map(async (client) => {
          const got: Leased[] = [];
          for (;;) {
            const reply = await acquire(client, queue.keys, 100, 30_000, 100);
            if (reply.jobs.length === 0) return got;
            expect(reply.jobs.length).toBeLessThanOrEqual(100);
            got.push(...reply.jobs);
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }

    const all = perClient.flat();
    const leasedIds = all.map((j) => j.id);
    expect(leasedIds).toHaveLength(5000);
    expect(new Set(leasedIds).size).toBe(5000);
    expect([...leasedIds].sort()).toEqual([...ids].sort());
    expect(all.every((j) => j.token === 1)).toBe(true);
    // Every dispatcher took part, so the loops really did race.
    for (const got of perClient) expect(got.length).toBeGreaterThan(0);
    expect(await queue.redis.zcard(queue.keys.active)).toBe(5000);
    expect(await queue.redis.llen(queue.keys.pending)).toBe(0);
    await queue.close();
  });

  it('keeps a job alive past several lease lengths by renewing its lease', async () => {
    const ledger = useLedger();
    const name = queueName('renew');
    const queue = openQueue(name);
    const engine = await startEngine({
      queue: name,
      handler: handlerPath('ledger'),
      leaseMs: 300,
      janitorIntervalMs: 50,
    });
    const id = await queue.add({ ms: 1500 });
    const deadlines = new Set<number>();
    let maxDeliveries = 0;
    await waitFor(
      'the slow job to complete',
      async () => {
        const [[, deadline], [, deliveries], [, record]] = (await queue.redis
          .multi()
          .zscore(queue.keys.active, id)
          .hget(queue.keys.deliveries, id)
          .hexists(queue.keys.jobs, id)
          .exec()) as [[null, string | null], [null, string | null], [null, number]];
        if (deadline !== null) deadlines.add(Number(deadline));
        maxDeliveries = Math.max(maxDeliveries, Number(deliveries ?? 0));
        return record === 0;
      },
      8000,
    );
    await engine.stop();

    // 1500 ms of work under a 300 ms lease renewed every 100 ms: the deadline moved many times.
    expect(deadlines.size).toBeGreaterThanOrEqual(4);
    expect(maxDeliveries).toBe(1);
    const counts = await queue.counts();
    expect(counts.reaped).toBe(0);
    expect(counts.completed).toBe(1);
    expect(counts.failed).toBe(0);
    expect(readLedger(ledger)).toEqual([expect.objectContaining({ id, attempt: 1 })]);
    await queue.close();
  });

  it('holds a delayed job in delayed until its due time by the Redis clock, then runs it', async () => {
    const name = queueName('delayed');
    const queue = openQueue(name);
    const { redis, keys } = queue;
    const engine = await startEngine({ queue: name, handler: handlerPath('noop'), janitorIntervalMs: 50 });
    const id = await queue.add({ hello: 'later' }, { delay: 300 });

    const record = (await redis.hget(keys.jobs, id)) as string;
    const enqueuedAt = Number(record.split('|')[0]);
    const due = Number(await redis.zscore(keys.delayed, id));
    expect(due).toBe(enqueuedAt + 300);
    expect(await redis.lpos(keys.pending, id)).toBeNull();
    expect((await queue.getJob(id))?.state).toBe('delayed');

    interface Sample {
      now: number;
      started: boolean;
      delayed: boolean;
      done: boolean;
    }
    const samples: Sample[] = [];
    await waitFor(
      'the delayed job to complete',
      async () => {
        const [[, time], [, deliveries], [, inDelayed], [, exists]] = (await redis
          .multi()
          .time()
          .hget(keys.deliveries, id)
          .zscore(keys.delayed, id)
          .hexists(keys.jobs, id)
          .exec()) as [
          [null, [string, string]],
          [null, string | null],
          [null, string | null],
          [null, number],
        ];
        const done = exists === 0;
        samples.push({
          now: redisMs(time),
          started: deliveries !== null || done,
          delayed: inDelayed !== null,
          done,
        });
        return done;
      },
      5000,
    );
    await engine.stop();

    const before = samples.filter((s) => s.now < due);
    expect(before.length).toBeGreaterThan(0);
    for (const s of before) expect(s).toMatchObject({ started: false, delayed: true });
    const firstStarted = samples.find((s) => s.started) as Sample;
    expect(firstStarted.now).toBeGreaterThanOrEqual(due);
    expect((await queue.counts()).completed).toBe(1);
    await queue.close();
  });

  it('wakes an idle engine through pub/sub: a job added to an empty queue completes within 500 ms', async () => {
    const name = queueName('wake');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('noop') });
    // The idle dispatcher polls once a second from the moment it went idle (just after start, then
    // just after each add). Adding ~2.1 s after that lands right after a poll: without the wake
    // message the job would wait ~900 ms for the next one.
    let anchor = performance.now();
    for (let round = 0; round < 2; round++) {
      await sleep(2100 - (performance.now() - anchor));
      await waitFor('the dispatcher to be idle', () => engine.state === 'idle', 1000);
      const started = performance.now();
      anchor = started;
      const id = await queue.add({ round });
      await waitFor('the job to complete', async () => (await queue.getJob(id)) === undefined, 5000);
      const latency = performance.now() - started;
      expect(latency).toBeLessThan(500);
    }
    await engine.stop();
    expect((await queue.counts()).completed).toBe(2);
    await queue.close();
  });
});

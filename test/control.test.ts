import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, SluiceError } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import type { RedisClient } from '../dist/redis/connection.js';
import { DRAIN_CHUNK } from '../dist/redis/drain.js';
import { settle } from '../dist/redis/settle.js';
import { dumpQueue } from './api/support.js';
import {
  handlerPath,
  openQueue,
  queueName,
  rejection,
  silent,
  singleServer,
  startEngine,
  waitFor,
} from './helpers/index.js';

function errorEntry(message: string): string {
  return JSON.stringify({ name: 'Error', message, reason: 'error', at: Date.now() });
}

/** Every key of the queue that exists, found with SCAN (never KEYS) as an operator would. */
async function queueKeysLeft(client: RedisClient, name: string): Promise<string[]> {
  const redis = singleServer(client);
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `sluice:{${name}}:*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

type Lease = { id: string; token: number };

/** Leases up to `max` waiting jobs (expecting `expected` of them); returns the leases. */
async function leaseAll(queue: Queue, expected: number, max = 1000): Promise<Lease[]> {
  const got = await acquire(queue.redis, queue.keys, max, 60_000, 100);
  expect(got.jobs).toHaveLength(expected);
  return got.jobs;
}

/**
 * One active job, one dead letter, one retry waiting out its backoff (delayed, with an error
 * entry), two delayed jobs and five waiting ones. Returns the ids by state.
 */
async function mixedQueue(queue: Queue) {
  const [activeId, deadId] = await queue.addBulk([
    { payload: 'active', opts: { attempts: 1 } },
    { payload: 'dead', opts: { attempts: 1 } },
  ]);
  const [active, dead] = (await leaseAll(queue, 2)) as [Lease, Lease];
  expect(
    (await settle(queue.redis, queue.keys, [], [{ ...dead, retryInMs: -1, entry: errorEntry('x') }])).dead,
  ).toBe(1);
  const retryId = await queue.add('retry');
  const [retry] = (await leaseAll(queue, 1)) as [Lease];
  await settle(queue.redis, queue.keys, [], [{ ...retry, retryInMs: 60_000, entry: errorEntry('again') }]);
  const delayed = await queue.addBulk([
    { payload: 'later', opts: { delay: 60_000 } },
    { payload: 'later', opts: { delay: 90_000 } },
  ]);
  const waiting = await queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ payload: { i } })));
  return { active, activeId, deadId, retryId, delayed, waiting };
}

describe('queue control: drain', () => {
  it('deletes waiting and delayed jobs with their records, counts and errors; keeps active and dead', async () => {
    const queue = openQueue(queueName('drain'));
    const { active, activeId, deadId, retryId, delayed, waiting } = await mixedQueue(queue);
    expect(await queue.counts()).toMatchObject({ waiting: 5, delayed: 3, active: 1, dead: 1 });

    expect(await queue.drain()).toBe(8);

    expect(await queue.counts()).toMatchObject({
      waiting: 0,
      delayed: 0,
      active: 1,
      dead: 1,
      added: 10,
      drained: 8,
    });
    for (const id of [retryId, ...delayed, ...waiting]) expect(await queue.getJob(id)).toBeUndefined();
    expect((await queue.redis.hkeys(queue.keys.jobs)).sort()).toEqual([activeId, deadId].sort());
    expect((await queue.redis.hkeys(queue.keys.deliveries)).sort()).toEqual([activeId, deadId].sort());
    expect(await queue.redis.hkeys(queue.keys.errors)).toEqual([deadId]);
    expect((await queue.getJob(deadId as string))?.state).toBe('dead');

    // the leased job kept its record and token: it still completes
    expect((await settle(queue.redis, queue.keys, [active], [])).completed).toBe(1);
    expect(await queue.counts()).toMatchObject({ active: 0, completed: 1 });
    expect(await queue.drain()).toBe(0);
    await queue.close();
  });

  it('an engine running through a drain completes every job it had leased; the rest are drained', async () => {
    const queue = openQueue(queueName('drain-engine'));
    const total = 3000;
    await queue.addBulk(Array.from({ length: total }, () => ({ payload: { ms: 40 } })));
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('slow'),
      maxInFlight: 40,
      batch: 20,
    });
    await waitFor('some jobs completed', async () => (await queue.counts()).completed >= 40);

    const removed = await queue.drain();
    const leasedAtDrain = await queue.redis.zrange(queue.keys.active, 0, -1);

    await waitFor('the leased jobs settled', async () => (await queue.counts()).active === 0);
    const counts = await queue.counts();
    expect(removed).toBeGreaterThan(0);
    expect(counts).toMatchObject({ waiting: 0, delayed: 0, dead: 0, failed: 0, drained: removed });
    expect(counts.completed + removed).toBe(total);
    expect(counts.completed).toBeGreaterThanOrEqual(40 + leasedAtDrain.length);
    expect(await queue.redis.hlen(queue.keys.jobs)).toBe(0);
    await engine.stop();
    await queue.close();
  });

  it('drains 201,000 jobs in 1,000-id script calls, none of them (noise aside) over 10 ms of Redis time', async () => {
    const queue = openQueue(queueName('drain-big'));
    const redis = singleServer(queue.redis);
    const [, threshold] = (await redis.config('GET', 'slowlog-log-slower-than')) as [string, string];
    const [, maxLen] = (await redis.config('GET', 'slowlog-max-len')) as [string, string];
    // SLOWLOG logs every command slower than the threshold (10 ms by default): the check is void otherwise
    expect(Number(threshold)).toBeGreaterThanOrEqual(0);
    expect(Number(threshold)).toBeLessThanOrEqual(10_000);

    const total = 200_000;
    const chunk = 20_000;
    for (let i = 0; i < total; i += chunk) {
      await queue.addBulk(
        Array.from({ length: chunk }, (_, j) => ({ payload: { n: i + j, pad: 'x'.repeat(40) } })),
      );
    }
    await queue.addBulk(Array.from({ length: 1000 }, () => ({ payload: 'later', opts: { delay: 60_000 } })));
    expect(await queue.counts()).toMatchObject({ waiting: total, delayed: 1000 });

    // counts the script calls the drain sends on this connection (each one an EVALSHA)
    const drainSha = createHash('sha1').update(readFileSync('lua/drain.lua', 'utf8')).digest('hex');
    let calls = 0;
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, stream) => {
      if (command.name === 'evalsha' && command.args[0] === drainSha) calls += 1;
      return send(command, stream);
    };
    await redis.script('LOAD', readFileSync('lua/drain.lua', 'utf8'));

    const before = slowlogLastId(await redis.slowlog('GET', 1));
    expect(await queue.drain()).toBe(total + 1000);
    const entries = (await redis.slowlog('GET', -1)) as SlowlogEntry[];

    expect(calls).toBe((total + 1000) / DRAIN_CHUNK);
    expect(await queue.counts()).toMatchObject({ waiting: 0, delayed: 0, drained: total + 1000 });
    expect(await redis.hlen(queue.keys.jobs)).toBe(0);

    // Entries newer than `before` (none may have been pushed out of the log meanwhile), of this
    // queue's drain. SLOWLOG times the command inside Redis, so client and network delays do not
    // count; a Redis thread preempted on a loaded machine can still show one stray slow call, so
    // one call in a hundred is tolerated. A call that really did too much (an unbounded chunk,
    // per-id work grown) would be slow every time and fail this.
    const fresh = entries.filter(([id]) => id > before);
    const slowDrains = fresh
      .filter(([, , , args]) => args[1] === drainSha && args.includes(queue.keys.pending))
      .map(([, , micros]) => micros);
    expect(slowDrains.length, `slow drain calls (µs): ${slowDrains}`).toBeLessThanOrEqual(
      Math.floor(calls / 100),
    );
    expect(fresh.length, 'SLOWLOG overflowed during the drain').toBeLessThan(Number(maxLen));
    await queue.close();
  });
});

type SlowlogEntry = [id: number, at: number, micros: number, args: string[]];

function slowlogLastId(entries: unknown): number {
  const [first] = entries as SlowlogEntry[];
  return first ? first[0] : -1;
}

describe('queue control: obliterate', () => {
  it('deletes every key of the queue, whatever state its jobs are in', async () => {
    const queue = openQueue(queueName('obliterate'));
    const { active } = await mixedQueue(queue);
    await settle(queue.redis, queue.keys, [active], []);
    await queue.pause();
    const before = await queueKeysLeft(queue.redis, queue.name);
    const group = before.filter((key) => /:dead-groups:[0-9a-f]{12}$/.test(key));
    expect(group).toHaveLength(1); // the dead letter's fingerprint group
    expect(before.filter((key) => !group.includes(key))).toEqual(
      [
        'pending',
        'jobs',
        'deliveries',
        'delayed',
        'dead',
        'errors',
        'dead-fingerprints',
        'dead-groups',
        'stats',
        'seq',
        'paused',
      ]
        .map((k) => `sluice:{${queue.name}}:${k}`)
        .sort(),
    );

    await queue.obliterate();

    expect(await queueKeysLeft(queue.redis, queue.name)).toEqual([]);
    expect(await queue.counts()).toMatchObject({ waiting: 0, dead: 0, added: 0 });
    // the handle still works: the queue simply starts again empty
    expect(await queue.add('fresh')).toBe('1');
    await queue.close();
  });

  it('refuses while a job is leased, changing nothing; force deletes anyway', async () => {
    const queue = openQueue(queueName('obliterate-active'));
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await acquire(queue.redis, queue.keys, 1, 60_000, 100);
    const before = await dumpQueue(queue.redis, queue.name);

    const error = await rejection(() => queue.obliterate());
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({
      code: ErrorCode.QUEUE_BUSY,
      message: expect.stringContaining('1 jobs leased'),
    });
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);

    await queue.obliterate({ force: true });
    expect(await queueKeysLeft(queue.redis, queue.name)).toEqual([]);
    await queue.close();
  });

  it('refuses while an engine is live; forced, the engine writes back only its heartbeat keys', async () => {
    const queue = openQueue(queueName('obliterate-engine'));
    await queue.addBulk(Array.from({ length: 50 }, () => ({ payload: { ms: 300 } })));
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('slow'),
      maxInFlight: 10,
      logger: silent,
    });
    await waitFor('jobs leased', async () => (await queue.counts()).active > 0);

    const refused = await rejection(() => queue.obliterate());
    expect(refused).toMatchObject({
      code: ErrorCode.QUEUE_BUSY,
      message: expect.stringContaining('1 live engines'),
    });
    expect((await queue.counts()).waiting).toBeGreaterThan(0);

    await queue.obliterate({ force: true });
    // the jobs it held finish, and their completions are refused as stale: nothing is written back
    await waitFor('its jobs to end', () => engine.inFlight === 0);
    await waitFor('a heartbeat after the obliterate', async () => (await queue.engines()).length === 1);
    const heartbeatKeys = ['engines', 'engine-info', 'history', 'epoch'].map(
      (k) => `sluice:{${queue.name}}:${k}`,
    );
    expect(heartbeatKeys).toEqual(expect.arrayContaining(await queueKeysLeft(queue.redis, queue.name)));
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
    // the epoch it knew is gone: it reports a state loss, once
    await waitFor(
      'the state loss counted',
      async () => (await engine.metrics.stateLost.get()).values[0]?.value === 1,
    );
    await sleep(1100); // another heartbeat: it adopted the new epoch, so no second report
    expect((await engine.metrics.stateLost.get()).values[0]?.value).toBe(1);

    // what the README tells the operator: stop the engines, then obliterate again
    await engine.stop();
    await queue.obliterate();
    expect(await queueKeysLeft(queue.redis, queue.name)).toEqual([]);
    await queue.close();
  });

  it('validates its options before touching Redis', async () => {
    const queue = openQueue(queueName('obliterate-options'));
    await queue.add(1);
    for (const options of [{ force: 'yes' }, { forse: true }, null]) {
      const error = await rejection(() => queue.obliterate(options as never));
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION });
    }
    expect((await queue.counts()).waiting).toBe(1);
    await queue.close();
  });
});

describe('README', () => {
  /** The calls of the README's "Queue control" example, in its order. */
  async function queueControlExample(queue: Queue) {
    await queue.pause(); // nothing more is leased; running jobs finish
    const removed = await queue.drain(); // every waiting and delayed job deleted: how many
    await queue.resume();

    let busy = false;
    try {
      await queue.obliterate(); // every key of the queue, gone
    } catch (error) {
      if ((error as SluiceError).code !== 'SLUICE_ERR_QUEUE_BUSY') throw error;
      busy = true; // jobs are leased or engines are live
    }
    return { removed, busy };
  }

  it('README Queue control example: drains, resumes, and obliterates once nothing is leased', async () => {
    const queue = openQueue(queueName('readme-control'));
    await queue.addBulk([
      { payload: 1 },
      { payload: 2 },
      { payload: 3 },
      { payload: 4, opts: { delay: 60_000 } },
    ]);
    const [leased] = (await leaseAll(queue, 1, 1)) as [Lease];

    expect(await queueControlExample(queue)).toEqual({ removed: 3, busy: true });
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.counts()).toMatchObject({ waiting: 0, delayed: 0, active: 1, drained: 3 });

    await settle(queue.redis, queue.keys, [leased], []);
    expect(await queueControlExample(queue)).toEqual({ removed: 0, busy: false });
    expect(await queueKeysLeft(queue.redis, queue.name)).toEqual([]);
    await queue.close();
  });
});

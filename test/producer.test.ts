import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type BulkJob, ErrorCode, type JobOptions, type Queue, SluiceError } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { reap } from '../dist/redis/reap.js';
import { settle } from '../dist/redis/settle.js';
import { openQueue, queueName, rejection } from './helpers/index.js';

/** Asserts `call` fails with a SluiceError of `code` whose message contains every part. */
async function expectSluiceError(
  what: string,
  call: () => unknown,
  code: ErrorCode,
  ...parts: string[]
): Promise<void> {
  const error = await rejection(call);
  expect(error, what).toBeInstanceOf(SluiceError);
  expect((error as SluiceError).code, what).toBe(code);
  for (const part of parts) expect((error as SluiceError).message, what).toContain(part);
}

function queueKeysIn(queue: Queue): Promise<string[]> {
  return queue.redis.keys(`sluice:{${queue.name}}:*`);
}

function errorEntry(message: string): string {
  return JSON.stringify({ name: 'Error', message, reason: 'error', at: Date.now() });
}

/** Redis time in ms, from the server. */
async function redisNow(queue: Queue): Promise<number> {
  const [seconds, micros] = await queue.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('producer', () => {
  it('adds idempotently by jobId: the same id, one record, one count', async () => {
    const queue = openQueue(queueName('idem'));
    expect(await queue.add({ v: 1 }, { jobId: 'order-42' })).toBe('order-42');
    expect(await queue.add({ v: 2 }, { jobId: 'order-42' })).toBe('order-42');
    expect(await queue.add({ v: 3 }, { jobId: 'order-42', delay: 5000 })).toBe('order-42');
    expect(
      await queue.addBulk([
        { payload: { v: 4 }, opts: { jobId: 'order-42' } },
        { payload: { v: 5 }, opts: { jobId: 'order-43' } },
        { payload: { v: 6 }, opts: { jobId: 'order-43' } },
      ]),
    ).toEqual(['order-42', 'order-43', 'order-43']);

    expect(await queue.redis.hkeys(queue.keys.jobs)).toEqual(
      expect.arrayContaining(['order-42', 'order-43']),
    );
    expect(await queue.redis.hlen(queue.keys.jobs)).toBe(2);
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual(['order-43', 'order-42']);
    expect(await queue.redis.zcard(queue.keys.delayed)).toBe(0);
    expect((await queue.getJob('order-42'))?.payload).toEqual({ v: 1 });
    expect((await queue.getJob('order-43'))?.payload).toEqual({ v: 5 });
    expect(await queue.counts()).toMatchObject({ added: 2, waiting: 2, delayed: 0 });
    await queue.close();
  });

  it('a mixed bulk (generated ids, jobIds, delays, runAt) lands each job in its place, ids in order', async () => {
    const queue = openQueue(queueName('mixed'));
    const retry: JobOptions = { attempts: 4, backoff: { type: 'fixed', delay: 10 } };
    const now = await redisNow(queue);
    const ids = await queue.addBulk([
      { payload: { i: 0 } },
      { payload: { i: 1 }, opts: { jobId: 'fixed-1' } },
      { payload: { i: 2 }, opts: { delay: 60_000 } },
      { payload: { i: 3 }, opts: { ...retry } },
      { payload: { i: 4 }, opts: { jobId: 'fixed-1' } },
      { payload: { i: 5 }, opts: { runAt: now + 120_000, ...retry } },
      { payload: { i: 6 }, opts: { ...retry } },
    ]);
    expect(ids).toHaveLength(7);
    const [g0, , g2, g3, , g5, g6] = ids as [string, string, string, string, string, string, string];
    expect([ids[1], ids[4]]).toEqual(['fixed-1', 'fixed-1']);
    // Generated ids are consecutive in argument order, whatever sits between them.
    expect([g0, g2, g3, g5, g6].map(Number)).toEqual([1, 2, 3, 4, 5].map((n) => n + Number(g0) - 1));
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([g6, g3, 'fixed-1', g0]);
    const delayed = await queue.redis.zrange(queue.keys.delayed, 0, -1, 'WITHSCORES');
    expect(delayed[0]).toBe(g2);
    expect(Number(delayed[1])).toBeGreaterThanOrEqual(now + 60_000);
    expect(delayed[2]).toBe(g5);
    expect(Number(delayed[3])).toBe(now + 120_000);
    expect((await queue.getJob('fixed-1'))?.payload).toEqual({ i: 1 });
    // Equal option objects share one header; each job still carries its own options and payload.
    for (const [id, i] of [
      [g3, 3],
      [g5, 5],
      [g6, 6],
    ] as const) {
      const job = await queue.getJob(id);
      expect(job?.payload).toEqual({ i });
      expect(job?.options).toMatchObject({ attempts: 4, backoff: { type: 'fixed', delay: 10 } });
    }
    expect((await queue.getJob(g0))?.options).toMatchObject({ attempts: 3 });
    expect(await queue.counts()).toMatchObject({ added: 6, waiting: 4, delayed: 2 });
    await queue.close();
  });

  it('rejects an empty or malformed queue name with INVALID_QUEUE_NAME before connecting', async () => {
    for (const bad of ['', 'has space', 'curly{brace}', 'slash/name', 'x'.repeat(101), 'ünï']) {
      await expectSluiceError(
        `queue name ${JSON.stringify(bad)}`,
        () => openQueue(bad),
        ErrorCode.INVALID_QUEUE_NAME,
      );
    }
    // the longest and the odd-but-legal characters are accepted
    const ok = openQueue(`${'a'.repeat(90)}_.:-Z9`);
    expect(ok.keys.pending).toBe(`sluice:{${'a'.repeat(90)}_.:-Z9}:pending`);
    await ok.close();
  });

  it('rejects a payload over maxPayloadBytes with PAYLOAD_TOO_LARGE naming the field and size, writing nothing', async () => {
    const queue = openQueue(queueName('toolarge'), { maxPayloadBytes: 100 });
    // 60 two-byte characters: 68 characters of JSON but 128 bytes
    const big = { s: 'é'.repeat(60) };
    const bytes = Buffer.byteLength(JSON.stringify(big));
    expect(bytes).toBe(128);
    await expectSluiceError(
      'add',
      () => queue.add(big),
      ErrorCode.PAYLOAD_TOO_LARGE,
      'job.payload',
      `${bytes} bytes`,
      '100',
    );
    await expectSluiceError(
      'addBulk',
      () => queue.addBulk([{ payload: {} }, { payload: big }]),
      ErrorCode.PAYLOAD_TOO_LARGE,
      'jobs[1].payload',
      `${bytes} bytes`,
    );
    expect(await queueKeysIn(queue)).toEqual([]);

    // exactly at the limit is accepted
    const atLimit = { s: 'x'.repeat(92) };
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(100);
    const id = await queue.add(atLimit);
    expect((await queue.getJob(id))?.payload).toEqual(atLimit);
    await queue.close();
  });

  it('rejects payloads JSON cannot carry faithfully with INVALID_PAYLOAD, writing nothing', async () => {
    const queue = openQueue(queueName('badpayload'));
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: [string, unknown, string[]][] = [
      ['undefined', undefined, ['job.payload']],
      ['a function', () => 1, ['job.payload']],
      ['a function inside', { ok: 1, fn() {} }, ['job.payload', 'fn', 'function']],
      ['a symbol inside', { sym: Symbol('x') }, ['job.payload', 'sym', 'symbol']],
      ['a BigInt', { n: 10n }, ['job.payload', 'BigInt']],
      ['NaN', { nan: Number.NaN }, ['job.payload', 'nan', 'NaN']],
      ['Infinity', { nested: { x: [1, Number.POSITIVE_INFINITY] } }, ['job.payload.nested.x[1] is Infinity']],
      ['a circular object', circular, ['job.payload']],
    ];
    for (const [what, payload, parts] of cases) {
      await expectSluiceError(what, () => queue.add(payload), ErrorCode.INVALID_PAYLOAD, ...parts);
    }
    expect(await queueKeysIn(queue)).toEqual([]);
    await queue.close();
  });

  it('rejects bad job options with INVALID_OPTION naming the field, writing nothing', async () => {
    const queue = openQueue(queueName('badopts'));
    const cases: [string, unknown, string][] = [
      ['attempts 0', { attempts: 0 }, 'job.opts.attempts'],
      ['attempts 1.5', { attempts: 1.5 }, 'job.opts.attempts'],
      ['attempts as a string', { attempts: '3' }, 'job.opts.attempts'],
      ['backoff type linear', { backoff: { type: 'linear', delay: 100 } }, 'job.opts.backoff.type'],
      ['backoff negative delay', { backoff: { type: 'fixed', delay: -1 } }, 'job.opts.backoff.delay'],
      ['backoff jitter 2', { backoff: { type: 'fixed', delay: 1, jitter: 2 } }, 'job.opts.backoff.jitter'],
      ['negative delay', { delay: -5 }, 'job.opts.delay'],
      ['fractional delay', { delay: 0.5 }, 'job.opts.delay'],
      ['negative timeout', { timeout: -1 }, 'job.opts.timeout'],
      ['unknown option', { retries: 3 }, 'job.opts.retries'],
      ['jobId all digits', { jobId: '12345' }, 'job.opts.jobId'],
      ['jobId with spaces', { jobId: 'my job' }, 'job.opts.jobId'],
      ['jobId empty', { jobId: '' }, 'job.opts.jobId'],
      ['jobId too long', { jobId: 'j'.repeat(129) }, 'job.opts.jobId'],
      ['options not an object', 'fast', 'job.opts'],
    ];
    for (const [what, opts, field] of cases) {
      await expectSluiceError(
        what,
        () => queue.add({ ok: true }, opts as JobOptions),
        ErrorCode.INVALID_OPTION,
        `${field}:`,
      );
    }
    await expectSluiceError(
      'bulk delay',
      () => queue.addBulk([0, 1, 2, 3].map((i) => ({ payload: { i }, opts: i === 3 ? { delay: -1 } : {} }))),
      ErrorCode.INVALID_OPTION,
      'jobs[3].opts.delay:',
    );
    expect(await queueKeysIn(queue)).toEqual([]);
    await queue.close();
  });

  it('addBulk with one bad item writes none of them, even across enqueue chunks', async () => {
    const queue = openQueue(queueName('bulkatomic'));
    const five: BulkJob[] = [
      { payload: { i: 0 } },
      { payload: { i: 1 }, opts: { delay: 10 } },
      { payload: { i: 2, bad: Number.NaN } },
      { payload: { i: 3 }, opts: { jobId: 'fine-3' } },
      { payload: { i: 4 } },
    ];
    await expectSluiceError(
      'item 3 of 5',
      () => queue.addBulk(five),
      ErrorCode.INVALID_PAYLOAD,
      'jobs[2].payload',
    );

    const five2: BulkJob[] = [...five];
    five2[2] = { payload: { i: 2 }, opts: { attempts: 0 } };
    await expectSluiceError(
      'item 3 of 5 (option)',
      () => queue.addBulk(five2),
      ErrorCode.INVALID_OPTION,
      'jobs[2].opts.attempts',
    );

    const notAJob = [{ payload: 1 }, { payload: 2 }, { nope: true }] as unknown as BulkJob[];
    await expectSluiceError(
      'item without payload',
      () => queue.addBulk(notAJob),
      ErrorCode.INVALID_OPTION,
      'jobs[2]',
    );

    // 2,500 items: the bad one is in the third chunk of 1,000, after two valid chunks
    const many: BulkJob[] = Array.from({ length: 2500 }, (_, i) => ({ payload: { i } }));
    many[2400] = { payload: { i: 2400 }, opts: { jobId: '2400' } };
    await expectSluiceError(
      'item 2401 of 2500',
      () => queue.addBulk(many),
      ErrorCode.INVALID_OPTION,
      'jobs[2400].opts.jobId',
    );

    expect(await queueKeysIn(queue)).toEqual([]);
    await queue.close();
  });

  it('getJob describes waiting, delayed and dead jobs, and returns undefined for unknown ids', async () => {
    const queue = openQueue(queueName('getjob'));
    const { redis, keys } = queue;

    // dead: leased and failed for good
    const deadId = await queue.add({ kind: 'dead' }, { attempts: 1 });
    const [leased] = (await acquire(redis, keys, 1, 60_000, 100)).jobs;
    expect(leased?.id).toBe(deadId);
    const entry = {
      name: 'Error',
      message: 'it broke',
      reason: 'error',
      at: 1_700_000_000_000,
      stack: 'Error: it broke',
    };
    await settle(redis, keys, [], [{ id: deadId, token: 1, retryInMs: -1, entry: JSON.stringify(entry) }]);

    const before = await redisNow(queue);
    const waitingId = await queue.add(
      { kind: 'waiting', list: [1, 2] },
      { attempts: 5, timeout: 1000, backoff: { type: 'fixed', delay: 250 } },
    );
    const delayedId = await queue.add({ kind: 'delayed' }, { delay: 60_000 });
    const after = await redisNow(queue);

    const waiting = await queue.getJob(waitingId);
    expect(waiting).toMatchObject({
      id: waitingId,
      state: 'waiting',
      payload: { kind: 'waiting', list: [1, 2] },
      attempts: 0,
      deliveries: 0,
      errors: [],
      options: { attempts: 5, timeout: 1000, backoff: { type: 'fixed', delay: 250, jitter: 0 } },
    });
    expect(waiting?.lastError).toBeUndefined();
    expect(waiting?.enqueuedAt).toBeGreaterThanOrEqual(before);
    expect(waiting?.enqueuedAt).toBeLessThanOrEqual(after);

    const delayed = await queue.getJob(delayedId);
    expect(delayed).toMatchObject({
      state: 'delayed',
      payload: { kind: 'delayed' },
      attempts: 0,
      errors: [],
    });
    expect(delayed?.until).toBe((delayed?.enqueuedAt as number) + 60_000);
    expect(delayed?.lastError).toBeUndefined();

    const dead = await queue.getJob(deadId);
    expect(dead).toMatchObject({ state: 'dead', payload: { kind: 'dead' }, attempts: 1, deliveries: 1 });
    expect(dead?.errors).toEqual([entry]);
    expect(dead?.lastError).toEqual(entry);
    expect(dead?.until).toEqual(expect.any(Number));

    expect(await queue.getJob('999999')).toBeUndefined();
    expect(await queue.getJob('never-added')).toBeUndefined();
    await queue.close();
  });

  it('counts reports every state size and lifetime counter', async () => {
    const queue = openQueue(queueName('counts'));
    const { redis, keys } = queue;
    const empty = await queue.counts();
    expect(empty).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      dead: 0,
      added: 0,
      completed: 0,
      failed: 0,
      retried: 0,
      reaped: 0,
      redriven: 0,
      cancelled: 0,
      drained: 0,
    });

    const [j1, j2, j3, j4] = (await queue.addBulk(
      [1, 2, 3, 4, 5].map((i) => ({ payload: { i } })),
    )) as string[];
    await queue.add({ later: true }, { delay: 60_000 });
    const got = (await acquire(redis, keys, 3, 60_000, 100)).jobs;
    expect(got.map((j) => j.id)).toEqual([j1, j2, j3]);
    // j1 completes, j2 dies, j3 waits out a retry
    await settle(
      redis,
      keys,
      [{ id: j1 as string, token: 1 }],
      [
        { id: j2 as string, token: 1, retryInMs: -1, entry: errorEntry('dead') },
        { id: j3 as string, token: 1, retryInMs: 60_000, entry: errorEntry('retry') },
      ],
    );
    // j4's holder dies: reaped, then leased again
    expect((await acquire(redis, keys, 1, 50, 100)).jobs[0]?.id).toBe(j4);
    await sleep(80);
    expect((await reap(redis, keys, 100)).requeued).toBe(1);
    expect((await acquire(redis, keys, 1, 60_000, 100)).jobs[0]).toMatchObject({ id: j4, token: 2 });
    expect(await queue.counts()).toEqual({
      waiting: 1,
      active: 1,
      delayed: 2,
      dead: 1,
      added: 6,
      completed: 1,
      failed: 2,
      retried: 1,
      reaped: 1,
      redriven: 0,
      cancelled: 0,
      drained: 0,
    });

    expect(await queue.retryDead(j2 as string)).toBe(1);
    expect(await queue.counts()).toMatchObject({ waiting: 2, dead: 0, redriven: 1 });
    await queue.close();
  });

  it('refuses to add once closed, with CLOSED', async () => {
    const queue = openQueue(queueName('closed'));
    await queue.close();
    await expectSluiceError('add', () => queue.add({}), ErrorCode.CLOSED);
    await expectSluiceError('addBulk', () => queue.addBulk([{ payload: {} }]), ErrorCode.CLOSED);
  });
});

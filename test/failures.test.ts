import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DeadLetter, Queue } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { reap } from '../dist/redis/reap.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';
import { readLedger, useLedger } from './helpers/ledger.js';

/** Waits until `id` is in the dead-letter queue and returns its dead letter. */
async function deadLetter(queue: Queue, id: string, timeoutMs = 20_000): Promise<DeadLetter> {
  await waitFor(
    `job ${id} to be dead`,
    async () => (await queue.redis.zscore(queue.keys.dead, id)) !== null,
    timeoutMs,
  );
  const page = await queue.listDead({ limit: 1000 });
  const letter = page.items.find((item) => item.id === id);
  expect(letter).toBeDefined();
  return letter as DeadLetter;
}

const fixed = (delay: number) => ({ type: 'fixed' as const, delay });

describe('failures', () => {
  it('retries a throwing handler after its backoff, then dead-letters it with every error', async () => {
    const name = queueName('throws');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('throws'), janitorIntervalMs: 50 });
    const payload = { n: 7, nested: { list: [1, 'two', null], text: 'ünïcødé ✓' } };
    const id = await queue.add(payload, { attempts: 3, backoff: fixed(200) });

    const letter = await deadLetter(queue, id);
    await engine.stop();

    expect(letter.attempts).toBe(3);
    expect(letter.reason).toBe('error');
    expect(letter.payload).toEqual(payload);
    expect(letter.errors).toHaveLength(3);
    letter.errors.forEach((entry, i) => {
      expect(entry.name).toBe('TypeError');
      expect(entry.reason).toBe('error');
      expect(entry.message).toBe(`boom 7 on attempt ${i + 1}`);
      expect(entry.stack).toEqual(expect.stringContaining(`TypeError: boom 7 on attempt ${i + 1}`));
      expect(entry.stack).toEqual(expect.stringContaining('throws.js'));
    });
    const at = letter.errors.map((e) => e.at);
    for (let i = 1; i < at.length; i++) {
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(200);
    }
    expect(await queue.counts()).toMatchObject({ failed: 3, retried: 2, dead: 1, completed: 0, delayed: 0 });
    await queue.close();
  });

  it('dead-letters an UnrecoverableError after one attempt, whatever attempts remain', async () => {
    const name = queueName('unrecoverable');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('custom-backoff') });
    const id = await queue.add({ fatal: true, n: 4 }, { attempts: 5, backoff: fixed(50) });

    const letter = await deadLetter(queue, id);
    await engine.stop();

    expect(letter.attempts).toBe(1);
    expect(letter.errors.map((e) => [e.name, e.message])).toEqual([
      ['UnrecoverableError', 'cannot process 4'],
    ]);
    expect(await queue.counts()).toMatchObject({ failed: 1, retried: 0, dead: 1 });
    await queue.close();
  });

  it("waits as the handler module's backoff export says, or as the job's option when it returns undefined", async () => {
    const name = queueName('custom-backoff');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('custom-backoff') });
    // The option's 3 s would dead-letter `custom` in 6 s; its strategy waits 150 ms, then 300 ms.
    const custom = await queue.add({ waitMs: 150, n: 1 }, { attempts: 3, backoff: fixed(3000) });
    const deferred = await queue.add({ n: 2 }, { attempts: 3, backoff: fixed(400) });

    const gaps = (letter: DeadLetter) =>
      letter.errors.slice(1).map((e, i) => e.at - (letter.errors[i] as { at: number }).at);
    const customGaps = gaps(await deadLetter(queue, custom));
    const deferredGaps = gaps(await deadLetter(queue, deferred));
    await engine.stop();

    expect(customGaps).toHaveLength(2);
    expect(customGaps[0]).toBeGreaterThanOrEqual(150);
    expect(customGaps[1]).toBeGreaterThanOrEqual(300);
    expect(Math.max(...customGaps)).toBeLessThan(3000);
    expect(deferredGaps).toHaveLength(2);
    for (const gap of deferredGaps) expect(gap).toBeGreaterThanOrEqual(400);
    await queue.close();
  });

  it("dead-letters a handler that hangs past its timeout with reason 'timeout'", async () => {
    const name = queueName('hangs');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('hangs'), janitorIntervalMs: 50 });
    const id = await queue.add({}, { timeout: 200, attempts: 2, backoff: fixed(50) });

    const letter = await deadLetter(queue, id);
    await engine.stop();

    expect(letter.attempts).toBe(2);
    expect(letter.reason).toBe('timeout');
    expect(letter.errors).toHaveLength(2);
    for (const entry of letter.errors) {
      expect(entry).toMatchObject({ name: 'TimeoutError', reason: 'timeout' });
      expect(entry.message).toContain('200');
    }
    await queue.close();
  });

  it('a job hanging until its timeout does not hold up the jobs that come after it on its thread', async () => {
    const name = queueName('hang-not-exclusive');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('some-hang'), threads: 1 });
    await queue.add({ hang: true }, { timeout: 3000, attempts: 1 });
    await waitFor('the hanging job running', async () => (await queue.counts()).active === 1);
    const started = performance.now();
    await queue.addBulk(Array.from({ length: 50 }, () => ({ payload: {} })));
    await waitFor('the 50 others completed', async () => (await queue.counts()).completed === 50, 2000);
    expect(performance.now() - started).toBeLessThan(2000);
    await engine.stop(0);
    await queue.close();
  });

  it('terminates a thread stuck in a busy loop past its timeout; the other jobs still complete', async () => {
    const name = queueName('busy');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('busy') });
    const others = Array.from({ length: 40 }, (_, i) => ({ payload: { ms: 5, i } }));
    const [busyId] = await queue.addBulk([{ payload: {}, opts: { timeout: 200, attempts: 1 } }, ...others]);
    const id = busyId as string;

    const letter = await deadLetter(queue, id);
    await waitFor(
      'the other jobs to be settled',
      async () => {
        const c = await queue.counts();
        return c.waiting + c.active + c.delayed === 0;
      },
      15_000,
    );
    await engine.stop(0);
    const dead = (await queue.listDead({ limit: 1000 })).items.map((item) => ({
      id: item.id,
      errors: item.errors.map((e) => `${e.name} (${e.reason}): ${e.message}`),
    }));
    const counts = await queue.counts();
    await queue.close();

    expect(letter.attempts).toBe(1);
    expect(letter.reason).toBe('timeout');
    expect(letter.errors).toHaveLength(1);
    expect(letter.errors[0]).toMatchObject({ name: 'TimeoutError', reason: 'timeout' });
    expect(letter.errors[0]?.message).toContain('terminated');
    expect(dead).toEqual([{ id, errors: [expect.stringContaining('TimeoutError (timeout)')] }]);
    expect(counts).toMatchObject({ completed: 40, dead: 1, waiting: 0, active: 0 });
  });

  it("dead-letters a job that kills its thread with process.exit as 'crashed' after its attempts, while 200 others complete", async () => {
    const name = queueName('poison-exit');
    const queue = openQueue(name);
    const engine = await startEngine({
      queue: name,
      handler: handlerPath('poison-exit'),
      janitorIntervalMs: 50,
    });
    const innocents = Array.from({ length: 200 }, (_, i) => ({ payload: { i } }));
    const ids = await queue.addBulk([
      ...innocents.slice(0, 100),
      { payload: { poison: true }, opts: { attempts: 3, backoff: fixed(50) } },
      ...innocents.slice(100),
    ]);
    const poisonId = ids[100] as string;

    const letter = await deadLetter(queue, poisonId);
    await waitFor('200 completions', async () => (await queue.counts()).completed === 200, 15_000);
    await engine.stop();

    expect(letter.attempts).toBe(3);
    // Three deliveries; stored negated because a dead job holds no lease.
    expect(await queue.redis.hget(queue.keys.deliveries, poisonId)).toBe('-3');
    expect(letter.reason).toBe('crashed');
    expect(letter.errors).toHaveLength(3);
    for (const entry of letter.errors)
      expect(entry).toMatchObject({ name: 'CrashedError', reason: 'crashed' });
    const counts = await queue.counts();
    expect(counts).toMatchObject({ completed: 200, dead: 1, waiting: 0, active: 0, delayed: 0 });
    const page = await queue.listDead();
    expect(page.items.map((item) => item.id)).toEqual([poisonId]);
    await queue.close();
  });

  /**
   * README: "if other jobs shared its batch, each is run again alone, so only the culprit pays"
   * (crashed), and "oom, same isolation". The innocents get attempts: 1, so one attempt wrongly
   * charged to any of them dead-letters it.
   */
  for (const [fixture, reason] of [
    ['poison-exit', 'crashed'],
    ['poison-oom', 'oom'],
  ] as const) {
    it(`charges only the ${fixture} job: innocent jobs sharing its thread never pay an attempt (${reason})`, async () => {
      const name = queueName(`culprit-${fixture}`);
      const queue = openQueue(name);
      const engine = await startEngine({
        queue: name,
        handler: handlerPath(fixture),
        threadMemoryMb: 32,
        janitorIntervalMs: 50,
      });
      const innocents = Array.from({ length: 200 }, (_, i) => ({ payload: { i }, opts: { attempts: 1 } }));
      const ids = await queue.addBulk([
        ...innocents.slice(0, 100),
        { payload: { poison: true }, opts: { attempts: 3, backoff: fixed(50) } },
        ...innocents.slice(100),
      ]);
      const poisonId = ids[100] as string;

      await deadLetter(queue, poisonId);
      await waitFor('every innocent job to be settled', async () => {
        const c = await queue.counts();
        return c.waiting + c.active + c.delayed === 0;
      });
      await engine.stop();
      const dead = (await queue.listDead({ limit: 1000 })).items.map((item) => ({
        id: item.id,
        payload: item.payload,
        errors: item.errors.map((e) => `${e.reason}: ${e.message}`),
      }));
      const counts = await queue.counts();
      await queue.close();

      // Only the poison job is dead, with one error per delivery; no innocent was charged.
      expect(dead).toEqual([
        {
          id: poisonId,
          payload: { poison: true },
          errors: [
            expect.stringMatching(reason),
            expect.stringMatching(reason),
            expect.stringMatching(reason),
          ],
        },
      ]);
      expect(counts).toMatchObject({ completed: 200, dead: 1, failed: 3, retried: 2 });
    });
  }

  it("dead-letters a job that exhausts its thread's heap as 'oom'; the others and later jobs complete", async () => {
    const name = queueName('poison-oom');
    const queue = openQueue(name);
    const engine = await startEngine({
      queue: name,
      handler: handlerPath('poison-oom'),
      threadMemoryMb: 32,
      janitorIntervalMs: 50,
    });
    const innocents = Array.from({ length: 100 }, (_, i) => ({ payload: { i } }));
    const ids = await queue.addBulk([
      ...innocents.slice(0, 50),
      { payload: { poison: true }, opts: { attempts: 2, backoff: fixed(50) } },
      ...innocents.slice(50),
    ]);
    const poisonId = ids[50] as string;

    const letter = await deadLetter(queue, poisonId, 30_000);
    await waitFor('100 completions', async () => (await queue.counts()).completed === 100, 15_000);
    expect(letter.attempts).toBe(2);
    expect(letter.reason).toBe('oom');
    expect(letter.errors).toHaveLength(2);
    for (const entry of letter.errors)
      expect(entry).toMatchObject({ name: 'OutOfMemoryError', reason: 'oom' });

    // the engine (and this process) survived: a job added afterwards still runs
    const later = await queue.add({ later: true });
    await waitFor('the later job to complete', async () => (await queue.getJob(later)) === undefined, 10_000);
    await engine.stop();
    expect(await queue.counts()).toMatchObject({ completed: 101, dead: 1, waiting: 0, active: 0 });
    await queue.close();
  });

  it("dead-letters undecodable records as 'decode_error' after one delivery and keeps working", async () => {
    const name = queueName('corrupt');
    const queue = openQueue(name);
    const { redis, keys } = queue;
    await redis.hset(keys.jobs, 'garbage-1', 'garbage');
    await redis.lpush(keys.pending, 'garbage-1');
    await redis.hset(keys.jobs, 'badjson-1', `${Date.now()}|0||{"not": json`);
    await redis.lpush(keys.pending, 'badjson-1');

    const engine = await startEngine({ queue: name, handler: handlerPath('noop'), janitorIntervalMs: 50 });
    const garbage = await deadLetter(queue, 'garbage-1');
    const badJson = await deadLetter(queue, 'badjson-1');

    for (const letter of [garbage, badJson]) {
      expect(letter.attempts).toBe(1);
      expect(letter.reason).toBe('decode_error');
      expect(letter.errors).toHaveLength(1);
      expect(letter.errors[0]?.reason).toBe('decode_error');
      // One delivery; stored negated because a dead job holds no lease.
      expect(await redis.hget(keys.deliveries, letter.id)).toBe('-1');
    }
    expect(garbage.raw).toBe('garbage');
    expect(garbage.errors[0]?.name).toBe('DecodeError');
    expect(badJson.errors[0]?.name).toBe('SyntaxError');

    const ok = await queue.add({ fine: true });
    await waitFor('a valid job to complete', async () => (await queue.getJob(ok)) === undefined, 10_000);
    await engine.stop();
    expect(await queue.counts()).toMatchObject({ completed: 1, dead: 2, retried: 0, failed: 2 });
    await queue.close();
  });

  it('re-queues the job of a consumer that died holding its lease; an engine then completes it', async () => {
    const ledger = useLedger();
    const name = queueName('reap-requeue');
    const queue = openQueue(name);
    const { redis, keys } = queue;
    const id = await queue.add({ orphan: true });
    const crashed = await acquire(redis, keys, 10, 300, 100);
    expect(crashed.jobs.map((j) => j.id)).toEqual([id]);

    expect((await reap(redis, keys, 100)).requeued).toBe(0); // lease still valid: left alone
    expect(await redis.zscore(keys.active, id)).not.toBeNull();
    await sleep(350);
    const reaped = await reap(redis, keys, 100);
    expect(reaped).toMatchObject({ requeued: 1, deadLettered: 0 });
    expect(await redis.lrange(keys.pending, 0, -1)).toEqual([id]);
    expect(await redis.zscore(keys.active, id)).toBeNull();

    const engine = await startEngine({ queue: name, handler: handlerPath('ledger') });
    await waitFor('the orphan to complete', async () => (await queue.getJob(id)) === undefined, 10_000);
    await engine.stop();

    expect(readLedger(ledger)).toEqual([expect.objectContaining({ id, attempt: 2 })]);
    expect(await queue.counts()).toMatchObject({ completed: 1, reaped: 1, dead: 0, failed: 0 });
    await queue.close();
  });

  it("dead-letters as 'crashed' an orphaned job whose deliveries used up its attempts when its lease expires", async () => {
    const name = queueName('reap-dead');
    const queue = openQueue(name);
    const { redis, keys } = queue;
    const id = await queue.add({ orphan: true }, { attempts: 1 });
    const crashed = await acquire(redis, keys, 10, 100, 100);
    expect(crashed.jobs.map((j) => j.id)).toEqual([id]);

    // an engine's janitor finds the expired lease
    const engine = await startEngine({ queue: name, handler: handlerPath('noop'), janitorIntervalMs: 50 });
    const letter = await deadLetter(queue, id, 10_000);
    await engine.stop();

    expect(letter.attempts).toBe(1);
    expect(letter.reason).toBe('crashed');
    expect(letter.errors).toEqual([expect.objectContaining({ name: 'CrashedError', reason: 'crashed' })]);
    expect(letter.payload).toEqual({ orphan: true });
    expect(await queue.counts()).toMatchObject({ completed: 0, dead: 1, reaped: 0, waiting: 0, active: 0 });
    await queue.close();
  });
});

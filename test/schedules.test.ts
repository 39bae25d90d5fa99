import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, SluiceError } from '../dist/index.js';
import { sweepSchedules } from '../dist/janitor/schedule-sweep.js';
import { decodeRecord } from '../dist/job/record.js';
import { fireSchedule } from '../dist/redis/schedules.js';
import { handlerPath, openQueue, queueName, rejection, startEngine, waitFor } from './helpers/index.js';
import { readLedger, useLedger } from './helpers/ledger.js';

/** A debug-level logger whose 'schedule fired' lines are kept, tagged with the engine. */
function firedLog(engine: string, into: { engine: string; tick: number; lateMs: number }[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text === '') continue;
        const line = JSON.parse(text);
        if (line.msg === 'schedule fired') into.push({ engine, tick: line.tick, lateMs: line.lateMs });
      }
      done();
    },
  });
  return pino({ level: 'debug' }, stream);
}

async function redisNow(queue: Queue): Promise<number> {
  const [seconds, micros] = await queue.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

async function expectInvalid(call: () => unknown, field: string): Promise<void> {
  const error = await rejection(call);
  expect(error, field).toBeInstanceOf(SluiceError);
  expect((error as SluiceError).code, field).toBe(ErrorCode.INVALID_OPTION);
  expect((error as SluiceError).message.startsWith(`${field}: `), (error as SluiceError).message).toBe(true);
}

describe('schedules', () => {
  it('with three engines an every-200ms schedule fires each tick exactly once, on time', async () => {
    const name = queueName('sched-3');
    const ledger = useLedger();
    const fired: { engine: string; tick: number; lateMs: number }[] = [];
    const engines = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        startEngine({ queue: name, handler: handlerPath('ledger'), threads: 1, logger: firedLog(id, fired) }),
      ),
    );
    const queue = openQueue(name);
    await queue.upsertSchedule('tick', { every: 200 }, { payload: {} });
    await waitFor('ten ticks', () => fired.length >= 10, 10_000);
    await queue.removeSchedule('tick');
    await sleep(300);
    await Promise.all(engines.map((engine) => engine.stop()));

    const ticks = fired.map((f) => f.tick).sort((a, b) => a - b);
    // each firing is reported by the one engine whose script call fired it: a tick fired by two
    // engines would be reported twice
    expect(new Set(ticks).size).toBe(ticks.length);
    // every tick ran exactly once, as the job "tick:<tick>"
    const ran = readLedger(ledger).map((line) => line.id);
    expect(ran.sort()).toEqual(ticks.map((t) => `tick:${t}`).sort());
    expect(Number(await queue.redis.hget(queue.keys.stats, 'added'))).toBe(ticks.length);
    // After the first firing (a new schedule is noticed within a second), ticks are 200 ms
    // apart; a sweep late by over 200 ms skips ticks, allowed here but rare.
    const steady = ticks.slice(1);
    const gaps = steady.slice(1).map((t, i) => t - (steady[i] as number));
    expect(
      gaps.every((gap) => gap % 200 === 0),
      `gaps ${gaps.join(',')}`,
    ).toBe(true);
    const span = (steady.at(-1) as number) - (steady[0] as number);
    expect(steady.length, `gaps ${gaps.join(',')}`).toBeGreaterThanOrEqual(
      Math.floor((0.8 * span) / 200) + 1,
    );
    const late = fired.filter((f) => f.tick !== ticks[0]).map((f) => f.lateMs);
    console.log(
      `schedule lateness over ${late.length} ticks after the first (ms): max ${Math.max(...late)}, mean ${(late.reduce((a, b) => a + b, 0) / late.length).toFixed(1)}; first tick ${fired.find((f) => f.tick === ticks[0])?.lateMs} ms late; fired by ${new Set(fired.map((f) => f.engine)).size} engines`,
    );
    expect(Math.max(...late)).toBeLessThan(1000);
    await queue.close();
  });

  it('the fire script fires a tick once: a second call with the same due time adds nothing', async () => {
    const queue = openQueue(queueName('sched-cas'));
    const info = await queue.upsertSchedule(
      'cas',
      { every: 60_000 },
      { payload: { n: 1 }, opts: { attempts: 7 } },
    );
    const due = info.next - 60_000; // pretend the stored tick is due now: move it into the past
    await queue.redis.zadd(queue.keys.schedules, due, 'cas');
    const specJson = JSON.stringify({ every: 60_000 });
    const before = await redisNow(queue);
    const calls = await Promise.all(
      [0, 1, 2].map(() => fireSchedule(queue.redis, queue.keys, 'cas', due, due + 60_000, specJson)),
    );
    expect(calls.filter((at) => at !== undefined)).toHaveLength(1);

    // the job is written as enqueue writes one: record, pending, stats
    const record = decodeRecord((await queue.redis.hget(queue.keys.jobs, `cas:${due}`)) as string);
    expect(record?.payloadJson).toBe('{"n":1}');
    expect(record?.options.attempts).toBe(7);
    expect(record?.base).toBe(0);
    expect(record?.enqueuedAt).toBeGreaterThanOrEqual(before);
    expect(await queue.redis.lrange(queue.keys.pending, 0, -1)).toEqual([`cas:${due}`]);
    expect(await queue.redis.hget(queue.keys.stats, 'added')).toBe('1');
    expect(await queue.listSchedules()).toEqual([
      { name: 'cas', spec: { every: 60_000 }, next: due + 60_000, lastFired: due },
    ]);

    // even once that job is gone (completed), the same tick does not fire again
    await queue.redis.del(queue.keys.jobs, queue.keys.pending);
    expect(await fireSchedule(queue.redis, queue.keys, 'cas', due, due + 60_000, specJson)).toBeUndefined();
    expect(await queue.redis.hlen(queue.keys.jobs)).toBe(0);
    // nor does a caller that read another spec than the stored one
    await queue.redis.zadd(queue.keys.schedules, due + 1, 'cas');
    expect(
      await fireSchedule(queue.redis, queue.keys, 'cas', due + 1, due + 2, JSON.stringify({ every: 100 })),
    ).toBeUndefined();
    expect(await queue.redis.hlen(queue.keys.jobs)).toBe(0);
    await queue.close();
  });

  it('ticks missed while no engine ran fire once on catch-up, not in a burst', async () => {
    const queue = openQueue(queueName('sched-catchup'));
    const { next } = await queue.upsertSchedule('beat', { every: 200 });
    // as if no engine had run for 5 s: 25 ticks missed
    const missed = next - 5000;
    await queue.redis.zadd(queue.keys.schedules, missed, 'beat');
    const reports: unknown[] = [];
    await sweepSchedules(queue.redis, queue.keys, (report) => reports.push(report));
    const now = await redisNow(queue);
    expect(await queue.redis.hkeys(queue.keys.jobs)).toEqual([`beat:${missed}`]);
    expect(reports).toEqual([{ type: 'fired', schedule: 'beat', tick: missed, lateMs: expect.any(Number) }]);
    const [info] = await queue.listSchedules();
    // the next tick is the first one after now, on the schedule's phase
    expect(info?.lastFired).toBe(missed);
    expect((info?.next as number) - missed).toBeGreaterThanOrEqual(5000);
    expect(((info?.next as number) - missed) % 200).toBe(0);
    expect((info?.next as number) - now).toBeLessThanOrEqual(200);
    await queue.close();
  });

  it('removeSchedule stops the firing', async () => {
    const name = queueName('sched-rm');
    const engine = await startEngine({ queue: name, handler: handlerPath('noop'), threads: 1 });
    const queue = openQueue(name);
    await queue.upsertSchedule('beat', { every: 100 });
    const added = async () => Number(await queue.redis.hget(queue.keys.stats, 'added'));
    await waitFor('two ticks', async () => (await added()) >= 2, 5000);
    expect(await queue.removeSchedule('beat')).toBe(true);
    const after = await added();
    await sleep(500);
    expect(await added()).toBe(after);
    expect(await queue.listSchedules()).toEqual([]);
    expect(await queue.removeSchedule('beat')).toBe(false);
    await engine.stop();
    await queue.close();
  });

  it('upserting the same spec keeps the next fire time; a new spec starts again', async () => {
    const queue = openQueue(queueName('sched-upsert'));
    const first = await queue.upsertSchedule(
      'daily',
      { cron: '0 6 * * *', tz: 'Asia/Tokyo' },
      { payload: 1 },
    );
    const now = await redisNow(queue);
    expect(first.next).toBeGreaterThan(now);
    expect(first.next - now).toBeLessThanOrEqual(24 * 3600 * 1000);
    // 06:00 in Tokyo is 21:00 UTC
    expect(new Date(first.next).getUTCHours()).toBe(21);
    await queue.redis.zadd(queue.keys.schedules, first.next + 5, 'daily');
    const again = await queue.upsertSchedule(
      'daily',
      { tz: 'Asia/Tokyo', cron: '0 6 * * *' },
      { payload: 2 },
    );
    expect(again.next).toBe(first.next + 5);
    const changed = await queue.upsertSchedule('daily', { cron: '0 6 * * *' }, { payload: 3 });
    expect(new Date(changed.next).getUTCHours()).toBe(6);
    expect(await queue.listSchedules()).toEqual([
      { name: 'daily', spec: { cron: '0 6 * * *' }, next: changed.next, lastFired: undefined },
    ]);
    await queue.close();
  });

  it('refuses a bad name, cron, tz, interval or job option, naming the field, before writing', async () => {
    const queue = openQueue(queueName('sched-bad'));
    await expectInvalid(() => queue.upsertSchedule('has space', { every: 1000 }), 'name');
    await expectInvalid(() => queue.upsertSchedule('x', { cron: '61 * * * *' }), 'spec.cron');
    await expectInvalid(() => queue.upsertSchedule('x', { cron: 'every day' }), 'spec.cron');
    await expectInvalid(() => queue.upsertSchedule('x', { cron: '0 0 30 2 *' }), 'spec.cron');
    await expectInvalid(
      () => queue.upsertSchedule('x', { cron: '0 0 * * *', tz: 'Mars/Olympus' }),
      'spec.tz',
    );
    await expectInvalid(() => queue.upsertSchedule('x', { every: 50 }), 'spec.every');
    await expectInvalid(() => queue.upsertSchedule('x', { every: 1.5e3 + 0.5 }), 'spec.every');
    await expectInvalid(
      () => queue.upsertSchedule('x', { every: 1000, cron: '* * * * *' } as never),
      'spec.every',
    );
    await expectInvalid(() => queue.upsertSchedule('x', {} as never), 'spec.cron');
    await expectInvalid(() => queue.upsertSchedule('x', { every: 1000, at: 1 } as never), 'spec.at');
    await expectInvalid(
      () => queue.upsertSchedule('x', { every: 1000 }, { payload: 1, opts: { jobId: 'fixed' } }),
      'job.opts.jobId',
    );
    await expectInvalid(
      () => queue.upsertSchedule('x', { every: 1000 }, { payload: 1, opts: { delay: 10 } }),
      'job.opts.delay',
    );
    await expectInvalid(
      () => queue.upsertSchedule('x', { every: 1000 }, { payload: 1, opts: { attempts: 0 } }),
      'job.opts.attempts',
    );
    expect(await queue.redis.keys(`sluice:{${queue.name}}:*`)).toEqual([]);
    await queue.close();
  });

  it('README example: Cron and repeatable jobs', async () => {
    const queue = openQueue(queueName('sched-readme'));
    await queue.upsertSchedule(
      'nightly-report',
      { cron: '0 2 * * *', tz: 'Europe/Berlin' },
      { payload: { kind: 'daily' }, opts: { attempts: 5 } },
    );
    await queue.upsertSchedule('heartbeat', { every: 30_000 });
    const schedules = await queue.listSchedules();
    expect(schedules.map((s) => s.name)).toEqual(['heartbeat', 'nightly-report']);
    expect(schedules[1]).toEqual({
      name: 'nightly-report',
      spec: { cron: '0 2 * * *', tz: 'Europe/Berlin' },
      next: expect.any(Number),
      lastFired: undefined,
    });
    expect(await queue.removeSchedule('heartbeat')).toBe(true);
    expect((await queue.listSchedules()).map((s) => s.name)).toEqual(['nightly-report']);
    await queue.close();
  });
});

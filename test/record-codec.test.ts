import { setTimeout as sleep } from 'node:timers/promises';
import { createTraceState, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { encodeErrorEntry } from '../dist/job/failure.js';
import { type JobOptions, prepareJobOptions } from '../dist/job/job-options.js';
import { decodeRecord, recordBody } from '../dist/job/record.js';
import { encodeDefinition, prepareSchedule } from '../dist/job/schedules.js';
import { acquire } from '../dist/redis/acquire.js';
import { cancel } from '../dist/redis/cancel.js';
import type { RedisClient } from '../dist/redis/connection.js';
import { editDead, retryDead } from '../dist/redis/dlq.js';
import { type EnqueueItem, enqueue } from '../dist/redis/enqueue.js';
import { type QueueKeys, queueKeys, runOrder } from '../dist/redis/keys.js';
import { promote } from '../dist/redis/promote.js';
import { reap } from '../dist/redis/reap.js';
import { release } from '../dist/redis/release.js';
import { fireSchedule, upsertSchedule } from '../dist/redis/schedules.js';
import { settle } from '../dist/redis/settle.js';
import { carry } from '../dist/tracing/carrier.js';
import { queueName, redisClient } from './helpers/index.js';

const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
/** The option header's suffixes: none, a traceparent, and a traceparent with a tracestate. */
const TRACES = [
  '',
  carry({ ...span, traceFlags: TraceFlags.SAMPLED }),
  carry({ ...span, traceFlags: TraceFlags.NONE, traceState: createTraceState('vendor=a:b,other=c') }),
];
const PRIORITIES = [undefined, 1, 2, 3, 4, 5];
/** Other options, so the priority is read after every header shape encodeOptionHeader writes. */
const OTHERS: JobOptions[] = [
  {},
  { attempts: 7, timeout: 250, backoff: { type: 'fixed', delay: 5, jitter: 0.5 } },
  { keepResult: 60_000, uniqueFor: 60_000 },
];
/** A payload holding the header's separators: the Lua patterns must stop before it. */
const PAYLOAD = { s: 'x;1,2,3,4,5,6,7,1|2' };

function withPriority(others: JobOptions, priority: number | undefined): JobOptions {
  return priority === undefined ? { ...others } : { ...others, priority };
}

interface Case {
  id: string;
  priority: number | undefined;
}

/** The list a job of `priority` must wait in: its priority list, or pending for none and 3. */
function listFor(keys: QueueKeys, priority: number | undefined): string {
  return priority === undefined || priority === 3 ? keys.pending : `${keys.pending}:${priority}`;
}

/** The waiting lists that hold `id`. */
async function listsHolding(redis: RedisClient, keys: QueueKeys, id: string): Promise<string[]> {
  const lists = runOrder(keys);
  const found = await Promise.all(lists.map((list) => redis.lpos(list, id)));
  return lists.filter((_, i) => found[i] !== null);
}

async function expectWaitingInTheirLists(redis: RedisClient, keys: QueueKeys, cases: Case[]): Promise<void> {
  const where = await Promise.all(cases.map(({ id }) => listsHolding(redis, keys, id)));
  expect(where).toEqual(cases.map(({ priority }) => [listFor(keys, priority)]));
}

async function leaseAll(redis: RedisClient, keys: QueueKeys, count: number, leaseMs = 60_000) {
  const { jobs } = await acquire(redis, keys, 1000, leaseMs, 1000);
  expect(jobs).toHaveLength(count);
  return jobs;
}

const failure = (retryInMs: number) => (job: { id: string; token: number }) => ({
  id: job.id,
  token: job.token,
  retryInMs,
  entry: encodeErrorEntry({ name: 'Error', message: 'again', reason: 'error', at: 0 }),
});

/** Runs `body` with a client of the tests' Redis and the keys of a queue no other test uses. */
async function onFreshQueue(
  label: string,
  body: (redis: RedisClient, keys: QueueKeys) => Promise<void>,
): Promise<void> {
  const redis = redisClient();
  try {
    await body(redis, queueKeys(queueName(label)));
  } finally {
    await redis.quit();
  }
}

describe('record codec: what job-options.ts and record.ts write is what the Lua scripts read', () => {
  it('every priority, with and without a trace context and other options, waits in its list after each path that re-reads it', () =>
    onFreshQueue('codec', async (redis, keys) => {
      const cases: Case[] = [];
      for (const priority of PRIORITIES) {
        for (const [o, others] of OTHERS.entries()) {
          for (const carried of TRACES) {
            const options = withPriority(others, priority);
            if (others.uniqueFor !== undefined) options.jobId = `job-${cases.length}`;
            const prepared = prepareJobOptions(options);
            const item: EnqueueItem = {
              body: recordBody(prepared.header, JSON.stringify(PAYLOAD), carried),
              due: prepared.due,
              jobId: prepared.jobId,
              prioritised: prepared.stored.priority !== undefined,
            };
            // One job per call, so each enqueue mode meets the header it is chosen for.
            const [id] = await enqueue(redis, keys, [item]);
            const decoded = decodeRecord((await redis.hget(keys.jobs, id as string)) as string);
            expect(decoded?.options, `options ${o} at priority ${priority}`).toEqual(prepared.stored);
            expect(decoded?.trace).toBe(carried === '' ? undefined : carried.slice(1));
            expect(JSON.parse(decoded?.payloadJson as string)).toEqual(PAYLOAD);
            cases.push({ id: id as string, priority });
          }
        }
      }
      const ids = cases.map(({ id }) => id);
      await expectWaitingInTheirLists(redis, keys, cases); // enqueue.lua

      await release(redis, keys, await leaseAll(redis, keys, cases.length));
      await expectWaitingInTheirLists(redis, keys, cases); // release.lua

      await leaseAll(redis, keys, cases.length, 1);
      await sleep(10);
      expect((await reap(redis, keys, 1000)).requeued).toBe(cases.length);
      await expectWaitingInTheirLists(redis, keys, cases); // reap.lua, recovering expired leases

      await settle(redis, keys, [], (await leaseAll(redis, keys, cases.length)).map(failure(0)));
      await expectWaitingInTheirLists(redis, keys, cases); // settle.lua, a retry due now

      await settle(redis, keys, [], (await leaseAll(redis, keys, cases.length)).map(failure(1)));
      await sleep(10);
      expect((await reap(redis, keys, 1000)).promoted).toBe(cases.length);
      await expectWaitingInTheirLists(redis, keys, cases); // reap.lua, promoting due jobs

      await settle(redis, keys, [], (await leaseAll(redis, keys, cases.length)).map(failure(60_000)));
      expect(await promote(redis, keys, ids)).toEqual(ids.map(() => 'moved'));
      await expectWaitingInTheirLists(redis, keys, cases); // promote.lua

      await settle(redis, keys, [], (await leaseAll(redis, keys, cases.length)).map(failure(-1)));
      expect(await retryDead(redis, keys, ids)).toBe(cases.length);
      await expectWaitingInTheirLists(redis, keys, cases); // dlq-retry.lua

      await settle(redis, keys, [], (await leaseAll(redis, keys, cases.length)).map(failure(-1)));
      for (const id of ids) expect(await editDead(redis, keys, id, '{"edited":true}')).toBe('redriven');
      await expectWaitingInTheirLists(redis, keys, cases); // dlq-edit.lua

      expect(await cancel(redis, keys, ids)).toEqual(ids.map(() => 'removed'));
      const left = await Promise.all(runOrder(keys).map((list) => redis.llen(list)));
      expect(left, 'cancel.lua took each id out of the list it was in').toEqual(runOrder(keys).map(() => 0));
    }));

  it("a schedule's job waits in the list of the priority its definition's header names", () =>
    onFreshQueue('codec-schedule', async (redis, keys) => {
      for (const priority of PRIORITIES) {
        for (const [o, others] of OTHERS.entries()) {
          if (others.uniqueFor !== undefined) continue; // a schedule's jobs have no jobId to keep
          const name = `s-${priority}-${o}`;
          const schedule = prepareSchedule(
            { every: 60_000 },
            { payload: PAYLOAD, opts: withPriority(others, priority) },
            1024,
          );
          const { next } = await upsertSchedule(
            redis,
            keys,
            name,
            schedule.specJson,
            encodeDefinition(schedule),
            (now) => now - 1,
          );
          expect(await fireSchedule(redis, keys, name, next, next + 60_000, schedule.specJson)).toBeDefined();
          expect(await listsHolding(redis, keys, `${name}:${next}`)).toEqual([listFor(keys, priority)]);
        }
      }
    }));

  it('the error entry reap.lua writes for a crashed job is the one failure.ts would write', () =>
    onFreshQueue('codec-crash', async (redis, keys) => {
      const [id] = await enqueue(redis, keys, [
        {
          body: recordBody(prepareJobOptions({ attempts: 1 }).header, '{}'),
          due: { delay: 0 },
          jobId: undefined,
          prioritised: false,
        },
      ]);
      await leaseAll(redis, keys, 1, 1);
      await sleep(10);
      expect((await reap(redis, keys, 10)).deadLettered).toBe(1);
      const stored = (await redis.hget(keys.errors, id as string)) as string;
      const [entry] = JSON.parse(stored);
      expect(entry).toMatchObject({ name: 'CrashedError', reason: 'crashed' });
      expect(stored).toBe(`[${encodeErrorEntry(entry)}]`);
    }));
});

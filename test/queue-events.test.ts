import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue, type QueueEvent, QueueEvents } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { reap } from '../dist/redis/reap.js';
import { call, testApp } from './api/support.js';
import {
  handlerPath,
  openQueue,
  queueName,
  redisUrl,
  rejection,
  startEngine,
  waitFor,
} from './helpers/index.js';

/** Every event of the queue's stream, oldest first, as [type, ids]. */
async function allEvents(queue: Queue): Promise<[string, string[]][]> {
  const page = await queue.events('0', 1000);
  return page.events.map((e) => [e.type, e.jobIds]);
}

describe('event stream', () => {
  it('is off by default: no stream, nothing written, and a reader is told how to turn it on', async () => {
    const queue = openQueue(queueName('events-off'));
    await queue.addBulk([{ payload: 1 }]);
    expect(await queue.eventsEnabled()).toBe(false);
    expect(await queue.redis.exists(queue.keys.events)).toBe(0);
    const reader = new QueueEvents(queue.name, { connection: redisUrl() });
    const error = await rejection(async () => {
      for await (const _ of reader.stream()) break;
    });
    expect(error).toMatchObject({
      code: ErrorCode.EVENTS_OFF,
      message: expect.stringContaining('setEvents(true)'),
    });
    await reader.close();

    await queue.setEvents(true);
    expect(await queue.events('0')).toEqual({ events: [], next: '0', gap: false });
    const [id] = await queue.addBulk([{ payload: 2 }]);
    expect((await queue.events('0')).events.map((e) => [e.type, e.jobIds])).toEqual([['added', [id]]]);
    await queue.setEvents(false);
    expect(await queue.redis.exists(queue.keys.events)).toBe(0);
    await queue.close();
  });

  it("records a job's life, one entry per script call and type: added, started, completed", async () => {
    const name = queueName('events-life');
    const queue = openQueue(name);
    await queue.setEvents(true);
    const ids = await queue.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const engine = await startEngine({ queue: name, handler: handlerPath('noop') });
    await waitFor('3 completed', async () => (await queue.counts()).completed === 3);
    await engine.stop();
    const events = await allEvents(queue);
    expect(events[0]).toEqual(['added', ids]);
    const started = events.filter(([type]) => type === 'started').flatMap(([, jobIds]) => jobIds);
    const completed = events.filter(([type]) => type === 'completed').flatMap(([, jobIds]) => jobIds);
    expect(started.sort()).toEqual([...ids].sort());
    expect(completed.sort()).toEqual([...ids].sort());
    const order = events.map(([type]) => type);
    expect(order.indexOf('started')).toBeLessThan(order.indexOf('completed'));
    const page = await queue.events('0', 1000);
    expect(page.events.every((e) => Math.abs(e.at - Date.now()) < 60_000)).toBe(true);
    await queue.close();
  });

  it('records retried then dead for a failing job, stalled for a lease the janitor recovers, and cancelled', async () => {
    const name = queueName('events-fail');
    const queue = openQueue(name);
    await queue.setEvents(true);
    const engine = await startEngine({ queue: name, handler: handlerPath('throws') });
    const failing = await queue.add({ n: 1 }, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    await waitFor('dead', async () => (await queue.counts()).dead === 1);
    await engine.stop();
    const types = (await allEvents(queue)).filter(([, ids]) => ids.includes(failing)).map(([type]) => type);
    expect(types).toEqual(['added', 'started', 'retried', 'started', 'dead']);

    const other = openQueue(queueName('events-stall'));
    await other.setEvents(true);
    const stalled = await other.add({});
    await acquire(other.redis, other.keys, 1, 50, 0);
    await sleep(80);
    expect((await reap(other.redis, other.keys, 100)).requeued).toBe(1);
    const waiting = await other.add({}, { delay: 60_000 });
    expect(await other.cancel(waiting)).toBe('removed');
    const events = await allEvents(other);
    expect(events).toContainEqual(['stalled', [stalled]]);
    expect(events).toContainEqual(['cancelled', [waiting]]);
    await other.close();
    await queue.close();
  });

  it('keeps the stream trimmed to about 10,000 entries, and says when a resume point was trimmed', async () => {
    // One script call per add, so 10,400 adds write 10,400 entries (batched, they would share a few).
    const queue = openQueue(queueName('events-trim'), { batchAdds: false });
    await queue.setEvents(true);
    await queue.add({});
    const first = (await queue.events('0', 1)).events[0] as QueueEvent;
    await Promise.all(Array.from({ length: 10_400 }, () => queue.add({})));
    const length = await queue.redis.xlen(queue.keys.events);
    expect(length).toBeGreaterThanOrEqual(10_000);
    expect(length).toBeLessThanOrEqual(10_200);
    expect((await queue.events(first.id, 1)).gap).toBe(true);
    const events = new QueueEvents(queue.name, { connection: redisUrl() });
    const error = await rejection(async () => {
      for await (const _ of events.stream({ from: first.id })) break;
    });
    expect(error).toMatchObject({ code: ErrorCode.EVENTS_TRIMMED });
    await events.close();
    await queue.close();
  });

  it('QueueEvents.stream resumes after a saved id with exactly the later events, and close() ends a blocked read', async () => {
    const queue = openQueue(queueName('events-resume'));
    await queue.setEvents(true);
    const reader = new QueueEvents(queue.name, { connection: redisUrl() });
    const seen: QueueEvent[] = [];
    const consuming = (async () => {
      for await (const event of reader.stream({ blockMs: 200 })) {
        seen.push(event);
        if (seen.length === 2) break;
      }
    })();
    await sleep(100);
    const [a] = await queue.addBulk([{ payload: 'a' }]);
    const [b] = await queue.addBulk([{ payload: 'b' }]);
    await consuming;
    expect(seen.map((e) => [e.type, e.jobIds])).toEqual([
      ['added', [a]],
      ['added', [b]],
    ]);
    await reader.close();

    const [c] = await queue.addBulk([{ payload: 'c' }]);
    const resumed = new QueueEvents(queue.name, { connection: redisUrl() });
    const later: QueueEvent[] = [];
    for await (const event of resumed.stream({ from: (seen[0] as QueueEvent).id })) {
      later.push(event);
      if (later.length === 2) break;
    }
    expect(later.map((e) => e.jobIds[0])).toEqual([b, c]);

    const blocked = (async () => {
      for await (const _ of resumed.stream({ blockMs: 5000 })) return 'event';
      return 'closed';
    })();
    await sleep(100);
    const started = performance.now();
    await resumed.close();
    expect(await blocked).toBe('closed');
    expect(performance.now() - started).toBeLessThan(1500);
    await queue.close();
  });

  it('PUT /api/queues/:queue/events switches the stream; GET pages it after an id', async () => {
    const { app, queue, close } = testApp('events-route');
    const put = (on: boolean) =>
      call(app, { method: 'PUT', url: `/api/queues/${queue.name}/events`, payload: { enabled: on } });
    expect(await put(true)).toMatchObject({ status: 200, body: { enabled: true } });
    expect(await queue.eventsEnabled()).toBe(true);
    const ids = await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    await queue.add(3);
    const page = await call(app, { url: `/api/queues/${queue.name}/events?from=0&limit=1` });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ events: [{ type: 'added', jobIds: ids }], gap: false });
    const rest = await call(app, { url: `/api/queues/${queue.name}/events?from=${page.body.next}` });
    expect(rest.body.events.map((e: QueueEvent) => e.type)).toEqual(['added']);
    expect((await call(app, { url: `/api/queues/${queue.name}/events?from=abc` })).status).toBe(400);
    expect(
      (await call(app, { method: 'PUT', url: `/api/queues/${queue.name}/events`, payload: {} })).status,
    ).toBe(400);
    expect(await put(false)).toMatchObject({ status: 200, body: { enabled: false } });
    expect(await queue.eventsEnabled()).toBe(false);
    await close();
  });
});

import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { acquire } from '../../dist/redis/acquire.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from '../helpers/index.js';
import { call, makeDead, testApp } from './support.js';

/** name{queue="q"} → value, for one queue. */
function samples(text: string, queue: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{queue="([^"]+)"\} (\S+)$/.exec(line);
    if (match && match[2] === queue) out[match[1] as string] = Number(match[3]);
  }
  return out;
}

describe('/metrics', () => {
  it('exports per-queue counters and gauges read from Redis at scrape time', async () => {
    const other = openQueue(queueName('metrics-other'));
    const { app, queue, close } = testApp('metrics', { others: [other] });
    await makeDead(queue, [{}, {}]);
    await queue.retryDead((await queue.listDead()).items[0]?.id as string);
    await queue.addBulk([{ payload: 1 }, { payload: 2, opts: { delay: 60_000 } }]);
    await other.add({ x: 1 });

    const { res, status } = await call(app, { url: '/metrics' });
    expect(status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('# TYPE sluice_jobs_added_total counter');
    expect(res.body).toContain('# TYPE sluice_jobs_waiting gauge');
    expect(samples(res.body, queue.name)).toEqual({
      sluice_jobs_added_total: 4,
      sluice_jobs_completed_total: 0,
      sluice_jobs_failed_total: 2,
      sluice_jobs_retried_total: 0,
      sluice_jobs_dead_lettered_total: 2,
      sluice_jobs_redriven_total: 1,
      sluice_jobs_cancelled_total: 0,
      sluice_jobs_drained_total: 0,
      sluice_lease_expiries_total: 0,
      sluice_jobs_waiting: 2,
      sluice_jobs_delayed: 1,
      sluice_jobs_dead: 1,
      sluice_jobs_in_flight: 0,
    });
    expect(samples(res.body, other.name)).toMatchObject({
      sluice_jobs_added_total: 1,
      sluice_jobs_waiting: 1,
    });

    // a second scrape reads Redis again
    await queue.add({ more: true });
    const again = await call(app, { url: '/metrics' });
    expect(samples(again.res.body, queue.name)).toMatchObject({
      sluice_jobs_added_total: 5,
      sluice_jobs_waiting: 3,
    });
    await close();
  });

  it('counts lease expiries from the janitor and appends the registries of in-process engines', async () => {
    const name = queueName('metrics-engine');
    const served = openQueue(name);
    // a lease taken and never settled, as by an engine that was killed
    const orphan = await served.add({ orphan: true });
    expect((await acquire(served.redis, served.keys, 1, 50, 0)).jobs.map((j) => j.id)).toEqual([orphan]);
    const engine = await startEngine({ queue: name, handler: handlerPath('noop'), janitorIntervalMs: 50 });
    const { app, queue, close } = testApp('metrics-engine-app', { metrics: [engine.metrics.registry] });
    const both = testApp('metrics-engine-both', { others: [served], metrics: [engine.metrics.registry] });
    await served.addBulk(Array.from({ length: 10 }, (_, i) => ({ payload: i })));
    await waitFor('11 completed', async () => (await served.counts()).completed === 11);

    const text = (await call(both.app, { url: '/metrics' })).res.body;
    expect(samples(text, name)).toMatchObject({
      sluice_jobs_completed_total: 11,
      sluice_lease_expiries_total: 1,
      sluice_jobs_in_flight: 0,
    });
    expect(text).toContain('# TYPE sluice_engine_settle_seconds histogram');
    expect(text).toMatch(
      new RegExp(`sluice_engine_jobs_settled_total\\{queue="${name}",engine="[^"]+"\\} 11`),
    );
    // a second app with the same engine registry: each app has its own registry, nothing clashes
    expect((await call(app, { url: '/metrics' })).res.body).toContain(`queue="${queue.name}"`);
    expect(register.getMetricsAsArray().filter((m) => m.name.startsWith('sluice_'))).toEqual([]);
    await engine.stop();
    await both.close();
    await close();
  });
});

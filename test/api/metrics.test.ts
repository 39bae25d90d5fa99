import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { Queue } from '../../dist/index.js';
import { partitionOfId } from '../../dist/queue/partition-route.js';
import { acquire } from '../../dist/redis/acquire.js';
import { handlerPath, openQueue, queueName, rejection, startEngine, waitFor } from '../helpers/index.js';
import { startRedisServer } from '../helpers/redis-server.js';
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

/** Every sample of a Prometheus text, with its labels; checks the exposition's shape as it goes. */
function parse(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const closed = new Set<string>();
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\w+) (.+)$/.exec(line);
    if (meta) {
      const [, kind, family] = meta as unknown as [string, string, string, string];
      const seen = kind === 'HELP' ? helped.has(family) : typed.has(family);
      expect(seen, `a second ${kind} line for ${family}`).toBe(false);
      if (kind === 'HELP') helped.add(family);
      else typed.set(family, meta[3] as string);
      if (current !== family) closed.add(current);
      current = family;
      continue;
    }
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, name, labelText = '', value] = match as unknown as [string, string, string | undefined, string];
    const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(family), `${name} has a TYPE line`).toBe(true);
    expect(closed.has(family), `${family}'s samples are together`).toBe(false);
    const labels: Record<string, string> = {};
    for (const [, k, v] of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[k as string] = v as string;
    out.push({ name, labels, value: Number(value) });
  }
  return out;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const found = parse(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found.length, `samples of ${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

async function scrape(app: FastifyInstance): Promise<string> {
  const { res, status } = await call(app, { url: '/metrics' });
  expect(status).toBe(200);
  return res.body;
}

async function redisMs(queue: Queue): Promise<number> {
  const [seconds, micros] = await queue.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
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
      sluice_job_attempts_failed_total: 2,
      sluice_job_attempts_retried_total: 0,
      sluice_jobs_dead_lettered_total: 2,
      sluice_jobs_redriven_total: 1,
      sluice_jobs_cancelled_total: 0,
      sluice_jobs_drained_total: 0,
      sluice_lease_expiries_total: 0,
      sluice_jobs_waiting: 2,
      sluice_jobs_delayed: 1,
      sluice_jobs_dead: 1,
      sluice_jobs_in_flight: 0,
      sluice_oldest_waiting_job_age_seconds: expect.any(Number),
      sluice_queue_paused: 0,
      sluice_engines_live: 0,
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
  it('the oldest waiting job: its age by the Redis clock over every priority list and partition, 0 when none waits', async () => {
    const { app, queue, close } = testApp('metrics-oldest');
    const part = openQueue(queueName('metrics-oldest-parts'), { partitions: 2 });
    try {
      const age = async (q: Queue) =>
        sampleValue(await scrape(app), 'sluice_oldest_waiting_job_age_seconds', { queue: q.name });
      expect(await age(queue)).toBe(0);

      // 3 jobs at the default level; then, a second later, newer jobs at more urgent levels,
      // which run first: the oldest is still the default level's head
      await queue.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
      // partition 1 gets the old job (a jobId routes it there), partition 0 only new ones
      const oldId = Array.from({ length: 100 }, (_, i) => `old-${i}`).find(
        (id) => partitionOfId(id, 2) === 1,
      );
      await part.add({ old: true }, { jobId: oldId as string });
      const added = await redisMs(queue);
      await waitFor('a second by the Redis clock', async () => (await redisMs(queue)) >= added + 1000);
      await queue.addBulk([
        { payload: 'urgent', opts: { priority: 1 } },
        { payload: 'low', opts: { priority: 5 } },
      ]);
      await part.addBulk(Array.from({ length: 4 }, (_, i) => ({ payload: i })));

      const text = await scrape(app);
      const oldest = sampleValue(text, 'sluice_oldest_waiting_job_age_seconds', {
        queue: queue.name,
      }) as number;
      expect(oldest).toBeGreaterThanOrEqual(1);
      expect(oldest).toBeLessThan(10);
      expect(sampleValue(text, 'sluice_jobs_waiting', { queue: queue.name })).toBe(5);

      const partApp = testApp('metrics-oldest-app', { others: [part] });
      try {
        const partAge = sampleValue(await scrape(partApp.app), 'sluice_oldest_waiting_job_age_seconds', {
          queue: part.name,
        });
        expect(partAge).toBeGreaterThanOrEqual(1);
      } finally {
        await partApp.close();
      }

      await queue.drain();
      expect(await age(queue)).toBe(0);
    } finally {
      await part.close();
      await close();
    }
  });

  it('a Redis that refuses the oldest-waiting script still gives every other figure', async () => {
    const server = await startRedisServer();
    const admin = new Redis(server.url);
    // a user that may read and write but run no script
    await admin.acl('SETUSER', 'noscript', 'on', '>secret-pw', '~*', '&*', '+@all', '-@scripting');
    const port = new URL(server.url).port;
    const name = queueName('metrics-noscript');
    const writer = new Queue(name, { connection: server.url });
    const queue = new Queue(name, { connection: `redis://noscript:secret-pw@127.0.0.1:${port}` });
    const app = buildApp({ uiDir: false, queues: [queue] });
    try {
      await writer.addBulk([{ payload: 1 }, { payload: 2 }]);
      await writer.pause();
      const text = await scrape(app);
      expect(samples(text, queue.name)).toMatchObject({ sluice_jobs_waiting: 2, sluice_queue_paused: 1 });
      expect(
        sampleValue(text, 'sluice_oldest_waiting_job_age_seconds', { queue: queue.name }),
      ).toBeUndefined();
    } finally {
      await app.close();
      await queue.close();
      await writer.close();
      admin.disconnect();
      await server.stop();
    }
  });

  it('paused, the rate limit and the live engines follow the queue', async () => {
    const { app, queue, close } = testApp('metrics-state');
    const engines = [];
    try {
      const gauges = async () => {
        const text = await scrape(app);
        const at = (name: string) => sampleValue(text, name, { queue: queue.name });
        return {
          paused: at('sluice_queue_paused'),
          max: at('sluice_rate_limit_max'),
          duration: at('sluice_rate_limit_duration_seconds'),
          engines: at('sluice_engines_live'),
        };
      };
      // no rate limit: its gauges have no sample for the queue
      expect(await gauges()).toEqual({ paused: 0, max: undefined, duration: undefined, engines: 0 });

      await queue.pause();
      await queue.setRateLimit({ max: 5, duration: 2500 });
      expect(await gauges()).toEqual({ paused: 1, max: 5, duration: 2.5, engines: 0 });

      for (let i = 0; i < 2; i++) {
        engines.push(await startEngine({ queue: queue.name, handler: handlerPath('noop') }));
      }
      expect((await gauges()).engines).toBe(2);
      await (engines.pop() as Awaited<ReturnType<typeof startEngine>>).stop();
      expect((await gauges()).engines).toBe(1);

      await queue.resume();
      await queue.clearRateLimit();
      expect(await gauges()).toEqual({ paused: 0, max: undefined, duration: undefined, engines: 1 });
    } finally {
      await Promise.all(engines.map((e) => e.stop()));
      await close();
    }
  });

  it("shows each in-process engine's wait and run histograms under one HELP and TYPE, labelled by a stable engine name", async () => {
    const label = queueName('metrics-histograms');
    const settings = { handler: handlerPath('slow'), threadBatch: 1, maxInFlight: 4 };
    const a = await startEngine({ queue: label, ...settings });
    const b = await startEngine({ queue: label, ...settings, engineName: 'worker-b' });
    const served = openQueue(label);
    const { app, close } = testApp('metrics-histograms-app', {
      others: [served],
      metrics: [a.metrics.registry, b.metrics.registry],
    });
    try {
      // with no engineName, the host and the lowest number free among this process's engines of the queue
      expect(a.name).toBe(`${hostname()}:0`);
      expect(b.name).toBe('worker-b');
      await served.addBulk(Array.from({ length: 20 }, () => ({ payload: { ms: 30 } })));
      await waitFor('20 completed', async () => (await served.counts()).completed === 20);

      const text = await scrape(app);
      expect(text.match(/^# TYPE sluice_job_run_seconds histogram$/gm)).toHaveLength(1);
      expect(text.match(/^# TYPE sluice_job_wait_seconds histogram$/gm)).toHaveLength(1);
      expect(text.match(/^# HELP sluice_job_wait_seconds .+$/gm)).toHaveLength(1);
      const all = parse(text);
      let runs = 0;
      for (const engine of [a, b]) {
        const labels = { queue: label, engine: engine.name };
        const count = sampleValue(text, 'sluice_job_run_seconds_count', labels) as number;
        const buckets = all.filter(
          (s) => s.name === 'sluice_job_run_seconds_bucket' && s.labels.engine === engine.name,
        );
        expect(buckets.at(-1)?.labels.le).toBe('+Inf');
        expect(buckets.at(-1)?.value).toBe(count);
        // cumulative, in rising bounds
        for (let i = 1; i < buckets.length - 1; i++) {
          expect(Number(buckets[i]?.labels.le)).toBeGreaterThan(Number(buckets[i - 1]?.labels.le));
          expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number);
        }
        // every run took at least 30 ms (how much more depends on the machine's load)
        expect(sampleValue(text, 'sluice_job_run_seconds_bucket', { ...labels, le: '0.025' })).toBe(0);
        expect(sampleValue(text, 'sluice_job_run_seconds_sum', labels)).toBeGreaterThanOrEqual(count * 0.025);
        expect(sampleValue(text, 'sluice_job_wait_seconds_count', labels)).toBe(count);
        // the random id only in the info metric
        expect(sampleValue(text, 'sluice_engine_info', { ...labels, id: engine.id })).toBe(1);
        expect(engine.id).toMatch(new RegExp(`^${hostname()}:${process.pid}:[0-9a-f]{6}$`));
        expect(all.filter((s) => s.labels.engine === engine.id)).toEqual([]);
        runs += count;
      }
      expect(runs).toBe(20);
      const info = all.find((s) => s.name === 'sluice_engine_info');
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
      expect(info?.labels.version).toBe(pkg.version);
    } finally {
      await a.stop();
      await b.stop();
      await close();
    }
  });

  it('a restarted engine keeps its engine label; a name another engine of the queue holds here is refused', async () => {
    const label = queueName('metrics-restart');
    const first = await startEngine({ queue: label, handler: handlerPath('noop') });
    const name = first.name;
    const id = first.id;
    expect(
      await rejection(() => startEngine({ queue: label, handler: handlerPath('noop'), engineName: name })),
    ).toMatchObject({ code: 'SLUICE_ERR_INVALID_OPTION', message: expect.stringMatching(/^engineName: /) });
    expect(
      await rejection(() => startEngine({ queue: label, handler: handlerPath('noop'), engineName: 'a b' })),
    ).toMatchObject({ code: 'SLUICE_ERR_INVALID_OPTION', message: expect.stringMatching(/^engineName: /) });
    await first.stop();

    const again = await startEngine({ queue: label, handler: handlerPath('noop') });
    try {
      expect(again.name).toBe(name);
      expect(again.id).not.toBe(id);
      const text = await again.metrics.registry.metrics();
      expect(text).toContain(`sluice_engine_jobs_in_flight{queue="${label}",engine="${name}"} 0`);
    } finally {
      await again.stop();
    }
  });

  it("adds the process's default metrics once per scrape, from one collector however many apps the process has", async () => {
    const one = testApp('metrics-default-1');
    const two = testApp('metrics-default-2');
    try {
      for (const app of [one.app, two.app]) {
        const text = await scrape(app);
        parse(text);
        expect(text.match(/^# TYPE process_cpu_user_seconds_total counter$/gm)).toHaveLength(1);
        expect(text.match(/^# TYPE nodejs_heap_size_used_bytes gauge$/gm)).toHaveLength(1);
        expect(sampleValue(text, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
        expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \S+$/m);
      }
      // prom-client's global registry is left alone
      expect(register.getMetricsAsArray().filter((m) => /^(process|nodejs)_/.test(m.name))).toEqual([]);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('the README lists every metric /metrics exports', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const engine = await startEngine({ queue: queueName('metrics-readme'), handler: handlerPath('noop') });
    const { app, close } = testApp('metrics-readme-app', { metrics: [engine.metrics.registry] });
    try {
      const families = [...(await scrape(app)).matchAll(/^# TYPE (sluice_\w+) /gm)].map((m) => m[1]);
      expect(families.length).toBeGreaterThan(20);
      expect(families.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
      // the old names of the attempt counters are gone
      expect(families).not.toContain('sluice_jobs_failed_total');
      expect(families).not.toContain('sluice_jobs_retried_total');
    } finally {
      await engine.stop();
      await close();
    }
  });
});

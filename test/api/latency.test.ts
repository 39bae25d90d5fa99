import { describe, expect, it } from 'vitest';
import { handlerPath, queueName, startEngine, waitFor } from '../helpers/index.js';
import { call, testApp } from './support.js';

/** The value of `metric` (a full sample name with labels, as a regex) in a Prometheus text. */
function sample(text: string, metric: string): number {
  const match = new RegExp(`^${metric} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

describe('job latency', () => {
  it('each engine exports its own histograms; the latency route adds up every live engine', async () => {
    const label = queueName('latency');
    const settings = { handler: handlerPath('slow'), threadBatch: 1, maxInFlight: 4 };
    const t = testApp(label);
    const name = t.queue.name;
    const a = await startEngine({ queue: name, ...settings });
    const b = await startEngine({ queue: name, ...settings });
    try {
      await t.queue.addBulk(Array.from({ length: 40 }, () => ({ payload: { ms: 30 } })));
      await waitFor('40 completed', async () => (await t.queue.counts()).completed === 40);

      const runs = [];
      for (const engine of [a, b]) {
        const text = await engine.metrics.registry.metrics();
        const labels = `queue="${name}",engine="${engine.name}"`;
        const count = sample(text, `sluice_job_run_seconds_count\\{${labels}\\}`);
        // every run took 30 ms and a little: in the (25, 50] ms bucket
        expect(sample(text, `sluice_job_run_seconds_bucket\\{le="0.025",${labels}\\}`)).toBe(0);
        expect(sample(text, `sluice_job_run_seconds_bucket\\{le="0.05",${labels}\\}`)).toBe(count);
        expect(sample(text, `sluice_job_wait_seconds_count\\{${labels}\\}`)).toBe(count);
        runs.push(count);
      }
      expect(runs[0], 'both engines ran jobs').toBeGreaterThan(0);
      expect(runs[1], 'both engines ran jobs').toBeGreaterThan(0);
      expect((runs[0] as number) + (runs[1] as number)).toBe(40);

      // Within a heartbeat (1 s) both engines' counts are in Redis, added up by the route.
      const latency = await waitFor('both engines published', async () => {
        const { body } = await call(t.app, { url: `/api/queues/${name}/latency` });
        return body.total.run.count === 40 ? body : undefined;
      });
      expect(latency.total.wait.count).toBe(40);
      expect(latency.total.run.p50).toBeGreaterThan(25);
      expect(latency.total.run.p50).toBeLessThanOrEqual(50);
      expect(latency.total.run.p99).toBeLessThanOrEqual(50);
      // 40 jobs of 30 ms, 8 at a time: none waited more than a few seconds
      expect(latency.total.wait.p99).toBeLessThan(5000);
      expect(latency.points.length).toBeGreaterThan(0);
      expect(latency.points.reduce((n: number, p: { run: { count: number } }) => n + p.run.count, 0)).toBe(
        40,
      );
      expect(latency.slotMs).toBe(15_000);
    } finally {
      await a.stop();
      await b.stop();
      await t.close();
    }
  });

  it('answers empty figures for a queue no engine serves', async () => {
    const t = testApp('latency-none');
    try {
      const { status, body } = await call(t.app, { url: `/api/queues/${t.queue.name}/latency` });
      expect(status).toBe(200);
      expect(body).toMatchObject({ points: [], total: { wait: { count: 0 }, run: { count: 0 } } });
      expect(body.total.wait.p50).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

/** Many parties at once: engines with skewed clocks (T15), fifty producers sharing idempotency keys (T16). */
import { fileURLToPath } from 'node:url';
import { atMost, deliveryCriteria, exactly, percentile, summarize, tally } from '../lib/check.js';
import type { Scenario } from '../lib/scenario.js';
import { pick, withHarness } from '../lib/scenario.js';

const SKEW = fileURLToPath(new URL('../children/skew-clock.js', import.meta.url));

export const t15: Scenario = {
  id: 'T15',
  title: 'engines whose clocks are 60 s apart',
  fault: 'one engine at +60 s, one at −60 s (Date.now shifted); short leases and delayed jobs',
  run: (scale) =>
    withHarness('t15', {}, async (h) => {
      const p = pick(
        scale,
        { jobs: 2000, delayed: 50, leaseMs: 3000 },
        { jobs: 20_000, delayed: 500, leaseMs: 10_000 },
      );
      for (const skew of [60_000, -60_000]) {
        h.startEngine({
          leaseMs: p.leaseMs,
          janitorMs: 500,
          env: { NODE_OPTIONS: `--import ${SKEW}`, SLUICE_CLOCK_SKEW_MS: String(skew) },
        });
      }
      await Promise.all(h.engines.map((e) => h.started(e)));
      const delay = 2000;
      const delayed = h.startProducer({
        count: p.delayed,
        chunk: 1,
        payload: { ms: 1 },
        opts: { delay },
        pauseMs: 20,
      });
      const normal = h.startProducer({ count: p.jobs, chunk: 100, payload: { msMin: 5, msMax: 20 } });
      await Promise.all([delayed.done, normal.done]);
      const drained = await h.drained(120_000);
      const executions = h.executions();
      const state = await h.state();
      const s = summarize(h.producerLog().acked, executions, state);
      await h.stopEngines();
      const delayedIds = new Set(h.producerLog(delayed).acked);
      // Lateness against the due time, measured on this machine's real clock.
      const lateness = executions
        .filter((e) => delayedIds.has(e.id))
        .map((e) => e.start - (e.sentAt + delay));
      const worst = lateness.length > 0 ? Math.max(...lateness.map(Math.abs)) : Number.POSITIVE_INFINITY;
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0),
          exactly('leases re-queued', state.stats.reaped ?? 0, 0),
          exactly('delayed jobs run', lateness.length, p.delayed),
          atMost('worst |start − due| of delayed jobs (ms)', Math.round(worst), 1000),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`delayed jobs: p50 lateness ${Math.round(percentile(lateness, 50))} ms`],
      };
    }),
};

export const t16: Scenario = {
  id: 'T16',
  title: 'fifty producers at once, 10 % duplicate idempotency keys',
  fault: 'a burst of producer processes adding at once; every 10th job reuses one of 20 shared jobIds',
  run: (scale) =>
    withHarness('t16', {}, async (h) => {
      const p = pick(scale, { producers: 10, jobs: 200 }, { producers: 50, jobs: 2000 });
      const keys = 20;
      const producers = Array.from({ length: p.producers }, () =>
        h.startProducer({
          count: p.jobs,
          chunk: 20,
          payload: { ms: 0 },
          dupEvery: 10,
          dupKeys: keys,
          dupPrefix: 'order',
        }),
      );
      await Promise.all(producers.map((pr) => pr.done));
      const log = h.producerLog();
      const distinct = new Set(log.acked);
      const records = await h.redis.hlen(h.keys.jobs);
      const shared = await h.redis.hmget(
        h.keys.jobs,
        ...Array.from({ length: keys }, (_, i) => `order-${i}`),
      );
      const busy = log.errors.filter((e) => e.includes('BUSY')).length;
      await h.started(h.startEngine({ leaseMs: 5000 }));
      const drained = await h.drained(120_000);
      const s = summarize(log.acked, h.executions(), await h.state());
      await h.stopEngines();
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          exactly('stored jobs = distinct ids acknowledged', records, distinct.size),
          exactly('shared keys stored once each', shared.filter((r) => r !== null).length, keys),
          exactly('BUSY replies', busy, 0),
          ...deliveryCriteria(s, 0),
          exactly('drained', Number(drained), 1),
        ],
        notes: [
          `${log.acked.length} acknowledgements, ${distinct.size} distinct ids`,
          `p99 enqueue call latency ${percentile(log.latencies, 99).toFixed(1)} ms (${p.producers} producers at once)`,
        ],
      };
    }),
};

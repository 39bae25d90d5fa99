/** Engine processes that die: kill -9 (T1), SIGTERM (T2), and janitors racing over the leases of a killed one (T17). */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../helpers/index.js';
import { deliveryCriteria, exactly, summarize, tally } from '../lib/check.js';
import type { Scenario } from '../lib/scenario.js';
import { pick, withHarness } from '../lib/scenario.js';

export const t1: Scenario = {
  id: 'T1',
  title: 'engines killed with SIGKILL and restarted',
  fault: 'kill -9 of a random engine every few seconds, then a new one',
  run: (scale) =>
    withHarness('t1', {}, async (h) => {
      const p = pick(
        scale,
        { engines: 2, jobs: 6000, kills: 3, everyMs: 1000, leaseMs: 2000, ms: [5, 15] },
        { engines: 4, jobs: 100_000, kills: 6, everyMs: 10_000, leaseMs: 5000, ms: [5, 50] },
      );
      // 8 jobs at once per engine (2 threads × 4), as RELIABILITY.md's T1 has it.
      const engine = { leaseMs: p.leaseMs, janitorMs: 500, concurrency: 4 };
      for (let i = 0; i < p.engines; i++) h.startEngine(engine);
      await Promise.all(h.engines.map((e) => h.started(e)));
      const producer = h.startProducer({
        count: p.jobs,
        chunk: 500,
        payload: { msMin: p.ms[0] as number, msMax: p.ms[1] as number },
      });
      let inFlightAtKills = 0;
      for (let k = 0; k < p.kills; k++) {
        await sleep(p.everyMs);
        const live = h.engines.filter((e) => !e.hasExited());
        const victim = live[Math.floor(Math.random() * live.length)];
        inFlightAtKills += (await h.counts()).active;
        await victim?.dispose();
        h.startEngine(engine);
      }
      await producer.done;
      const drained = await h.drained(120_000 + p.leaseMs);
      const s = summarize(h.producerLog().acked, h.executions(), await h.state());
      await h.stopEngines();
      return {
        ...tally(s),
        bound: `Σ active at ${p.kills} kills = ${inFlightAtKills}`,
        criteria: [...deliveryCriteria(s, inFlightAtKills), exactly('drained', Number(drained), 1)],
        notes: [],
      };
    }),
};

export const t2: Scenario = {
  id: 'T2',
  title: 'engine stopped with SIGTERM mid-run',
  fault: 'SIGTERM (graceful stop), then a new engine finishes the queue',
  run: (scale) =>
    withHarness('t2', {}, async (h) => {
      const p = pick(scale, { jobs: 3000, ms: [1, 10] }, { jobs: 20_000, ms: [1, 20] });
      const graceMs = 10_000;
      const first = await h.started(h.startEngine({ leaseMs: 5000, graceMs, concurrency: 4 }));
      await h.producerDone(
        h.startProducer({
          count: p.jobs,
          chunk: 500,
          payload: { msMin: p.ms[0] as number, msMax: p.ms[1] as number },
        }),
      );
      await waitFor('jobs running', async () => (await h.counts()).active > 0, 10_000);
      const before = await h.stats();
      const t0 = performance.now();
      first.signal('SIGTERM');
      const exit = await first.waitForExit(graceMs + 10_000);
      const exitMs = Math.round(performance.now() - t0);
      const afterStop = await h.counts();
      h.startEngine({ leaseMs: 5000, concurrency: 4 });
      const drained = await h.drained(120_000);
      const s = summarize(h.producerLog().acked, h.executions(), await h.state());
      const reaped = ((await h.stats()).reaped ?? 0) - (before.reaped ?? 0);
      await h.stopEngines();
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0),
          exactly('janitor re-queues', reaped, 0),
          exactly('exit code', exit.code ?? -1, 0),
          exactly('exited within the grace period', Number(exitMs <= graceMs), 1),
          exactly('jobs left active by the stopped engine', afterStop.active, 0),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`exit after ${exitMs} ms`],
      };
    }),
};

export const t17: Scenario = {
  id: 'T17',
  title: 'three janitors race over the leases of a killed engine',
  fault: 'kill -9 of an engine holding leases; three other engines (three janitors) recover them',
  run: (scale) =>
    withHarness('t17', {}, async (h) => {
      const p = pick(scale, { jobs: 200, leaseMs: 1500 }, { jobs: 2000, leaseMs: 3000 });
      // One engine leases every job (long handlers), then dies with all of them.
      const victim = await h.started(h.startEngine({ leaseMs: p.leaseMs, janitorMs: 200 }));
      await h.producerDone(h.startProducer({ count: p.jobs, chunk: 500, payload: { ms: 600_000 } }));
      await waitFor('all jobs leased', async () => (await h.counts()).active === p.jobs, 20_000);
      await victim.dispose();
      const tokensBefore = await h.redis.hgetall(h.keys.deliveries);
      const reapers = [0, 1, 2].map(() => h.startEngine({ leaseMs: p.leaseMs, janitorMs: 100 }));
      await Promise.all(reapers.map((e) => h.started(e)));
      await waitFor(
        'every lease expired and re-queued',
        async () => ((await h.stats()).reaped ?? 0) >= p.jobs,
        30_000,
      );
      await sleep(2 * p.leaseMs); // more janitor rounds: a second re-queue would show now
      const stats = await h.stats();
      const tokensAfter = await h.redis.hgetall(h.keys.deliveries);
      let extraTokens = 0;
      for (const [id, token] of Object.entries(tokensAfter)) {
        // One expiry → one re-queue → exactly one new delivery (the new lease), never two.
        if (Math.abs(Number(token)) - Math.abs(Number(tokensBefore[id])) > 1) extraTokens += 1;
      }
      const s = summarize(h.producerLog().acked, h.executions(), await h.state());
      await Promise.all(h.engines.map((e) => e.dispose()));
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          exactly('acknowledged jobs lost', s.lost, 0),
          exactly('re-queues (one per expired lease)', stats.reaped ?? 0, p.jobs),
          exactly('jobs with more than one new delivery', extraTokens, 0),
          exactly('dead-lettered', s.dead, 0),
          exactly('executions completed (handlers still running)', s.completed, 0),
        ],
        notes: [],
      };
    }),
};

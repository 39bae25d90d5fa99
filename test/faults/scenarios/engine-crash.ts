/**
 * Engine processes that die: kill -9 (T1), SIGTERM (T2), janitors racing over the leases of a
 * killed one (T17), and kill -9 while a block a settle call leased waits for a thread (T19).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../helpers/index.js';
import { deliveryCriteria, exactly, leasedBySettle, leasesAtKill, summarize, tally } from '../lib/check.js';
import type { Harness } from '../lib/harness.js';
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

/** Looks at a stopped engine's leases at most this many times before it is killed anyway. */
const LOOKS = 100;

/** The leases of an engine that cannot act (stopped or dead), split by the starts logged. */
async function leasesHeld(h: Harness) {
  const leases = await h.leases();
  const split = leasesAtKill(leases, h.starts());
  return { leases, split, bySettle: leasedBySettle(await h.recentEvents(200), split.unstarted) };
}

export const t19: Scenario = {
  id: 'T19',
  title: 'engine killed holding a block a settle call leased, before handing it to a thread',
  fault: 'kill -9 between a settle call that leased a block and the hand-off of that block; a new engine',
  run: (scale) =>
    withHarness('t19', {}, async (h) => {
      const p = pick(scale, { jobs: 3000, kills: 3 }, { jobs: 15_000, kills: 12 });
      // One thread, handed one batch at a time (--tasks-per-thread 1): while it runs, the blocks
      // settle calls leased (LeaseAhead) wait in the dispatcher. At the default of 4 the pool
      // would take them at once and they would wait inside the thread for a concurrency slot,
      // past the hand-off. At concurrency 1 the block is the one job leased ahead; at
      // concurrency 4 several blocks wait (a job that never started while fewer than 4 ran was
      // not in the thread). The engine killed alternates between the two.
      const leaseMs = 1500;
      const shape = (k: number) => ({
        threads: 1,
        concurrency: k % 2 === 0 ? 1 : 4,
        tasksPerThread: 1,
        leaseMs,
        janitorMs: 500,
      });
      await h.lib.setEvents(true); // which call leased a job: see leasedBySettle
      let current = await h.started(h.startEngine(shape(0)));
      await h.producerDone(
        h.startProducer({ count: p.jobs, chunk: 500, payload: { msMin: 2, msMax: 6, starts: true } }),
      );
      /** Ids leased and never started at a kill → their delivery token then. */
      const block = new Map<string, number>();
      let hits = 0;
      let running = 0;
      let leased = 0;
      const perKill: string[] = [];
      for (let k = 0; k < p.kills; k++) {
        await sleep(300 + Math.random() * 700);
        // Stop the engine (SIGSTOP), let its calls in flight land, and read what it holds: Redis's
        // leases and the starts its handlers logged. Kill it (SIGKILL) at the first look that finds
        // jobs a settle call leased and no handler started; else let it run a few ms and look again.
        let look = 0;
        for (;;) {
          look += 1;
          current.signal('SIGSTOP');
          await sleep(20);
          if ((await leasesHeld(h)).bySettle.length > 0 || look === LOOKS) break;
          current.signal('SIGCONT');
          await sleep(Math.random() * 20);
        }
        await current.dispose();
        // What the dead engine left, read again now that nothing of it can reach Redis.
        const { leases, split, bySettle } = await leasesHeld(h);
        const reaped = (await h.stats()).reaped ?? 0;
        const { waiting } = await h.counts();
        if (bySettle.length > 0) hits += 1;
        for (const id of split.unstarted) block.set(id, leases.get(id) as number);
        running += split.running.length;
        leased += leases.size;
        perKill.push(
          `concurrency ${shape(k).concurrency}, ${leases.size} leased: ${split.unstarted.length} never started (${bySettle.length} by a settle call), ${split.running.length} started, ${split.leasedAgain.length} leased again; ${waiting} waiting; look ${look}`,
        );
        current = await h.started(h.startEngine(shape(k + 1)));
        await waitFor(
          "the killed engine's leases re-queued",
          async () => ((await h.stats()).reaped ?? 0) >= reaped + leases.size,
          2 * leaseMs + 10_000,
        );
      }
      const drained = await h.drained(60_000 + leaseMs);
      const executions = h.executions();
      const s = summarize(h.producerLog().acked, executions, await h.state());
      const reaped = (await h.stats()).reaped ?? 0;
      await h.stopEngines();
      // Each job of the blocks ran only after the kill: once, under a newer token than the killed lease's.
      const runs = new Map<string, number[]>();
      for (const e of executions) {
        if (e.outcome === 'ok' && block.has(e.id)) runs.set(e.id, [...(runs.get(e.id) ?? []), e.token]);
      }
      let missing = 0;
      let twice = 0;
      let underOldToken = 0;
      for (const [id, token] of block) {
        const tokens = runs.get(id) ?? [];
        if (tokens.length === 0) missing += 1;
        if (tokens.length > 1) twice += 1;
        if (tokens.some((t) => t <= token)) underOldToken += 1;
      }
      return {
        ...tally(s),
        bound: `Σ started at ${p.kills} kills = ${running}`,
        criteria: [
          exactly('kills with jobs a settle call leased and no thread started', hits, p.kills),
          exactly('never-started jobs at the kills not completed', missing, 0),
          exactly('never-started jobs at the kills completed more than once', twice, 0),
          exactly('never-started jobs completed under the killed lease', underOldToken, 0),
          ...deliveryCriteria(s, running),
          exactly('leases re-queued by the janitor (Σ leased at the kills)', reaped, leased),
          exactly('drained', Number(drained), 1),
        ],
        notes: [
          `${block.size} jobs leased and never started at the kills`,
          ...perKill.map((k, i) => `kill ${i + 1}: ${k}`),
        ],
      };
    }),
};

/**
 * Redis misbehaving under a running queue: killed and restarted on its AOF (T3, T4), asleep past
 * every lease (T5), paused for writes (T6), dropping client connections (T7), full (T14).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../helpers/index.js';
import { atMost, criterion, deliveryCriteria, exactly, summarize, tally } from '../lib/check.js';
import type { Harness } from '../lib/harness.js';
import type { Scale, Scenario } from '../lib/scenario.js';
import { pick, staleRejections, withHarness } from '../lib/scenario.js';

/** Kills redis-server while producers and engines run, restarts it on the same files, checks the acks. */
async function redisCrash(h: Harness, scale: Scale) {
  const p = pick(
    scale,
    { producers: 2, jobs: 2000, ms: [1, 5] },
    { producers: 4, jobs: 12_500, ms: [1, 10] },
  );
  for (let i = 0; i < 2; i++) h.startEngine({ leaseMs: 5000, janitorMs: 500, concurrency: 4 });
  await Promise.all(h.engines.map((e) => h.started(e)));
  const producers = Array.from({ length: p.producers }, () =>
    h.startProducer({
      count: p.jobs,
      chunk: 50,
      payload: { msMin: p.ms[0] as number, msMax: p.ms[1] as number },
      pauseMs: 2,
    }),
  );
  const total = p.producers * p.jobs;
  // A random moment while producing.
  const at = Math.floor(total * (0.2 + Math.random() * 0.5));
  await waitFor('producers part-way', () => h.producerLog().acked.length >= at, 60_000);
  const inFlight = (await h.counts()).active;
  await h.server.kill();
  const ackedAtKill = new Set(h.producerLog().acked);
  await sleep(1000);
  await h.server.restart();
  const [records, pending, active, delayed] = await Promise.all([
    h.redis.hkeys(h.keys.jobs),
    h.redis.lrange(h.keys.pending, 0, -1),
    h.redis.zrange(h.keys.active, 0, -1),
    h.redis.zrange(h.keys.delayed, 0, -1),
  ]);
  // Read after the snapshot: engines run on meanwhile, and a job they complete leaves Redis only
  // after its ledger line is written, so one gone from the snapshot is in the ledger by now.
  const executedBefore = new Set(
    h
      .executions()
      .filter((e) => e.outcome === 'ok')
      .map((e) => e.id),
  );
  const present = new Set([...records, ...pending, ...active, ...delayed]);
  // Acked before the kill and neither in Redis after the restart nor completed by then.
  const missingIds = [...ackedAtKill].filter((id) => !present.has(id) && !executedBefore.has(id));
  const missing = missingIds.length;
  await Promise.all(producers.map((pr) => pr.done));
  const drained = await h.drained(120_000);
  const s = summarize(h.producerLog().acked, h.executions(), await h.state());
  await h.stopEngines();
  const stateLost = h.engines.flatMap((e) => e.logs()).filter((l) => l.event === 'redis_state_lost').length;
  const ranAnyway = missingIds.filter((id) =>
    h.executions().some((e) => e.id === id && e.outcome === 'ok'),
  ).length;
  return { s, inFlight, missing, ranAnyway, ackedAtKill: ackedAtKill.size, drained, stateLost };
}

export const t3: Scenario = {
  id: 'T3',
  title: 'redis-server killed and restarted, appendfsync always',
  fault: 'kill -9 of redis-server while producing and consuming; restart on the same AOF',
  run: (scale) =>
    withHarness('t3', { appendfsync: 'always' }, async (h) => {
      const r = await redisCrash(h, scale);
      return {
        ...tally(r.s),
        bound: `active at the kill = ${r.inFlight}`,
        criteria: [
          exactly('acknowledged ids missing right after the restart', r.missing, 0),
          ...deliveryCriteria(r.s, r.inFlight),
          exactly('redis_state_lost logged (the AOF kept the data)', r.stateLost, 0),
          exactly('drained', Number(r.drained), 1),
        ],
        notes: [`${r.ackedAtKill} ids acknowledged at the kill`],
      };
    }),
};

export const t4: Scenario = {
  id: 'T4',
  title: 'redis-server killed and restarted, appendfsync everysec; control without persistence',
  fault: 'kill -9 of redis-server; restart on the same AOF / on nothing',
  run: (scale) =>
    withHarness('t4', { appendfsync: 'everysec' }, async (h) => {
      const r = await redisCrash(h, scale);
      const control = await withHarness('t4-control', { appendonly: 'no' }, async (c) => {
        const engine = await c.started(c.startEngine({ leaseMs: 5000 }));
        await c.producerDone(c.startProducer({ count: 100, chunk: 100, payload: { ms: 1 } }));
        await c.server.kill();
        await c.server.restart();
        const restarted = performance.now();
        await engine.waitForLog('redis_state_lost', (l) => l.event === 'redis_state_lost', 15_000);
        const ms = Math.round(performance.now() - restarted);
        await c.stopEngines();
        return ms;
      });
      return {
        ...tally(r.s),
        bound: `active at the kill = ${r.inFlight}`,
        // everysec may lose the last second of writes: that window is reported, not judged; a
        // job it swallowed must still have run (lost counts acknowledged jobs that never did).
        criteria: [
          ...deliveryCriteria(r.s, r.inFlight),
          atMost('control: ms from restart to redis_state_lost', control, 5000),
        ],
        notes: [
          `${r.ackedAtKill} ids acknowledged at the kill`,
          `everysec window: ${r.missing} acknowledged ids missing from Redis right after the restart, ${r.ranAnyway} of them had already run`,
        ],
      };
    }),
};

export const t5: Scenario = {
  id: 'T5',
  title: 'Redis asleep for longer than the lease (DEBUG SLEEP)',
  fault: 'DEBUG SLEEP past the lease mid-run: on waking every lease looks expired',
  run: (scale) =>
    withHarness('t5', {}, async (h) => {
      const p = pick(
        scale,
        { jobs: 200, ms: 300, leaseMs: 1000, sleepS: 3, concurrency: 5 },
        { jobs: 1000, ms: 3000, leaseMs: 5000, sleepS: 12, concurrency: 25 },
      );
      const engine = { leaseMs: p.leaseMs, janitorMs: 500, threads: 2, concurrency: p.concurrency };
      for (let i = 0; i < 2; i++) h.startEngine(engine);
      await Promise.all(h.engines.map((e) => h.started(e)));
      await h.producerDone(h.startProducer({ count: p.jobs, chunk: 100, payload: { ms: p.ms } }));
      await waitFor('jobs running', async () => (await h.counts()).active > 0, 10_000);
      await sleep(p.ms / 2);
      const inFlight = (await h.counts()).active;
      const sleeper = h.client();
      await sleeper.call('DEBUG', 'SLEEP', String(p.sleepS));
      const woke = Math.round(performance.timeOrigin + performance.now());
      sleeper.disconnect();
      const drained = await h.drained(180_000);
      const state = await h.state();
      const s = summarize(h.producerLog().acked, h.executions(), state);
      // Work resumes: some job starts soon after waking (with leases about twice what can run,
      // most jobs were still waiting in Redis during the sleep).
      const startsAfterWake = h
        .executions()
        .filter((e) => e.start >= woke)
        .map((e) => e.start - woke);
      const firstStart = startsAfterWake.length > 0 ? Math.min(...startsAfterWake) : Number.POSITIVE_INFINITY;
      await h.stopEngines();
      const stale = h.engines.reduce((n, e) => n + staleRejections(e.logs()), 0);
      const exits = h.engines.filter(
        (e) => e.logs().some((l) => l.msg === 'engine stopped') === false,
      ).length;
      const reaped = state.stats.reaped ?? 0;
      return {
        ...tally(s),
        bound: `active at the sleep = ${inFlight}`,
        criteria: [
          ...deliveryCriteria(s, inFlight),
          exactly('stale completions rejected = leases re-queued', stale, reaped),
          atMost('ms from waking to the next job start', firstStart, 10_000),
          exactly('engines that stopped other than by our SIGTERM', exits, 0),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`${reaped} leases re-queued on waking`],
      };
    }),
};

export const t6: Scenario = {
  id: 'T6',
  title: 'writes paused for 10 s (CLIENT PAUSE WRITE)',
  fault: 'CLIENT PAUSE WRITE while producing and consuming (shorter than the lease)',
  run: (scale) =>
    withHarness('t6', {}, async (h) => {
      const p = pick(scale, { jobs: 2000, pauseMs: 3000 }, { jobs: 20_000, pauseMs: 10_000 });
      for (let i = 0; i < 2; i++) h.startEngine({ leaseMs: 30_000, janitorMs: 1000, concurrency: 4 });
      await Promise.all(h.engines.map((e) => h.started(e)));
      const producer = h.startProducer({
        count: p.jobs,
        chunk: 50,
        payload: { msMin: 1, msMax: 5 },
        pauseMs: 5,
      });
      await waitFor('producing', () => h.producerLog().acked.length > p.jobs / 5, 30_000);
      await h.client().call('CLIENT', 'PAUSE', String(p.pauseMs), 'WRITE');
      await producer.done;
      const drained = await h.drained(120_000);
      const log = h.producerLog();
      const state = await h.state();
      const s = summarize(log.acked, h.executions(), state);
      await h.stopEngines();
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0),
          exactly('leases re-queued', state.stats.reaped ?? 0, 0),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`${log.errors.length} enqueue calls refused during the pause`],
      };
    }),
};

export const t7: Scenario = {
  id: 'T7',
  title: 'client connections killed every 1–2 s',
  fault: 'CLIENT KILL TYPE normal every 2 s (1 s at small scale): engines and janitors lose their sockets',
  run: (scale) =>
    withHarness('t7', {}, async (h) => {
      const p = pick(
        scale,
        { jobs: 15_000, kills: 5, everyMs: 1000, leaseMs: 3000, janitorMs: 500, ms: [1, 5], concurrency: 2 },
        {
          jobs: 120_000,
          kills: 30,
          everyMs: 2000,
          leaseMs: 5000,
          janitorMs: 1000,
          ms: [5, 15],
          concurrency: 4,
        },
      );
      for (let i = 0; i < 2; i++)
        h.startEngine({ leaseMs: p.leaseMs, janitorMs: p.janitorMs, concurrency: p.concurrency });
      await Promise.all(h.engines.map((e) => h.started(e)));
      await h.producerDone(
        h.startProducer({
          count: p.jobs,
          chunk: 500,
          payload: { msMin: p.ms[0] as number, msMax: p.ms[1] as number },
        }),
      );
      const killer = h.client();
      let inFlight = 0;
      let maxOverdue = 0;
      let reconnectMs = 0;
      const kills: number[] = [];
      const busyKills: number[] = [];
      for (let k = 0; k < p.kills; k++) {
        const sampleUntil = performance.now() + p.everyMs;
        while (performance.now() < sampleUntil) {
          // A lease past its deadline for longer than a janitor round was not recovered in time.
          const [seconds, micros] = await killer.time();
          const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
          const oldest = await killer.zrange(h.keys.active, 0, 0, 'WITHSCORES');
          if (oldest.length === 2) maxOverdue = Math.max(maxOverdue, now - Number(oldest[1]));
          await sleep(100);
        }
        const c = await killer.multi().llen(h.keys.pending).zcard(h.keys.active).exec();
        const active = Number(c?.[1]?.[1]);
        if (Number(c?.[0]?.[1]) + active === 0) break; // all done: nothing left to claim after a kill
        inFlight += active;
        const at = Math.round(performance.timeOrigin + performance.now());
        kills.push(at);
        // Enough work left that each engine must go on starting jobs after this kill.
        if (Number(c?.[0]?.[1]) >= 200) busyKills.push(at);
        const killed = performance.now();
        await killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        // Every engine's dispatcher and janitor connection is back (named by the engine).
        await waitFor(
          'engines reconnected',
          async () => {
            const list = String(await killer.call('CLIENT', 'LIST', 'TYPE', 'normal'));
            const named = (role: string) =>
              list.split('\n').filter((l) => l.includes(`name=sluice:${role}:t7 `)).length;
            return named('dispatcher') === 2 && named('janitor') === 2;
          },
          30_000,
        ).catch(() => undefined);
        reconnectMs = Math.max(reconnectMs, performance.now() - killed);
      }
      killer.disconnect();
      const drained = await h.drained(120_000);
      const executions = h.executions();
      const s = summarize(h.producerLog().acked, executions, await h.state());
      await h.stopEngines();
      // Every engine starts a job within 5 s after every kill made while work was left.
      const pids = [...new Set(executions.map((e) => e.pid))];
      let slowest = 0;
      for (const t of busyKills) {
        for (const pid of pids) {
          const next = executions.filter((e) => e.pid === pid && e.start >= t).map((e) => e.start - t);
          slowest = Math.max(slowest, next.length > 0 ? Math.min(...next) : Number.POSITIVE_INFINITY);
        }
      }
      return {
        ...tally(s),
        bound: `Σ active at ${kills.length} kills = ${inFlight}`,
        criteria: [
          ...deliveryCriteria(s, inFlight),
          atMost('ms from a kill to every engine reconnected', Math.round(reconnectMs), 5000),
          atMost('ms from a kill to every engine starting a job', slowest, 5000),
          atMost('ms a lease stayed past its deadline', maxOverdue, p.janitorMs * 1.25 + 1000),
          criterion('kills made while jobs waited to be claimed', busyKills.length, busyKills.length >= 2),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`engine pids ${pids.length}`],
      };
    }),
};

export const t14: Scenario = {
  id: 'T14',
  title: 'Redis full (maxmemory, noeviction)',
  fault: 'enqueue until Redis refuses with OOM; then let the engine free the memory',
  run: (scale) =>
    withHarness('t14', { maxmemory: pick(scale, '16mb', '64mb'), appendonly: 'no' }, async (h) => {
      const text = 'x'.repeat(1000);
      const log = await h.producerDone(
        h.startProducer({
          count: 10_000_000,
          chunk: 100,
          payload: { ms: 0, text } as never,
          stopAfterFailures: 5,
        }),
      );
      const oom = log.errors.filter((e) => e.includes('OOM')).length;
      const state = await h.state();
      const inStructures = [...state.pending, ...state.active, ...state.delayed, ...state.dead.keys()];
      const counted = new Map<string, number>();
      for (const id of inStructures) counted.set(id, (counted.get(id) ?? 0) + 1);
      const notOnce = [...counted.values()].filter((n) => n !== 1).length;
      const orphanRecords = [...state.records].filter((id) => !counted.has(id)).length;
      const orphanIds = inStructures.filter((id) => !state.records.has(id)).length;
      const ackedPresent = log.acked.filter((id) => state.records.has(id)).length;
      // An evicting policy is refused at startup (exit 78). On its own server: switching this full
      // one to allkeys-lru would make Redis evict the very jobs under test.
      const exit = await withHarness('t14-lru', { 'maxmemory-policy': 'allkeys-lru' }, (lru) =>
        lru.startEngine({}).waitForExit(30_000),
      );
      await h.started(h.startEngine({ leaseMs: 5000 }));
      const drained = await h.drained(120_000);
      const s = summarize(log.acked, h.executions(), await h.state());
      await h.stopEngines();
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          criterion('enqueue calls refused with OOM', oom, oom > 0),
          exactly('acknowledged ids present while full', ackedPresent, log.acked.length),
          exactly('records in Redis = acknowledged', state.records.size, log.acked.length),
          exactly('ids in other than exactly one structure', notOnce, 0),
          exactly('records with no structure / ids with no record', orphanRecords + orphanIds, 0),
          exactly('engine on allkeys-lru exits 78', exit.code ?? -1, 78),
          ...deliveryCriteria(s, 0),
          exactly('drained after space was freed', Number(drained), 1),
        ],
        notes: [],
      };
    }),
};

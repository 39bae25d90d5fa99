/**
 * Handlers that misbehave: block their thread past the lease (T8), throw (T9), never resolve
 * (T10), exit their thread (T11), run out of memory (T12); and records that cannot be decoded (T13).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../helpers/index.js';
import {
  atMost,
  criterion,
  deliveryCriteria,
  type Execution,
  exactly,
  percentile,
  summarize,
  tally,
} from '../lib/check.js';
import type { Harness } from '../lib/harness.js';
import type { Scenario } from '../lib/scenario.js';
import { pick, withHarness } from '../lib/scenario.js';

/** Waiting times (ms from the producer building a job to its handler starting) of ok executions. */
function waits(executions: readonly Execution[], ids: ReadonlySet<string>): number[] {
  return executions.filter((e) => e.outcome === 'ok' && ids.has(e.id)).map((e) => e.start - e.sentAt);
}

async function addNormal(h: Harness, count: number, ms: number): Promise<Set<string>> {
  return new Set((await h.producerDone(h.startProducer({ count, chunk: 100, payload: { ms } }))).acked);
}

export const t8: Scenario = {
  id: 'T8',
  title: 'a handler blocks its thread for twice the lease',
  fault: 'one job busy-loops its worker thread for 2 × lease while others run',
  run: (scale) =>
    withHarness('t8', {}, async (h) => {
      const p = pick(scale, { leaseMs: 1500, jobs: 400 }, { leaseMs: 5000, jobs: 2000 });
      await h.started(h.startEngine({ leaseMs: p.leaseMs, janitorMs: 250, threads: 2 }));
      const baselineIds = await addNormal(h, p.jobs, 2);
      await h.drained(60_000);
      const busyId = await h.lib.add({ mode: 'busy', ms: 2 * p.leaseMs, sentAt: Date.now() });
      await waitFor(
        'the busy job running',
        async () => h.executions().length > p.jobs || (await h.counts()).active > 0,
        10_000,
      );
      const otherIds = new Set<string>();
      // Other jobs keep arriving while the busy one holds its thread.
      for (let i = 0; i < 4; i++) {
        for (const id of await addNormal(h, p.jobs / 4, 2)) otherIds.add(id);
        await sleep(p.leaseMs / 4);
      }
      const drained = await h.drained(60_000);
      const executions = h.executions();
      const state = await h.state();
      const s = summarize([...baselineIds, busyId, ...otherIds], executions, state);
      await h.stopEngines();
      const busyRuns = executions.filter((e) => e.id === busyId && e.outcome === 'ok').length;
      const before = percentile(waits(executions, baselineIds), 99);
      const during = percentile(waits(executions, otherIds), 99);
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0),
          exactly('leases re-queued (renewals run on the main thread)', state.stats.reaped ?? 0, 0),
          exactly('executions of the busy job', busyRuns, 1),
          atMost(
            'other jobs: p99 wait (ms) while the thread is blocked',
            Math.round(during),
            Math.max(100, 2 * before),
          ),
          exactly('drained', Number(drained), 1),
        ],
        notes: [`p99 wait before: ${Math.round(before)} ms`],
      };
    }),
};

export const t9: Scenario = {
  id: 'T9',
  title: 'a handler that always throws',
  fault: 'throw on every attempt; attempts 3, exponential backoff 100 ms',
  run: (scale) =>
    withHarness('t9', {}, async (h) => {
      const jobs = pick(scale, 50, 500);
      await h.started(h.startEngine({ leaseMs: 5000 }));
      const log = await h.producerDone(
        h.startProducer({
          count: jobs,
          chunk: 50,
          payload: { mode: 'throw' },
          opts: { attempts: 3, backoff: { type: 'exponential', delay: 100 } },
        }),
      );
      await waitFor('all dead', async () => (await h.counts()).dead === jobs, 60_000);
      const executions = h.executions();
      const state = await h.state();
      const s = summarize(log.acked, executions, state);
      await h.stopEngines();
      const rows = new Map<string, Execution[]>();
      for (const e of executions) rows.set(e.id, [...(rows.get(e.id) ?? []), e]);
      const notThree = log.acked.filter((id) => rows.get(id)?.length !== 3).length;
      let shortGaps = 0;
      for (const list of rows.values()) {
        list.sort((a, b) => a.attempt - b.attempt);
        for (let k = 1; k < list.length; k++) {
          const gap = (list[k] as Execution).start - (list[k - 1] as Execution).end;
          if (gap < 100 * 2 ** (k - 1) - 2) shortGaps += 1; // 2 ms: the two clocks' rounding
        }
      }
      const sample = await h.lib.getJob(log.acked[0] as string);
      const kept =
        sample?.state === 'dead' &&
        sample.errors.length === 3 &&
        sample.lastError?.message === `planned failure of job ${sample.id}` &&
        (sample.lastError?.stack ?? '').includes('ledger-handler.js') &&
        (sample.payload as { mode?: string }).mode === 'throw';
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0, jobs),
          exactly('jobs without exactly 3 executions', notThree, 0),
          exactly('retry gaps shorter than the backoff', shortGaps, 0),
          criterion('dead letter keeps last error, stack and payload', String(kept), kept),
        ],
        notes: [],
      };
    }),
};

export const t10: Scenario = {
  id: 'T10',
  title: 'a handler that never resolves',
  fault: 'some jobs hang forever (ignoring their signal); timeout per attempt',
  run: (scale) =>
    withHarness('t10', {}, async (h) => {
      // 50 job slots (2 threads × 25); the hanging jobs hold a tenth of them while they hang.
      const p = pick(
        scale,
        { timeout: 500, hangs: 5, jobs: 3000 },
        { timeout: 2000, hangs: 5, jobs: 20_000 },
      );
      await h.started(h.startEngine({ leaseMs: 10_000, threads: 2, concurrency: 25 }));
      /** Adds `jobs` normal jobs and waits until each has run; returns their ids and the time taken. */
      const timedRun = async () => {
        const t0 = performance.now();
        const ids = await addNormal(h, p.jobs, 20);
        await waitFor(
          'normal jobs run',
          () => h.executions().filter((e) => ids.has(e.id)).length >= p.jobs,
          120_000,
        );
        return { ids, ms: performance.now() - t0 };
      };
      const baseline = await timedRun();
      const hangLog = await h.producerDone(
        h.startProducer({
          count: p.hangs,
          chunk: p.hangs,
          payload: { mode: 'hang' },
          opts: { timeout: p.timeout, backoff: { type: 'fixed', delay: 10 } },
        }),
      );
      const during = await timedRun();
      await waitFor('hanging jobs dead', async () => (await h.counts()).dead === p.hangs, 60_000);
      // Once they are dead, every slot must be free again: no handler's slot is leaked.
      const after = await timedRun();
      await h.drained(60_000);
      const state = await h.state();
      const s = summarize(
        [...baseline.ids, ...hangLog.acked, ...during.ids, ...after.ids],
        h.executions(),
        state,
      );
      await h.stopEngines();
      const timeouts = [...state.dead.values()].filter(
        (d) => d.reason === 'timeout' && d.attempts === 3,
      ).length;
      const whileHanging = baseline.ms / during.ms;
      const afterwards = baseline.ms / after.ms;
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          ...deliveryCriteria(s, 0, p.hangs),
          exactly('hung jobs dead with 3 timeout attempts', timeouts, p.hangs),
          criterion(
            'throughput of other jobs while some hang, vs baseline',
            whileHanging.toFixed(2),
            whileHanging >= 0.75,
          ),
          criterion(
            'throughput once the hung jobs are dead, vs baseline',
            afterwards.toFixed(2),
            afterwards >= 0.9,
          ),
        ],
        notes: [],
      };
    }),
};

/** A poison pill among normal jobs: `mode` ends its thread (exit) or exhausts its heap (oom). */
async function poison(h: Harness, mode: 'exit' | 'oom', jobs: number) {
  const engine = await h.started(h.startEngine({ leaseMs: 5000, threadMemoryMb: 64 }));
  let maxRssMb = 0;
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${engine.pid}/status`, 'utf8');
      maxRssMb = Math.max(maxRssMb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // exited
    }
  }, 50);
  const first = h.startProducer({ count: jobs / 2, chunk: 100, payload: { msMin: 0, msMax: 2 } });
  const pill = await h.lib.add({ mode, sentAt: Date.now() });
  const second = h.startProducer({ count: jobs / 2, chunk: 100, payload: { msMin: 0, msMax: 2 } });
  await Promise.all([first.done, second.done]);
  await waitFor(
    'the pill dead and the rest drained',
    async () => {
      const c = await h.counts();
      return c.dead === 1 && c.waiting + c.active + c.delayed === 0;
    },
    120_000,
  );
  clearInterval(sampler);
  const state = await h.state();
  const s = summarize([...h.producerLog().acked, pill], h.executions(), state);
  const alive = !engine.hasExited();
  await h.stopEngines();
  const dead = state.dead.get(pill);
  const reason = mode === 'exit' ? 'crashed' : 'oom';
  const criteria = [
    ...deliveryCriteria(s, 0, 1),
    criterion(
      `pill dead-lettered as ${reason} after 3 deliveries`,
      `${dead?.reason} × ${dead?.attempts}`,
      dead?.reason === reason && dead.attempts === 3,
    ),
    exactly('engine process still the same', Number(alive), 1),
  ];
  return { s, criteria, maxRssMb };
}

export const t11: Scenario = {
  id: 'T11',
  title: 'a poison pill that exits its thread',
  fault: 'one job calls process.exit(1) on every delivery among thousands of normal jobs',
  run: (scale) =>
    withHarness('t11', {}, async (h) => {
      const jobs = pick(scale, 2000, 10_000);
      const r = await poison(h, 'exit', jobs);
      return {
        ...tally(r.s),
        bound: '0',
        criteria: [...r.criteria, exactly('normal jobs completed', r.s.completed, jobs)],
        notes: [],
      };
    }),
};

export const t12: Scenario = {
  id: 'T12',
  title: 'a poison pill that allocates without bound',
  fault: 'one job fills its thread heap (64 MB limit) on every delivery',
  run: (scale) =>
    withHarness('t12', {}, async (h) => {
      const jobs = pick(scale, 1000, 10_000);
      const r = await poison(h, 'oom', jobs);
      return {
        ...tally(r.s),
        bound: '0',
        criteria: [...r.criteria, atMost('engine peak RSS (MB)', Math.round(r.maxRssMb), 512)],
        notes: [],
      };
    }),
};

export const t13: Scenario = {
  id: 'T13',
  title: 'bad input: malformed payloads and a corrupt record',
  fault: 'payloads the library must refuse; a record overwritten with garbage in Redis',
  run: (scale) =>
    withHarness('t13', {}, async (h) => {
      const jobs = pick(scale, 200, 2000);
      const engine = await h.started(h.startEngine({ leaseMs: 5000 }));
      const memory = async () => Number(/used_memory:(\d+)/.exec(await h.redis.info('memory'))?.[1]);
      const before = await memory();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const bad: unknown[] = [undefined, () => 1, 10n, circular, 'x'.repeat(600 * 1024), { n: Number.NaN }];
      let refused = 0;
      for (const payload of bad) {
        try {
          await h.lib.add(payload);
        } catch (error) {
          if ((error as { code?: string }).code?.startsWith('SLUICE_ERR_')) refused += 1;
        }
      }
      const grew = (await memory()) - before;
      // A corrupt record, written straight into Redis by something that is not Sluice.
      const victim = await h.lib.add({ mode: 'ok', sentAt: Date.now() }, { delay: 60_000 });
      await h.redis.hset(h.keys.jobs, victim, '\u0000garbage{not a record');
      await h.redis.zadd(h.keys.delayed, 0, victim);
      const normal = await addNormal(h, jobs, 1);
      await waitFor('the corrupt job dead', async () => (await h.counts()).dead === 1, 30_000);
      const drained = await h.drained(60_000);
      const state = await h.state();
      const s = summarize([...normal, victim], h.executions(), state);
      const alive = !engine.hasExited();
      await h.stopEngines();
      return {
        ...tally(s),
        bound: '0',
        criteria: [
          exactly('malformed payloads refused with a SLUICE_ERR_ code', refused, bad.length),
          atMost('Redis used_memory growth for refused input (bytes)', grew, 64 * 1024),
          criterion(
            'corrupt record dead-lettered as decode_error',
            String(state.dead.get(victim)?.reason),
            state.dead.get(victim)?.reason === 'decode_error',
          ),
          ...deliveryCriteria(s, 0, 1),
          exactly('engine process still the same', Number(alive), 1),
          exactly('drained', Number(drained), 1),
        ],
        notes: [],
      };
    }),
};

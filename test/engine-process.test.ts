/**
 * The engine as an operating-system process: kill -9, graceful and forced shutdown, and the
 * supervisor of --processes. Each engine runs the ledger handler, which appends
 * "id attempt pid" to $SLUICE_LEDGER for every execution before the job settles.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue, QueueCounts } from '../dist/index.js';
import { alive, childPids, type EngineChild, type LogLine, spawnEngine } from './fixtures/engine-cli.js';
import { handlerPath, openQueue, queueName, redisUrl, waitFor } from './helpers/index.js';

const FATAL = 60;

interface Execution {
  id: string;
  attempt: number;
  pid: number;
}

let dir: string;
let ledger: string;
const engines: EngineChild[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-ledger-'));
  ledger = join(dir, 'ledger');
});

afterEach(async () => {
  // Failure paths included: no engine (or supervised child) outlives its test.
  await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

function start(args: readonly string[]): EngineChild {
  const engine = spawnEngine(args, { SLUICE_LEDGER: ledger });
  engines.push(engine);
  return engine;
}

function executions(): Execution[] {
  if (!existsSync(ledger)) return [];
  return readFileSync(ledger, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', attempt = '', pid = ''] = line.split(' ');
      return { id, attempt: Number(attempt), pid: Number(pid) };
    });
}

function runsPerId(list: readonly Execution[]): Map<string, number> {
  const runs = new Map<string, number>();
  for (const { id } of list) runs.set(id, (runs.get(id) ?? 0) + 1);
  return runs;
}

async function addJobs(queue: Queue, n: number, payload: { ms: number }): Promise<string[]> {
  return queue.addBulk(Array.from({ length: n }, () => ({ payload })));
}

function engineArgs(queue: string, ...extra: string[]): string[] {
  return ['--queue', queue, '--handler', handlerPath('ledger'), '--redis', redisUrl(), ...extra];
}

async function settled(queue: Queue, total: number, timeoutMs: number): Promise<QueueCounts> {
  let counts: QueueCounts | undefined;
  await waitFor(
    `${total} jobs completed or dead`,
    async () => {
      counts = await queue.counts();
      return counts.completed + counts.dead >= total;
    },
    timeoutMs,
  );
  return counts as QueueCounts;
}

describe.sequential('engine process', () => {
  it('kill -9 of an engine mid-run loses no job, and re-runs only jobs the killed engine held', async () => {
    const total = 3000;
    const name = queueName('kill9');
    const queue = openQueue(name);
    try {
      const ids = await addJobs(queue, total, { ms: 5 });
      // --batch 10 spreads the run over about a second, so the kill lands mid-run.
      const args = engineArgs(
        name,
        '--threads',
        '2',
        '--lease-ms',
        '1000',
        '--janitor-ms',
        '200',
        '--batch',
        '10',
      );
      const a = start(args);
      await waitFor('engine A to complete some jobs', async () => (await queue.counts()).completed >= 300);
      const heldBefore = await queue.redis.zrange(queue.keys.active, 0, -1);
      a.signal('SIGKILL');
      expect((await a.waitForExit()).signal).toBe('SIGKILL');
      // Nothing renews or settles these leases any more: exactly the jobs A died holding.
      const heldAtDeath = await queue.redis.zrange(queue.keys.active, 0, -1);
      const atKill = await queue.counts();
      expect(atKill.completed, 'A was killed before it finished').toBeLessThan(total);
      expect(heldAtDeath.length, 'A held leases when it died').toBeGreaterThan(0);
      const held = new Set([...heldBefore, ...heldAtDeath]);

      const b = start(args);
      const final = await settled(queue, total, 30_000);

      const runs = executions();
      const perId = runsPerId(runs);
      const missing = ids.filter((id) => !perId.has(id));
      expect(missing, 'ids never executed').toEqual([]);
      expect(final.dead).toBe(0);
      expect(final.completed).toBe(total);
      const duplicates = runs.length - total;
      expect(duplicates).toBeLessThanOrEqual(held.size);
      const rerunOutsideLeases = [...perId].filter(([id, n]) => n > 1 && !held.has(id)).map(([id]) => id);
      expect(rerunOutsideLeases, 'ids run twice that A did not hold').toEqual([]);
      expect({ waiting: final.waiting, active: final.active, delayed: final.delayed }).toEqual({
        waiting: 0,
        active: 0,
        delayed: 0,
      });

      b.signal('SIGTERM');
      expect(await b.waitForExit()).toEqual({ code: 0, signal: null });
    } finally {
      await queue.close();
    }
  });

  it('SIGTERM stops an engine with exit 0 without losing or repeating a job', async () => {
    const total = 2000;
    const graceMs = 10_000;
    const name = queueName('sigterm');
    const queue = openQueue(name);
    try {
      const ids = await addJobs(queue, total, { ms: 20 });
      // Short leases and a busy janitor: anything the stopped engine left leased would be reaped.
      const args = engineArgs(
        name,
        '--threads',
        '2',
        '--batch',
        '10',
        '--lease-ms',
        '1000',
        '--janitor-ms',
        '200',
        '--grace-ms',
        String(graceMs),
      );
      const a = start(args);
      await waitFor('engine A to complete some jobs', async () => (await queue.counts()).completed >= 200);
      const signalledAt = performance.now();
      a.signal('SIGTERM');
      const exit = await a.waitForExit(graceMs + 5000);
      const stopMs = performance.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(stopMs).toBeLessThan(graceMs);
      const afterStop = await queue.counts();
      expect(afterStop.completed, 'A was stopped before it finished').toBeLessThan(total);
      expect(afterStop.active, 'leases A left behind').toBe(0);
      expect(afterStop.completed + afterStop.waiting).toBe(total);

      const b = start(args);
      const final = await settled(queue, total, 30_000);
      b.signal('SIGTERM');
      expect(await b.waitForExit()).toEqual({ code: 0, signal: null });

      const runs = executions();
      const repeated = [...runsPerId(runs)].filter(([, n]) => n !== 1);
      expect(repeated, 'ids run more than once').toEqual([]);
      expect(new Set(runs.map((r) => r.id))).toEqual(new Set(ids));
      expect(runs.every((r) => r.attempt === 1)).toBe(true);
      expect(final.completed).toBe(total);
      expect(final.dead).toBe(0);
      expect((await queue.counts()).reaped).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('a second SIGTERM while draining exits at once with 130', async () => {
    const name = queueName('sigterm2');
    const queue = openQueue(name);
    try {
      await queue.addBulk(Array.from({ length: 4 }, () => ({ payload: { ms: 5000 } })));
      const engine = start([
        '--queue',
        name,
        '--handler',
        handlerPath('slow'),
        '--redis',
        redisUrl(),
        '--threads',
        '2',
        '--grace-ms',
        '20000',
      ]);
      await engine.waitForLog('engine started', (line) => line.msg === 'engine started');
      await waitFor('jobs to be running', async () => (await queue.counts()).active === 4);
      engine.signal('SIGTERM');
      await engine.waitForLog('the first signal to be handled', (line) => line.msg.startsWith('stopping'));
      const signalledAt = performance.now();
      engine.signal('SIGTERM');
      const exit = await engine.waitForExit(10_000);
      const exitMs = performance.now() - signalledAt;
      expect(exit).toEqual({ code: 130, signal: null });
      // The jobs still had seconds to run, and the grace period was 20 s.
      expect(exitMs).toBeLessThan(2000);
    } finally {
      await queue.close();
    }
  });

  it('--processes 2 runs two engine processes, restarts one killed with SIGKILL, and SIGTERM stops all', async () => {
    const name = queueName('supervise');
    const queue = openQueue(name);
    try {
      const supervisor = start(
        engineArgs(
          name,
          '--processes',
          '2',
          '--threads',
          '1',
          '--batch',
          '5',
          '--lease-ms',
          '1000',
          '--janitor-ms',
          '200',
        ),
      );
      const started = () =>
        supervisor.logs().filter((line) => line.msg === 'engine started' && line.pid !== undefined);
      await waitFor('two engines started', () => started().length >= 2);
      const original = childPids(supervisor.pid);
      expect(original).toHaveLength(2);
      expect(new Set(started().map((line) => line.pid))).toEqual(new Set(original));

      await addJobs(queue, 1000, { ms: 20 });
      await waitFor('both engines to run jobs', () => new Set(executions().map((r) => r.pid)).size >= 2);
      expect(new Set(executions().map((r) => r.pid))).toEqual(new Set(original));

      const [victim, survivor] = original as [number, number];
      process.kill(victim, 'SIGKILL');
      let replacement = 0;
      await waitFor('a replacement engine process', () => {
        const [pid] = childPids(supervisor.pid).filter((p) => !original.includes(p));
        replacement = pid ?? 0;
        return pid !== undefined && started().some((line) => line.pid === pid);
      });
      expect(childPids(supervisor.pid).sort()).toEqual([survivor, replacement].sort());

      await addJobs(queue, 1000, { ms: 20 });
      await waitFor('the replacement to run jobs', () => executions().some((r) => r.pid === replacement));
      const final = await settled(queue, 2000, 30_000);
      expect(final.completed).toBe(2000);
      expect(final.dead).toBe(0);

      supervisor.signal('SIGTERM');
      expect(await supervisor.waitForExit(15_000)).toEqual({ code: 0, signal: null });
      for (const pid of [...original, replacement]) expect(alive(pid), `engine process ${pid}`).toBe(false);
    } finally {
      await queue.close();
    }
  });

  it('--processes 2 restarts an engine that crashes at every start with backoff, then gives up: exit 1, nothing left running', async () => {
    const startedAt = performance.now();
    const supervisor = start([
      '--queue',
      queueName('give-up'),
      '--handler',
      handlerPath('crashes-at-start'),
      '--redis',
      redisUrl(),
      '--processes',
      '2',
      '--threads',
      '1',
    ]);
    const exit = await supervisor.waitForExit(20_000);
    const elapsedMs = performance.now() - startedAt;
    expect(exit, supervisor.output()).toEqual({ code: 1, signal: null });

    const logs = supervisor.logs();
    const giveUps = logs.filter((line) => line.level === FATAL);
    expect(giveUps, supervisor.output()).toHaveLength(1);
    const giveUp = giveUps[0] as LogLine;
    expect(giveUp).toMatchObject({ crashes: 5, code: 3, signal: null });
    expect(giveUp.msg).toMatch(
      /^engine process in slot [01] crashed 5 times in a row, .*\(last exit: code 3\); giving up and stopping every engine process$/,
    );
    // The slot given up on was restarted four times, each after a longer wait, before that.
    const restarts = logs.filter((line) => line.msg.endsWith('restarting') && line.slot === giveUp.slot);
    expect(restarts.map((line) => [line.code, line.restartInMs])).toEqual([
      [3, 250],
      [3, 500],
      [3, 1000],
      [3, 2000],
    ]);
    expect(elapsedMs).toBeGreaterThan(3750);
    // The supervisor ran in a process group of its own: no engine process of it outlives it.
    expect(() => process.kill(-supervisor.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  }, 25_000);
});

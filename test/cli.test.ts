/**
 * The engine command's contract with whoever runs it: --help, usage errors (exit 2, "error: ..."
 * on stderr), refused configurations (exit 78, a fatal log line saying what to fix), and a
 * password-protected Redis reached through its URL without the password leaking into the logs.
 */

import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Queue } from '../dist/index.js';
import { runEngine, spawnEngine } from './fixtures/engine-cli.js';
import { handlerPath, queueName, redisUrl, waitFor } from './helpers/index.js';
import { freePort, startRedisServer } from './helpers/redis-server.js';

const EXIT_USAGE = 2;
const EXIT_CONFIG = 78;
const FATAL = 60;

function baseArgs(queue = queueName('cli')): string[] {
  return ['--queue', queue, '--handler', handlerPath('noop'), '--redis', redisUrl(), '--threads', '1'];
}

describe.sequential('engine command', () => {
  it('--help exits 0 and prints the usage', async () => {
    const run = await runEngine(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: node dist/engine.js --queue NAME --handler');
    for (const flag of ['--queue', '--handler', '--threads', '--processes', '--redis', '--grace-ms']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stderr).toBe('');
  });

  it('an unknown flag exits 2 with an error naming the flag', async () => {
    const run = await runEngine([...baseArgs(), '--frobnicate']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toContain('--frobnicate');
    expect(run.stdout).toBe('');
  });

  it('a missing --queue exits 2 with an error naming --queue', async () => {
    const run = await runEngine(['--handler', handlerPath('noop'), '--redis', redisUrl()]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/^error: .*--queue/);
  });

  it('a missing --handler exits 2 with an error naming --handler', async () => {
    const run = await runEngine(['--queue', queueName('cli'), '--redis', redisUrl()]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/^error: .*--handler/);
  });

  it('--threads abc exits 2 with an error naming the flag and the value', async () => {
    const run = await runEngine([...baseArgs(), '--threads', 'abc']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/^error: .*--threads/);
    expect(run.stderr).toContain('abc');
  });

  it('a handler file that does not exist exits 78 with a fatal message naming the path', async () => {
    const missing = join(tmpdir(), `sluice-no-such-handler-${process.pid}.js`);
    const run = await runEngine(['--queue', queueName('cli'), '--handler', missing, '--redis', redisUrl()]);
    expect(run.code).toBe(EXIT_CONFIG);
    const fatal = run.logs.find((line) => line.level === FATAL);
    expect(fatal?.msg).toContain(missing);
  });

  it("a handler module without a default export exits 78 with 'no default export'", async () => {
    const run = await runEngine([
      '--queue',
      queueName('cli'),
      '--handler',
      handlerPath('no-default'),
      '--redis',
      redisUrl(),
    ]);
    expect(run.code).toBe(EXIT_CONFIG);
    const fatal = run.logs.find((line) => line.level === FATAL);
    expect(fatal?.msg).toContain('no default export');
  });

  it('an unreachable Redis exits 78 within 10 s with a message giving the address', async () => {
    const port = await freePort();
    const run = await runEngine(
      ['--queue', queueName('cli'), '--handler', handlerPath('noop'), '--redis', `redis://127.0.0.1:${port}`],
      {},
      15_000,
    );
    expect(run.code).toBe(EXIT_CONFIG);
    expect(run.elapsedMs).toBeLessThan(10_000);
    const fatal = run.logs.find((line) => line.level === FATAL);
    expect(fatal?.msg).toContain(`127.0.0.1:${port}`);
  });

  it('a redis:// URL with a password works, and the password never appears in the output', async () => {
    const password = 's3cret';
    // The helper's readiness probe does not authenticate, so the password is set once it is up.
    const server = await startRedisServer();
    const admin = new Redis(server.url);
    try {
      await admin.config('SET', 'requirepass', password);
    } finally {
      await admin.quit();
    }
    const url = `redis://:${password}@127.0.0.1:${server.port}`;
    const name = queueName('auth');
    const queue = new Queue(name, { connection: url });
    const engine = spawnEngine([
      '--queue',
      name,
      '--handler',
      handlerPath('noop'),
      '--redis',
      url,
      '--threads',
      '1',
      '--log-level',
      'debug',
    ]);
    try {
      await engine.waitForLog('engine started', (line) => line.msg === 'engine started');
      await queue.add({ hello: 'world' });
      await waitFor('the job to complete', async () => (await queue.counts()).completed === 1);
      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
      expect(engine.output()).not.toContain(password);
    } finally {
      await engine.dispose();
      await queue.close();
      await server.stop();
    }
  });

  it('--api serves the operator API and monitor next to the engine, and closes it on SIGTERM', async () => {
    const queue = queueName('cli-api');
    const engine = spawnEngine([...baseArgs(queue), '--api', '127.0.0.1:0']);
    try {
      const line = await engine.waitForLog('the listen line', (l) => /listening on/.test(l.msg));
      const [, port, url] =
        /^monitor and API listening on 127\.0\.0\.1:(\d+); open (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(
          line.msg,
        ) ?? [];
      expect(url).toBe(`http://127.0.0.1:${port}`);
      // one "component" field per line, never two
      for (const text of engine.stdout().split('\n')) {
        expect(text.split('"component"').length, text).toBeLessThanOrEqual(2);
      }
      const reply = await fetch(`${url}/api/queues/${queue}`);
      expect(reply.status).toBe(200);
      expect(await reply.json()).toMatchObject({ name: queue, paused: false });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('sluice_engine_jobs_in_flight');
      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    } finally {
      await engine.dispose();
    }
  });

  it('--engine-name labels the engine metrics /metrics shows; the random id is only in sluice_engine_info', async () => {
    const queue = queueName('cli-engine-name');
    const engine = spawnEngine([...baseArgs(queue), '--engine-name', 'box-7', '--api', '127.0.0.1:0']);
    try {
      const line = await engine.waitForLog('the listen line', (l) => /listening on/.test(l.msg));
      const url = /open (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(line.msg)?.[1];
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`sluice_engine_jobs_in_flight{queue="${queue}",engine="box-7"} 0`);
      expect(metrics).toMatch(
        new RegExp(
          `^sluice_engine_info\\{id="[^"]+:${engine.pid}:[0-9a-f]{6}",version="[^"]+",queue="${queue}",engine="box-7"\\} 1$`,
          'm',
        ),
      );
      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
    } finally {
      await engine.dispose();
    }
  });

  it('--api on a non-loopback address without a token exits 78 saying what to set, before connecting to anything', async () => {
    const result = await runEngine([...baseArgs(), '--api', '0.0.0.0:0']);
    expect(result.code).toBe(EXIT_CONFIG);
    expect(result.logs.find((l) => l.level === FATAL)?.msg).toMatch(/SLUICE_API_TOKEN/);
    expect(result.logs.map((l) => l.msg)).not.toContain('engine started');
    // A Redis that is not there: checked first, the refusal comes at once (no 5 connect tries).
    const port = await freePort();
    const started = performance.now();
    const unreachable = await runEngine([
      ...baseArgs().slice(0, 4),
      '--redis',
      `redis://127.0.0.1:${port}`,
      '--api',
      '0.0.0.0:0',
    ]);
    expect(unreachable.code).toBe(EXIT_CONFIG);
    expect(unreachable.logs.find((l) => l.level === FATAL)?.msg).toMatch(/SLUICE_API_TOKEN/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('--api with --processes 2 serves one API from the supervisor; the cores are shared out as threads', async () => {
    const queue = queueName('cli-api-procs');
    const noThreads = baseArgs(queue).slice(0, -2); // drops '--threads 1'
    const engine = spawnEngine([...noThreads, '--processes', '2', '--api', '127.0.0.1:0']);
    try {
      const listen = await engine.waitForLog('the listen line', (l) => /listening on/.test(l.msg));
      const url = /open (http:\/\/[^ ]+)\/$/.exec(listen.msg)?.[1] as string;
      const engines = await waitFor('two live engines', async () => {
        const reply = (await (await fetch(`${url}/api/queues/${queue}/engines`)).json()) as {
          engines: { threads: number }[];
        };
        return reply.engines.length === 2 ? reply.engines : undefined;
      });
      // no --threads: each of the 2 processes gets half the cores (at least one thread)
      const share = Math.max(1, Math.floor(availableParallelism() / 2));
      expect(engines?.map((e) => e.threads)).toEqual([share, share]);
      expect(engine.logs().filter((l) => /listening on/.test(l.msg))).toHaveLength(1);
      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
    } finally {
      await engine.dispose();
    }
  });
});

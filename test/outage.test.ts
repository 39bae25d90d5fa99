/**
 * Redis outages as an operator meets them: the engine command with --api on a redis-server of
 * the test's own, which the test stops and starts again. Health says so, every route is a 503
 * within the bound, each component logs one line when the outage starts and one when it ends,
 * and ioredis never prints an unhandled error event. A hung Redis (DEBUG SLEEP) is bounded too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../dist/api/app.js';
import { Queue } from '../dist/index.js';
import { spawnEngine } from './fixtures/engine-cli.js';
import { handlerPath, queueName, waitFor } from './helpers/index.js';
import { startRedisServer } from './helpers/redis-server.js';

async function timed(url: string, init?: RequestInit) {
  const started = performance.now();
  const reply = await fetch(url, init);
  return {
    status: reply.status,
    body: (await reply.json()) as Record<string, unknown>,
    ms: performance.now() - started,
  };
}

describe.sequential('Redis outages', () => {
  it('health, 503s within 1 s on every route, one log line per outage and component, and recovery', async () => {
    const server = await startRedisServer();
    const queue = queueName('outage');
    const engine = spawnEngine([
      '--queue',
      queue,
      '--handler',
      handlerPath('noop'),
      '--redis',
      server.url,
      '--threads',
      '1',
      '--api',
      '127.0.0.1:0',
    ]);
    try {
      const listen = await engine.waitForLog('the listen line', (l) => /listening on/.test(l.msg));
      const base = /open (http:\/\/[^ ]+)\/$/.exec(listen.msg)?.[1] as string;
      await engine.waitForLog('engine started', (l) => l.msg === 'engine started');
      expect(await timed(`${base}/api/health`)).toMatchObject({
        status: 200,
        body: { ok: true, redis: { reachable: true } },
      });
      expect((await timed(`${base}/api/health/ready`)).status).toBe(200);

      await server.kill();
      const stoppedAt = Date.now();
      const health = await timed(`${base}/api/health`);
      expect(health).toMatchObject({ status: 503, body: { ok: false, redis: { reachable: false } } });
      expect(health.ms).toBeLessThan(1500);
      expect(health.body.redis).toEqual({ reachable: false, since: expect.any(Number) });
      expect((await timed(`${base}/api/health/ready`)).status).toBe(503);
      expect(await timed(`${base}/api/health/live`)).toMatchObject({ status: 200, body: { ok: true } });
      const routes: [string, RequestInit?][] = [
        ['/api/queues'],
        [`/api/queues/${queue}`],
        [`/api/queues/${queue}/dead`],
        [`/api/queues/${queue}/jobs/1`],
        [`/api/queues/${queue}/engines`],
        [`/api/queues/${queue}/history`],
        ['/metrics'],
        [`/api/queues/${queue}/pause`, { method: 'POST' }],
      ];
      for (const [path, init] of routes) {
        const reply = await timed(`${base}${path}`, init);
        expect({ path, status: reply.status, code: (reply.body.error as { code: string }).code }).toEqual({
          path,
          status: 503,
          code: 'REDIS_UNAVAILABLE',
        });
        expect(reply.ms, path).toBeLessThan(1500);
      }
      await sleep(1500); // a while of refused reconnects: still one line each

      await server.restart();
      await waitFor(
        'the API to see Redis again',
        async () => (await timed(`${base}/api/health`)).status === 200,
      );
      await waitFor('the engine to log its recovery', async () =>
        engine.logs().some((l) => l.component === undefined && /^Redis reachable again/.test(l.msg)),
      );
      expect((await timed(`${base}/api/queues/${queue}`)).status).toBe(200);

      const outageLines = engine.logs().filter((l) => /^Redis (unreachable;|reachable again)/.test(l.msg));
      const byComponent = (component: string | undefined) =>
        outageLines.filter((l) => l.component === component).map((l) => [l.level, l.msg.split(';')[0]]);
      for (const component of [undefined, 'api']) {
        expect(byComponent(component), String(component)).toEqual([
          [40, 'Redis unreachable'],
          [30, expect.stringMatching(/^Redis reachable again after \d+ ms$/)],
        ]);
      }
      for (const line of outageLines.filter((l) => l.level === 30)) {
        expect(line.downMs).toBeGreaterThan(1000);
        expect(line.downMs).toBeLessThan(Date.now() - stoppedAt + 2000);
      }
      expect(outageLines.find((l) => l.level === 40)?.redisDownSince).toEqual(expect.any(String));
      expect(engine.stderr()).not.toContain('Unhandled error event');
      expect(engine.stdout()).not.toContain('Unhandled error event');

      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
    } finally {
      await engine.dispose();
      await server.stop();
    }
  });

  it('a hung Redis (DEBUG SLEEP) gets 503 REDIS_UNAVAILABLE within redisTimeoutMs, and health says unreachable', async () => {
    const server = await startRedisServer();
    const queue = new Queue(queueName('outage-hang'), { connection: server.url });
    const app = buildApp({ queues: [queue], uiDir: false, redisTimeoutMs: 300 });
    const sleeper = new Redis(server.url);
    try {
      await queue.counts();
      const hang = sleeper.call('DEBUG', 'SLEEP', '2');
      await sleep(50);
      for (const url of [`/api/queues/${queue.name}`, `/api/queues/${queue.name}/dead`, '/api/health']) {
        const started = performance.now();
        const reply = await app.inject({ url });
        const ms = performance.now() - started;
        expect({ url, status: reply.statusCode }).toEqual({ url, status: 503 });
        expect(ms, url).toBeGreaterThan(250);
        expect(ms, url).toBeLessThan(800);
        if (url !== '/api/health') expect(reply.json().error.code).toBe('REDIS_UNAVAILABLE');
      }
      await hang;
      await waitFor(
        'health to answer again',
        async () => (await app.inject({ url: '/api/health' })).statusCode === 200,
      );
      expect((await app.inject({ url: `/api/queues/${queue.name}` })).statusCode).toBe(200);
    } finally {
      await app.close();
      await queue.close();
      await sleeper.quit();
      await server.stop();
    }
  });

  it('refuses a redisTimeoutMs that is not a positive integer', () => {
    expect(() => buildApp({ queues: [], uiDir: false, redisTimeoutMs: 0 })).toThrow(/redisTimeoutMs/);
  });
});

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { apiLogger } from '../../dist/api/logging.js';
import { openQueue, queueName } from '../helpers/index.js';
import { freePort } from '../helpers/redis-server.js';
import { ADMIN, asAdmin, call, dumpQueue, expectError, READ, testApp } from './support.js';

function captureLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}

describe('request hardening', () => {
  it('refuses bodies over 1 MiB (413), bad JSON and prototype keys (400), other media types (415), touching nothing', async () => {
    const { app, queue, close } = testApp('hard-body');
    await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);
    const post = (payload: string, contentType = 'application/json') =>
      call(app, {
        method: 'POST',
        url: `/api/queues/${queue.name}/jobs`,
        headers: { 'content-type': contentType },
        payload,
      });
    expectError(await post(JSON.stringify({ payload: 'x'.repeat(1024 * 1024) })), 413, 'PAYLOAD_TOO_LARGE');
    for (const bad of ['{"payload":', '{payload: 1}', "{'payload': 1}", '[1,', 'nul']) {
      expectError(await post(bad), 400, 'INVALID_JSON');
    }
    for (const poisoned of [
      '{"payload":1,"__proto__":{"polluted":true}}',
      '{"payload":{"nested":{"__proto__":{"polluted":true}}}}',
      '{"payload":{"constructor":{"prototype":{"polluted":true}}}}',
      '{"payload":1,"opts":{"constructor":{"prototype":{"polluted":true}}}}',
    ]) {
      expectError(await post(poisoned), 400, 'INVALID_JSON');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectError(await post('payload=1', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await post('{"payload":1}', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('an unknown route is 404 NOT_FOUND in the error shape', async () => {
    const { app, close } = testApp('hard-404');
    expectError(await call(app, { url: '/api/nothing' }), 404, 'NOT_FOUND');
    expectError(await call(app, { method: 'PUT', url: '/api/queues/q/nothing' }), 404, 'NOT_FOUND');
    expectError(await call(app, { url: '/' }), 404, 'NOT_FOUND');
    await close();
  });

  it('an unexpected error is 500 INTERNAL with no stack or Redis URL, and is logged server-side', async () => {
    const capture = captureLogger();
    const { app, queue, close } = testApp('hard-500', { logger: capture.logger });
    const secret = 'redis://:hunter2@10.1.2.3:6379';
    queue.counts = async () => {
      throw new Error(`cannot reach ${secret}`);
    };
    const result = await call(app, { url: `/api/queues/${queue.name}` });
    expect(result.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(result.status).toBe(500);
    expect(result.res.body).not.toContain('hunter2');
    expect(result.res.body).not.toContain('at ');
    const logged = capture.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).toContain(secret);
    expect(logged?.err?.stack).toContain('hard');
    await close();
  });

  it('a Redis that cannot be reached is 503 REDIS_UNAVAILABLE without its address', async () => {
    const port = await freePort();
    const down = openQueue(queueName('hard-503'), {
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null },
    });
    down.redis.on('error', () => {}); // refused connections are the point here
    const { app, close } = testApp('hard-503-app', { others: [down] });
    for (const url of [`/api/queues/${down.name}`, `/api/queues/${down.name}/jobs/1`, '/metrics']) {
      const result = await call(app, { url });
      expectError(result, 503, 'REDIS_UNAVAILABLE');
      expect(result.res.body).not.toContain(String(port));
    }
    await close();
  });

  it('never logs the Authorization header or a token sent in the query string', async () => {
    const capture = captureLogger();
    const { app, queue, close } = testApp('hard-log', {
      logger: capture.logger,
      tokens: { read: READ, admin: ADMIN },
    });
    await call(app, { method: 'POST', url: `/api/queues/${queue.name}/pause`, headers: asAdmin });
    await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/resume?access_token=${READ}&x=1`,
      headers: asAdmin,
    });
    await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/resume`,
      headers: { authorization: `Bearer ${READ}` },
    });
    const text = capture.text();
    expect(text).toContain('incoming request');
    expect(text).toContain('access_token=%5BRedacted%5D');
    expect(text).not.toContain(ADMIN);
    expect(text).not.toContain(READ);
    // a handler that logs the headers gets them redacted too
    apiLogger(capture.logger).info({ headers: { authorization: `Bearer ${ADMIN}` } }, 'headers');
    expect(capture.lines.at(-1)).toContain('[Redacted]');
    expect(capture.text()).not.toContain(ADMIN);
    await close();
  });

  it('sends a strict Content-Security-Policy and never caches API replies', async () => {
    const { app, queue, close } = testApp('hard-headers');
    const { res } = await call(app, { url: `/api/queues/${queue.name}` });
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self';/);
    expect(res.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    await close();
  });
});

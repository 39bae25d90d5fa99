import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { isLoopback, startApiServer } from '../../dist/api/server.js';
import { DEFAULT_UI_DIR } from '../../dist/api/static.js';
import { ErrorCode, SluiceError } from '../../dist/index.js';
import { openQueue, queueName, redisUrl, rejection, silent } from '../helpers/index.js';
import { ADMIN, call, expectError } from './support.js';

describe('startApiServer', () => {
  it('listens on 127.0.0.1 by default and serves the named queues; close() releases everything', async () => {
    const name = queueName('server');
    const server = await startApiServer({ queues: [name], connection: redisUrl(), logger: silent });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/queues`);
    expect(res.status).toBe(200);
    const { queues } = (await res.json()) as { queues: object[] };
    // the named queue first; the others are discovered in the shared Redis, read-only
    expect(queues[0]).toMatchObject({ name, readOnly: false, paused: false });
    for (const other of queues.slice(1)) expect(other).toMatchObject({ readOnly: true });
    await server.close();
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it('refuses a non-loopback host without a token, before opening anything', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      const error = await rejection(() =>
        startApiServer({ host, queues: ['q'], connection: redisUrl(), logger: silent }),
      );
      expect(error, host).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
      expect((error as Error).message).toContain('SLUICE_API_TOKEN');
    }
  });

  it('listens on 0.0.0.0 when a token is set, and then requires it', async () => {
    const server = await startApiServer({
      host: '0.0.0.0',
      queues: [queueName('server-open')],
      connection: redisUrl(),
      tokens: { admin: ADMIN },
      logger: silent,
    });
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/queues`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(ok.status).toBe(200);
    await server.close();
  });

  it('refuses bad queue lists and ports with a message naming the field', async () => {
    for (const [options, code] of [
      [{ queues: ['bad name'] }, ErrorCode.INVALID_QUEUE_NAME],
      [{ queues: ['a', 'a'] }, ErrorCode.INVALID_OPTION],
      [{ queues: ['a'], port: 70_000 }, ErrorCode.INVALID_OPTION],
      [{ queues: ['a'], tokens: { admin: 'short' } }, ErrorCode.INVALID_OPTION],
    ] as const) {
      const error = await rejection(() =>
        startApiServer({ connection: redisUrl(), logger: silent, ...options }),
      );
      expect((error as SluiceError).code, JSON.stringify(options)).toBe(code);
    }
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '127.example.com', '::ffff:10.0.0.1'].some(isLoopback)).toBe(false);
  });
});

describe('monitor files', () => {
  it('looks for the monitor in dist/ui, next to the compiled API', () => {
    expect(fileURLToPath(DEFAULT_UI_DIR)).toBe(fileURLToPath(new URL('../../dist/ui/', import.meta.url)));
  });

  it('serves index.html at / and assets with a strict CSP; the API and 404s keep their JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>Sluice</title><script src="/app.js"></script>',
    );
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const queue = openQueue(queueName('ui'));
    const app = buildApp({ queues: [queue], uiDir: dir, tokens: { admin: ADMIN } });

    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>Sluice</title>');
    expect(index.headers['content-security-policy']).toBe(
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    const asset = await app.inject({ url: '/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expectError(await call(app, { url: '/missing.js' }), 404, 'NOT_FOUND');
    expectError(await call(app, { url: '/../package.json' }), 404, 'NOT_FOUND');
    expectError(await call(app, { url: '/api/queues' }), 401, 'UNAUTHORIZED');
    expect((await call(app, { url: '/api/health' })).status).toBe(200);
    await app.close();
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a monitor directory, / is a plain 404', async () => {
    const queue = openQueue(queueName('no-ui'));
    const app = buildApp({ queues: [queue], uiDir: join(tmpdir(), 'sluice-no-such-dir') });
    expectError(await call(app, { url: '/' }), 404, 'NOT_FOUND');
    await app.close();
    await queue.close();
  });
});

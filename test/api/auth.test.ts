import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { ErrorCode, SluiceError } from '../../dist/index.js';
import { openQueue, queueName, rejection } from '../helpers/index.js';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

interface Route {
  access: 'read' | 'admin';
  request: InjectOptions;
  /** Status when the caller may call it. */
  ok: number;
}

function routes(q: string, jobId: string): Route[] {
  const read = (url: string, ok = 200): Route => ({ access: 'read', request: { method: 'GET', url }, ok });
  const admin = (
    method: 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload: object | undefined,
    ok = 200,
  ): Route => ({
    access: 'admin',
    request: { method, url, ...(payload ? { payload } : {}) },
    ok,
  });
  return [
    read('/api/queues'),
    read('/api/auth/whoami'),
    read(`/api/queues/${q}`),
    read(`/api/queues/${q}/history`),
    read(`/api/queues/${q}/engines`),
    read(`/api/queues/${q}/jobs?state=waiting`),
    read(`/api/queues/${q}/jobs/${jobId}`),
    read(`/api/queues/${q}/jobs/999999/result`, 404),
    read(`/api/queues/${q}/events?from=0`),
    read(`/api/queues/${q}/dead?q=x`),
    read(`/api/queues/${q}/dead/groups`),
    read(`/api/queues/${q}/dead/groups/0123456789ab`),
    read('/metrics'),
    admin('POST', `/api/queues/${q}/pause`, undefined),
    admin('POST', `/api/queues/${q}/resume`, undefined),
    admin('POST', `/api/queues/${q}/jobs`, { payload: { auth: true } }, 201),
    admin('POST', `/api/queues/${q}/jobs/999999/cancel`, undefined, 404),
    admin('PUT', `/api/queues/${q}/events`, { enabled: false }),
    admin('POST', `/api/queues/${q}/dead/retry`, { ids: ['999999'] }),
    admin('POST', `/api/queues/${q}/dead/999999/retry`, { payload: 1 }, 404),
    admin('DELETE', `/api/queues/${q}/dead/999999`, undefined, 404),
    admin('POST', `/api/queues/${q}/dead/purge`, { confirm: q }),
    admin('POST', `/api/queues/${q}/dead/groups/0123456789ab/retry`, undefined),
    admin('DELETE', `/api/queues/${q}/dead/groups/0123456789ab`, undefined),
    // last: they empty the queue
    admin('POST', `/api/queues/${q}/drain`, undefined),
    admin('DELETE', `/api/queues/${q}`, undefined),
  ];
}

const withHeaders = (request: InjectOptions, headers: Record<string, string>): InjectOptions => ({
  ...request,
  headers: { ...(request.headers as Record<string, string>), ...headers },
});

const withQuery = (request: InjectOptions, query: string): InjectOptions => ({
  ...request,
  url: `${request.url}${String(request.url).includes('?') ? '&' : '?'}${query}`,
});

describe('authentication and authorisation', () => {
  it('with tokens set: no or a wrong token is 401, a read token on an admin route 403, and Redis is untouched', async () => {
    const { app, queue, close } = testApp('auth-reject', { tokens: { read: READ, admin: ADMIN } });
    const jobId = await queue.add({ keep: true });
    const before = await dumpQueue(queue.redis, queue.name);
    const list = [
      ...routes(queue.name, jobId),
      {
        access: 'read',
        request: { method: 'GET', url: `/api/events?queue=${queue.name}` },
        ok: 200,
      } as Route,
    ];
    for (const { access, request } of list) {
      const what = `${request.method} ${request.url}`;
      const none = await call(app, request);
      expectError(none, 401, 'UNAUTHORIZED');
      expect(none.res.headers['www-authenticate'], what).toBe('Bearer realm="sluice"');
      for (const header of [
        'Bearer wrong-token-0123456789abcdef',
        `Bearer ${ADMIN}x`,
        `Bearer ${ADMIN.slice(0, -1)}`,
        `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`,
        'Bearer',
        `${ADMIN}`,
        `Bearer ${ADMIN} extra`,
      ]) {
        expectError(await call(app, withHeaders(request, { authorization: header })), 401, 'UNAUTHORIZED');
      }
      if (access === 'admin') {
        expectError(await call(app, withHeaders(request, asReader)), 403, 'FORBIDDEN');
      }
    }
    expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
    await close();
  });

  it('the read token reads, the admin token does everything, the scheme is case-insensitive', async () => {
    const { app, queue, close } = testApp('auth-allow', { tokens: { read: READ, admin: ADMIN } });
    const jobId = await queue.add({ keep: true });
    for (const { access, request, ok } of routes(queue.name, jobId)) {
      const what = `${request.method} ${request.url}`;
      if (access === 'read') expect((await call(app, withHeaders(request, asReader))).status, what).toBe(ok);
      expect((await call(app, withHeaders(request, asAdmin))).status, what).toBe(ok);
    }
    const lower = await call(app, { url: '/api/queues', headers: { authorization: `bearer ${READ}` } });
    expect(lower.status).toBe(200);
    // health stays open for probes
    expect((await call(app, { url: '/api/health' })).status).toBe(200);
    await close();
  });

  it('whoami tells the caller what its token may do: read, admin, or open with no token configured', async () => {
    const tokens = { read: READ, admin: ADMIN };
    const guarded = testApp('auth-whoami', { tokens });
    const ask = (app: typeof guarded.app, headers: Record<string, string> = {}) =>
      call(app, { url: '/api/auth/whoami', headers });
    expect(await ask(guarded.app, asReader)).toMatchObject({ status: 200, body: { access: 'read' } });
    expect(await ask(guarded.app, asAdmin)).toMatchObject({ status: 200, body: { access: 'admin' } });
    expectError(await ask(guarded.app), 401, 'UNAUTHORIZED');
    expectError(
      await ask(guarded.app, { authorization: 'Bearer wrong-token-0123456789' }),
      401,
      'UNAUTHORIZED',
    );
    await guarded.close();
    const adminOnly = testApp('auth-whoami-admin', { tokens: { admin: ADMIN } });
    expect(await ask(adminOnly.app, asAdmin)).toMatchObject({ status: 200, body: { access: 'admin' } });
    await adminOnly.close();
    const open = testApp('auth-whoami-open');
    expect(await ask(open.app)).toMatchObject({ status: 200, body: { access: 'open' } });
    await open.close();
  });

  it('with only an admin token, read routes need it too (no token, no access)', async () => {
    const { app, queue, close } = testApp('auth-admin-only', { tokens: { admin: ADMIN } });
    expectError(await call(app, { url: `/api/queues/${queue.name}` }), 401, 'UNAUTHORIZED');
    expect((await call(app, { url: `/api/queues/${queue.name}`, headers: asAdmin })).status).toBe(200);
    await close();
  });

  it('with only a read token, admin routes are closed to everyone', async () => {
    const { app, queue, close } = testApp('auth-read-only', { tokens: { read: READ } });
    expect((await call(app, { url: `/api/queues/${queue.name}`, headers: asReader })).status).toBe(200);
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queue.name}/pause`, headers: asReader }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queue.name}/pause` }),
      401,
      'UNAUTHORIZED',
    );
    expect(await queue.isPaused()).toBe(false);
    await close();
  });

  it('with no token configured every route is open', async () => {
    const { app, queue, close } = testApp('auth-open');
    const jobId = await queue.add({ keep: true });
    for (const { request, ok } of routes(queue.name, jobId)) {
      expect((await call(app, request)).status, `${request.method} ${request.url}`).toBe(ok);
    }
    await close();
  });

  it('a token in the query string is refused with 401 on every route, configured or not, valid or not', async () => {
    for (const tokens of [undefined, { read: READ, admin: ADMIN }]) {
      const { app, queue, close } = testApp('auth-query', tokens ? { tokens } : {});
      const jobId = await queue.add({ keep: true });
      const before = await dumpQueue(queue.redis, queue.name);
      const list = [
        ...routes(queue.name, jobId).map((r) => r.request),
        { method: 'GET', url: '/api/health' } as InjectOptions,
      ];
      for (const request of list) {
        for (const query of [`token=${ADMIN}`, `access_token=${ADMIN}`, `TOKEN=${READ}`, 'access_token=']) {
          const result = await call(app, withHeaders(withQuery(request, query), asAdmin));
          expectError(result, 401, 'UNAUTHORIZED');
        }
      }
      expect(await dumpQueue(queue.redis, queue.name)).toEqual(before);
      await close();
    }
  });

  it('refuses weak or identical tokens when the app is built', async () => {
    const queue = openQueue(queueName('auth-weak'));
    for (const tokens of [{ admin: 'short' }, { read: '' }, { read: ADMIN, admin: ADMIN }]) {
      const error = await rejection(() => buildApp({ queues: [queue], tokens, uiDir: false }));
      expect(error).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe(ErrorCode.INVALID_OPTION);
    }
    await queue.close();
  });

  it('a route under /api that declares no access level cannot be registered', async () => {
    const { app, close } = testApp('auth-undeclared');
    expect(() => app.get('/api/extra', async () => ({}))).toThrow(/declares no access level/);
    await close();
  });
});

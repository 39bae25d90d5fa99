/**
 * The error format at the edges an operator's walk-through found: very long ids, the one paging
 * rule, a fixed jobId with count > 1, validation messages that name the field once, and 405.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { openQueue, queueName } from '../helpers/index.js';
import { call, expectError, makeDead, testApp } from './support.js';

describe('request errors', () => {
  it('a long id is 400 INVALID_JOB_ID on every id route, a 10 KB one 414, never echoing the URL', async () => {
    const { app, queue, close } = testApp('err-long-id');
    const base = `/api/queues/${queue.name}`;
    const routes = (id: string) =>
      [
        ['GET', `${base}/jobs/${id}`],
        ['GET', `${base}/jobs/${id}/result`],
        ['POST', `${base}/jobs/${id}/cancel`],
        ['DELETE', `${base}/dead/${id}`],
        ['POST', `${base}/dead/${id}/retry`],
      ] as const;
    for (const length of [129, 300, 1000]) {
      for (const [method, url] of routes('a'.repeat(length))) {
        expectError(await call(app, { method, url }), 400, 'INVALID_JOB_ID');
      }
    }
    const huge = 'a'.repeat(10_000);
    for (const [method, url] of [...routes(huge), ['PUT', `${base}/schedules/${huge}`] as const]) {
      const result = await call(app, {
        method,
        url,
        ...(method === 'PUT' ? { payload: { spec: { every: 1000 } } } : {}),
      });
      expectError(result, 414, 'URI_TOO_LONG');
      expect(result.res.body.length).toBeLessThan(300);
    }
    await close();
  });

  it('an unrouted path such as ../../etc is 404 NOT_FOUND in the error shape, with the monitor served', async () => {
    const queue = openQueue(queueName('err-dotdot'));
    const app = buildApp({ queues: [queue] });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      // Raw HTTP: fetch and inject would normalise the dots away.
      const raw = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(`${url}${path}`, { path }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (c: string) => {
              body += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      for (const path of [`/api/queues/${queue.name}/jobs/../../etc`, '/../../etc/passwd']) {
        const { status, body } = await raw(path);
        expect({ status, body: JSON.parse(body) }).toEqual({
          status: 404,
          body: { error: { code: 'NOT_FOUND', message: expect.stringMatching(/^no route GET /) } },
        });
        expect(body.length).toBeLessThan(400);
      }
      expect((await raw('/')).status).toBe(200);
    } finally {
      await app.close();
      await queue.close();
    }
  });

  it('every paged route clamps limit to 1..100 (one rule), and refuses a limit that is not an integer', async () => {
    const { app, queue, close } = testApp('err-limit');
    await queue.setEvents(true);
    await makeDead(
      queue,
      Array.from({ length: 101 }, () => ({ message: 'boom' })),
    );
    await queue.addBulk(Array.from({ length: 120 }, (_, i) => ({ payload: i })));
    const [group] = (await queue.deadGroups()) as { id: string }[];
    const base = `/api/queues/${queue.name}`;
    const pages: [url: string, items: (body: Record<string, unknown[]>) => unknown[]][] = [
      [`${base}/jobs?state=waiting`, (b) => b.items as unknown[]],
      [`${base}/dead?`, (b) => b.items as unknown[]],
      [`${base}/dead/groups/${group?.id}?`, (b) => b.items as unknown[]],
      [`${base}/events?`, (b) => b.events as unknown[]],
    ];
    for (const [url, items] of pages) {
      const sep = url.endsWith('?') ? '' : '&';
      for (const [limit, expected] of [
        ['1e9', 100],
        ['1000000000', 100],
        ['101', 100],
        ['-1', 1],
        ['0', 1],
        ['7', 7],
      ] as const) {
        const result = await call(app, { url: `${url}${sep}limit=${limit}` });
        expect({ url, limit, status: result.status }).toEqual({ url, limit, status: 200 });
        expect(items(result.body)).toHaveLength(expected);
      }
      expectError(await call(app, { url: `${url}${sep}limit=ten` }), 400, 'INVALID_REQUEST');
      expectError(await call(app, { url: `${url}${sep}limit=1.5` }), 400, 'INVALID_REQUEST');
    }
    await close();
  });

  it('a fixed jobId with count > 1 is refused and adds nothing; with count 1 it adds one job', async () => {
    const { app, queue, close } = testApp('err-jobid-count');
    const post = (body: Record<string, unknown>) =>
      call(app, { method: 'POST', url: `/api/queues/${queue.name}/jobs`, payload: body });
    const refused = await post({ payload: 1, opts: { jobId: 'abc-1' }, count: 2 });
    expectError(refused, 400, 'INVALID_REQUEST');
    expect(refused.body.error.message).toBe('body/count must be 1 with a fixed opts.jobId');
    expect((await queue.counts()).added).toBe(0);
    const one = await post({ payload: 1, opts: { jobId: 'abc-1' }, count: 1 });
    expect(one).toMatchObject({ status: 201, body: { ids: ['abc-1'] } });
    expect((await queue.counts()).added).toBe(1);
    await close();
  });

  it('validation messages name the field once, with the allowed forms or parameters', async () => {
    const { app, queue, close } = testApp('err-messages');
    const base = `/api/queues/${queue.name}`;
    const message = async (options: Parameters<typeof call>[1]) => {
      const result = await call(app, options);
      expectError(result, 400, 'INVALID_REQUEST');
      return result.body.error.message as string;
    };
    expect(
      await message({ method: 'PUT', url: `${base}/schedules/nightly`, payload: { spec: 'daily' } }),
    ).toBe('body/spec must be one of { cron, tz? } or { every }');
    expect(
      await message({ method: 'PUT', url: `${base}/schedules/nightly`, payload: { spec: { at: 1 } } }),
    ).toBe('body/spec must be one of { cron, tz? } or { every }');
    expect(await message({ url: `${base}?foo=1` })).toBe(
      'querystring has an unknown parameter "foo" (none is accepted)',
    );
    expect(await message({ url: `${base}/dead?offest=5` })).toBe(
      'querystring has an unknown parameter "offest" (accepted: offset, limit, q, from, to)',
    );
    expect(await message({ method: 'POST', url: `${base}/jobs`, payload: { payload: 1, cout: 2 } })).toBe(
      'body has an unknown field "cout" (accepted: payload, opts, count)',
    );
    expect(await message({ url: `${base}/jobs?state=finished` })).toBe(
      'querystring/state must be one of waiting, active, delayed, dead, completed',
    );
    expect(await message({ method: 'POST', url: `${base}/jobs`, payload: {} })).toBe(
      "body must have required property 'payload'",
    );
    await close();
  });

  it('a missing job says completed jobs are not kept only when retention keeps none', async () => {
    const { app, queue, close } = testApp('err-job-404');
    const missing = async () => {
      const result = await call(app, { url: `/api/queues/${queue.name}/jobs/12345` });
      expectError(result, 404, 'JOB_NOT_FOUND');
      return result.body.error.message as string;
    };
    expect(await missing()).toBe('no job 12345 (completed jobs are not kept)');
    await queue.setRetention({ completed: { count: 100 } });
    expect(await missing()).toBe('no job 12345 (never added, or finished and trimmed by retention)');
    await close();
  });

  it('a known path called with another method is 405 with Allow; an unknown path stays 404', async () => {
    const { app, queue, close } = testApp('err-405');
    const cases: [method: 'PUT' | 'POST' | 'DELETE' | 'PATCH', url: string, allow: string][] = [
      ['PUT', '/api/queues', 'GET, HEAD'],
      ['DELETE', `/api/queues/${queue.name}/jobs`, 'GET, HEAD, POST'],
      ['PATCH', `/api/queues/${queue.name}/rate-limit`, 'DELETE, GET, HEAD, PUT'],
      ['POST', '/metrics', 'GET, HEAD'],
      ['POST', '/api/health', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const result = await call(app, { method, url });
      expectError(result, 405, 'METHOD_NOT_ALLOWED');
      expect(result.res.headers.allow).toBe(allow);
    }
    expectError(await call(app, { method: 'DELETE', url: '/api/nothing' }), 404, 'NOT_FOUND');
    await close();
  });
});

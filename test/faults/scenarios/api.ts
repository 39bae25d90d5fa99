/** The operator API under hostile requests (T18) and oversized or poisoned bodies (T13's API half). */
import { pino } from 'pino';
import { startApiServer } from '../../../dist/api/server.js';
import { REGISTRY_SWEPT } from '../../../dist/redis/keys.js';
import { atMost, type Criterion, exactly } from '../lib/check.js';
import type { Harness } from '../lib/harness.js';
import type { Scenario } from '../lib/scenario.js';
import { withHarness } from '../lib/scenario.js';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';

interface Probe {
  name: string;
  method: string;
  path: string;
  token?: string;
  body?: string;
  status: number;
}

async function probe(url: string, p: Probe): Promise<number> {
  const headers: Record<string, string> = {};
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  if (p.body !== undefined) headers['content-type'] = 'application/json';
  const reply = await fetch(`${url}${p.path}`, { method: p.method, headers, body: p.body ?? null });
  await reply.arrayBuffer();
  return reply.status;
}

/**
 * Waits for the server's one-off background sweep of older queues (queue-lookup.ts) to write its
 * mark: a write of the server's own, at startup, that no request caused.
 */
async function sweepDone(h: Harness): Promise<void> {
  for (const start = Date.now(); (await h.redis.exists(REGISTRY_SWEPT)) === 0; ) {
    if (Date.now() - start > 10_000) throw new Error('the API server never finished its registry sweep');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends each request; each must get its status and leave Redis byte-for-byte as it was. */
async function matrix(h: Harness, url: string, probes: readonly Probe[]): Promise<Criterion[]> {
  await sweepDone(h);
  let wrongStatus = 0;
  let changed = 0;
  const misses: string[] = [];
  for (const p of probes) {
    const before = await h.redis.call('DEBUG', 'DIGEST');
    const status = await probe(url, p);
    const after = await h.redis.call('DEBUG', 'DIGEST');
    if (status !== p.status) {
      wrongStatus += 1;
      misses.push(`${p.name}: ${status}`);
    }
    if (before !== after) changed += 1;
  }
  return [
    exactly(
      `requests answered with the expected status${misses.length ? ` (${misses.join('; ')})` : ''}`,
      probes.length - wrongStatus,
      probes.length,
    ),
    exactly('rejected requests that changed Redis (DEBUG DIGEST)', changed, 0),
  ];
}

export const t18: Scenario = {
  id: 'T18',
  title: 'the API under unauthorized and invalid requests',
  fault: 'no, wrong, read-only and query-string tokens; bad ids; huge limits; bodies that are not JSON',
  run: () =>
    withHarness('t18', {}, async (h) => {
      await h.lib.addBulk(Array.from({ length: 150 }, (_, n) => ({ payload: { n } })));
      const api = await startApiServer({
        queues: [h.queue],
        connection: h.server.url,
        tokens: { admin: ADMIN, read: READ },
        logger: silentLogger(),
      });
      try {
        const q = `/api/queues/${h.queue}`;
        const probes: Probe[] = [
          { name: 'no token', method: 'GET', path: q, status: 401 },
          { name: 'wrong token', method: 'GET', path: q, token: 'x'.repeat(28), status: 401 },
          { name: 'token in the query string', method: 'GET', path: `${q}?token=${ADMIN}`, status: 401 },
          {
            name: 'access_token in the query string',
            method: 'GET',
            path: `${q}?access_token=${ADMIN}`,
            status: 401,
          },
          { name: 'read token on pause', method: 'POST', path: `${q}/pause`, token: READ, status: 403 },
          {
            name: 'read token on purge',
            method: 'POST',
            path: `${q}/dead/purge`,
            token: READ,
            body: JSON.stringify({ confirm: h.queue }),
            status: 403,
          },
          {
            name: 'no token on enqueue',
            method: 'POST',
            path: `${q}/jobs`,
            body: '{"payload":1}',
            status: 401,
          },
          { name: 'unknown job id', method: 'GET', path: `${q}/jobs/99999999`, token: READ, status: 404 },
          {
            name: 'malformed job id',
            method: 'GET',
            path: `${q}/jobs/${encodeURIComponent('../../x y')}`,
            token: READ,
            status: 400,
          },
          { name: 'unknown queue', method: 'GET', path: '/api/queues/nope', token: READ, status: 404 },
          {
            name: 'delete of a job that is not dead',
            method: 'DELETE',
            path: `${q}/dead/1`,
            token: ADMIN,
            status: 404,
          },
          {
            name: 'POST without JSON',
            method: 'POST',
            path: `${q}/jobs`,
            token: ADMIN,
            body: 'payload=1',
            status: 400,
          },
          {
            name: 'purge without the confirmation',
            method: 'POST',
            path: `${q}/dead/purge`,
            token: ADMIN,
            body: '{}',
            status: 400,
          },
          {
            name: 'retry of ids that are malformed',
            method: 'POST',
            path: `${q}/dead/retry`,
            token: ADMIN,
            body: '{"ids":["a b"]}',
            status: 400,
          },
        ];
        const criteria = await matrix(h, api.url, probes);
        const page = await fetch(`${api.url}${q}/jobs?state=waiting&limit=1000000000`, {
          headers: { authorization: `Bearer ${READ}` },
        });
        const listed = page.ok ? ((await page.json()) as { items: unknown[] }).items.length : -1;
        return {
          jobs: 150,
          lost: null,
          duplicates: null,
          bound: '—',
          criteria: [...criteria, atMost('items in a listing asked for limit=1e9', listed, 100)],
          notes: [`${probes.length} requests`],
        };
      } finally {
        await api.close();
      }
    }),
};

export const t13api: Scenario = {
  id: 'T13b',
  title: 'the API under oversized and poisoned bodies',
  fault: 'a 2 MiB body, invalid JSON, `__proto__` keys, a payload over `maxPayloadBytes`',
  run: () =>
    withHarness('t13b', {}, async (h) => {
      const api = await startApiServer({
        queues: [h.queue],
        connection: h.server.url,
        logger: silentLogger(),
      });
      try {
        const q = `/api/queues/${h.queue}`;
        const memory = async () => Number(/used_memory:(\d+)/.exec(await h.redis.info('memory'))?.[1]);
        const before = await memory();
        const criteria = await matrix(h, api.url, [
          {
            name: '2 MiB body',
            method: 'POST',
            path: `${q}/jobs`,
            body: JSON.stringify({ payload: 'x'.repeat(2 * 1024 * 1024) }),
            status: 413,
          },
          { name: 'invalid JSON', method: 'POST', path: `${q}/jobs`, body: '{"payload": ', status: 400 },
          {
            name: '__proto__ key',
            method: 'POST',
            path: `${q}/jobs`,
            body: '{"payload":{"__proto__":{"admin":true}}}',
            status: 400,
          },
          {
            name: 'constructor.prototype',
            method: 'POST',
            path: `${q}/jobs`,
            body: '{"payload":{"constructor":{"prototype":{"x":1}}}}',
            status: 400,
          },
          {
            name: 'payload over maxPayloadBytes',
            method: 'POST',
            path: `${q}/jobs`,
            body: JSON.stringify({ payload: 'x'.repeat(600 * 1024) }),
            status: 413,
          },
        ]);
        const grew = (await memory()) - before;
        return {
          jobs: 0,
          lost: null,
          duplicates: null,
          bound: '—',
          criteria: [
            ...criteria,
            atMost('Redis used_memory growth for rejected input (bytes)', grew, 64 * 1024),
          ],
          notes: [],
        };
      } finally {
        await api.close();
      }
    }),
};

function silentLogger() {
  return pino({ level: 'silent' });
}

import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { QUEUE_REGISTRY, REGISTRY_SWEPT } from '../../dist/redis/keys.js';
import { sweepUnregistered } from '../../dist/redis/registry.js';
import { handlerPath, openQueue, queueName, redisClient, startEngine } from '../helpers/index.js';
import { freePort } from '../helpers/redis-server.js';
import { ADMIN, asAdmin, asReader, call, dumpQueue, expectError, READ, testApp } from './support.js';

describe('other queues of the same Redis', () => {
  it('lists a queue registered by another producer as read-only, with its counts, and serves its reads', async () => {
    const other = openQueue(queueName('disc-other'));
    await other.addBulk([{ payload: 1 }, { payload: 2 }]);
    await other.add({ later: true }, { delay: 60_000 });
    const { app, queue, close } = testApp('disc-app');

    const { status, body } = await call(app, { url: '/api/queues' });
    expect(status).toBe(200);
    expect(body.queues[0]).toMatchObject({ name: queue.name, readOnly: false });
    expect(body.queues.find((q: { name: string }) => q.name === other.name)).toMatchObject({
      readOnly: true,
      paused: false,
      counts: { waiting: 2, delayed: 1, added: 3 },
    });
    expect(await call(app, { url: `/api/queues/${other.name}` })).toMatchObject({
      status: 200,
      body: { name: other.name, readOnly: true, counts: { waiting: 2 } },
    });
    const page = await call(app, { url: `/api/queues/${other.name}/jobs?state=waiting` });
    expect(page).toMatchObject({ status: 200, body: { total: 2 } });
    expect(await call(app, { url: `/api/queues/${other.name}/engines` })).toMatchObject({
      status: 200,
      body: { engines: [] },
    });
    await close();
    await other.close();
  });

  it('answers 409 QUEUE_READ_ONLY to every admin route of the README on a discovered queue, changing nothing', async () => {
    const other = openQueue(queueName('disc-ro'));
    await other.add({ x: 1 });
    await other.add({ x: 2 }, { delay: 60_000 });
    const { app, close } = testApp('disc-ro-app', { tokens: { admin: ADMIN, read: READ } });
    const before = await dumpQueue(other.redis, other.name);
    const q = `/api/queues/${other.name}`;
    for (const [method, url, payload] of [
      ['POST', `${q}/pause`, undefined],
      ['POST', `${q}/resume`, undefined],
      ['POST', `${q}/drain`, undefined],
      ['DELETE', q, undefined],
      ['POST', `${q}/jobs`, { payload: 1 }],
      ['POST', `${q}/jobs/1/cancel`, undefined],
      ['POST', `${q}/jobs/2/promote`, undefined],
      ['POST', `${q}/dead/retry`, { all: true }],
      ['POST', `${q}/dead/purge`, { confirm: other.name }],
      ['PUT', `${q}/rate-limit`, { max: 1, duration: 1000 }],
      ['PUT', `${q}/events`, { enabled: true }],
      ['PUT', `${q}/schedules/nightly`, { spec: { every: 60_000 } }],
      ['DELETE', `${q}/schedules/nightly`, undefined],
      ['DELETE', `${q}/rate-limit`, undefined],
      ['PUT', `${q}/retention`, { dead: { count: 10 } }],
      ['DELETE', `${q}/retention`, undefined],
      ['POST', `${q}/dead/1/retry`, undefined],
      ['DELETE', `${q}/dead/1`, undefined],
      ['POST', `${q}/dead/groups/0123456789ab/retry`, undefined],
      ['DELETE', `${q}/dead/groups/0123456789ab`, undefined],
    ] as const) {
      const result = await call(app, { method, url, headers: asAdmin, ...(payload ? { payload } : {}) });
      expectError(result, 409, 'QUEUE_READ_ONLY');
      expect(result.body.error.message).toContain('read-only');
    }
    // the read token still meets 403 first; reads pass
    expectError(await call(app, { method: 'POST', url: `${q}/pause`, headers: asReader }), 403, 'FORBIDDEN');
    expect((await call(app, { url: q, headers: asReader })).status).toBe(200);
    expect(await dumpQueue(other.redis, other.name)).toEqual(before);
    await close();
    await other.close();
  });

  it('a valid name neither served nor registered is 404 QUEUE_NOT_FOUND; a malformed one 400', async () => {
    const { app, close } = testApp('disc-404');
    expectError(await call(app, { url: `/api/queues/${queueName('never-used')}` }), 404, 'QUEUE_NOT_FOUND');
    expectError(
      await call(app, { method: 'POST', url: `/api/queues/${queueName('never-used')}/pause` }),
      404,
      'QUEUE_NOT_FOUND',
    );
    expectError(await call(app, { url: '/api/queues/bad%7Bname%7D' }), 400, 'INVALID_REQUEST');
    expectError(await call(app, { url: '/api/events?queue=a~1' }), 400, 'INVALID_REQUEST');
    await close();
  });

  it('lists a queue whose engine started before any add, and forgets one that is obliterated', async () => {
    const name = queueName('disc-engine');
    const engine = await startEngine({ queue: name, handler: handlerPath('noop') });
    const { app, close } = testApp('disc-engine-app');
    const names = async () =>
      ((await call(app, { url: '/api/queues' })).body.queues as { name: string }[]).map((q) => q.name);
    expect(await names()).toContain(name);
    await engine.stop();
    const owner = openQueue(name);
    await owner.obliterate();
    expect(await names()).not.toContain(name);
    // this process registers it again on its next add
    await owner.add(1);
    expect(await names()).toContain(name);
    await owner.obliterate();
    await owner.close();
    await close();
  });

  it('while Redis is known to be down, a discovered name, the list and the Redis panel answer 503 at once', async () => {
    const port = await freePort();
    const down = openQueue(queueName('disc-down'), {
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null },
    });
    down.redis.on('error', () => {});
    const app = buildApp({ uiDir: false, queues: [down] });
    expectError(await call(app, { url: `/api/queues/${down.name}` }), 503, 'REDIS_UNAVAILABLE');
    for (const url of ['/api/queues', `/api/queues/${queueName('elsewhere')}`, '/api/redis']) {
      const started = performance.now();
      const result = await call(app, { url });
      expectError(result, 503, 'REDIS_UNAVAILABLE');
      expect(result.res.body).not.toContain(String(port));
      expect(performance.now() - started).toBeLessThan(100);
    }
    await app.close();
    await down.close();
  });
});

describe('the queue registry', () => {
  it('a Queue SADDs its name once per process, alongside its first add and not before it', async () => {
    const queue = openQueue(queueName('reg-once'));
    const sent: string[][] = [];
    const sadd = queue.redis.sadd.bind(queue.redis);
    queue.redis.sadd = ((...args: Parameters<typeof sadd>) => {
      sent.push(args.map(String));
      return sadd(...args);
    }) as typeof sadd;
    expect(await queue.redis.sismember(QUEUE_REGISTRY, queue.name)).toBe(0);
    await queue.add(1);
    await queue.addBulk([{ payload: 2 }, { payload: 3 }]);
    await queue.add(4);
    expect(sent).toEqual([[QUEUE_REGISTRY, queue.name]]);
    // sent before the add's script on the same connection, so it is in by the time the add resolves
    expect(await queue.redis.sismember(QUEUE_REGISTRY, queue.name)).toBe(1);
    await queue.close();
  });

  it('the one-off sweep registers queues older than the registry, then never scans again', async () => {
    const redis = redisClient();
    const legacy = queueName('legacy');
    // a queue from before the registry: its keys, no registration
    await redis.hset(`sluice:{${legacy}}:stats`, 'added', '1');
    await redis.set(`sluice:{${legacy}~1.0}:partitions`, '1');
    await redis.del(REGISTRY_SWEPT);
    expect(await sweepUnregistered(redis)).toBeGreaterThanOrEqual(1);
    expect(await redis.sismember(QUEUE_REGISTRY, legacy)).toBe(1);
    expect(await redis.sismember(QUEUE_REGISTRY, `${legacy}~1.0`)).toBe(0);
    expect(await redis.exists(REGISTRY_SWEPT)).toBe(1);
    expect(await sweepUnregistered(redis)).toBe(0);
    await redis.del(`sluice:{${legacy}}:stats`, `sluice:{${legacy}~1.0}:partitions`);
    await redis.srem(QUEUE_REGISTRY, legacy);
    await redis.quit();
  });
});

describe('GET /api/redis', () => {
  it('reports version, memory, clients, persistence and whether eviction is off', async () => {
    const { app, close } = testApp('redis-info', { tokens: { read: READ } });
    const { status, body } = await call(app, { url: '/api/redis', headers: asReader });
    expect(status).toBe(200);
    expect(body).toEqual({
      cluster: false,
      servers: [
        {
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          usedMemory: expect.any(Number),
          maxmemory: 0,
          maxmemoryPolicy: 'noeviction',
          evictionOff: true,
          connectedClients: expect.any(Number),
          // the test Redis runs with save "" and appendonly no
          persistence: 'none',
        },
      ],
    });
    expect(body.servers[0].usedMemory).toBeGreaterThan(0);
    expect(body.servers[0].connectedClients).toBeGreaterThanOrEqual(1);
    expectError(await call(app, { url: '/api/redis' }), 401, 'UNAUTHORIZED');
    await close();
  });
});

import { describe, expect, it } from 'vitest';
import { buildApp } from '../../dist/api/app.js';
import { QUEUE_REGISTRY, REGISTRY_SWEPT } from '../../dist/redis/keys.js';
import { sweepUnregistered } from '../../dist/redis/registry.js';
import { openQueue, queueName, redisClient, waitFor } from '../helpers/index.js';

describe('discovery on a Redis Cluster', () => {
  it('lists a queue of another slot, partitioned over the masters, as read-only; /api/redis reports each master', async () => {
    const served = openQueue(queueName('cl-served'));
    // 3 partitions: its keys live on several masters, its registration on the registry's own slot
    const other = openQueue(queueName('cl-other'), { partitions: 3 });
    await other.addBulk(Array.from({ length: 9 }, (_, i) => ({ payload: i })));
    const app = buildApp({ uiDir: false, queues: [served] });
    const listed = await waitFor('the other queue to be listed', async () => {
      const res = await app.inject({ url: '/api/queues' });
      return res.json().queues.find((q: { name: string }) => q.name === other.name);
    });
    expect(listed).toMatchObject({ readOnly: true, counts: { waiting: 9, added: 9 } });
    const pause = await app.inject({ method: 'POST', url: `/api/queues/${other.name}/pause` });
    expect(pause.statusCode).toBe(409);
    expect(pause.json().error.code).toBe('QUEUE_READ_ONLY');

    const info = (await app.inject({ url: '/api/redis' })).json();
    expect(info.cluster).toBe(true);
    expect(info.servers).toHaveLength(3);
    for (const server of info.servers) expect(server).toMatchObject({ evictionOff: true });
    await app.close();
    await Promise.all([served.close(), other.close()]);
  });

  it('the one-off sweep scans every master', async () => {
    const redis = redisClient();
    // three legacy queues: by the slots of their tags, spread over the masters
    const legacy = Array.from({ length: 3 }, (_, i) => queueName(`cl-legacy-${i}`));
    for (const name of legacy) await redis.hset(`sluice:{${name}}:stats`, 'added', '1');
    await redis.del(REGISTRY_SWEPT);
    expect(await sweepUnregistered(redis)).toBeGreaterThanOrEqual(3);
    for (const name of legacy) expect(await redis.sismember(QUEUE_REGISTRY, name)).toBe(1);
    for (const name of legacy) await redis.del(`sluice:{${name}}:stats`);
    await redis.srem(QUEUE_REGISTRY, ...legacy);
    await redis.quit();
  });
});

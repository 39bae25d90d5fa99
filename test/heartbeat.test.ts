import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { KEY_NAMES } from '../dist/redis/keys.js';
import { capturingLogger, handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';

describe('engine heartbeat', () => {
  it('lists a running engine with its host, pid and threads, and drops it when it stops', async () => {
    const queue = openQueue(queueName('beat'));
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    const ids = await queue.redis.zrange(queue.keys.engines, 0, -1);
    expect(ids).toEqual([engine.id]);
    const info = JSON.parse((await queue.redis.hget(queue.keys['engine-info'], engine.id)) as string);
    const [seconds] = await queue.redis.time();
    expect(info).toMatchObject({
      id: engine.id,
      host: hostname(),
      pid: process.pid,
      threads: 2,
      inFlight: 0,
    });
    expect(Math.abs(info.seenAt - Number(seconds) * 1000)).toBeLessThan(3000);
    await engine.stop();
    expect(await queue.redis.zcard(queue.keys.engines)).toBe(0);
    expect(await queue.redis.hlen(queue.keys['engine-info'])).toBe(0);
    await queue.close();
  });

  it('records one throughput point per second with the lifetime counters', async () => {
    const queue = openQueue(queueName('history'));
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    await queue.addBulk(Array.from({ length: 500 }, (_, i) => ({ payload: i })));
    await waitFor('500 completed', async () => (await queue.counts()).completed === 500);
    await waitFor('a point with 500 completions', async () =>
      (await queue.redis.zrange(queue.keys.history, 0, -1)).some((p) => p.endsWith(':500:0')),
    );
    await engine.stop();
    const points = await queue.redis.zrange(queue.keys.history, 0, -1, 'WITHSCORES');
    const seconds: number[] = [];
    for (let i = 0; i < points.length; i += 2) {
      const [second, completed, failed] = (points[i] as string).split(':').map(Number);
      expect(second).toBe(Number(points[i + 1]));
      expect(completed).toBeGreaterThanOrEqual(0);
      expect(failed).toBe(0);
      seconds.push(second as number);
    }
    expect(new Set(seconds).size).toBe(seconds.length);
    await queue.close();
  });

  it('logs redis_state_lost and counts it when the epoch key disappears', async () => {
    const queue = openQueue(queueName('epoch'));
    const { logger, lines } = capturingLogger();
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop'), logger });
    const epoch = await queue.redis.get(queue.keys.epoch);
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.some((l) => l.event === 'redis_state_lost')).toBe(false);
    await queue.redis.del(...KEY_NAMES.map((name) => queue.keys[name]));
    const lost = await waitFor('redis_state_lost in the log', () =>
      lines.find((l) => l.event === 'redis_state_lost'),
    );
    expect(lost?.level).toBe(50);
    const metrics = await engine.metrics.registry.getSingleMetricAsString(
      'sluice_engine_redis_state_lost_total',
    );
    expect(metrics).toMatch(/sluice_engine_redis_state_lost_total\{[^}]*\} 1$/m);
    const fresh = await queue.redis.get(queue.keys.epoch);
    expect(fresh).not.toBe(epoch);
    await engine.stop();
    await queue.close();
  });
});

describe('pause', () => {
  it('a paused queue leases nothing; resuming starts it at once', async () => {
    const queue = openQueue(queueName('paused'));
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    await queue.pause();
    await queue.addBulk(Array.from({ length: 100 }, (_, i) => ({ payload: i })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await queue.counts()).toMatchObject({ waiting: 100, active: 0, completed: 0 });
    await queue.resume();
    await waitFor('100 completed', async () => (await queue.counts()).completed === 100, 2000);
    await engine.stop();
    await queue.close();
  });
});

import { describe, expect, it } from 'vitest';
import { acquire } from '../../dist/redis/acquire.js';
import { call, testApp } from './support.js';

describe('GET /api/queues/:queue/levels', () => {
  it('counts waiting jobs per priority level, and the rate limit with its current window', async () => {
    const t = testApp('levels');
    try {
      const url = `/api/queues/${t.queue.name}/levels`;
      const empty = await call(t.app, { url });
      expect(empty.body).toMatchObject({
        levels: [1, 2, 3, 4, 5].map((level) => ({ level, waiting: 0 })),
        rateLimit: null,
      });

      await t.queue.addBulk([
        { payload: 'a', opts: { priority: 1 } },
        { payload: 'b', opts: { priority: 1 } },
        { payload: 'c' },
        { payload: 'd', opts: { priority: 5 } },
        { payload: 'e', opts: { priority: 3, delay: 60_000 } },
      ]);
      await t.queue.setRateLimit({ max: 10, duration: 60_000 });
      // Two leasing calls of 2 and 1 jobs: 3 of the window's 10 used, freed 60 s after the first.
      const first = await acquire(t.queue.redis, t.queue.keys, 2, 60_000, 100);
      await acquire(t.queue.redis, t.queue.keys, 1, 60_000, 100);
      const { status, body } = await call(t.app, { url });
      expect(status).toBe(200);
      expect(body.levels).toEqual([
        { level: 1, waiting: 0 },
        { level: 2, waiting: 0 },
        { level: 3, waiting: 0 },
        { level: 4, waiting: 0 },
        { level: 5, waiting: 1 },
      ]);
      expect(body.rateLimit).toEqual({ max: 10, duration: 60_000, used: 3, freesAt: first.now + 60_000 });
      expect(body.now).toBeGreaterThanOrEqual(first.now);
    } finally {
      await t.close();
    }
  });
});

import type { FastifyInstance } from 'fastify';
import { rateWindow } from '../../job/rate-window.js';
import { queuePressure } from '../../redis/pressure.js';
import type { QueueLookup } from '../queue-lookup.js';
import { partsOf } from '../queue-parts.js';
import { route } from '../route.js';
import { object, type QueueRoute, queueParams } from '../schemas.js';

const num = { type: 'number' } as const;

const window = object({ max: num, duration: num, used: num, freesAt: num }, ['max', 'duration', 'used']);

/**
 * Waiting jobs by priority level (summed over partitions) and the rate limit with the use of its
 * current window: what holds jobs back, beside the counts.
 */
export function levelRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/levels',
    access: 'read',
    params: queueParams,
    reply: object(
      {
        levels: { type: 'array', items: object({ level: num, waiting: num }, ['level', 'waiting']) },
        rateLimit: { ...window, nullable: true },
        now: num,
      },
      ['levels', 'rateLimit', 'now'],
    ),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const parts = await Promise.all((await partsOf(queue)).map((keys) => queuePressure(queue.redis, keys)));
      const home = parts[0] as (typeof parts)[number];
      const levels = home.waiting.map((_, i) => ({
        level: i + 1,
        waiting: parts.reduce((sum, p) => sum + (p.waiting[i] as number), 0),
      }));
      // A partitioned queue has no rate limit (Queue.setRateLimit refuses one): the home keys say all.
      const rateLimit = home.limit === undefined ? null : rateWindow(home.limit, home.log, home.now);
      return { levels, rateLimit, now: home.now };
    },
  });
}

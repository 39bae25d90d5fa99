import type { FastifyInstance } from 'fastify';
import { MAX_RATE_LIMIT_DURATION, MAX_RATE_LIMIT_MAX, type RateLimit } from '../../job/rate-limit.js';
import type { QueueLookup } from '../queue-lookup.js';
import { object } from '../schemas.js';
import { settingRoutes } from './setting.js';

const schema = object(
  {
    max: { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT_MAX },
    duration: { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT_DURATION },
  },
  ['max', 'duration'],
);

/**
 * Read, set and clear a queue's rate limit (see Queue.setRateLimit): `{ rateLimit: { max, duration } }`,
 * or `{ rateLimit: null }` when the queue has none.
 */
export function rateLimitRoutes(app: FastifyInstance, queues: QueueLookup): void {
  settingRoutes<RateLimit>(app, queues, {
    path: 'rate-limit',
    field: 'rateLimit',
    schema,
    read: (queue) => queue.rateLimit(),
    write: async (queue, { max, duration }) => {
      const limit = { max, duration };
      await queue.setRateLimit(limit);
      return limit;
    },
    clear: (queue) => queue.clearRateLimit(),
  });
}

import type { FastifyInstance } from 'fastify';
import { MAX_RATE_LIMIT_DURATION, MAX_RATE_LIMIT_MAX, type RateLimit } from '../../job/rate-limit.js';
import type { QueueLookup } from '../queue-lookup.js';
import { noBody, noQuery, object, queueParams, replies } from '../schemas.js';

interface QueueRoute {
  Params: { queue: string };
}

const setting = object(
  {
    max: { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT_MAX },
    duration: { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT_DURATION },
  },
  ['max', 'duration'],
);

/** `{ rateLimit: { max, duration } }`, or `{ rateLimit: null }` when the queue has none. */
const reply = replies({ 200: object({ rateLimit: { ...setting, nullable: true } }, ['rateLimit']) });

/** Read, set and clear a queue's rate limit (see Queue.setRateLimit). */
export function rateLimitRoutes(app: FastifyInstance, queues: QueueLookup): void {
  const path = '/api/queues/:queue/rate-limit';

  app.get<QueueRoute>(
    path,
    { config: { access: 'read' }, schema: { params: queueParams, querystring: noQuery, response: reply } },
    async (request) => ({ rateLimit: (await queues.get(request.params.queue).rateLimit()) ?? null }),
  );

  app.put<QueueRoute & { Body: RateLimit }>(
    path,
    {
      config: { access: 'admin' },
      schema: { params: queueParams, querystring: noQuery, body: setting, response: reply },
    },
    async (request) => {
      const limit = { max: request.body.max, duration: request.body.duration };
      await queues.get(request.params.queue).setRateLimit(limit);
      return { rateLimit: limit };
    },
  );

  app.delete<QueueRoute>(
    path,
    {
      config: { access: 'admin' },
      schema: { params: queueParams, querystring: noQuery, body: noBody, response: reply },
    },
    async (request) => {
      await queues.get(request.params.queue).clearRateLimit();
      return { rateLimit: null };
    },
  );
}

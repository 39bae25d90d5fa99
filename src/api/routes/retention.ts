import type { FastifyInstance } from 'fastify';
import { MAX_RETAIN_AGE, MAX_RETAIN_COUNT, type Retention } from '../../job/retention.js';
import type { QueueLookup } from '../queue-lookup.js';
import { noBody, noQuery, object, queueParams, replies } from '../schemas.js';

interface QueueRoute {
  Params: { queue: string };
}

const limit = {
  ...object({
    count: { type: 'integer', minimum: 1, maximum: MAX_RETAIN_COUNT },
    age: { type: 'integer', minimum: 1, maximum: MAX_RETAIN_AGE },
  }),
  minProperties: 1,
};

const setting = { ...object({ completed: limit, dead: limit }), minProperties: 1 };

/** `{ retention: { completed?, dead? } }`, or `{ retention: null }` when the queue keeps counters only. */
const reply = replies({ 200: object({ retention: { ...setting, nullable: true } }, ['retention']) });

/** Read, set and clear a queue's retention setting (see Queue.setRetention). */
export function retentionRoutes(app: FastifyInstance, queues: QueueLookup): void {
  const path = '/api/queues/:queue/retention';

  app.get<QueueRoute>(
    path,
    { config: { access: 'read' }, schema: { params: queueParams, querystring: noQuery, response: reply } },
    async (request) => ({ retention: (await queues.get(request.params.queue).retention()) ?? null }),
  );

  app.put<QueueRoute & { Body: Retention }>(
    path,
    {
      config: { access: 'admin' },
      schema: { params: queueParams, querystring: noQuery, body: setting, response: reply },
    },
    async (request) => {
      const queue = queues.get(request.params.queue);
      await queue.setRetention(request.body);
      return { retention: (await queue.retention()) ?? null };
    },
  );

  app.delete<QueueRoute>(
    path,
    {
      config: { access: 'admin' },
      schema: { params: queueParams, querystring: noQuery, body: noBody, response: reply },
    },
    async (request) => {
      await queues.get(request.params.queue).clearRetention();
      return { retention: null };
    },
  );
}

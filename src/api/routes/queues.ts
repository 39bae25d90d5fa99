import type { FastifyInstance } from 'fastify';
import type { Queue } from '../../queue/queue.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import { countReply, engineSchema, object, type QueueRoute, queueParams, queueSummary } from '../schemas.js';

async function summary(queue: Queue, readOnly: boolean) {
  const [paused, counts] = await Promise.all([queue.isPaused(), queue.counts()]);
  return { name: queue.name, readOnly, paused, counts };
}

const force = object({ force: { type: 'boolean' } });

const ratePoint = object(
  { t: { type: 'number' }, completed: { type: 'number' }, failed: { type: 'number' } },
  ['t', 'completed', 'failed'],
);

/** Queue overviews (served and discovered queues), pause, resume, drain and obliterate, throughput history and live engines. */
export function queueRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route(app, {
    method: 'GET',
    url: '/api/queues',
    access: 'read',
    reply: object({ queues: { type: 'array', items: queueSummary } }, ['queues']),
    handler: async () => ({
      queues: await Promise.all((await queues.list()).map(({ queue, readOnly }) => summary(queue, readOnly))),
    }),
  });

  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue',
    access: 'read',
    params: queueParams,
    reply: queueSummary,
    handler: async (request) => {
      const name = request.params.queue;
      return summary(queues.get(name), queues.isReadOnly(name));
    },
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    route<QueueRoute>(app, {
      method: 'POST',
      url: `/api/queues/:queue/${action}`,
      access: 'admin',
      params: queueParams,
      reply: object({ paused: { type: 'boolean' } }, ['paused']),
      handler: async (request) => {
        const queue = queues.get(request.params.queue);
        await (paused ? queue.pause() : queue.resume());
        return { paused };
      },
    });
  }

  route<QueueRoute>(app, {
    method: 'POST',
    url: '/api/queues/:queue/drain',
    access: 'admin',
    params: queueParams,
    reply: countReply('removed'),
    handler: async (request) => ({ removed: await queues.get(request.params.queue).drain() }),
  });

  route<QueueRoute & { Querystring: { force?: boolean }; Body: { force?: boolean } | undefined }>(app, {
    method: 'DELETE',
    url: '/api/queues/:queue',
    access: 'admin',
    params: queueParams,
    query: force,
    body: force,
    reply: object({ obliterated: { type: 'boolean' } }, ['obliterated']),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const inQuery = request.query.force;
      const inBody = request.body?.force;
      if (inQuery !== undefined && inBody !== undefined) {
        throw new ApiError(400, ApiCode.INVALID_REQUEST, 'give force in the query or in the body, not both');
      }
      await queue.obliterate({ force: inQuery ?? inBody ?? false });
      return { obliterated: true };
    },
  });

  route<QueueRoute & { Querystring: { seconds: number } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/history',
    access: 'read',
    params: queueParams,
    query: object({ seconds: { type: 'integer', minimum: 1, maximum: 900, default: 900 } }),
    reply: object({ points: { type: 'array', items: ratePoint } }, ['points']),
    handler: async (request) => ({
      points: await queues.get(request.params.queue).history(request.query.seconds),
    }),
  });

  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/engines',
    access: 'read',
    params: queueParams,
    reply: object({ engines: { type: 'array', items: engineSchema } }, ['engines']),
    handler: async (request) => ({ engines: await queues.get(request.params.queue).engines() }),
  });
}

import type { FastifyInstance } from 'fastify';
import type { Queue } from '../../queue/queue.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { engineSchema, noBody, noQuery, object, queueParams, queueSummary, replies } from '../schemas.js';

interface QueueRoute {
  Params: { queue: string };
}

async function summary(queue: Queue, readOnly: boolean) {
  const [paused, counts] = await Promise.all([queue.isPaused(), queue.counts()]);
  return { name: queue.name, readOnly, paused, counts };
}

const force = object({ force: { type: 'boolean' } });

/** Queue overviews (served and discovered queues), pause, resume, drain and obliterate, throughput history and live engines. */
export function queueRoutes(app: FastifyInstance, queues: QueueLookup): void {
  app.get(
    '/api/queues',
    {
      config: { access: 'read' },
      schema: {
        querystring: noQuery,
        response: replies({ 200: object({ queues: { type: 'array', items: queueSummary } }, ['queues']) }),
      },
    },
    async () => ({
      queues: await Promise.all((await queues.list()).map(({ queue, readOnly }) => summary(queue, readOnly))),
    }),
  );

  app.get<QueueRoute>(
    '/api/queues/:queue',
    {
      config: { access: 'read' },
      schema: { params: queueParams, querystring: noQuery, response: replies({ 200: queueSummary }) },
    },
    async (request) => {
      const name = request.params.queue;
      return summary(queues.get(name), queues.isReadOnly(name));
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post<QueueRoute>(
      `/api/queues/:queue/${action}`,
      {
        config: { access: 'admin' },
        schema: {
          params: queueParams,
          querystring: noQuery,
          body: noBody,
          response: replies({ 200: object({ paused: { type: 'boolean' } }, ['paused']) }),
        },
      },
      async (request) => {
        const queue = queues.get(request.params.queue);
        await (paused ? queue.pause() : queue.resume());
        return { paused };
      },
    );
  }

  app.post<QueueRoute>(
    '/api/queues/:queue/drain',
    {
      config: { access: 'admin' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        body: noBody,
        response: replies({ 200: object({ removed: { type: 'number' } }, ['removed']) }),
      },
    },
    async (request) => ({ removed: await queues.get(request.params.queue).drain() }),
  );

  app.delete<QueueRoute & { Querystring: { force?: boolean }; Body: { force?: boolean } | undefined }>(
    '/api/queues/:queue',
    {
      config: { access: 'admin' },
      schema: {
        params: queueParams,
        querystring: force,
        body: force,
        response: replies({ 200: object({ obliterated: { type: 'boolean' } }, ['obliterated']) }),
      },
    },
    async (request) => {
      const queue = queues.get(request.params.queue);
      const inQuery = request.query.force;
      const inBody = request.body?.force;
      if (inQuery !== undefined && inBody !== undefined) {
        throw new ApiError(400, ApiCode.INVALID_REQUEST, 'give force in the query or in the body, not both');
      }
      await queue.obliterate({ force: inQuery ?? inBody ?? false });
      return { obliterated: true };
    },
  );

  app.get<QueueRoute & { Querystring: { seconds: number } }>(
    '/api/queues/:queue/history',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: object({ seconds: { type: 'integer', minimum: 1, maximum: 900, default: 900 } }),
        response: replies({
          200: object(
            {
              points: {
                type: 'array',
                items: object(
                  { t: { type: 'number' }, completed: { type: 'number' }, failed: { type: 'number' } },
                  ['t', 'completed', 'failed'],
                ),
              },
            },
            ['points'],
          ),
        }),
      },
    },
    async (request) => ({ points: await queues.get(request.params.queue).history(request.query.seconds) }),
  );

  app.get<QueueRoute>(
    '/api/queues/:queue/engines',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        response: replies({ 200: object({ engines: { type: 'array', items: engineSchema } }, ['engines']) }),
      },
    },
    async (request) => ({ engines: await queues.get(request.params.queue).engines() }),
  );
}

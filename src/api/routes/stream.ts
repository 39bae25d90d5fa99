import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES } from '../../job/events.js';
import type { QueueLookup } from '../queue-lookup.js';
import { noQuery, object, queueParams, replies } from '../schemas.js';
import { clampLimit } from './jobs.js';

const STREAM_ID = '^(0|[0-9]{1,15}-[0-9]{1,15})$';

const event = object(
  {
    id: { type: 'string' },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    jobIds: { type: 'array', items: { type: 'string' } },
    at: { type: 'number' },
  },
  ['id', 'type', 'jobIds', 'at'],
);

const enabled = object({ enabled: { type: 'boolean' } }, ['enabled']);

/** Pages of a queue's event stream, for a script or a monitor that polls (see QueueEvents), and its switch. */
export function streamRoutes(app: FastifyInstance, queues: QueueLookup): void {
  app.put<{ Params: { queue: string }; Body: { enabled: boolean } }>(
    '/api/queues/:queue/events',
    {
      config: { access: 'admin' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        body: enabled,
        response: replies({ 200: enabled }),
      },
    },
    async (request) => {
      await queues.get(request.params.queue).setEvents(request.body.enabled);
      return { enabled: request.body.enabled };
    },
  );

  app.get<{ Params: { queue: string }; Querystring: { from: string; limit: number } }>(
    '/api/queues/:queue/events',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: object({
          from: { type: 'string', pattern: STREAM_ID, default: '0' },
          limit: { type: 'integer', default: 100 },
        }),
        response: replies({
          200: object(
            { events: { type: 'array', items: event }, next: { type: 'string' }, gap: { type: 'boolean' } },
            ['events', 'next', 'gap'],
          ),
        }),
      },
    },
    async (request) => {
      const { from, limit } = request.query;
      return queues.get(request.params.queue).events(from, clampLimit(limit));
    },
  );
}

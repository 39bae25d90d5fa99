import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES } from '../../job/events.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import { object, type QueueRoute, queueParams } from '../schemas.js';
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
  route<QueueRoute & { Body: { enabled: boolean } }>(app, {
    method: 'PUT',
    url: '/api/queues/:queue/events',
    access: 'admin',
    params: queueParams,
    body: enabled,
    reply: enabled,
    handler: async (request) => {
      await queues.get(request.params.queue).setEvents(request.body.enabled);
      return { enabled: request.body.enabled };
    },
  });

  route<QueueRoute & { Querystring: { from: string; limit: number } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/events',
    access: 'read',
    params: queueParams,
    query: object({
      from: { type: 'string', pattern: STREAM_ID, default: '0' },
      limit: { type: 'integer', default: 100 },
    }),
    reply: object(
      { events: { type: 'array', items: event }, next: { type: 'string' }, gap: { type: 'boolean' } },
      ['events', 'next', 'gap'],
    ),
    handler: async (request) => {
      const { from, limit } = request.query;
      return queues.get(request.params.queue).events(from, clampLimit(limit));
    },
  });
}

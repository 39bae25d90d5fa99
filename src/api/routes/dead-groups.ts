import type { FastifyInstance } from 'fastify';
import type { QueueLookup } from '../queue-lookup.js';
import {
  deadLetterSchema,
  noBody,
  noQuery,
  object,
  pageQuery,
  QUEUE_NAME,
  queueParams,
  replies,
} from '../schemas.js';
import { clampLimit } from './jobs.js';

const GROUP_ID = '^[0-9a-f]{12}$';

const groupParams = object(
  { queue: { type: 'string', pattern: QUEUE_NAME }, group: { type: 'string', pattern: GROUP_ID } },
  ['queue', 'group'],
);

const num = { type: 'number' } as const;

const groupSchema = object(
  { id: { type: 'string' }, label: { type: 'string' }, count: num, lastDeadAt: num },
  ['id', 'label', 'count', 'lastDeadAt'],
);

const count = (name: string) => replies({ 200: object({ [name]: num }, [name]) });

type GroupParams = { Params: { queue: string; group: string } };

/**
 * Dead letters grouped by error fingerprint: list the groups, page through one, redrive or delete
 * one whole group. An unknown group is an empty one (0 moved, 0 deleted).
 */
export function deadGroupRoutes(app: FastifyInstance, queues: QueueLookup): void {
  app.get<{ Params: { queue: string } }>(
    '/api/queues/:queue/dead/groups',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        response: replies({ 200: object({ groups: { type: 'array', items: groupSchema } }, ['groups']) }),
      },
    },
    async (request) => ({ groups: await queues.get(request.params.queue).deadGroups() }),
  );

  app.get<GroupParams & { Querystring: { offset: number; limit: number } }>(
    '/api/queues/:queue/dead/groups/:group',
    {
      config: { access: 'read' },
      schema: {
        params: groupParams,
        querystring: object(pageQuery),
        response: replies({
          200: object({ total: num, items: { type: 'array', items: deadLetterSchema } }, ['total', 'items']),
        }),
      },
    },
    async (request) => {
      const { queue, group } = request.params;
      const { offset, limit } = request.query;
      return queues.get(queue).listDeadGroup(group, { offset, limit: clampLimit(limit) });
    },
  );

  app.post<GroupParams>(
    '/api/queues/:queue/dead/groups/:group/retry',
    {
      config: { access: 'admin' },
      schema: { params: groupParams, querystring: noQuery, body: noBody, response: count('retried') },
    },
    async (request) => {
      const { queue, group } = request.params;
      return { retried: await queues.get(queue).retryDeadGroup(group) };
    },
  );

  app.delete<GroupParams>(
    '/api/queues/:queue/dead/groups/:group',
    {
      config: { access: 'admin' },
      schema: { params: groupParams, querystring: noQuery, body: noBody, response: count('deleted') },
    },
    async (request) => {
      const { queue, group } = request.params;
      return { deleted: await queues.get(queue).deleteDeadGroup(group) };
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../../job/names.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import {
  countReply,
  deadLetterSchema,
  object,
  pageQuery,
  pageReply,
  type QueueRoute,
  queueParams,
} from '../schemas.js';
import { clampLimit } from './jobs.js';

const GROUP_ID = '^[0-9a-f]{12}$';

const groupParams = object(
  { queue: { type: 'string', pattern: NAME_PATTERN }, group: { type: 'string', pattern: GROUP_ID } },
  ['queue', 'group'],
);

const num = { type: 'number' } as const;

const groupSchema = object(
  { id: { type: 'string' }, label: { type: 'string' }, count: num, lastDeadAt: num },
  ['id', 'label', 'count', 'lastDeadAt'],
);

interface GroupRoute {
  Params: { queue: string; group: string };
}

/**
 * Dead letters grouped by error fingerprint: list the groups, page through one, redrive or delete
 * one whole group. An unknown group is an empty one (0 moved, 0 deleted).
 */
export function deadGroupRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/dead/groups',
    access: 'read',
    params: queueParams,
    reply: object({ groups: { type: 'array', items: groupSchema } }, ['groups']),
    handler: async (request) => ({ groups: await queues.get(request.params.queue).deadGroups() }),
  });

  route<GroupRoute & { Querystring: { offset: number; limit: number } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/dead/groups/:group',
    access: 'read',
    params: groupParams,
    query: object(pageQuery),
    reply: pageReply(deadLetterSchema),
    handler: async (request) => {
      const { queue, group } = request.params;
      const { offset, limit } = request.query;
      return queues.get(queue).listDeadGroup(group, { offset, limit: clampLimit(limit) });
    },
  });

  route<GroupRoute>(app, {
    method: 'POST',
    url: '/api/queues/:queue/dead/groups/:group/retry',
    access: 'admin',
    params: groupParams,
    reply: countReply('retried'),
    handler: async (request) => {
      const { queue, group } = request.params;
      return { retried: await queues.get(queue).retryDeadGroup(group) };
    },
  });

  route<GroupRoute>(app, {
    method: 'DELETE',
    url: '/api/queues/:queue/dead/groups/:group',
    access: 'admin',
    params: groupParams,
    reply: countReply('deleted'),
    handler: async (request) => {
      const { queue, group } = request.params;
      return { deleted: await queues.get(queue).deleteDeadGroup(group) };
    },
  });
}

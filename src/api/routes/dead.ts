import type { FastifyInstance } from 'fastify';
import type { DeadFilter } from '../../job/dead-letter.js';
import { JOB_ID_PATTERN } from '../../job/names.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import {
  countReply,
  deadLetterSchema,
  type JobRoute,
  jobParams,
  object,
  pageQuery,
  pageReply,
  type QueueRoute,
  queueParams,
} from '../schemas.js';
import { clampLimit } from './jobs.js';

/** Most ids one retry request may name. */
const MAX_IDS = 1000;

const time = { type: 'integer', minimum: 0, maximum: 8.64e15 } as const;
const filterProperties = { q: { type: 'string', maxLength: 200 }, from: time, to: time } as const;

function notDead(id: string): ApiError {
  return new ApiError(404, ApiCode.JOB_NOT_FOUND, `job ${id} is not in the dead-letter queue`);
}

/** The dead-letter queue: list and search, retry (one, some, all matching), edit and retry, delete, purge. */
export function deadRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute & { Querystring: DeadFilter & { offset: number; limit: number } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/dead',
    access: 'read',
    params: queueParams,
    query: object({ ...pageQuery, ...filterProperties }),
    reply: pageReply(deadLetterSchema),
    handler: async (request) => {
      const { limit, ...query } = request.query;
      return queues.get(request.params.queue).listDead({ ...query, limit: clampLimit(limit) });
    },
  });

  route<QueueRoute & { Body: { ids?: string[]; all?: true; filter?: DeadFilter } }>(app, {
    method: 'POST',
    url: '/api/queues/:queue/dead/retry',
    access: 'admin',
    params: queueParams,
    body: object({
      ids: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_IDS,
        items: { type: 'string', pattern: JOB_ID_PATTERN },
      },
      all: { const: true },
      filter: object(filterProperties),
    }),
    reply: countReply('retried'),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const { ids, all, filter } = request.body;
      if (ids !== undefined && all === undefined && filter === undefined) {
        return { retried: await queue.retryDead(ids) };
      }
      if (all === true && ids === undefined) {
        return { retried: await queue.retryDeadMatching(filter ?? {}) };
      }
      throw new ApiError(400, ApiCode.INVALID_REQUEST, 'send either { ids } or { all: true, filter? }');
    },
  });

  route<JobRoute & { Body: { payload?: unknown } }>(app, {
    method: 'POST',
    url: '/api/queues/:queue/dead/:id/retry',
    access: 'admin',
    params: jobParams,
    body: object({ payload: {} }),
    reply: countReply('retried'),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const { id } = request.params;
      if (!Object.hasOwn(request.body, 'payload')) {
        if ((await queue.retryDead(id)) === 0) throw notDead(id);
        return { retried: 1 };
      }
      if (await queue.editDeadAndRetry(id, request.body.payload)) return { retried: 1 };
      // The job was dead when the operator opened it, or it never existed: say which.
      if (await queue.getJob(id)) {
        throw new ApiError(409, ApiCode.CONFLICT, `job ${id} is no longer dead; the edit was not applied`);
      }
      throw notDead(id);
    },
  });

  route<JobRoute>(app, {
    method: 'DELETE',
    url: '/api/queues/:queue/dead/:id',
    access: 'admin',
    params: jobParams,
    reply: countReply('deleted'),
    handler: async (request) => {
      const { queue, id } = request.params;
      if ((await queues.get(queue).deleteDead(id)) === 0) throw notDead(id);
      return { deleted: 1 };
    },
  });

  route<QueueRoute & { Body: { confirm?: string } }>(app, {
    method: 'POST',
    url: '/api/queues/:queue/dead/purge',
    access: 'admin',
    params: queueParams,
    body: object({ confirm: { type: 'string', maxLength: 100 } }),
    reply: countReply('deleted'),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      if (request.body.confirm !== queue.name) {
        throw new ApiError(
          400,
          ApiCode.CONFIRMATION_REQUIRED,
          `send { "confirm": "${queue.name}" } to delete every dead letter of this queue`,
        );
      }
      return { deleted: await queue.purgeDead() };
    },
  });
}

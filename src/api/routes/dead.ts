import type { FastifyInstance } from 'fastify';
import type { DeadFilter } from '../../job/dead-letter.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import {
  deadLetterSchema,
  JOB_ID,
  jobParams,
  noBody,
  noQuery,
  object,
  pageQuery,
  queueParams,
  replies,
} from '../schemas.js';
import { clampLimit } from './jobs.js';

/** Most ids one retry request may name. */
const MAX_IDS = 1000;

const time = { type: 'integer', minimum: 0, maximum: 8.64e15 } as const;
const filterProperties = { q: { type: 'string', maxLength: 200 }, from: time, to: time } as const;

const count = (name: string) => replies({ 200: object({ [name]: { type: 'number' } }, [name]) });

type JobParams = { Params: { queue: string; id: string } };

function notDead(id: string): ApiError {
  return new ApiError(404, ApiCode.JOB_NOT_FOUND, `job ${id} is not in the dead-letter queue`);
}

/** The dead-letter queue: list and search, retry (one, some, all matching), edit and retry, delete, purge. */
export function deadRoutes(app: FastifyInstance, queues: QueueLookup): void {
  app.get<{ Params: { queue: string }; Querystring: DeadFilter & { offset: number; limit: number } }>(
    '/api/queues/:queue/dead',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: object({ ...pageQuery, ...filterProperties }),
        response: replies({
          200: object({ total: { type: 'number' }, items: { type: 'array', items: deadLetterSchema } }, [
            'total',
            'items',
          ]),
        }),
      },
    },
    async (request) => {
      const { limit, ...query } = request.query;
      return queues.get(request.params.queue).listDead({ ...query, limit: clampLimit(limit) });
    },
  );

  app.post<{ Params: { queue: string }; Body: { ids?: string[]; all?: true; filter?: DeadFilter } }>(
    '/api/queues/:queue/dead/retry',
    {
      config: { access: 'admin' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        body: object({
          ids: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_IDS,
            items: { type: 'string', pattern: JOB_ID },
          },
          all: { const: true },
          filter: object(filterProperties),
        }),
        response: count('retried'),
      },
    },
    async (request) => {
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
  );

  app.post<JobParams & { Body: { payload?: unknown } }>(
    '/api/queues/:queue/dead/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        params: jobParams,
        querystring: noQuery,
        body: object({ payload: {} }),
        response: count('retried'),
      },
    },
    async (request) => {
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
  );

  app.delete<JobParams>(
    '/api/queues/:queue/dead/:id',
    {
      config: { access: 'admin' },
      schema: { params: jobParams, querystring: noQuery, body: noBody, response: count('deleted') },
    },
    async (request) => {
      const { queue, id } = request.params;
      if ((await queues.get(queue).deleteDead(id)) === 0) throw notDead(id);
      return { deleted: 1 };
    },
  );

  app.post<{ Params: { queue: string }; Body: { confirm?: string } }>(
    '/api/queues/:queue/dead/purge',
    {
      config: { access: 'admin' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        body: object({ confirm: { type: 'string', maxLength: 100 } }),
        response: count('deleted'),
      },
    },
    async (request) => {
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
  );
}

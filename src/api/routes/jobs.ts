import type { FastifyInstance } from 'fastify';
import type { JobState } from '../../job/info.js';
import type { JobOptions } from '../../job/job-options.js';
import { JOB_ID_PATTERN } from '../../job/names.js';
import type { BulkJob } from '../../queue/adding.js';
import type { Queue } from '../../queue/queue.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import {
  type JobRoute,
  jobParams,
  jobSchema,
  MAX_LIMIT,
  object,
  pageQuery,
  pageReply,
  type QueueRoute,
  queueParams,
} from '../schemas.js';

/** Most jobs one enqueue request may add (one script call). */
const MAX_COUNT = 1000;

/** Job options as add takes them (the schedule routes refuse jobId and delay in the library). */
export const optsSchema = object({
  attempts: { type: 'integer', minimum: 1, maximum: 1000 },
  delay: { type: 'integer', minimum: 0 },
  runAt: { type: 'integer', minimum: 0 },
  timeout: { type: 'integer', minimum: 0 },
  keepResult: { type: 'integer', minimum: 0 },
  uniqueFor: { type: 'integer', minimum: 0 },
  priority: { type: 'integer', minimum: 1, maximum: 5 },
  jobId: { type: 'string', pattern: JOB_ID_PATTERN },
  backoff: object(
    {
      type: { type: 'string', enum: ['fixed', 'exponential'] },
      delay: { type: 'integer', minimum: 0 },
      jitter: { type: 'number', minimum: 0, maximum: 1 },
    },
    ['type', 'delay'],
  ),
});

/** The paging rule of every route with `limit`: clamped to 1..MAX_LIMIT, never refused for its size. */
export function clampLimit(limit: number): number {
  return Math.min(MAX_LIMIT, Math.max(1, limit));
}

/** Why a job is not found: completed records are gone, unless retention keeps them for a while. */
async function missingJob(queue: Queue, id: string): Promise<string> {
  const kept = (await queue.retention())?.completed;
  return kept === undefined
    ? `no job ${id} (completed jobs are not kept)`
    : `no job ${id} (never added, or finished and trimmed by retention)`;
}

/** Jobs by id and by state, and adding jobs (for testing a deployment). */
export function jobRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute & { Querystring: { state: JobState; offset: number; limit: number } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/jobs',
    access: 'read',
    params: queueParams,
    query: object(
      {
        state: { type: 'string', enum: ['waiting', 'active', 'delayed', 'dead', 'completed'] },
        ...pageQuery,
      },
      ['state'],
    ),
    reply: pageReply(jobSchema),
    handler: async (request) => {
      const { state, offset, limit } = request.query;
      return queues.get(request.params.queue).listJobs(state, { offset, limit: clampLimit(limit) });
    },
  });

  route<JobRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/jobs/:id',
    access: 'read',
    params: jobParams,
    reply: jobSchema,
    handler: async (request) => {
      const { queue, id } = request.params;
      const q = queues.get(queue);
      const job = await q.getJob(id);
      if (!job) throw new ApiError(404, ApiCode.JOB_NOT_FOUND, await missingJob(q, id));
      return job;
    },
  });

  route<JobRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/jobs/:id/result',
    access: 'read',
    params: jobParams,
    reply: {
      anyOf: [object({ value: {} }, ['value']), object({ notKept: { type: 'string' } }, ['notKept'])],
    },
    handler: async (request) => {
      const { queue, id } = request.params;
      const result = await queues.get(queue).getResult(id);
      if (!result) {
        throw new ApiError(
          404,
          ApiCode.JOB_NOT_FOUND,
          `no result kept for job ${id} (see the keepResult option)`,
        );
      }
      return result;
    },
  });

  route<JobRoute>(app, {
    method: 'POST',
    url: '/api/queues/:queue/jobs/:id/cancel',
    access: 'admin',
    params: jobParams,
    reply: object({ status: { type: 'string', enum: ['removed', 'stopped'] } }, ['status']),
    handler: async (request) => {
      const { queue, id } = request.params;
      const q = queues.get(queue);
      const status = await q.cancel(id);
      if (status === 'missing') throw new ApiError(404, ApiCode.JOB_NOT_FOUND, await missingJob(q, id));
      if (status === 'dead') {
        throw new ApiError(409, ApiCode.CONFLICT, `job ${id} is a dead letter: delete or retry it instead`);
      }
      return { status };
    },
  });

  route<QueueRoute & { Body: { payload: unknown; opts?: JobOptions; count?: number } }>(app, {
    method: 'POST',
    url: '/api/queues/:queue/jobs',
    access: 'admin',
    params: queueParams,
    body: object(
      { payload: {}, opts: optsSchema, count: { type: 'integer', minimum: 1, maximum: MAX_COUNT } },
      ['payload'],
    ),
    status: 201,
    reply: object({ ids: { type: 'array', items: { type: 'string' } } }, ['ids']),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const { payload, opts, count = 1 } = request.body;
      if (opts?.jobId !== undefined && count > 1) {
        // Every copy would get the same id, and all but the first would be the existing job.
        throw new ApiError(400, ApiCode.INVALID_REQUEST, 'body/count must be 1 with a fixed opts.jobId');
      }
      const job: BulkJob = opts === undefined ? { payload } : { payload, opts };
      return { ids: await queue.addBulk(Array.from({ length: count }, () => job)) };
    },
  });
}

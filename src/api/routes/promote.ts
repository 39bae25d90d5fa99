import type { FastifyInstance } from 'fastify';
import { promote } from '../../redis/promote.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { partOfJob } from '../queue-parts.js';
import { route } from '../route.js';
import { type JobRoute, jobParams, object } from '../schemas.js';

/** "Run now": a delayed job (a due time or a retry's backoff) moves to the head of its waiting list. */
export function promoteRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<JobRoute>(app, {
    method: 'POST',
    url: '/api/queues/:queue/jobs/:id/promote',
    access: 'admin',
    params: jobParams,
    reply: object({ status: { type: 'string', enum: ['moved'] } }, ['status']),
    handler: async (request) => {
      const { queue: name, id } = request.params;
      const queue = queues.get(name);
      const [status] = await promote(queue.redis, await partOfJob(queue, id), [id]);
      if (status === 'missing') {
        throw new ApiError(404, ApiCode.JOB_NOT_FOUND, `no job ${id} (completed jobs are not kept)`);
      }
      if (status === 'not-delayed') {
        throw new ApiError(409, ApiCode.CONFLICT, `job ${id} is not delayed: only a delayed job can run now`);
      }
      return { status };
    },
  });
}

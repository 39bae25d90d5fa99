import type { FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../../job/names.js';
import type { ScheduleJob, ScheduleSpec } from '../../job/schedules.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import { countReply, object, type QueueRoute, queueParams } from '../schemas.js';
import { optsSchema } from './jobs.js';

const scheduleParams = object(
  { queue: { type: 'string', pattern: NAME_PATTERN }, name: { type: 'string', pattern: NAME_PATTERN } },
  ['queue', 'name'],
);

/** Either form; the library checks the cron expression, time zone and range, naming the field. */
const specSchema = {
  oneOf: [
    object({ cron: { type: 'string', maxLength: 200 }, tz: { type: 'string', maxLength: 100 } }, ['cron']),
    object({ every: { type: 'integer' } }, ['every']),
  ],
} as const;

const scheduleSchema = object(
  {
    name: { type: 'string' },
    spec: object({ cron: { type: 'string' }, tz: { type: 'string' }, every: { type: 'number' } }),
    next: { type: 'number' },
    lastFired: { type: 'number' },
  },
  ['name', 'spec', 'next'],
);

interface ScheduleRoute {
  Params: { queue: string; name: string };
}

/** Cron and interval schedules: list, create or replace, delete. */
export function scheduleRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/schedules',
    access: 'read',
    params: queueParams,
    reply: object({ items: { type: 'array', items: scheduleSchema } }, ['items']),
    handler: async (request) => ({ items: await queues.get(request.params.queue).listSchedules() }),
  });

  route<ScheduleRoute & { Body: { spec: ScheduleSpec; job?: ScheduleJob } }>(app, {
    method: 'PUT',
    url: '/api/queues/:queue/schedules/:name',
    access: 'admin',
    params: scheduleParams,
    body: object({ spec: specSchema, job: object({ payload: {}, opts: optsSchema }, ['payload']) }, ['spec']),
    reply: scheduleSchema,
    handler: async (request) => {
      const { queue, name } = request.params;
      const { spec, job } = request.body;
      return queues.get(queue).upsertSchedule(name, spec, job);
    },
  });

  route<ScheduleRoute>(app, {
    method: 'DELETE',
    url: '/api/queues/:queue/schedules/:name',
    access: 'admin',
    params: scheduleParams,
    reply: countReply('deleted'),
    handler: async (request) => {
      const { queue, name } = request.params;
      if (!(await queues.get(queue).removeSchedule(name))) {
        throw new ApiError(404, ApiCode.SCHEDULE_NOT_FOUND, `no schedule ${name} on queue ${queue}`);
      }
      return { deleted: 1 };
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../../job/names.js';
import type { ScheduleJob, ScheduleSpec } from '../../job/schedules.js';
import { ApiCode, ApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { noBody, noQuery, object, QUEUE_NAME, queueParams, replies } from '../schemas.js';
import { optsSchema } from './jobs.js';

const scheduleParams = object(
  { queue: { type: 'string', pattern: QUEUE_NAME }, name: { type: 'string', pattern: NAME_PATTERN } },
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

interface ScheduleParams {
  Params: { queue: string; name: string };
}

/** Cron and interval schedules: list, create or replace, delete. */
export function scheduleRoutes(app: FastifyInstance, queues: QueueLookup): void {
  app.get<{ Params: { queue: string } }>(
    '/api/queues/:queue/schedules',
    {
      config: { access: 'read' },
      schema: {
        params: queueParams,
        querystring: noQuery,
        response: replies({ 200: object({ items: { type: 'array', items: scheduleSchema } }, ['items']) }),
      },
    },
    async (request) => ({ items: await queues.get(request.params.queue).listSchedules() }),
  );

  app.put<ScheduleParams & { Body: { spec: ScheduleSpec; job?: ScheduleJob } }>(
    '/api/queues/:queue/schedules/:name',
    {
      config: { access: 'admin' },
      schema: {
        params: scheduleParams,
        querystring: noQuery,
        body: object({ spec: specSchema, job: object({ payload: {}, opts: optsSchema }, ['payload']) }, [
          'spec',
        ]),
        response: replies({ 200: scheduleSchema }),
      },
    },
    async (request) => {
      const { queue, name } = request.params;
      const { spec, job } = request.body;
      return queues.get(queue).upsertSchedule(name, spec, job);
    },
  );

  app.delete<ScheduleParams>(
    '/api/queues/:queue/schedules/:name',
    {
      config: { access: 'admin' },
      schema: {
        params: scheduleParams,
        querystring: noQuery,
        body: noBody,
        response: replies({ 200: object({ deleted: { type: 'number' } }, ['deleted']) }),
      },
    },
    async (request) => {
      const { queue, name } = request.params;
      if (!(await queues.get(queue).removeSchedule(name))) {
        throw new ApiError(404, ApiCode.SCHEDULE_NOT_FOUND, `no schedule ${name} on queue ${queue}`);
      }
      return { deleted: 1 };
    },
  );
}

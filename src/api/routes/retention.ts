import type { FastifyInstance } from 'fastify';
import { MAX_RETAIN_AGE, MAX_RETAIN_COUNT, type Retention } from '../../job/retention.js';
import type { QueueLookup } from '../queue-lookup.js';
import { object } from '../schemas.js';
import { settingRoutes } from './setting.js';

const limit = {
  ...object({
    count: { type: 'integer', minimum: 1, maximum: MAX_RETAIN_COUNT },
    age: { type: 'integer', minimum: 1, maximum: MAX_RETAIN_AGE },
  }),
  minProperties: 1,
};

const schema = { ...object({ completed: limit, dead: limit }), minProperties: 1 };

/**
 * Read, set and clear a queue's retention setting (see Queue.setRetention): `{ retention: { completed?, dead? } }`,
 * or `{ retention: null }` when the queue keeps counters only.
 */
export function retentionRoutes(app: FastifyInstance, queues: QueueLookup): void {
  settingRoutes<Retention>(app, queues, {
    path: 'retention',
    field: 'retention',
    schema,
    read: (queue) => queue.retention(),
    write: async (queue, value) => {
      await queue.setRetention(value);
      return queue.retention();
    },
    clear: (queue) => queue.clearRetention(),
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queue } from '../../queue/queue.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import { object, type QueueRoute, queueParams } from '../schemas.js';

/** The PUT body as Fastify types it: T itself once T is known. */
type Body<T> = FastifyRequest<QueueRoute & { Body: T }>['body'];

/** A queue setting as the API serves it: its value's schema, and how the library reads, sets and clears it. */
export interface Setting<T> {
  /** The path after /api/queues/:queue/. */
  path: string;
  /** The replies' one field. */
  field: string;
  schema: object;
  read(queue: Queue): Promise<T | undefined>;
  /** Applies the value; resolves to what the reply shows. */
  write(queue: Queue, value: Body<T>): Promise<T | undefined>;
  clear(queue: Queue): Promise<void>;
}

/** Read (any token), set and clear (admin) one setting; each replies `{ [field]: value }`, null when unset. */
export function settingRoutes<T>(app: FastifyInstance, queues: QueueLookup, setting: Setting<T>): void {
  const { field, schema } = setting;
  const url = `/api/queues/:queue/${setting.path}`;
  const reply = object({ [field]: { ...schema, nullable: true } }, [field]);
  const replyOf = (value: T | undefined) => ({ [field]: value ?? null });

  route<QueueRoute>(app, {
    method: 'GET',
    url,
    access: 'read',
    params: queueParams,
    reply,
    handler: async (request) => replyOf(await setting.read(queues.get(request.params.queue))),
  });

  route<QueueRoute & { Body: T }>(app, {
    method: 'PUT',
    url,
    access: 'admin',
    params: queueParams,
    body: schema,
    reply,
    handler: async (request) => replyOf(await setting.write(queues.get(request.params.queue), request.body)),
  });

  route<QueueRoute>(app, {
    method: 'DELETE',
    url,
    access: 'admin',
    params: queueParams,
    reply,
    handler: async (request) => {
      await setting.clear(queues.get(request.params.queue));
      return replyOf(undefined);
    },
  });
}

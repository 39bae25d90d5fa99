import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../../job/names.js';
import type { Queue } from '../../queue/queue.js';
import { SECOND } from '../../units.js';
import { ApiCode, toApiError } from '../errors.js';
import type { QueueLookup } from '../queue-lookup.js';
import { object, replies } from '../schemas.js';
import { SECURITY_HEADERS } from '../security.js';

export const STATS_INTERVAL_MS = SECOND;

/**
 * One Server-Sent Events stream: an `event: stats` now and then once a second, each read after
 * the previous one was written (a slow Redis never stacks reads up). Its timer is unref'd and
 * cleared when the client goes away or the app closes.
 */
function stream(res: ServerResponse, queue: Queue, log: FastifyBaseLogger, onEnd: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let open = true;
  const tick = async (): Promise<void> => {
    const started = performance.now();
    try {
      const stats = await queue.snapshot();
      if (open) res.write(`event: stats\ndata: ${JSON.stringify({ queue: queue.name, ...stats })}\n\n`);
    } catch (error) {
      // The stream stays open: the next tick tries again once Redis answers. An outage is
      // logged once by the connection's watch, not once a second per stream.
      if (toApiError(error)?.code !== ApiCode.REDIS_UNAVAILABLE) {
        log.warn({ err: error, queue: queue.name }, 'stats for the event stream failed');
      }
    }
    if (open) {
      timer = setTimeout(tick, Math.max(0, STATS_INTERVAL_MS - (performance.now() - started)));
      timer.unref();
    }
  };
  const stop = (): void => {
    if (!open) return;
    open = false;
    clearTimeout(timer);
    onEnd();
  };
  res.on('close', stop);
  res.on('error', stop);
  void tick();
  return () => {
    stop();
    res.end();
  };
}

/** GET /api/events?queue= streams stats; every open stream ends when the app closes. */
export function eventRoutes(app: FastifyInstance, queues: QueueLookup): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: { queue: string } }>(
    '/api/events',
    {
      config: { access: 'read' },
      exposeHeadRoute: false,
      schema: {
        querystring: object({ queue: { type: 'string', pattern: NAME_PATTERN } }, ['queue']),
        response: replies({ 200: { type: 'string', description: 'text/event-stream' } }),
      },
    },
    (request, reply) => {
      const queue = queues.get(request.query.queue);
      reply.hijack();
      reply.raw.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      const end = stream(reply.raw, queue, request.log, () => open.delete(end));
      open.add(end);
    },
  );
}

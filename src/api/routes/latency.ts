import type { FastifyInstance } from 'fastify';
import {
  BUCKETS,
  LATENCY_BOUNDS_MS,
  mergeSlots,
  percentiles,
  SLOT_MS,
  SLOTS_KEPT,
} from '../../job/latency.js';
import { publishedLatency } from '../../redis/latency.js';
import type { QueueLookup } from '../queue-lookup.js';
import { partsOf } from '../queue-parts.js';
import { route } from '../route.js';
import { object, type QueueRoute, queueParams } from '../schemas.js';

const figures = object({ count: { type: 'number' }, p50: { type: 'number' }, p99: { type: 'number' } }, [
  'count',
]);
const point = object({ t: { type: 'number' }, wait: figures, run: figures }, ['t', 'wait', 'run']);

/**
 * Enqueue-to-start and run time of the whole queue: the bucket counts every live engine
 * publishes in its heartbeat, added up per 15 s slot (an engine of several partitions is counted
 * once), then p50 and p99 per slot and over the window.
 */
export function latencyRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route<QueueRoute>(app, {
    method: 'GET',
    url: '/api/queues/:queue/latency',
    access: 'read',
    params: queueParams,
    reply: object(
      {
        slotMs: { type: 'number' },
        bounds: { type: 'array', items: { type: 'number' } },
        points: { type: 'array', items: point },
        total: object({ wait: figures, run: figures }, ['wait', 'run']),
      },
      ['slotMs', 'bounds', 'points', 'total'],
    ),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const parts = await Promise.all(
        (await partsOf(queue)).map((keys) => publishedLatency(queue.redis, keys)),
      );
      const byEngine = new Map<string, unknown>();
      for (const part of parts) for (const [id, slots] of part.byEngine) byEngine.set(id, slots);
      const now = Math.max(...parts.map((p) => p.now));
      const since = now - SLOTS_KEPT * SLOT_MS;
      const slots = mergeSlots([...byEngine.values()]).filter((s) => s.start > since);
      const sum = (pick: 'wait' | 'run') =>
        slots.reduce(
          (acc, s) => acc.map((n, i) => n + (s[pick][i] as number)),
          new Array<number>(BUCKETS).fill(0),
        );
      return {
        slotMs: SLOT_MS,
        bounds: [...LATENCY_BOUNDS_MS],
        points: slots.map((s) => ({ t: s.start, wait: percentiles(s.wait), run: percentiles(s.run) })),
        total: { wait: percentiles(sum('wait')), run: percentiles(sum('run')) },
      };
    },
  });
}

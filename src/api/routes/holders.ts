import type { FastifyInstance } from 'fastify';
import { JOB_ID_PATTERN } from '../../job/names.js';
import { partitionOfId } from '../../queue/partition-route.js';
import type { Queue } from '../../queue/queue.js';
import { duplicateOf, type RedisClient } from '../../redis/connection.js';
import { askHolders } from '../../redis/holders.js';
import type { QueueLookup } from '../queue-lookup.js';
import { partsOf } from '../queue-parts.js';
import { route } from '../route.js';
import { MAX_LIMIT, object, type QueueRoute, queueParams } from '../schemas.js';

/** How long a request waits for engines that were sent it and have not answered. */
export const HOLDERS_TIMEOUT_MS = 500;

const holder = object(
  {
    id: { type: 'string' },
    engine: { type: 'string' },
    host: { type: 'string' },
    pid: { type: 'number' },
    token: { type: 'number' },
  },
  ['id', 'engine', 'token'],
);

const jobId = JOB_ID_PATTERN.slice(1, -1);
/** 1 to MAX_LIMIT job ids, comma-separated. */
const idsQuery = object({ ids: { type: 'string', pattern: `^${jobId}(?:,${jobId}){0,${MAX_LIMIT - 1}}$` } }, [
  'ids',
]);

/**
 * Which live engine holds each of some running jobs, asked of the engines themselves over
 * pub/sub (redis/holders.ts): no lease writes anything for this. One subscriber connection per
 * served queue, opened on first use and closed with the app.
 */
export function holderRoutes(app: FastifyInstance, queues: QueueLookup): void {
  const subscribers = new Map<string, RedisClient>();
  const subscriberOf = (queue: Queue): RedisClient => {
    let subscriber = subscribers.get(queue.name);
    if (subscriber === undefined) {
      subscriber = duplicateOf(queue.redis, `sluice:api:holders:${queue.name}`);
      subscribers.set(queue.name, subscriber);
    }
    return subscriber;
  };
  app.addHook('onClose', async () => {
    await Promise.all([...subscribers.values()].map((s) => s.quit().catch(() => s.disconnect())));
  });

  route<QueueRoute & { Querystring: { ids: string } }>(app, {
    method: 'GET',
    url: '/api/queues/:queue/holders',
    access: 'read',
    params: queueParams,
    query: idsQuery,
    reply: object(
      {
        holders: { type: 'array', items: holder },
        asked: { type: 'number' },
        answered: { type: 'number' },
        ms: { type: 'number' },
      },
      ['holders', 'asked', 'answered', 'ms'],
    ),
    handler: async (request) => {
      const queue = queues.get(request.params.queue);
      const ids = [...new Set(request.query.ids.split(','))];
      const started = performance.now();
      const parts = await partsOf(queue);
      const subscriber = subscriberOf(queue);
      const asks = parts.map((keys, partition) => {
        const mine = ids.filter((id) => partitionOfId(id, parts.length) === partition);
        return mine.length === 0
          ? undefined
          : askHolders(queue.redis, subscriber, keys, mine, HOLDERS_TIMEOUT_MS);
      });
      const [replies, engines] = await Promise.all([Promise.all(asks), queue.engines()]);
      const ms = performance.now() - started;
      const byId = new Map(engines.map((e) => [e.id, e]));
      const holders = [];
      let asked = 0;
      let answered = 0;
      for (const reply of replies) {
        if (reply === undefined) continue;
        asked += reply.asked;
        answered += reply.answered;
        for (const [id, { engine, token }] of reply.held) {
          const info = byId.get(engine);
          holders.push({ id, engine, token, ...(info ? { host: info.host, pid: info.pid } : {}) });
        }
      }
      return { holders, asked, answered, ms: Math.round(ms * 10) / 10 };
    },
  });
}

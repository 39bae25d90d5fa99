import type { FastifyInstance } from 'fastify';
import type { RedisWatch } from '../../redis/watch.js';
import { noQuery, object, replies } from '../schemas.js';

const redisState = object({ reachable: { type: 'boolean' }, since: { type: 'number' } }, ['reachable']);
const health = object({ ok: { type: 'boolean' }, redis: redisState }, ['ok', 'redis']);

/**
 * Liveness (the process serves HTTP) and readiness (Redis answers a PING within the bound), for
 * load balancers; /api/health is readiness with the detail: since when Redis has been unreachable.
 */
export function healthRoutes(app: FastifyInstance, watch: RedisWatch, timeoutMs: number): void {
  const ready = async () => {
    const reachable = await watch.ping(timeoutMs);
    const since = watch.downSince;
    return { ok: reachable, redis: since === undefined ? { reachable } : { reachable, since } };
  };
  app.get(
    '/api/health/live',
    {
      config: { access: 'public' },
      schema: {
        querystring: noQuery,
        response: replies({ 200: object({ ok: { type: 'boolean' } }, ['ok']) }),
      },
    },
    async () => ({ ok: true }),
  );
  for (const url of ['/api/health', '/api/health/ready']) {
    app.get(
      url,
      {
        config: { access: 'public' },
        schema: { querystring: noQuery, response: { 200: health, 503: health } },
      },
      async (_request, reply) => {
        const state = await ready();
        return reply.code(state.ok ? 200 : 503).send(state);
      },
    );
  }
}

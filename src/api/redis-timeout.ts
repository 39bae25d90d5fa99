import type { RouteOptions } from 'fastify';
import { ApiCode, ApiError } from './errors.js';

/**
 * Bounds how long a route may wait on Redis: past timeoutMs the request is answered 503
 * REDIS_UNAVAILABLE, whatever the command is waiting for (a hung server, a partition with no
 * reset). The command itself is not cancelled: a write may still apply once Redis answers.
 */
export function boundRedisTime(route: RouteOptions, timeoutMs: number): void {
  const access = route.config?.access;
  if (access === undefined || access === 'public') return;
  const handler = route.handler;
  route.handler = function (request, reply) {
    const result = handler.call(this, request, reply);
    if (!(result instanceof Promise)) return result;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ApiError(503, ApiCode.REDIS_UNAVAILABLE, `Redis did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    result.catch(() => {}); // lost the race: its late failure is no one's to handle
    return Promise.race([result, late]).finally(() => clearTimeout(timer));
  };
}

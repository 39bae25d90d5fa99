import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { invalidOption } from '../errors.js';
import type { Queue } from '../queue/queue.js';
import { type OutageListener, RedisWatch } from '../redis/watch.js';
import { MIB, SECOND } from '../units.js';
import { type ApiTokens, authHook, requireAccess } from './auth.js';
import { frameworkError, installErrorHandling, MAX_PARAM_LENGTH } from './errors.js';
import { apiLogger } from './logging.js';
import { AllowedMethods } from './methods.js';
import { QueueLookup, resolveQueueFirst } from './queue-lookup.js';
import { boundRedisTime } from './redis-timeout.js';
import { deadRoutes } from './routes/dead.js';
import { deadGroupRoutes } from './routes/dead-groups.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { holderRoutes } from './routes/holders.js';
import { jobRoutes } from './routes/jobs.js';
import { latencyRoutes } from './routes/latency.js';
import { levelRoutes } from './routes/levels.js';
import { metricsRoutes } from './routes/metrics.js';
import { promoteRoutes } from './routes/promote.js';
import { queueRoutes } from './routes/queues.js';
import { rateLimitRoutes } from './routes/rate-limit.js';
import { redisRoutes } from './routes/redis.js';
import { retentionRoutes } from './routes/retention.js';
import { scheduleRoutes } from './routes/schedules.js';
import { streamRoutes } from './routes/stream.js';
import { whoamiRoutes } from './routes/whoami.js';
import { installSecurityHeaders } from './security.js';
import { DEFAULT_UI_DIR, serveUi } from './static.js';

export interface AppDeps {
  /**
   * Open Queue instances the API serves (every route); the other queues registered in the same
   * Redis (that of the first) are listed and readable, never changed.
   */
  queues: readonly Queue[];
  /** Bearer tokens; with none, every route is open (startApiServer then listens on loopback only). */
  tokens?: ApiTokens | undefined;
  /** Requests and errors are logged here (Authorization redacted); default: not logged. */
  logger?: Logger | undefined;
  /** prom-client registries of engines in this process, appended to /metrics. */
  metrics?: readonly Registry[] | undefined;
  /** How long a request may wait on Redis before it is answered 503 REDIS_UNAVAILABLE (default 1 s). */
  redisTimeoutMs?: number | undefined;
  /** Told when Redis becomes unreachable and when it is back (startApiServer logs both). */
  outages?: OutageListener | undefined;
  /** The built monitor's directory (default dist/ui); false serves none. */
  uiDir?: URL | string | false | undefined;
}

export const BODY_LIMIT = MIB;
export const DEFAULT_REDIS_TIMEOUT_MS = SECOND;

/**
 * A body is parsed as JSON only (the proto-poisoning checks of Fastify's parser, set to refuse);
 * an empty body counts as no body, and no body is validated as {} so bodiless POSTs are simple.
 */
function installBodyParsing(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else json(request, body as string, done);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET') request.body = {};
  });
}

/** The operator API and monitor as a Fastify app; listening is the caller's (see server.ts). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const redisTimeoutMs = deps.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  if (!Number.isInteger(redisTimeoutMs) || redisTimeoutMs < 1) {
    throw invalidOption('redisTimeoutMs', `must be a positive integer (ms), got ${String(redisTimeoutMs)}`);
  }
  const watch = new RedisWatch(
    deps.queues.map((q) => q.redis),
    deps.outages,
  );
  const queues = new QueueLookup(deps.queues, watch);
  const auth = authHook(deps.tokens);
  const app = Fastify({
    // Typed as Fastify's base logger so the app has the default FastifyInstance type.
    ...(deps.logger ? { loggerInstance: apiLogger(deps.logger) as FastifyBaseLogger } : {}),
    // Only mutating requests are logged as they come; reads (polled every second) are not.
    logController: new LogController({
      disableRequestLogging: (request: { method: string }) =>
        request.method === 'GET' || request.method === 'HEAD',
    }),
    bodyLimit: BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // A too-long job id then reaches its schema (INVALID_JOB_ID) rather than missing every route.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkError,
    // verbose: errors carry their schema, so a message can list the allowed forms (validation.ts).
    ajv: { customOptions: { removeAdditional: false, verbose: true } },
    // Requests arriving while the server drains are served (the queues close after it), so every
    // reply keeps the contract's error shape.
    return503OnClosing: false,
  });
  const allowed = new AllowedMethods();
  installErrorHandling(app, allowed);
  installBodyParsing(app);
  installSecurityHeaders(app);
  app.addHook('onRoute', requireAccess);
  app.addHook('onRoute', (route) => allowed.add(route));
  // Before the time bound, which so wraps the lookup of a discovered queue too.
  app.addHook('onRoute', (route) => resolveQueueFirst(route, queues));
  app.addHook('onRoute', (route) => boundRedisTime(route, redisTimeoutMs));
  app.addHook('onClose', async () => {
    watch.close();
    await queues.close();
  });
  queues.sweep();
  healthRoutes(app, watch, redisTimeoutMs);
  app.addHook('onRequest', auth);
  whoamiRoutes(app, deps.tokens);
  queueRoutes(app, queues);
  redisRoutes(app, queues);
  jobRoutes(app, queues);
  deadRoutes(app, queues);
  rateLimitRoutes(app, queues);
  retentionRoutes(app, queues);
  deadGroupRoutes(app, queues);
  eventRoutes(app, queues);
  scheduleRoutes(app, queues);
  streamRoutes(app, queues);
  promoteRoutes(app, queues);
  latencyRoutes(app, queues);
  holderRoutes(app, queues);
  levelRoutes(app, queues);
  metricsRoutes(app, queues, deps.metrics ?? []);
  if (deps.uiDir !== false) serveUi(app, deps.uiDir ?? DEFAULT_UI_DIR);
  return app;
}

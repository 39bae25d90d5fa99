import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { invalidOption } from '../errors.js';
import { createLogger } from '../logger.js';
import { Queue } from '../queue/queue.js';
import type { Connection } from '../redis/connection.js';
import { connect } from '../redis/connection.js';
import { validateQueueName } from '../redis/keys.js';
import { logOutages } from '../redis/watch.js';
import { buildApp } from './app.js';
import { type ApiTokens, checkTokens } from './auth.js';

export interface ApiServerOptions {
  /** Default 127.0.0.1; any other than loopback needs a token. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  queues: readonly string[];
  /** One Redis connection serves every queue. */
  connection: Connection;
  tokens?: ApiTokens;
  /** Default: a pino logger at info on stdout. */
  logger?: Logger;
  metrics?: readonly Registry[];
  /** How long a request may wait on Redis before a 503 (default 1 s). */
  redisTimeoutMs?: number;
}

export interface ApiServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** A non-loopback host without a token is refused: anyone who could reach it could run every route. */
export function checkExposure(host: string, tokens: ApiTokens | undefined): void {
  if (!checkTokens(tokens) && !isLoopback(host)) {
    throw invalidOption(
      'host',
      `${host} is not a loopback address, and with no token anyone who can reach it could run every route; set tokens.admin (SLUICE_API_TOKEN) or tokens.read (SLUICE_API_READ_TOKEN), or listen on 127.0.0.1`,
    );
  }
}

/** Checks every option before anything is opened. */
function checkOptions(options: ApiServerOptions): { host: string; port: number } {
  const { host = '127.0.0.1', port = 0, queues } = options;
  checkExposure(host, options.tokens);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidOption('port', `must be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (!Array.isArray(queues)) throw invalidOption('queues', 'must be an array of queue names');
  for (const name of queues) validateQueueName(name);
  if (new Set(queues).size !== queues.length) throw invalidOption('queues', 'names a queue twice');
  return { host, port };
}

function boundPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Opens the queues on one Redis connection, builds the app and listens. close() stops the server
 * (ending event streams) and then closes the connection if it opened it.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { host, port } = checkOptions(options);
  const logger = options.logger ?? createLogger();
  const { redis, owned } = connect(options.connection, 'sluice:api');
  const queues = options.queues.map((name) => new Queue(name, { connection: redis }));
  const app = buildApp({
    queues,
    tokens: options.tokens,
    logger,
    metrics: options.metrics,
    redisTimeoutMs: options.redisTimeoutMs,
    // A shared client is its owner's to report on.
    outages: owned
      ? logOutages(logger.child({ component: 'api' }), 'requests get 503 until it is back')
      : undefined,
  });
  const close = async (): Promise<void> => {
    await app.close();
    await Promise.all(queues.map((q) => q.close()));
    if (owned) await redis.quit().catch(() => redis.disconnect());
  };
  try {
    // Fastify logs a line per address to open (each interface's, for 0.0.0.0); ours says what was asked.
    await app.listen({
      host,
      port,
      listenTextResolver: (address) =>
        `monitor and API listening on ${host}:${boundPort(app)}; open ${address}/`,
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort(app)}`, close };
}

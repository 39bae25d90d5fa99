import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createLogger } from '../engine/logger.js';
import { Queue } from '../engine/producer.js';
import { invalidOption } from '../errors.js';
import type { Connection, RedisClient } from '../redis/connection.js';
import { connect } from '../redis/connection.js';
import { validateQueueName } from '../redis/keys.js';
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

/** Checks every option before anything is opened; a non-loopback host without a token is refused. */
function checkOptions(options: ApiServerOptions): { host: string; port: number } {
  const { host = '127.0.0.1', port = 0, queues } = options;
  if (!checkTokens(options.tokens) && !isLoopback(host)) {
    throw invalidOption(
      'host',
      `${host} is not a loopback address, and with no token anyone who can reach it could run every route; set tokens.admin (SLUICE_API_TOKEN) or tokens.read (SLUICE_API_READ_TOKEN), or listen on 127.0.0.1`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidOption('port', `must be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (!Array.isArray(queues)) throw invalidOption('queues', 'must be an array of queue names');
  for (const name of queues) validateQueueName(name);
  if (new Set(queues).size !== queues.length) throw invalidOption('queues', 'names a queue twice');
  return { host, port };
}

/** Requests fail with 503 while Redis is away; one line per outage says why. */
function logOutages(redis: RedisClient, logger: Logger): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down)
      logger.warn({ err: error }, 'api: RedisClient connection failed; requests get 503 until it is back');
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
}

/**
 * Opens the queues on one Redis connection, builds the app and listens. close() stops the server
 * (ending event streams) and then closes the connection if it opened it.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { host, port } = checkOptions(options);
  const logger = options.logger ?? createLogger();
  const { redis, owned } = connect(options.connection, 'sluice:api');
  if (owned) logOutages(redis, logger);
  const queues = options.queues.map((name) => new Queue(name, { connection: redis }));
  const app = buildApp({ queues, tokens: options.tokens, logger, metrics: options.metrics });
  const close = async (): Promise<void> => {
    await app.close();
    await Promise.all(queues.map((q) => q.close()));
    if (owned) await redis.quit().catch(() => redis.disconnect());
  };
  try {
    await app.listen({ host, port });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, close };
}

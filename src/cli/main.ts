import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { type ApiServer, checkExposure, startApiServer } from '../api/server.js';
import type { EngineOptions } from '../engine/engine-options.js';
import { Engine } from '../engine/runtime.js';
import { ErrorCode, SluiceError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { ConnectionSpec } from '../redis/connection.js';
import { type CliArgs, parseCli, USAGE, UsageError } from './args.js';
import { answers, DEFAULT_REDIS_URL, type LocalRedis, startLocalRedis } from './local-redis.js';
import { childArgv, EXIT_CONFIG, supervise } from './supervisor.js';

const ENTRY = fileURLToPath(new URL('../engine.js', import.meta.url));

/** --redis as a connection: a cluster's seeds with --cluster or several URLs, else one server. */
function connectionOf(args: CliArgs, redis: string): ConnectionSpec {
  return args.cluster ? { cluster: redis.split(',') } : redis;
}

function engineOptions(args: CliArgs, redis: string, log: Logger): EngineOptions {
  const options: EngineOptions = {
    queue: args.queue,
    handler: args.handler,
    connection: connectionOf(args, redis),
    logger: log,
  };
  if (args.threads !== undefined) options.threads = args.threads;
  if (args.leaseMs !== undefined) options.leaseMs = args.leaseMs;
  if (args.batch !== undefined) options.batch = args.batch;
  if (args.graceMs !== undefined) options.graceMs = args.graceMs;
  if (args.janitorMs !== undefined) options.janitorIntervalMs = args.janitorMs;
  if (args.concurrency !== undefined) options.concurrency = args.concurrency;
  if (args.tasksPerThread !== undefined) options.tasksPerThread = args.tasksPerThread;
  if (args.threadMemoryMb !== undefined) options.threadMemoryMb = args.threadMemoryMb;
  if (args.maxResultBytes !== undefined) options.maxResultBytes = args.maxResultBytes;
  if (args.partitions !== undefined) options.partitions = args.partitions;
  if (args.engineName !== undefined) options.engineName = args.engineName;
  return options;
}

/** The operator API and monitor, when --api was given; undefined otherwise. */
async function serveApi(
  args: CliArgs,
  redis: string,
  log: Logger,
  metrics: Registry[],
): Promise<ApiServer | undefined> {
  if (args.api === undefined) return undefined;
  const { host, port } = args.api;
  const api = await startApiServer({
    host,
    port,
    queues: [args.queue],
    connection: connectionOf(args, redis),
    tokens: args.apiTokens,
    logger: log,
    metrics,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new SluiceError(ErrorCode.INVALID_OPTION, `--api ${host}:${port}: that port is already in use`);
  });
  return api;
}

/** Logs a configuration error (a SluiceError) and maps it to EXIT_CONFIG; anything else is rethrown. */
function configError(error: unknown, log: Logger): number {
  if (!(error instanceof SluiceError)) throw error;
  log.fatal({ code: error.code }, error.message);
  return EXIT_CONFIG;
}

async function runEngine(args: CliArgs, redis: string, log: Logger): Promise<number> {
  let engine: Engine;
  let api: ApiServer | undefined;
  try {
    engine = await Engine.start(engineOptions(args, redis, log));
  } catch (error) {
    return configError(error, log);
  }
  try {
    api = await serveApi(args, redis, log, [engine.metrics.registry]);
  } catch (error) {
    await engine.stop(0);
    return configError(error, log);
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping: finishing running jobs (send the signal again to exit at once)');
      process.once(signal, () => {
        log.warn('second signal: exiting now; the janitor will recover unfinished jobs');
        process.exit(130);
      });
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await api?.close();
  await engine.stop();
  return 0;
}

/** The engine command; resolves with the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args: CliArgs;
  try {
    const parsed = parseCli(argv, env);
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    args = parsed.args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  const log = createLogger(args.logLevel);
  try {
    // Before Redis is touched or an engine leases anything.
    if (args.api !== undefined) checkExposure(args.api.host, args.apiTokens);
  } catch (error) {
    return configError(error, log);
  }
  let local: LocalRedis | undefined;
  let redis = args.redis ?? DEFAULT_REDIS_URL;
  if (args.redis === undefined && args.startRedis && !(await answers('127.0.0.1', 6379))) {
    local = await startLocalRedis('data/redis', log);
    if (local === undefined) return 1;
    redis = local.url;
  }
  try {
    if (args.processes === 1) return await runEngine(args, redis, log);
    let api: ApiServer | undefined;
    try {
      api = await serveApi(args, redis, log, []);
    } catch (error) {
      return configError(error, log);
    }
    try {
      return await supervise(ENTRY, (slot) => childArgv(args, redis, slot), args.processes, log);
    } finally {
      await api?.close();
    }
  } finally {
    await local?.stop();
  }
}

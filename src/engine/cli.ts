import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors.js';
import { type CliArgs, parseCli, USAGE, UsageError } from './cli-args.js';
import { Engine } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { answers, DEFAULT_REDIS_URL, type LocalRedis, startLocalRedis } from './local-redis.js';
import { createLogger, type Logger } from './logger.js';
import { EXIT_CONFIG, supervise } from './supervisor.js';

const ENTRY = fileURLToPath(new URL('../engine.js', import.meta.url));

function engineOptions(args: CliArgs, redis: string, log: Logger): EngineOptions {
  const options: EngineOptions = { queue: args.queue, handler: args.handler, connection: redis, logger: log };
  if (args.threads !== undefined) options.threads = args.threads;
  if (args.leaseMs !== undefined) options.leaseMs = args.leaseMs;
  if (args.batch !== undefined) options.batch = args.batch;
  if (args.graceMs !== undefined) options.graceMs = args.graceMs;
  if (args.janitorMs !== undefined) options.janitorIntervalMs = args.janitorMs;
  if (args.concurrency !== undefined) options.concurrency = args.concurrency;
  if (args.threadMemoryMb !== undefined) options.threadMemoryMb = args.threadMemoryMb;
  return options;
}

/** The flags a supervised child gets: the same, but one process and a fixed Redis URL. */
function childArgs(argv: readonly string[], redis: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--start-redis') continue;
    if (arg === '--processes' || arg === '--redis') {
      i++;
      continue;
    }
    if (arg.startsWith('--processes=') || arg.startsWith('--redis=')) continue;
    out.push(arg);
  }
  return [...out, '--processes', '1', '--redis', redis];
}

async function runEngine(args: CliArgs, redis: string, log: Logger): Promise<number> {
  let engine: Engine;
  try {
    engine = await Engine.start(engineOptions(args, redis, log));
  } catch (error) {
    if (error instanceof SluiceError) {
      log.fatal({ code: error.code }, error.message);
      return EXIT_CONFIG;
    }
    throw error;
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
  let local: LocalRedis | undefined;
  let redis = args.redis ?? DEFAULT_REDIS_URL;
  if (args.redis === undefined && args.startRedis && !(await answers('127.0.0.1', 6379))) {
    local = await startLocalRedis('data/redis', log);
    if (local === undefined) return 1;
    redis = local.url;
  }
  try {
    return args.processes > 1
      ? await supervise(ENTRY, childArgs(argv, redis), args.processes, log)
      : await runEngine(args, redis, log);
  } finally {
    await local?.stop();
  }
}

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import { ENGINE_NAME_RULE, isEngineName } from '../engine/engine-name.js';
import { LOG_LEVELS } from '../logger.js';

export const USAGE = `Usage: node dist/engine.js --queue NAME --handler ./handler.js [options]

Runs Sluice engine processes: each leases jobs from Redis in batches and runs them in a pool
of worker threads with the handler module's default export, async (payload, ctx) => result.

  --queue NAME            queue to work on (required)
  --handler PATH          handler module (required)
  --threads N             worker threads per process (default: the cores, shared out among
                          the --processes)
  --concurrency N         jobs running at once per thread (default: every job the thread
                          was handed; set it when a handler must not run too many at once)
  --tasks-per-thread N    batches one thread is handed at once, 1-1000 (default 4); leased
                          jobs beyond what the threads hold wait in the engine
  --processes auto|K      engine processes; auto = one per core (default 1); a crashed
                          process is restarted with a backoff
  --redis URL[,URL...]    redis://[:password@]host:port[/db] or rediss://... for TLS
                          (default: $REDIS_URL, else redis://127.0.0.1:6379); several
                          comma-separated URLs are seed nodes of a Redis Cluster
  --cluster               the --redis URL is one seed node of a Redis Cluster
  --partitions P          split the queue into P partitions (1-256), spread over a
                          cluster's masters; fixed when the queue is first used
                          (default: the queue's stored count, 1 if none)
  --start-redis           if no --redis/$REDIS_URL is given and nothing answers on
                          127.0.0.1:6379, start a local redis-server (AOF in ./data/redis)
  --lease-ms MS           lease length; a dead engine's jobs return after it (default 30000)
  --batch N               jobs per acquire call, 1-1000 (default 1000)
  --grace-ms MS           on SIGTERM/SIGINT, time running jobs get to finish (default 30000)
  --janitor-ms MS         janitor interval (default 5000)
  --thread-memory-mb MB   heap limit per worker thread (default 512)
  --max-result-bytes N    largest handler result kept for jobs with keepResult (default 65536)
  --engine-name NAME      the engine label of this engine's metrics, kept across restarts
                          (1-100 of A-Z a-z 0-9 _ . : -; default HOST:0, and with
                          --processes K each process is NAME:SLOT or HOST:SLOT, 0..K-1)
  --api [HOST:]PORT       also serve the operator API and the monitor (HOST default
                          127.0.0.1; another address needs a token: $SLUICE_API_TOKEN
                          for admin routes, $SLUICE_API_READ_TOKEN for read-only access)
  --log-level LEVEL       ${LOG_LEVELS.join(' | ')} (default info)
  --help                  show this text

Signals: SIGTERM or SIGINT stops gracefully (exit 0); a second one exits at once.`;

export interface CliArgs {
  queue: string;
  handler: string;
  threads: number | undefined;
  concurrency: number | undefined;
  tasksPerThread: number | undefined;
  processes: number;
  redis: string | undefined;
  /** --redis names a Redis Cluster's seeds (also implied by several URLs). */
  cluster: boolean;
  partitions: number | undefined;
  startRedis: boolean;
  leaseMs: number | undefined;
  batch: number | undefined;
  graceMs: number | undefined;
  janitorMs: number | undefined;
  threadMemoryMb: number | undefined;
  maxResultBytes: number | undefined;
  /** The `engine` label of the metrics (see engine-name.ts); undefined: the host and slot. */
  engineName: string | undefined;
  api: ApiAddress | undefined;
  /** From $SLUICE_API_TOKEN and $SLUICE_API_READ_TOKEN (never from a flag: flags show in `ps`). */
  apiTokens: { admin?: string; read?: string };
  logLevel: LevelWithSilent;
}

export interface ApiAddress {
  host: string;
  port: number;
}

/** `3000`, `127.0.0.1:3000` or `[::1]:3000`. */
function apiAddress(value: string | undefined): ApiAddress | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new UsageError(`--api must be PORT or HOST:PORT (e.g. 3000 or 127.0.0.1:3000), got "${value}"`);
  }
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

export type Parsed = { help: true } | { help: false; args: CliArgs };

/** A bad invocation: the message says what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function integer(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be a whole number >= ${min}, got "${value}"`);
  }
  return n;
}

/** Parses engine flags (pure: the environment comes in as an argument). */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Parsed {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        queue: { type: 'string' },
        handler: { type: 'string' },
        threads: { type: 'string' },
        concurrency: { type: 'string' },
        'tasks-per-thread': { type: 'string' },
        processes: { type: 'string' },
        redis: { type: 'string' },
        cluster: { type: 'boolean' },
        partitions: { type: 'string' },
        'start-redis': { type: 'boolean' },
        'lease-ms': { type: 'string' },
        batch: { type: 'string' },
        'grace-ms': { type: 'string' },
        'janitor-ms': { type: 'string' },
        'thread-memory-mb': { type: 'string' },
        'max-result-bytes': { type: 'string' },
        'engine-name': { type: 'string' },
        api: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run with --help for the flags.`);
  }
  if (values.help) return { help: true };
  const text = (flag: string) => values[flag] as string | undefined;
  const queue = text('queue');
  const handler = text('handler');
  if (!queue) throw new UsageError('--queue NAME is required');
  if (!handler) throw new UsageError('--handler PATH is required (a module with a default export function)');
  const processesFlag = text('processes') ?? '1';
  const processes = processesFlag === 'auto' ? availableParallelism() : integer('processes', processesFlag);
  const logLevel = (text('log-level') ?? 'info') as LevelWithSilent;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const engineName = text('engine-name');
  if (engineName !== undefined && !isEngineName(engineName)) {
    throw new UsageError(`--engine-name must be ${ENGINE_NAME_RULE}, got "${engineName}"`);
  }
  return {
    help: false,
    args: {
      queue,
      handler,
      threads: integer('threads', text('threads')),
      concurrency: integer('concurrency', text('concurrency'), 0),
      tasksPerThread: integer('tasks-per-thread', text('tasks-per-thread')),
      processes: processes as number,
      redis: text('redis') ?? (env.REDIS_URL || undefined),
      cluster: values.cluster === true,
      partitions: integer('partitions', text('partitions')),
      startRedis: values['start-redis'] === true,
      leaseMs: integer('lease-ms', text('lease-ms')),
      batch: integer('batch', text('batch')),
      graceMs: integer('grace-ms', text('grace-ms'), 0),
      janitorMs: integer('janitor-ms', text('janitor-ms')),
      threadMemoryMb: integer('thread-memory-mb', text('thread-memory-mb')),
      maxResultBytes: integer('max-result-bytes', text('max-result-bytes')),
      engineName,
      api: apiAddress(text('api')),
      apiTokens: {
        ...(env.SLUICE_API_TOKEN ? { admin: env.SLUICE_API_TOKEN } : {}),
        ...(env.SLUICE_API_READ_TOKEN ? { read: env.SLUICE_API_READ_TOKEN } : {}),
      },
      logLevel,
    },
  };
}

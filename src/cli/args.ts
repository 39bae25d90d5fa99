import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import { ENGINE_DEFAULTS } from '../engine/engine-options.js';
import { isName, NAME_RULE } from '../job/names.js';
import { LOG_LEVELS } from '../logger.js';
import { DEFAULT_REDIS_URL } from './local-redis.js';

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

export type Parsed = { help: true } | { help: false; args: CliArgs };

/** A bad invocation: the message says what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** How a flag's value reads from the command line and is written back to it. */
interface Kind<T> {
  /** The value in the usage text (`N`, `MS`); undefined for a switch, which takes no value. */
  placeholder: string | undefined;
  /** The value of `--flag text`; a switch reads '' when given. */
  read(flag: string, text: string): T;
  write(value: T): string;
}

interface Flag<T> {
  /** On the command line, without the dashes. */
  name: string;
  kind: Kind<NonNullable<T>>;
  /** What an absent flag parses to; undefined leaves the choice to the engine. */
  absent: T;
  /** The usage text's default where the engine chooses it (absent is undefined). */
  default?: string;
  /** The error for an absent or empty flag that must be given. */
  required?: string;
  help: string;
}

/** The options that come from flags (the API tokens come from the environment only). */
type FlagValues = Omit<CliArgs, 'apiTokens'>;

const SWITCH: Kind<boolean> = { placeholder: undefined, read: () => true, write: () => '' };

function text(placeholder: string): Kind<string> {
  return { placeholder, read: (_flag, value) => value, write: (value) => value };
}

function wholeNumber(placeholder: string, min = 1): Kind<number> {
  return {
    placeholder,
    read(flag, value) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
        throw new UsageError(`--${flag} must be a whole number >= ${min}, got "${value}"`);
      }
      return n;
    },
    write: String,
  };
}

const COUNT = wholeNumber('N');
const MS = wholeNumber('MS');

const PROCESSES: Kind<number> = {
  placeholder: 'auto|K',
  read: (flag, value) => (value === 'auto' ? availableParallelism() : COUNT.read(flag, value)),
  write: String,
};

const ENGINE_NAME: Kind<string> = {
  placeholder: 'NAME',
  read(flag, value) {
    if (!isName(value)) throw new UsageError(`--${flag} must be ${NAME_RULE}, got "${value}"`);
    return value;
  },
  write: (value) => value,
};

/** `3000`, `127.0.0.1:3000` or `[::1]:3000`. */
const API_ADDRESS: Kind<ApiAddress> = {
  placeholder: '[HOST:]PORT',
  read(flag, value) {
    const match = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value);
    const port = Number(match?.[2]);
    if (!match || port > 65_535) {
      throw new UsageError(
        `--${flag} must be PORT or HOST:PORT (e.g. 3000 or 127.0.0.1:3000), got "${value}"`,
      );
    }
    return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
  },
  write: ({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`,
};

const LOG_LEVEL: Kind<LevelWithSilent> = {
  placeholder: 'LEVEL',
  read(flag, value) {
    if (!LOG_LEVELS.includes(value as LevelWithSilent)) {
      throw new UsageError(`--${flag} must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
    }
    return value as LevelWithSilent;
  },
  write: (level) => level,
};

/**
 * Every flag but --help, in the order of the usage text. The parser, the usage text and the
 * argv a supervised child gets (toArgv) all come from here.
 */
const FLAGS: { readonly [K in keyof FlagValues]: Flag<FlagValues[K]> } = {
  queue: {
    name: 'queue',
    kind: text('NAME'),
    absent: '',
    required: '--queue NAME is required',
    help: 'queue to work on',
  },
  handler: {
    name: 'handler',
    kind: text('PATH'),
    absent: '',
    required: '--handler PATH is required (a module with a default export function)',
    help: 'handler module',
  },
  threads: {
    name: 'threads',
    kind: COUNT,
    absent: undefined,
    default: 'the cores, shared out among the --processes',
    help: 'worker threads per process',
  },
  concurrency: {
    name: 'concurrency',
    kind: wholeNumber('N', 0),
    absent: undefined,
    default: 'every job the thread was handed; set it when a handler must not run too many at once',
    help: 'jobs running at once per thread',
  },
  tasksPerThread: {
    name: 'tasks-per-thread',
    kind: COUNT,
    absent: undefined,
    default: String(ENGINE_DEFAULTS.tasksPerThread),
    help: 'batches one thread is handed at once, 1-1000; leased jobs beyond what the threads hold wait in the engine',
  },
  processes: {
    name: 'processes',
    kind: PROCESSES,
    absent: 1,
    help: 'engine processes; auto = one per core; a crashed process is restarted with a backoff',
  },
  redis: {
    name: 'redis',
    kind: text('URL[,URL...]'),
    absent: undefined,
    default: `$REDIS_URL, else ${DEFAULT_REDIS_URL}`,
    help: 'redis://[:password@]host:port[/db] or rediss://... for TLS; several comma-separated URLs are seed nodes of a Redis Cluster',
  },
  cluster: {
    name: 'cluster',
    kind: SWITCH,
    absent: false,
    help: 'the --redis URL is one seed node of a Redis Cluster',
  },
  partitions: {
    name: 'partitions',
    kind: wholeNumber('P'),
    absent: undefined,
    default: "the queue's stored count, 1 if none",
    help: "split the queue into P partitions (1-256), spread over a cluster's masters; fixed when the queue is first used",
  },
  startRedis: {
    name: 'start-redis',
    kind: SWITCH,
    absent: false,
    help: 'if no --redis/$REDIS_URL is given and nothing answers on 127.0.0.1:6379, start a local redis-server (AOF in ./data/redis)',
  },
  leaseMs: {
    name: 'lease-ms',
    kind: MS,
    absent: undefined,
    default: String(ENGINE_DEFAULTS.leaseMs),
    help: "lease length; a dead engine's jobs return after it",
  },
  batch: {
    name: 'batch',
    kind: COUNT,
    absent: undefined,
    default: String(ENGINE_DEFAULTS.batch),
    help: 'jobs per acquire call, 1-1000',
  },
  graceMs: {
    name: 'grace-ms',
    kind: wholeNumber('MS', 0),
    absent: undefined,
    default: String(ENGINE_DEFAULTS.graceMs),
    help: 'on SIGTERM/SIGINT, time running jobs get to finish',
  },
  janitorMs: {
    name: 'janitor-ms',
    kind: MS,
    absent: undefined,
    default: String(ENGINE_DEFAULTS.janitorIntervalMs),
    help: 'janitor interval',
  },
  threadMemoryMb: {
    name: 'thread-memory-mb',
    kind: wholeNumber('MB'),
    absent: undefined,
    default: String(ENGINE_DEFAULTS.threadMemoryMb),
    help: 'heap limit per worker thread',
  },
  maxResultBytes: {
    name: 'max-result-bytes',
    kind: COUNT,
    absent: undefined,
    default: String(ENGINE_DEFAULTS.maxResultBytes),
    help: 'largest handler result kept for jobs with keepResult',
  },
  engineName: {
    name: 'engine-name',
    kind: ENGINE_NAME,
    absent: undefined,
    default: 'HOST:0, and with --processes K each process is NAME:SLOT or HOST:SLOT, 0..K-1',
    help: `the engine label of this engine's metrics, kept across restarts: ${NAME_RULE}`,
  },
  api: {
    name: 'api',
    kind: API_ADDRESS,
    absent: undefined,
    help: 'also serve the operator API and the monitor (HOST default 127.0.0.1; another address needs a token: $SLUICE_API_TOKEN for admin routes, $SLUICE_API_READ_TOKEN for read-only access)',
  },
  logLevel: {
    name: 'log-level',
    kind: LOG_LEVEL,
    absent: 'info',
    help: LOG_LEVELS.join(' | '),
  },
};

const FIELDS = Object.keys(FLAGS) as (keyof FlagValues)[];

const HELP: Flag<boolean> = { name: 'help', kind: SWITCH, absent: false, help: 'show this text' };

const FLAG_COLUMN = 26;
const LINE_WIDTH = 100;

/** One flag's entry in the usage text: the flag, then its help wrapped in a column. */
function usageEntry<T>(flag: Flag<T>): string {
  const { placeholder } = flag.kind;
  const shownDefault =
    flag.default ??
    (flag.absent === undefined || flag.absent === null || placeholder === undefined
      ? undefined
      : flag.kind.write(flag.absent));
  const help =
    flag.required !== undefined
      ? `${flag.help} (required)`
      : shownDefault === undefined
        ? flag.help
        : `${flag.help} (default: ${shownDefault})`;
  const lines: string[] = [];
  let line = `  --${flag.name}${placeholder === undefined ? '' : ` ${placeholder}`}`.padEnd(FLAG_COLUMN);
  for (const word of help.split(' ')) {
    const started = line.length > FLAG_COLUMN;
    if (started && line.length + 1 + word.length > LINE_WIDTH) {
      lines.push(line);
      line = `${' '.repeat(FLAG_COLUMN)}${word}`;
    } else {
      line = started ? `${line} ${word}` : `${line}${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function fieldUsage<K extends keyof FlagValues>(field: K): string {
  return usageEntry(FLAGS[field]);
}

export const USAGE = `Usage: node dist/engine.js --queue NAME --handler ./handler.js [options]

Runs Sluice engine processes: each leases jobs from Redis in batches and runs them in a pool
of worker threads with the handler module's default export, async (payload, ctx) => result.

${[...FIELDS.map(fieldUsage), usageEntry(HELP)].join('\n')}

Signals: SIGTERM or SIGINT stops gracefully (exit 0); a second one exits at once.`;

const PARSE_OPTIONS = Object.fromEntries(
  [...FIELDS.map((field) => FLAGS[field]), HELP].map((flag) => [
    flag.name,
    { type: flag.kind.placeholder === undefined ? ('boolean' as const) : ('string' as const) },
  ]),
);

type Given = Record<string, string | boolean | undefined>;

function readFlag<K extends keyof FlagValues>(field: K, given: Given): FlagValues[K] {
  const flag: Flag<FlagValues[K]> = FLAGS[field];
  const raw = given[flag.name];
  const value = raw === undefined ? flag.absent : flag.kind.read(flag.name, raw === true ? '' : String(raw));
  if (flag.required !== undefined && (value === undefined || value === ''))
    throw new UsageError(flag.required);
  return value;
}

/** Parses engine flags (pure: the environment comes in as an argument). */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Parsed {
  let given: Given;
  try {
    ({ values: given } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: PARSE_OPTIONS,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run with --help for the flags.`);
  }
  if (given.help) return { help: true };
  const values = Object.fromEntries(FIELDS.map((field) => [field, readFlag(field, given)])) as FlagValues;
  return {
    help: false,
    args: {
      ...values,
      redis: values.redis ?? (env.REDIS_URL || undefined),
      apiTokens: {
        ...(env.SLUICE_API_TOKEN ? { admin: env.SLUICE_API_TOKEN } : {}),
        ...(env.SLUICE_API_READ_TOKEN ? { read: env.SLUICE_API_READ_TOKEN } : {}),
      },
    },
  };
}

/** `--flag value` for one option, whatever its value (a switch: `--flag` when on). */
export function flagArgv<K extends keyof FlagValues>(field: K, value: FlagValues[K]): string[] {
  const flag: Flag<FlagValues[K]> = FLAGS[field];
  if (value === undefined || value === null || value === false) return [];
  if (flag.kind.placeholder === undefined) return [`--${flag.name}`];
  const written = flag.kind.write(value);
  // A value that starts with a dash would be read as a flag of its own.
  return written.startsWith('-') ? [`--${flag.name}=${written}`] : [`--${flag.name}`, written];
}

/** The flags that parse back to `args` (with the same environment): every option not at its absent value. */
export function toArgv(args: FlagValues): string[] {
  return FIELDS.flatMap((field) => (args[field] === FLAGS[field].absent ? [] : flagArgv(field, args[field])));
}

import { parseArgs } from 'node:util';
import type { RedisMode } from './redis-server.js';

export const SCENARIO_NAMES = [
  'queue-add',
  'queue-add-bulk',
  'ingest-10k',
  'worker-generic',
  'worker-concurrency-1',
  'worker-concurrent',
  'consume-from-resume',
  'steady-state',
  'scaling',
  'cpu-heavy',
  'retry-lateness',
  'retry-storm',
  'cluster',
  'micro',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const USAGE = `Usage: npm run bench -- [options]   (builds dist/, then runs bench/run.ts with tsx)

Sluice, BullMQ and bee-queue side by side on redis-servers the suite starts itself.

  --quick              short run for CI: small counts, 1 repetition, mem only (< 90 s);
                       fails only when a scenario fails or gives an insane number
  --scenario NAME      run only these (repeatable, or a comma list): ${SCENARIO_NAMES.join(', ')}
  --jobs N             job count of every count-based scenario (ingest-10k stays 10,000)
  --reps N             repetitions (default 3; full runs need at least 3)
  --redis MODE         mem | aof | both (default: both; --quick: mem)
  --out DIR            where the JSON results go (default bench/results; bench/results/quick.tmp
                       for --quick)
  --cpu-prof           write V8 CPU profiles of every child process to DIR/profiles.tmp
  --help               this text

A complete full run (every scenario, not --quick) also rewrites bench/results/chart.svg and
bench/RESULTS.md.`;

export interface Args {
  quick: boolean;
  scenarios: ScenarioName[];
  jobs: number | undefined;
  reps: number;
  modes: RedisMode[];
  out: string | undefined;
  cpuProf: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${flag} must be a whole number >= 1, got "${value}"`);
  }
  return n;
}

/** Parses the runner's flags; undefined for --help. */
export function parseBenchArgs(argv: readonly string[]): Args | undefined {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        scenario: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        reps: { type: 'string' },
        redis: { type: 'string' },
        out: { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run with --help for the flags.`);
  }
  if (values.help) return undefined;
  const quick = values.quick === true;
  const requested = ((values.scenario as string[] | undefined) ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of requested) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
    }
  }
  const scenarios = requested.length
    ? SCENARIO_NAMES.filter((name) => requested.includes(name))
    : [...SCENARIO_NAMES];
  const reps = positive('reps', values.reps as string | undefined) ?? (quick ? 1 : 3);
  if (!quick && reps < 3)
    throw new UsageError(`a full run needs --reps 3 or more (got ${reps}); use --quick for less`);
  const redis = (values.redis as string | undefined) ?? (quick ? 'mem' : 'both');
  if (redis !== 'mem' && redis !== 'aof' && redis !== 'both') {
    throw new UsageError(`--redis must be mem, aof or both, got "${redis}"`);
  }
  return {
    quick,
    scenarios,
    jobs: positive('jobs', values.jobs as string | undefined),
    reps,
    modes: redis === 'both' ? ['mem', 'aof'] : [redis],
    out: values.out as string | undefined,
    cpuProf: values['cpu-prof'] === true,
  };
}

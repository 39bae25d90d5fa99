/**
 * The benchmark suite: Sluice, BullMQ and bee-queue side by side on redis-servers it starts
 * itself. `npm run bench -- --help` for the flags; README-style notes in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChart } from './chart.js';
import { ratios, retryStormRatios, scalingRatios, summarise, targets } from './lib/analysis.js';
import { type Args, parseBenchArgs, USAGE, UsageError } from './lib/args.js';
import { compileChildren } from './lib/compile.js';
import { machine } from './lib/machine.js';
import { killAll } from './lib/processes.js';
import { createProgress } from './lib/progress.js';
import { LIBS, type Lib } from './lib/protocol.js';
import { MODE_SETTINGS, type RedisMode, redisVersion, startRedis } from './lib/redis-server.js';
import {
  clusterTable,
  insanities,
  microTable,
  type RunResults,
  ratiosTable,
  rowsTable,
  targetsTable,
} from './lib/results.js';
import { writeReport } from './report.js';
import { MICRO_DESCRIPTION, SCENARIOS, sizesFor } from './scenarios/index.js';
import { type MicroResult, runMicro } from './scenarios/micro.js';
import type { Failure, Measurement, RunContext, Skip } from './scenarios/types.js';
import { hashWork } from './workers/handlers/hash-work.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));

/** rep 0: Sluice, BullMQ, bee-queue; each repetition starts one library later. */
function libraryOrder(rep: number): Lib[] {
  return LIBS.map((_, i) => LIBS[(i + rep) % LIBS.length] as Lib);
}

/** SHA-256 digests of 1 KiB that take about 1 ms on this machine (fastest of several tries). */
function calibrateHash(): number {
  hashWork(2000);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    hashWork(1000);
    best = Math.min(best, performance.now() - start);
  }
  return Math.max(1, Math.round(1000 / best));
}

function commandLine(argv: readonly string[]): string {
  const args = argv.join(' ');
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args ? ` -- ${args}` : ''}`
    : `npx tsx bench/run.ts${args ? ` ${args}` : ''}`;
}

function installedRedisVersion(): string {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /v=(\S+)/.exec(out)?.[1] ?? 'unknown';
}

async function runMode(
  args: Args,
  mode: RedisMode,
  base: Omit<
    RunResults,
    | 'mode'
    | 'measurements'
    | 'failures'
    | 'skips'
    | 'rows'
    | 'ratios'
    | 'scaling'
    | 'retryStorm'
    | 'targets'
    | 'machine'
    | 'finishedAt'
    | 'settings'
  > & {
    settings: Omit<RunResults['settings'], 'redisConfig'>;
  },
  step: (label: string) => void,
  log: (line: string) => void,
  script: string,
): Promise<RunResults> {
  const measurements: Measurement[] = [];
  const failures: Failure[] = [];
  const skips: Skip[] = [];
  const names = args.scenarios.filter((n): n is Exclude<typeof n, 'micro'> => n !== 'micro');
  let info = machine(installedRedisVersion());
  if (names.length > 0) {
    const redis = await startRedis(mode);
    try {
      info = machine(await redisVersion(redis.admin));
      log(`Redis ${info.redis} (${mode}) on 127.0.0.1:${redis.port}`);
      const ctx: RunContext = {
        redis,
        script,
        quick: args.quick,
        sizes: base.settings.sizes,
        hashIterations: base.settings.hashIterations,
        cpuProfDir: args.cpuProf ? join(args.out ?? join(BENCH, 'results'), 'profiles.tmp') : undefined,
        step,
        record: (m) => measurements.push(m),
        fail: (f) => {
          failures.push(f);
          log(`FAILED ${mode} ${f.scenario} ${f.row} ${f.lib ?? ''} rep ${f.rep}: ${f.error}`);
        },
        skip: (s) => skips.push(s),
      };
      for (const name of names) {
        for (let rep = 0; rep < args.reps; rep++) {
          await SCENARIOS[name].run(ctx, rep, libraryOrder(rep));
        }
      }
    } finally {
      await redis.stop();
    }
  }
  const rows = summarise(measurements);
  return {
    ...base,
    mode,
    finishedAt: new Date().toISOString(),
    machine: info,
    settings: { ...base.settings, redisConfig: { 'maxmemory-policy': 'noeviction', ...MODE_SETTINGS[mode] } },
    measurements,
    failures,
    skips,
    rows,
    ratios: ratios(measurements, rows),
    scaling: scalingRatios(measurements),
    retryStorm: retryStormRatios(measurements),
    targets: targets(measurements),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args | undefined;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] as number;
  const sizes = sizesFor(args.quick, args.jobs);
  const script = compileChildren();
  const hashIterations = calibrateHash();
  // Quick runs (CI, npm test) keep their JSON out of the committed results.
  const outDir = args.out ?? join(BENCH, 'results', args.quick ? 'quick.tmp' : '');
  mkdirSync(outDir, { recursive: true });
  const redisNames = args.scenarios.filter((n) => n !== 'micro') as (keyof typeof SCENARIOS)[];
  const perRep = redisNames.reduce((sum, n) => sum + SCENARIOS[n].steps({ quick: args.quick, sizes }), 0);
  const progress = createProgress(
    perRep * args.reps * args.modes.length + (args.scenarios.includes('micro') ? 1 : 0),
  );

  let micro: MicroResult[] | undefined;
  if (args.scenarios.includes('micro')) {
    micro = await runMicro(sizes.microMs);
    progress.step('micro');
  }
  const stamp = startedAt.replace(/[:.]/g, '-');
  const runs: RunResults[] = [];
  const files: string[] = [];
  try {
    for (const [index, mode] of args.modes.entries()) {
      const result = await runMode(
        args,
        mode,
        {
          suite: 'sluice-bench',
          format: 1,
          command: commandLine(argv),
          startedAt,
          loadAtStart,
          quick: args.quick,
          reps: args.reps,
          scenarios: args.scenarios.map((name) => ({
            name,
            description: name === 'micro' ? MICRO_DESCRIPTION : SCENARIOS[name].description,
          })),
          settings: {
            sizes,
            hashIterations,
            orders: Array.from({ length: args.reps }, (_, rep) => libraryOrder(rep)),
          },
          micro: index === 0 ? micro : undefined,
        },
        (label) => progress.step(`${mode} ${label}`),
        (line) => progress.log(line),
        script,
      );
      const file = join(outDir, `${stamp}-${mode}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      runs.push(result);
      files.push(file);
    }
  } finally {
    progress.stop();
  }

  const out: string[] = [];
  for (const run of runs) {
    out.push(`## ${run.mode}${run.quick ? ' (quick)' : ''}\n`, rowsTable(run), '', ratiosTable(run), '');
    if (run.rows.some((r) => r.scenario === 'cluster')) out.push(clusterTable(run), '');
  }
  if (runs.some((r) => r.rows.length > 0)) out.push('## Targets\n', targetsTable(runs), '');
  if (micro) out.push(microTable(micro), '');
  process.stdout.write(`${out.join('\n')}\n`);

  const problems = runs.flatMap((run) => insanities(run).map((p) => `${run.mode}: ${p}`));
  const complete = !args.quick && args.scenarios.length === parseBenchArgs([])?.scenarios.length;
  if (complete && problems.length === 0) {
    const chart = writeChart(files);
    const report = writeReport(files);
    process.stderr.write(`wrote ${chart.join(', ')} and ${report}\n`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`results: ${files.join(', ')} (${seconds} s)\n`);
  if (problems.length > 0) {
    process.stderr.write(`\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killAll();
    process.exit(1);
  },
);

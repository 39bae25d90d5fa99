/**
 * bench/RESULTS.md from the results JSON of one run (a file per Redis mode).
 * `npx tsx bench/report.ts [results.json ...]` (default: the latest run in bench/results).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latestRun, readResults, writeChart } from './chart.js';
import { ratios, retryStormRatios, scalingRatios, summarise, targets } from './lib/analysis.js';
import { LIB_NAMES } from './lib/protocol.js';
import {
  clusterTable,
  microTable,
  type RunResults,
  ratiosTable,
  rowsTable,
  targetsTable,
} from './lib/results.js';
import { thousands } from './lib/table.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const REPORT = `${BENCH}RESULTS.md`;
/** Runs of the cluster scenario alone (`--scenario cluster --out bench/results/cluster`). */
const CLUSTER_DIR = `${BENCH}results/cluster/`;

function machineLine(run: RunResults): string {
  const m = run.machine;
  const versions = Object.entries(m.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const load =
    run.loadAtStart === undefined ? '' : `; load average ${run.loadAtStart.toFixed(2)} at the start`;
  return `${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB, ${m.os}; Node ${m.node}, Redis ${m.redis}; ${versions}; Sluice built from ${m.sluiceCommit}${load}`;
}

function method(run: RunResults): string {
  const s = run.settings.sizes;
  return `- Every row runs on a redis-server the suite started itself on a free loopback port (mem:
  \`--save '' --appendonly no\`; aof: \`--appendonly yes --appendfsync everysec\`; both
  \`--maxmemory-policy noeviction\`), flushed before the row. ${run.reps} repetitions; the
  libraries' order rotates each repetition (${run.settings.orders.map((o) => o.map((l) => LIB_NAMES[l]).join(' → ')).join('; ')}).
  Tables show the median and, in brackets, the min–max over repetitions.
- Each library's producer or consumer runs in a child process of its own (compiled JS, no
  TypeScript loader), so **Node µs/job** is that child's \`process.cpuUsage()\` (all its threads)
  over the measured phase, and **peak RSS** its \`process.resourceUsage().maxRSS\` (summed over
  the row's processes: producer + consumer in steady-state, both consumers in scaling).
  **Redis µs/job** is the \`INFO cpu\` (used_cpu_sys + used_cpu_user) delta over the same
  phase, **Redis B/job** the \`INFO memory\` used_memory delta per added job (jobs left waiting).
- Add rows: the child connects and adds ${s.warmAdd} warm-up jobs (for ingest-10k one whole
  10,000-job call) in the same shape before the timed phase.
- Consume rows: the jobs are pre-added (${thousands(s.workerConcurrent)} for worker-concurrent,
  1,000 per bulk call) to the same queue in Redis db 1 while the consumers start in db 0 and
  warm up on ${thousands(s.warmConsume)} jobs; \`SWAPDB 0 1\` then hands them every job at once (and a
  publish on \`sluice:{q}:wake\` wakes an idle Sluice engine). Timing ends when the library's own
  completed count (Sluice's stats hash, BullMQ's completed ZSET, bee-queue's succeeded SET,
  polled every 2 ms) reaches the job count, i.e. every job is settled in Redis. Peers run with
  their default job options (both keep completed jobs). BullMQ: default \`Queue\`/\`Worker\`
  options. bee-queue: producers \`isWorker: false, getEvents: false, storeJobs: false\` and
  workers \`getEvents: false\`, as its README advises for those roles; other settings default.
- Sluice consumers are \`Engine.start()\` in the child (what \`node dist/engine.js\` runs), with
  \`--threads 2\` unless said otherwise; worker-generic gives Sluice 1 thread, 1 task per thread
  and 1 job per thread batch, the nearest thing to concurrency 1.${everyJobMethod(run)}
- steady-state: a consumer child and a producer child together. The producer offers its rate
  open-loop: about every millisecond the jobs due since the last tick go out as one bulk call,
  without waiting for earlier calls. Capacity = jobs completed per second with the producer
  flat out (calls of 100, 4 in flight, pausing above 10,000 unfinished jobs) over a
  ${s.capacityMs / 1000} s window after a ${s.capacityRampMs / 1000} s ramp; each offered load is measured over
  ${s.levelMs / 1000} s after a ramp of a quarter of that. The CPU and throughput figures are the
  window's; Redis µs/job at capacity is the cost of adding and consuming a job together. Latency is enqueue → handler
  start: the producer puts \`performance.timeOrigin + performance.now()\` in the payload and the
  handler takes the same clock (Sluice's threads send their samples to the engine's main
  thread on a BroadcastChannel); only the jobs enqueued inside the window count; an HDR histogram (µs, 3 digits) gives p50/p99/p99.9. Producer and consumer clocks agree
  within the skew measured by ping (largest seen: ${Math.max(0, ...run.rows.map((r) => r.clockSkewMs ?? 0)).toFixed(3)} ms), not corrected.
- cpu-heavy: ${run.settings.hashIterations} SHA-256 digests of 1 KiB per job (calibrated to about 1 ms on one core
  of this machine at the start of the run). Its Node µs/job therefore also shows how busy the
  machine was: well above 1,000 µs means the same work took more CPU time than at calibration
  (other load on the shared cores, or a slower clock), which slows every library in that
  repetition alike; compare ratios, which are taken within a repetition.
- Bulk ingestion target: Sluice at its best chunk size against the peers' chunks of 50; Redis
  CPU per added + consumed job: Sluice's queue-add-bulk (best chunk) plus worker-concurrent.`;
}

/**
 * The method of the scenarios about single jobs rather than floods (worker-concurrency-1,
 * consume-from-resume, retry-lateness, retry-storm), for those the run has: older runs have
 * none of them, nor their sizes.
 */
function everyJobMethod(run: RunResults): string {
  const s = run.settings.sizes;
  const has = (name: string) => run.scenarios.some((scenario) => scenario.name === name);
  const retries = has('retry-lateness') || has('retry-storm');
  return [
    has('worker-concurrency-1')
      ? `- worker-concurrency-1 runs Sluice as users would for one job at a time: the engine option
  \`concurrency: 1\` on 1 and on 2 threads, every other option at its default (so at most
  2 × threads jobs are leased ahead).`
      : '',
    has('consume-from-resume')
      ? `- consume-from-resume: as the consume rows, but Sluice and BullMQ take the jobs
  (${thousands(s.resumeSmall)} and ${thousands(s.resumeLarge)}) from a queue paused with their own \`pause()\` while they were added,
  and the clock starts at \`resume()\`; bee-queue has no pause, so its rows are consume rows.`
      : '',
    retries
      ? `- The retry scenarios use each library's own attempts and fixed backoff (Sluice and BullMQ
  \`{ attempts, backoff: { type: 'fixed', delay } }\`, bee-queue
  \`retries(attempts − 1).backoff('fixed', delay)\`); bee-queue workers run with
  \`activateDelayedJobs\`, without which no backoff retry runs (\`delayedDebounce\` at its default).`
      : '',
    has('retry-lateness')
      ? `- retry-lateness: ${thousands(s.retryLateness)} jobs per backoff, added a group at a time, each group once the
  one before has completed and a random pause has passed; the handler fails every first attempt.
  Lateness = start of attempt 2 − (failure of attempt 1 + backoff), both by the handler's clock
  (Sluice's threads send them to the engine's main thread on a BroadcastChannel), in the latency
  column (HDR as in steady-state; the max in the row's label). Its jobs/s and time are the
  runner's pace, not shown; its CPU per job includes the idle time between groups.`
      : '',
    has('retry-storm')
      ? `- retry-storm: ${thousands(s.retryStorm)} pre-added jobs (attempts 4, backoff 10 ms) as in the consume rows,
  done when every job is completed or dead (Sluice's \`dead\` counter, BullMQ's failed ZSET and
  bee-queue's failed SET added to the completed count). The handler fails an attempt when a hash
  of job id and attempt falls in the lowest 20 %; every library numbers its jobs 1, 2, 3…, so all
  three fail the same attempts. The ratios table gives each library's time with failures ÷ without.`
      : '',
  ]
    .filter(Boolean)
    .map((bullet) => `\n${bullet}`)
    .join('');
}

/** One line per skipped row and library, with how many repetitions and the capacities seen. */
function skipLines(run: RunResults): string[] {
  const groups = new Map<string, { label: string; reasons: string[]; capacities: number[] }>();
  for (const skip of run.skips) {
    const key = `${skip.scenario}\u0000${skip.row}\u0000${skip.lib}`;
    const group = groups.get(key) ?? {
      label: `${skip.scenario} ${skip.row}, ${LIB_NAMES[skip.lib]}`,
      reasons: [],
      capacities: [],
    };
    const capacity = /capacity of (\d+)\/s/.exec(skip.reason)?.[1];
    if (capacity) group.capacities.push(Number(capacity));
    else group.reasons.push(skip.reason);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => {
    const count = g.capacities.length + g.reasons.length;
    const caps = g.capacities.sort((a, b) => a - b);
    const why = caps.length
      ? `the offered rate was over the capacity measured in the same repetition (${caps.map(thousands).join(', ')}/s)`
      : [...new Set(g.reasons)].join('; ');
    return `- ${g.label}: not run in ${count} of ${run.reps} repetitions: ${why}`;
  });
}

const hasCluster = (run: RunResults) => run.rows.some((r) => r.scenario === 'cluster');

/**
 * The cluster scenario's rows from the reported runs, or else from the latest run of that scenario
 * alone in results/cluster/ (named with its own command, date and machine).
 */
function clusterSection(runs: readonly RunResults[]): string[] {
  let source = runs.filter(hasCluster);
  let from: string[] = [];
  if (source.length === 0) {
    const files = existsSync(CLUSTER_DIR) ? latestRun(CLUSTER_DIR) : [];
    source = files.map(readResults).map(rederive).filter(hasCluster);
    const first = source[0];
    if (!first) return [];
    from = [
      `From a run of this scenario alone: \`${first.command}\`, started ${first.startedAt};`,
      `${files.map((f) => `\`${relative(BENCH, f)}\``).join(', ')}. Machine: ${machineLine(first)}.`,
      '',
    ];
  }
  const out = ['## Cluster: throughput vs partitions (Sluice only)', '', ...from];
  for (const run of source) {
    out.push(`Redis ${run.mode}:`, '', clusterTable(run), '');
  }
  const first = source[0] as RunResults;
  const reasons = new Set(first.skips.filter((s) => s.scenario === 'cluster').map((s) => s.reason));
  out.push(
    `- A Redis Cluster of 3 masters without replicas, started for each repetition (the same
  redis-servers with \`--cluster-enabled yes\` and a cluster bus port of their own, joined by
  \`redis-cli --cluster create\`, which splits the slots evenly); every master is flushed before
  each row, and **Redis µs/job** is the sum of every master's \`INFO cpu\` delta. The
  single-server rows run on the run's own redis-server in the same repetition, as the reference.
- Add rows: ${thousands(first.settings.sizes.cluster)} tiny jobs in bulk calls of 1,000 (queue-add-bulk's best Sluice chunk),
  after a warm-up as queue-add-bulk's, the producer's \`Queue\` opened with the row's partitions.
- Consume rows: SWAPDB does not exist on a cluster, so (on the single server too) the engines
  start and warm up on the empty queue, the queue is paused, ${thousands(first.settings.sizes.cluster)} tiny jobs are
  added, and \`resume()\`, which wakes the engines, starts the clock; timing ends when the
  partitions' completed counters (one HGET each, every 2 ms) have grown by the job count. One
  engine of 2 threads, as in worker-concurrent; "2 engines" are two processes of 1 thread each, as
  in scaling.
- Every node of the cluster, the producer and the engines share this machine's ${first.machine.cores} cores, so
  the table shows what partitioning costs per job and whether it pays on one machine, not how a
  cluster of separate machines scales.
- Not run: ${[...reasons].join('; ')}.`,
    '',
  );
  return out;
}

export function renderReport(runs: readonly RunResults[], files: readonly string[]): string {
  const first = runs[0];
  if (!first) throw new Error('no results');
  const minutes =
    (Date.parse(runs.at(-1)?.finishedAt ?? first.startedAt) - Date.parse(first.startedAt)) / 60_000;
  const out: string[] = [
    '# Benchmark results',
    '',
    `Generated by \`bench/report.ts\` from the latest complete run; \`npm run bench\` rewrites it.`,
    '',
    `- Command: \`${first.command}\`${first.quick ? ' (quick)' : ''}`,
    `- Started ${first.startedAt}, took ${minutes.toFixed(1)} min`,
    `- Machine: ${machineLine(first)}`,
    `- Results: ${files.map((f) => `\`${relative(BENCH, f)}\``).join(', ')}`,
    '',
    '![jobs/s per scenario and latency vs offered load (Redis without persistence)](results/chart.svg)',
    '',
  ];
  if (runs.some((r) => r.mode === 'aof') && runs.some((r) => r.mode === 'mem')) {
    out.push(
      'The same with AOF (`appendfsync everysec`): [results/chart-aof.svg](results/chart-aof.svg)',
      '',
    );
  }
  out.push('## Targets (issue #3, Sluice against peers in the same run)', '', targetsTable(runs), '');
  for (const run of runs) {
    out.push(
      `## Results: Redis ${run.mode === 'mem' ? 'without persistence (mem)' : 'with AOF everysec (aof)'}`,
      '',
      rowsTable(run),
      '',
      'Ratios, computed within each repetition (for latency, lower is better for Sluice):',
      '',
      ratiosTable(run),
      '',
    );
    if (run.skips.length > 0) out.push('Rows not run:', '', ...skipLines(run), '');
    if (run.failures.length > 0) {
      out.push(
        'Failures:',
        '',
        ...run.failures.map((f) => `- ${f.scenario} ${f.row} ${f.lib ?? ''} rep ${f.rep}: ${f.error}`),
        '',
      );
    }
  }
  out.push(...clusterSection(runs));
  const micro = runs.find((r) => r.micro)?.micro;
  if (micro) out.push('## Micro-benchmarks (tinybench, Sluice only)', '', microTable(micro), '');
  out.push(
    '## Scenarios',
    '',
    ...first.scenarios.map((s) => `- \`${s.name}\`: ${s.description}`),
    '',
    '## How it is measured',
    '',
    method(first),
    '',
  );
  return out.join('\n');
}

/** Medians, ratios and targets again from the raw measurements, with this version's analysis. */
function rederive(run: RunResults): RunResults {
  const rows = summarise(run.measurements);
  return {
    ...run,
    rows,
    ratios: ratios(run.measurements, rows),
    scaling: scalingRatios(run.measurements),
    retryStorm: retryStormRatios(run.measurements),
    targets: targets(run.measurements),
  };
}

export function writeReport(files: readonly string[]): string {
  const order = (run: RunResults) => (run.mode === 'mem' ? 0 : 1);
  const runs = files
    .map(readResults)
    .map(rederive)
    .sort((a, b) => order(a) - order(b));
  const sorted = [...files].sort((a, b) => Number(a.endsWith('-aof.json')) - Number(b.endsWith('-aof.json')));
  writeFileSync(REPORT, renderReport(runs, sorted));
  // The project's formatter has the last word on layout, so `biome check` stays clean.
  spawnSync(
    process.execPath,
    [`${BENCH}../node_modules/@biomejs/biome/bin/biome`, 'format', '--write', REPORT],
    {
      stdio: 'ignore',
    },
  );
  return REPORT;
}

if (process.argv[1] && basename(process.argv[1]) === 'report.ts') {
  const files = process.argv.length > 2 ? process.argv.slice(2) : latestRun();
  if (files.length === 0) {
    process.stderr.write('no results JSON in bench/results: run npm run bench first\n');
    process.exit(1);
  }
  writeChart(files);
  process.stdout.write(`${writeReport(files)}\n`);
}

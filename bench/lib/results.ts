/** The JSON a run writes (one file per Redis mode), its tables, and its sanity check. */
import type { MicroResult } from '../scenarios/micro.js';
import type { Failure, Measurement, Sizes, Skip } from '../scenarios/types.js';
import type { Ratio, RowSummary, Stat, Target } from './analysis.js';
import { PEERS } from './analysis.js';
import type { Machine } from './machine.js';
import { LIB_NAMES, type Lib } from './protocol.js';
import type { RedisMode } from './redis-server.js';
import { markdownTable, short, thousands } from './table.js';

export interface RunResults {
  suite: 'sluice-bench';
  format: 1;
  command: string;
  startedAt: string;
  /** The 1-minute load average when the run started: other work on the machine (absent in older runs). */
  loadAtStart?: number;
  finishedAt: string;
  mode: RedisMode;
  quick: boolean;
  reps: number;
  scenarios: { name: string; description: string }[];
  machine: Machine;
  settings: {
    sizes: Sizes;
    hashIterations: number;
    redisConfig: Readonly<Record<string, string>>;
    /** Libraries' order in each repetition. */
    orders: Lib[][];
  };
  measurements: Measurement[];
  failures: Failure[];
  skips: Skip[];
  rows: RowSummary[];
  ratios: Ratio[];
  scaling: { lib: Lib; stat: Stat }[];
  /** Each library's retry-storm time with failures ÷ without. */
  retryStorm: { lib: Lib; stat: Stat }[];
  targets: Target[];
  micro: MicroResult[] | undefined;
}

const LIB_ORDER: readonly Lib[] = ['sluice', 'bullmq', 'bee'];

function range(s: Stat, format: (n: number) => string): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || s.min === s.max) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

function rowLabel(r: RowSummary): string {
  if (r.scenario === 'steady-state' && r.offeredPerSec && r.row !== 'capacity') {
    return r.row.endsWith('%') ? `${r.row} (${thousands(r.offeredPerSec.median)}/s offered)` : r.row;
  }
  if (r.scenario === 'retry-lateness' && r.latency) {
    return `${r.row}: lateness (max ${short(r.latency.max.median)} ms)`;
  }
  if (r.scenario === 'consume-from-resume') return `${r.row} (${thousands(r.jobs.median)} jobs)`;
  return r.row;
}

/** Scenarios whose time is a length the runner set (steady-state's window, retry-lateness's pace). */
const UNTIMED = new Set(['steady-state', 'retry-lateness']);

/** Rows in the order the scenarios ran, libraries Sluice, BullMQ, bee-queue. */
export function orderedRows(results: Pick<RunResults, 'rows' | 'scenarios'>): RowSummary[] {
  const scenarioIndex = (name: string) => results.scenarios.findIndex((s) => s.name === name);
  const firstSeen = new Map<string, number>();
  results.rows.forEach((r, i) => {
    const k = `${r.scenario}\u0000${r.row}`;
    if (!firstSeen.has(k)) firstSeen.set(k, i);
  });
  return [...results.rows].sort(
    (a, b) =>
      scenarioIndex(a.scenario) - scenarioIndex(b.scenario) ||
      (firstSeen.get(`${a.scenario}\u0000${a.row}`) ?? 0) -
        (firstSeen.get(`${b.scenario}\u0000${b.row}`) ?? 0) ||
      LIB_ORDER.indexOf(a.lib) - LIB_ORDER.indexOf(b.lib),
  );
}

export function rowsTable(results: RunResults): string {
  const body = orderedRows(results).map((r) => {
    const latency = r.latency
      ? `${short(r.latency.p50.median)} / ${short(r.latency.p99.median)} / ${short(r.latency.p999.median)}`
      : '';
    const flags = [
      r.behind ? `producer behind in ${r.behind}` : '',
      r.undrained ? `${r.undrained} undrained` : '',
    ].filter(Boolean);
    return [
      r.scenario,
      rowLabel(r) + (flags.length ? ` (${flags.join(', ')})` : ''),
      LIB_NAMES[r.lib],
      // retry-lateness's jobs/s is only the pace the runner added at.
      r.scenario === 'retry-lateness' ? '' : range(r.jobsPerSec, thousands),
      UNTIMED.has(r.scenario) ? '' : short(r.elapsedMs.median),
      short(r.redisCpuUsPerJob.median),
      short(r.nodeCpuUsPerJob.median),
      short(r.peakRssMb.median),
      r.bytesPerJob ? thousands(r.bytesPerJob.median) : '',
      latency,
    ];
  });
  return markdownTable(
    [
      'scenario',
      'row',
      'library',
      'jobs/s median (min–max)',
      'ms',
      'Redis µs/job',
      'Node µs/job',
      'peak RSS MB',
      'Redis B/job',
      'latency p50 / p99 / p99.9 ms',
    ],
    body,
    [3, 4, 5, 6, 7, 8],
  );
}

export function ratiosTable(results: RunResults): string {
  const keys = new Map<string, Ratio[]>();
  for (const r of results.ratios) {
    const k = `${r.scenario}\u0000${r.row}\u0000${r.metric}`;
    keys.set(k, [...(keys.get(k) ?? []), r]);
  }
  const metricName = { jobsPerSec: 'jobs/s', p50: 'latency p50', p99: 'latency p99', p999: 'latency p99.9' };
  const fmt = (n: number) => `${n.toFixed(2)}×`;
  const body = [...keys.values()].map((list) => {
    const first = list[0] as Ratio;
    return [
      first.scenario,
      first.row,
      metricName[first.metric],
      ...PEERS.map((peer) => {
        const r = list.find((x) => x.peer === peer);
        return r ? range(r.stat, fmt) : '';
      }),
    ];
  });
  for (const s of results.scaling) {
    body.push(['scaling', `${LIB_NAMES[s.lib]}: 2 processes ÷ 1`, 'jobs/s', range(s.stat, fmt), '']);
  }
  for (const s of results.retryStorm) {
    body.push(['retry-storm', `${LIB_NAMES[s.lib]}: 20 % failures ÷ none`, 'time', range(s.stat, fmt), '']);
  }
  return markdownTable(
    ['scenario', 'row', 'metric', 'Sluice ÷ BullMQ median (min–max)', 'Sluice ÷ bee-queue median (min–max)'],
    body,
    [3, 4],
  );
}

/**
 * cluster: one line per setup (partitions, engines), its add and consume rows side by side.
 * Row names are "add, SETUP" and "consume, SETUP" (scenarios/cluster.ts).
 */
export function clusterTable(results: Pick<RunResults, 'rows' | 'scenarios'>): string {
  const setups = new Map<string, { add?: RowSummary; consume?: RowSummary }>();
  for (const r of orderedRows(results)) {
    const match = r.scenario === 'cluster' ? /^(add|consume), (.+)$/.exec(r.row) : null;
    if (!match) continue;
    const setup = setups.get(match[2] as string) ?? {};
    setup[match[1] as 'add' | 'consume'] = r;
    setups.set(match[2] as string, setup);
  }
  const body = [...setups].map(([setup, { add, consume }]) => [
    setup,
    add ? range(add.jobsPerSec, thousands) : '',
    add ? short(add.redisCpuUsPerJob.median) : '',
    add ? short(add.nodeCpuUsPerJob.median) : '',
    consume ? range(consume.jobsPerSec, thousands) : '',
    consume ? short(consume.redisCpuUsPerJob.median) : '',
    consume ? short(consume.nodeCpuUsPerJob.median) : '',
  ]);
  return markdownTable(
    [
      'queue on the cluster',
      'add jobs/s median (min–max)',
      'add Redis µs/job',
      'add Node µs/job',
      'consume jobs/s median (min–max)',
      'consume Redis µs/job',
      'consume Node µs/job',
    ],
    body,
    [1, 2, 3, 4, 5, 6],
  );
}

export function verdict(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? 'met' : 'MISSED';
}

export function targetsTable(runs: readonly RunResults[]): string {
  const first = runs[0];
  if (!first) return '';
  const body = first.targets.map((t) => [
    t.text,
    ...runs.flatMap((run) => {
      const mine = run.targets.find((x) => x.id === t.id);
      return [mine?.measured ?? 'not measured', verdict(mine?.met)];
    }),
  ]);
  return markdownTable(['target', ...runs.flatMap((run) => [`measured (${run.mode})`, run.mode])], body);
}

export function microTable(micro: readonly MicroResult[]): string {
  return markdownTable(
    ['micro-benchmark (tinybench)', 'ns/op', 'ops/s', '± %'],
    micro.map((m) => [m.name, short(m.nsPerOp), thousands(m.opsPerSec), m.rme.toFixed(1)]),
    [1, 2, 3],
  );
}

/** Problems that make a run fail: scenarios that did not run, and impossible numbers. */
export function insanities(results: RunResults): string[] {
  const problems = results.failures.map(
    (f) => `${f.scenario} ${f.row} ${f.lib ?? ''} rep ${f.rep}: ${f.error}`,
  );
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  for (const m of results.measurements) {
    const at = `${m.scenario} ${m.row} ${m.lib} rep ${m.rep}`;
    const x = m.metrics;
    if (!finite(x.jobsPerSec) || x.jobsPerSec <= 0) problems.push(`${at}: jobs/s is ${x.jobsPerSec}`);
    if (!finite(x.jobs) || x.jobs <= 0) problems.push(`${at}: ${x.jobs} jobs`);
    if (!finite(x.redisCpuUsPerJob) || x.redisCpuUsPerJob < 0)
      problems.push(`${at}: Redis CPU ${x.redisCpuUsPerJob}`);
    if (!finite(x.nodeCpuUsPerJob) || x.nodeCpuUsPerJob <= 0)
      problems.push(`${at}: Node CPU ${x.nodeCpuUsPerJob}`);
    if (!finite(x.peakRssMb) || x.peakRssMb <= 0) problems.push(`${at}: peak RSS ${x.peakRssMb}`);
    const adds = ['queue-add', 'queue-add-bulk', 'ingest-10k'].includes(m.scenario);
    if (adds && !finite(x.bytesPerJob)) problems.push(`${at}: no Redis bytes per job`);
    if (m.scenario === 'steady-state' || m.scenario === 'retry-lateness') {
      if (!x.latency || !finite(x.latency.p50) || x.latency.p50 <= 0) problems.push(`${at}: no latency`);
    }
    if (m.scenario === 'steady-state' && !finite(x.offeredPerSec)) problems.push(`${at}: no offered rate`);
  }
  for (const scenario of results.scenarios) {
    if (scenario.name === 'micro') continue;
    for (const lib of LIB_ORDER) {
      const ran = results.measurements.some((m) => m.scenario === scenario.name && m.lib === lib);
      // A library a scenario does not measure (cluster: the peers) is skipped with a reason.
      const skipped = results.skips.some((s) => s.scenario === scenario.name && s.lib === lib);
      if (!ran && !skipped) problems.push(`${scenario.name}: no row measured for ${LIB_NAMES[lib]}`);
    }
  }
  for (const m of results.micro ?? []) {
    if (!finite(m.nsPerOp) || m.nsPerOp <= 0) problems.push(`micro ${m.name}: ${m.nsPerOp} ns/op`);
  }
  return problems;
}

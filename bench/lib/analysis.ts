/**
 * From raw measurements to what the report shows: medians and ranges per row, Sluice ÷ peer
 * ratios computed within each repetition, and the issue's targets. Pure functions.
 */
import type { Measurement, Metrics } from '../scenarios/types.js';
import { TINY_PAYLOAD_BYTES } from './payloads.js';
import { CONCURRENT_ADDS, type Lib, UNBATCHED } from './protocol.js';

export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stat(values: readonly number[]): Stat {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median =
    n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, n };
}

export interface RowSummary {
  scenario: string;
  row: string;
  lib: Lib;
  jobs: Stat;
  jobsPerSec: Stat;
  elapsedMs: Stat;
  redisCpuUsPerJob: Stat;
  nodeCpuUsPerJob: Stat;
  peakRssMb: Stat;
  bytesPerJob?: Stat;
  offeredPerSec?: Stat;
  latency?: { p50: Stat; p99: Stat; p999: Stat; max: Stat; count: Stat };
  /** Repetitions in which the producer could not keep up the offered rate. */
  behind?: number;
  /** Most jobs left when a drain timed out. */
  undrained?: number;
  /** Largest producer/consumer clock skew seen, ms. */
  clockSkewMs?: number;
}

const key = (m: Pick<Measurement, 'scenario' | 'row' | 'lib'>) => `${m.scenario}\u0000${m.row}\u0000${m.lib}`;

export function summarise(measurements: readonly Measurement[]): RowSummary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const list = groups.get(key(m)) ?? [];
    list.push(m);
    groups.set(key(m), list);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as Measurement;
    const all = list.map((m) => m.metrics);
    const of = (pick: (m: Metrics) => number | undefined) =>
      stat(all.map(pick).filter((v) => v !== undefined));
    const summary: RowSummary = {
      scenario: first.scenario,
      row: first.row,
      lib: first.lib,
      jobs: of((m) => m.jobs),
      jobsPerSec: of((m) => m.jobsPerSec),
      elapsedMs: of((m) => m.elapsedMs),
      redisCpuUsPerJob: of((m) => m.redisCpuUsPerJob),
      nodeCpuUsPerJob: of((m) => m.nodeCpuUsPerJob),
      peakRssMb: of((m) => m.peakRssMb),
    };
    if (all.some((m) => m.bytesPerJob !== undefined)) summary.bytesPerJob = of((m) => m.bytesPerJob);
    if (all.some((m) => m.offeredPerSec !== undefined)) summary.offeredPerSec = of((m) => m.offeredPerSec);
    if (all.some((m) => m.latency !== undefined)) {
      summary.latency = {
        p50: of((m) => m.latency?.p50),
        p99: of((m) => m.latency?.p99),
        p999: of((m) => m.latency?.p999),
        max: of((m) => m.latency?.max),
        count: of((m) => m.latency?.count),
      };
    }
    if (all.some((m) => m.behind !== undefined)) summary.behind = all.filter((m) => m.behind).length;
    if (all.some((m) => m.undrained !== undefined))
      summary.undrained = Math.max(...all.map((m) => m.undrained ?? 0));
    if (all.some((m) => m.clockSkewMs !== undefined)) {
      summary.clockSkewMs = Math.max(...all.map((m) => Math.abs(m.clockSkewMs ?? 0)));
    }
    return summary;
  });
}

export type RatioMetric = 'jobsPerSec' | 'p50' | 'p99' | 'p999';
export type Peer = Exclude<Lib, 'sluice'>;
export const PEERS: readonly Peer[] = ['bullmq', 'bee'];

export interface Ratio {
  scenario: string;
  /** The row compared (for the bulk "best" row: Sluice's row and the peers' row differ). */
  row: string;
  metric: RatioMetric;
  peer: Peer;
  /** Sluice ÷ peer, one value per repetition in which both were measured. */
  stat: Stat;
}

function metricOf(m: Metrics, metric: RatioMetric): number | undefined {
  return metric === 'jobsPerSec' ? m.jobsPerSec : m.latency?.[metric];
}

/** Per-repetition ratios of Sluice's row `sluiceRow` to a peer's row `peerRow`. */
function ratioOf(
  measurements: readonly Measurement[],
  scenario: string,
  sluiceRow: string,
  peerRow: string,
  metric: RatioMetric,
  peer: Peer,
): Stat {
  const find = (lib: Lib, row: string, rep: number) =>
    measurements.find((m) => m.scenario === scenario && m.row === row && m.lib === lib && m.rep === rep);
  const reps = [...new Set(measurements.filter((m) => m.scenario === scenario).map((m) => m.rep))];
  const values: number[] = [];
  for (const rep of reps) {
    const s = find('sluice', sluiceRow, rep);
    const p = find(peer, peerRow, rep);
    const a = s && metricOf(s.metrics, metric);
    const b = p && metricOf(p.metrics, metric);
    if (a !== undefined && b !== undefined && b > 0) values.push(a / b);
  }
  return stat(values);
}

/** Sluice's bulk chunk size with the highest median jobs/s among the rows tried. */
export function bestBulkRow(rows: readonly RowSummary[]): RowSummary | undefined {
  return rows
    .filter((r) => r.scenario === 'queue-add-bulk' && r.lib === 'sluice' && r.row !== 'chunk 50')
    .sort((a, b) => b.jobsPerSec.median - a.jobsPerSec.median)[0];
}

const FIXED_LOAD_ROWS = new Set(['20k/s', '100k/s']);

/** Sluice's rows at the rates BullMQ was offered (see scenarios/steady.ts). */
const AT_BULLMQ = /^at BullMQ's (\d+%)$/;

export function ratios(measurements: readonly Measurement[], rows: readonly RowSummary[]): Ratio[] {
  const out: Ratio[] = [];
  const add = (
    scenario: string,
    sluiceRow: string,
    peerRow: string,
    metric: RatioMetric,
    label = sluiceRow,
    peers: readonly Peer[] = PEERS,
  ) => {
    for (const peer of peers) {
      const s = ratioOf(measurements, scenario, sluiceRow, peerRow, metric, peer);
      if (s.n > 0) out.push({ scenario, row: label, metric, peer, stat: s });
    }
  };
  const pairs = new Map<string, { scenario: string; row: string }>();
  for (const r of rows) if (r.lib !== 'sluice') pairs.set(`${r.scenario}\u0000${r.row}`, r);
  for (const { scenario, row } of pairs.values()) {
    if (scenario === 'steady-state' && !FIXED_LOAD_ROWS.has(row) && row !== 'capacity') continue;
    // Its jobs/s is the pace the runner adds at; lateness is what it measures.
    if (scenario === 'retry-lateness') {
      for (const metric of ['p50', 'p99'] as const) add(scenario, row, row, metric);
      continue;
    }
    add(scenario, row, row, 'jobsPerSec');
    if (scenario === 'steady-state' && FIXED_LOAD_ROWS.has(row)) {
      for (const metric of ['p50', 'p99', 'p999'] as const) add(scenario, row, row, metric);
    }
  }
  // Sluice's adds without batching, against the peers' same rows.
  for (const peerRow of ['single', `concurrent ${CONCURRENT_ADDS}`, `concurrent ${CONCURRENT_ADDS}, tiny`]) {
    add('queue-add', `${peerRow}, ${UNBATCHED}`, peerRow, 'jobsPerSec');
  }
  const best = bestBulkRow(rows);
  if (best)
    add('queue-add-bulk', best.row, 'chunk 50', 'jobsPerSec', `Sluice ${best.row} vs peers' chunk 50`);
  for (const r of rows) {
    const match = r.scenario === 'steady-state' && r.lib === 'sluice' ? AT_BULLMQ.exec(r.row) : null;
    if (!match) continue;
    for (const metric of ['p50', 'p99', 'p999'] as const) {
      add('steady-state', r.row, match[1] as string, metric, r.row, ['bullmq']);
    }
  }
  return out;
}

/** Each library's row `over` ÷ its row `under` of one scenario in `metric`, within each repetition. */
function ownRatios(
  measurements: readonly Measurement[],
  scenario: string,
  over: string,
  under: string,
  metric: 'jobsPerSec' | 'elapsedMs',
): { lib: Lib; stat: Stat }[] {
  const libs = [...new Set(measurements.filter((m) => m.scenario === scenario).map((m) => m.lib))];
  return libs.map((lib) => {
    const mine = measurements.filter((m) => m.scenario === scenario && m.lib === lib);
    const values: number[] = [];
    for (const a of mine.filter((m) => m.row === over)) {
      const b = mine.find((m) => m.row === under && m.rep === a.rep);
      if (b) values.push(a.metrics[metric] / b.metrics[metric]);
    }
    return { lib, stat: stat(values) };
  });
}

/** Each library's 2-process row ÷ its 1-process row, within each repetition. */
export function scalingRatios(measurements: readonly Measurement[]): { lib: Lib; stat: Stat }[] {
  return ownRatios(measurements, 'scaling', '2 processes', '1 process', 'jobsPerSec');
}

/** Each library's time with 20 % of attempts failing ÷ its time with none, within each repetition. */
export function retryStormRatios(measurements: readonly Measurement[]): { lib: Lib; stat: Stat }[] {
  return ownRatios(measurements, 'retry-storm', '20 % failures', 'no failures', 'elapsedMs');
}

export interface Target {
  id: string;
  text: string;
  /** What was measured, in words and numbers; 'not measured' when a row is missing. */
  measured: string;
  met: boolean | undefined;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function targets(measurements: readonly Measurement[]): Target[] {
  const rows = summarise(measurements);
  const all = ratios(measurements, rows);
  const row = (scenario: string, name: string, lib: Lib = 'sluice') =>
    rows.find((r) => r.scenario === scenario && r.row === name && r.lib === lib);
  const ratio = (scenario: string, name: string, peer: Peer, metric: RatioMetric = 'jobsPerSec') =>
    all.find((r) => r.scenario === scenario && r.row === name && r.peer === peer && r.metric === metric)
      ?.stat;
  const out: Target[] = [];
  const ratioTarget = (id: string, text: string, s: Stat | undefined, met: (median: number) => boolean) =>
    out.push({
      id,
      text,
      measured: s && s.n > 0 ? `${fmt(s.median)}× (${fmt(s.min)}–${fmt(s.max)})` : 'not measured',
      met: s && s.n > 0 ? met(s.median) : undefined,
    });
  const atLeast = (id: string, text: string, s: Stat | undefined, min: number) =>
    ratioTarget(id, text, s, (median) => median >= min);
  const atMost = (
    id: string,
    text: string,
    value: number | undefined,
    max: number,
    unit: string,
    detail = '',
  ) =>
    out.push({
      id,
      text,
      measured:
        value === undefined || !Number.isFinite(value) ? 'not measured' : `${fmt(value)} ${unit}${detail}`,
      met: value === undefined || !Number.isFinite(value) ? undefined : value <= max,
    });

  atLeast(
    'worker-concurrent-bullmq',
    'worker-concurrent ≥ 8× BullMQ',
    ratio('worker-concurrent', 'concurrent', 'bullmq'),
    8,
  );
  atLeast(
    'worker-concurrent-bee',
    'worker-concurrent ≥ 7× bee-queue',
    ratio('worker-concurrent', 'concurrent', 'bee'),
    7,
  );
  const best = bestBulkRow(rows);
  const bestLabel = best ? `Sluice ${best.row} vs peers' chunk 50` : '';
  atLeast(
    'bulk-bullmq',
    `bulk ingestion ≥ 15× BullMQ addBulk (${best?.row ?? 'best chunk'})`,
    ratio('queue-add-bulk', bestLabel, 'bullmq'),
    15,
  );
  atLeast(
    'bulk-bee',
    `bulk ingestion ≥ 4× bee-queue saveAll (${best?.row ?? 'best chunk'})`,
    ratio('queue-add-bulk', bestLabel, 'bee'),
    4,
  );
  atMost('ingest-10k', 'ingest-10k ≤ 20 ms', row('ingest-10k', '10,000 tasks')?.elapsedMs.median, 20, 'ms');
  const cold = row('ingest-10k', 'cold first call')?.elapsedMs.median;
  const warm = row('ingest-10k', '10,000 tasks')?.elapsedMs.median;
  atMost(
    'ingest-10k-cold',
    'ingest-10k: the first call of a process ≤ 2× the second',
    cold === undefined || warm === undefined ? undefined : cold / warm,
    2,
    '×',
  );
  const consume = row('worker-concurrent', 'concurrent')?.redisCpuUsPerJob.median;
  const add = best?.redisCpuUsPerJob.median;
  const together = row('steady-state', 'capacity')?.redisCpuUsPerJob.median;
  const crossCheck =
    together === undefined
      ? ''
      : `; producer and consumer together at steady-state capacity: ${fmt(together)} µs`;
  atMost(
    'redis-cpu',
    'Redis CPU per added + consumed job ≤ 4 µs',
    add !== undefined && consume !== undefined ? add + consume : undefined,
    4,
    'µs',
    add !== undefined && consume !== undefined
      ? ` (add ${fmt(add)} at ${best?.row} + consume ${fmt(consume)}${crossCheck})`
      : '',
  );
  const at20 = row('steady-state', '20k/s')?.latency;
  const at100 = row('steady-state', '100k/s')?.latency;
  atMost('latency-20k-p50', 'latency at 20k/s offered: p50 ≤ 0.5 ms', at20?.p50.median, 0.5, 'ms');
  atMost('latency-20k-p99', 'latency at 20k/s offered: p99 ≤ 2 ms', at20?.p99.median, 2, 'ms');
  atMost('latency-100k-p99', 'latency at 100k/s offered: p99 ≤ 10 ms', at100?.p99.median, 10, 'ms');
  out.push(neverWorse(measurements, rows, all));
  atLeast(
    'queue-add-bullmq',
    'single sequential add ≥ 1.5× BullMQ',
    ratio('queue-add', 'single', 'bullmq'),
    1.5,
  );
  atLeast(
    'queue-add-bee',
    'single sequential add ≥ 1.2× bee-queue',
    ratio('queue-add', 'single', 'bee'),
    1.2,
  );
  atLeast(
    'bulk-50-bullmq',
    'bulk in chunks of 50 ≥ 10× BullMQ',
    ratio('queue-add-bulk', 'chunk 50', 'bullmq'),
    10,
  );
  atLeast(
    'bulk-50-bee',
    'bulk in chunks of 50 ≥ 3× bee-queue',
    ratio('queue-add-bulk', 'chunk 50', 'bee'),
    3,
  );
  const scale = scalingRatios(measurements).find((s) => s.lib === 'sluice')?.stat;
  atLeast('scaling', '2 engine processes ≥ 1.0× of 1', scale, 1.0);
  const bytes = row('queue-add-bulk', 'chunk 50')?.bytesPerJob?.median;
  atMost(
    'memory',
    'Redis memory per waiting job, tiny payload ≤ 100 bytes over the payload',
    bytes === undefined ? undefined : bytes - TINY_PAYLOAD_BYTES,
    100,
    'B',
    bytes === undefined ? '' : ` (${fmt(bytes, 0)} B/job − ${TINY_PAYLOAD_BYTES} B payload)`,
  );
  atLeast(
    'worker-concurrency-1-bullmq',
    'worker-concurrency-1 (1 thread, concurrency 1) ≥ 1.5× BullMQ at concurrency 1',
    ratio('worker-concurrency-1', 'concurrency 1', 'bullmq'),
    1.5,
  );
  const lateness = rows.filter((r) => r.scenario === 'retry-lateness' && r.lib === 'sluice');
  const p99s = lateness.map((r) => r.latency?.p99.median ?? Number.NaN);
  atMost(
    'retry-lateness-p99',
    'retry lateness on an idle queue: p99 ≤ 10 ms over the backoff',
    lateness.length > 0 ? Math.max(...p99s) : undefined,
    10,
    'ms',
    ` (the worst of ${lateness.map((r, i) => `${r.row}: ${fmt(p99s[i] as number)}`).join('; ')})`,
  );
  ratioTarget(
    'retry-storm',
    'retry-storm: 20 % failing attempts take ≤ 2× the time of none',
    retryStormRatios(measurements).find((s) => s.lib === 'sluice')?.stat,
    (median) => median <= 2,
  );
  atLeast(
    'resume-50k-bullmq',
    'consume from resume, 50,000 jobs (smaller backlog) ≥ 8× BullMQ',
    ratio('consume-from-resume', 'smaller backlog', 'bullmq'),
    8,
  );
  atLeast(
    'resume-50k-bee',
    'consume from resume, 50,000 jobs (smaller backlog) ≥ 7× bee-queue',
    ratio('consume-from-resume', 'smaller backlog', 'bee'),
    7,
  );
  atLeast(
    'resume-200k-bullmq',
    'consume from resume, 200,000 jobs (larger backlog) ≥ 10× BullMQ',
    ratio('consume-from-resume', 'larger backlog', 'bullmq'),
    10,
  );
  return out;
}

/**
 * "Never worse than BullMQ at the same offered load": Sluice's p50 and p99 ÷ BullMQ's, per
 * repetition, at every load both were offered (the fixed loads both ran, and Sluice at the
 * rates of BullMQ's 10/50/90 % rows). A fixed load over BullMQ's capacity is listed apart.
 */
function neverWorse(
  measurements: readonly Measurement[],
  rows: readonly RowSummary[],
  all: readonly Ratio[],
): Target {
  const notes: string[] = [];
  let met: boolean | undefined;
  const pairs = all.filter(
    (r) => r.scenario === 'steady-state' && r.peer === 'bullmq' && (r.metric === 'p50' || r.metric === 'p99'),
  );
  const labels = [...new Set(pairs.map((r) => r.row))];
  for (const label of labels) {
    const p50 = pairs.find((r) => r.row === label && r.metric === 'p50')?.stat;
    const p99 = pairs.find((r) => r.row === label && r.metric === 'p99')?.stat;
    if (!p50 || !p99 || p50.n === 0 || p99.n === 0) continue;
    const ok = p50.median <= 1 && p99.median <= 1;
    met = (met ?? true) && ok;
    notes.push(`${label.replace(/^at /, '')}: p50 ${fmt(p50.median)}×, p99 ${fmt(p99.median)}×`);
  }
  for (const fixed of FIXED_LOAD_ROWS) {
    const sluice = rows.find((r) => r.scenario === 'steady-state' && r.row === fixed && r.lib === 'sluice');
    const bullmqRan = measurements.some(
      (m) => m.scenario === 'steady-state' && m.row === fixed && m.lib === 'bullmq',
    );
    const capacity = rows.find(
      (r) => r.scenario === 'steady-state' && r.row === 'capacity' && r.lib === 'bullmq',
    );
    if (sluice && !bullmqRan && capacity) {
      notes.push(`${fixed}: over BullMQ's capacity (${Math.round(capacity.jobsPerSec.median)}/s)`);
    }
  }
  return {
    id: 'latency-vs-bullmq',
    text: 'latency never worse than BullMQ at the same offered load (Sluice ÷ BullMQ ≤ 1)',
    measured: notes.length ? notes.join('; ') : 'not measured',
    met,
  };
}

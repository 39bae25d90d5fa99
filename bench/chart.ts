/**
 * bench/results/chart.svg from a results JSON: jobs/s per scenario per library (grouped bars,
 * log scale, whiskers min–max) and enqueue→start latency percentiles vs offered load.
 * `npx tsx bench/chart.ts [results.json ...]` (default: the latest run in bench/results).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestBulkRow, type RowSummary } from './lib/analysis.js';
import { LIB_NAMES, type Lib } from './lib/protocol.js';
import type { RunResults } from './lib/results.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const COLORS: Readonly<Record<Lib, string>> = { sluice: '#1f6fb2', bullmq: '#c8443c', bee: '#e0a030' };
const LIBS: readonly Lib[] = ['sluice', 'bullmq', 'bee'];
const WIDTH = 1000;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  if (n >= 1) return n.toFixed(n >= 10 ? 0 : 1);
  return n.toPrecision(2);
}

/** Powers of ten covering [lo, hi]. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function logScale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (v) => from + ((Math.log10(Math.max(v, lo)) - a) / (b - a)) * (to - from);
}

interface Group {
  /** Lines under the group. */
  label: string[];
  bars: { lib: Lib; row: RowSummary }[];
}

function groups(results: RunResults): Group[] {
  const find = (scenario: string, row: string, lib: Lib) =>
    results.rows.find((r) => r.scenario === scenario && r.row === row && r.lib === lib);
  const group = (label: string[], scenario: string, row: string, libs: readonly Lib[] = LIBS): Group => ({
    label,
    bars: libs.flatMap((lib) => {
      const r = find(scenario, row, lib);
      return r ? [{ lib, row: r }] : [];
    }),
  });
  const best = bestBulkRow(results.rows);
  return [
    group(['queue-add'], 'queue-add', 'single'),
    group(['bulk', 'chunks of 50'], 'queue-add-bulk', 'chunk 50'),
    ...(best ? [group(['bulk, Sluice', best.row], 'queue-add-bulk', best.row, ['sluice'])] : []),
    group(['ingest-10k'], 'ingest-10k', '10,000 tasks'),
    group(['worker-', 'generic'], 'worker-generic', 'concurrency 1'),
    group(['worker-', 'concurrent'], 'worker-concurrent', 'concurrent'),
    group(['steady-state', 'capacity'], 'steady-state', 'capacity'),
    group(['scaling', '1 process'], 'scaling', '1 process'),
    group(['scaling', '2 processes'], 'scaling', '2 processes'),
    group(['cpu-heavy', '(1 ms/job)'], 'cpu-heavy', '1 ms hashing'),
  ].filter((g) => g.bars.length > 0);
}

function legend(x: number, y: number): string {
  return LIBS.map(
    (lib, i) =>
      `<rect x="${x + i * 130}" y="${y - 10}" width="12" height="12" fill="${COLORS[lib]}"/>` +
      `<text x="${x + i * 130 + 18}" y="${y}" font-size="12">${LIB_NAMES[lib]}</text>`,
  ).join('');
}

function barsPanel(results: RunResults, top: number, height: number): string {
  const list = groups(results);
  const values = list.flatMap((g) => g.bars.flatMap((b) => [b.row.jobsPerSec.min, b.row.jobsPerSec.max]));
  if (values.length === 0) return '';
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values)) / 2));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.5));
  const left = 70;
  const right = WIDTH - 20;
  const plotTop = top + 40;
  const bottom = top + height - 60;
  const y = logScale(lo, hi, bottom, plotTop);
  const out: string[] = [
    `<text x="${left}" y="${top + 16}" font-size="15" font-weight="bold">Throughput per scenario (jobs/s, log scale; whiskers: min–max of ${plural(results.reps, 'repetition')}; Redis ${results.mode})</text>`,
    legend(left, top + 34),
  ];
  for (const tick of decades(lo, hi)) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" font-size="11" text-anchor="end">${compact(tick)}</text>`,
    );
  }
  const slot = (right - left) / list.length;
  const barWidth = Math.min(26, (slot - 16) / 3);
  list.forEach((g, i) => {
    const center = left + slot * (i + 0.5);
    g.bars.forEach((b, j) => {
      const x = center + (j - g.bars.length / 2) * barWidth;
      const s = b.row.jobsPerSec;
      const top = y(s.median);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${COLORS[b.lib]}"><title>${esc(`${LIB_NAMES[b.lib]} ${b.row.scenario} ${b.row.row}: ${Math.round(s.median)} jobs/s`)}</title></rect>`,
      );
      const mid = x + (barWidth - 2) / 2;
      if (s.max > s.min) {
        out.push(
          `<line x1="${mid}" x2="${mid}" y1="${y(s.min)}" y2="${y(s.max)}" stroke="#333" stroke-width="1"/>`,
        );
      }
      out.push(
        `<text x="${mid}" y="${Math.min(top, y(s.max)) - 4}" font-size="9" text-anchor="middle">${compact(s.median)}</text>`,
      );
    });
    g.label.forEach((w, k) => {
      out.push(
        `<text x="${center}" y="${bottom + 16 + k * 13}" font-size="11" text-anchor="middle">${esc(w)}</text>`,
      );
    });
  });
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  return out.join('\n');
}

const PERCENTILES = [
  { key: 'p50', label: 'p50', dash: '' },
  { key: 'p99', label: 'p99', dash: '6 4' },
  { key: 'p999', label: 'p99.9', dash: '2 3' },
] as const;

function latencyPanel(results: RunResults, top: number, height: number): string {
  const rows = results.rows.filter(
    (r) => r.scenario === 'steady-state' && r.row !== 'capacity' && r.latency && r.offeredPerSec,
  );
  if (rows.length === 0) return '';
  const xs = rows.map((r) => r.offeredPerSec?.median ?? 1);
  const ys = rows.flatMap((r) => (r.latency ? [r.latency.p50.median, r.latency.p999.median] : []));
  const xlo = 10 ** Math.floor(Math.log10(Math.min(...xs)));
  const xhi = 10 ** Math.ceil(Math.log10(Math.max(...xs)));
  const ylo = 10 ** Math.floor(Math.log10(Math.max(0.001, Math.min(...ys))));
  const yhi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const left = 70;
  const right = WIDTH - 160;
  const plotTop = top + 40;
  const bottom = top + height - 45;
  const x = logScale(xlo, xhi, left, right);
  const y = logScale(ylo, yhi, bottom, plotTop);
  const out: string[] = [
    `<text x="${left}" y="${top + 16}" font-size="15" font-weight="bold">Enqueue → handler start latency vs offered load (ms, log–log; ${results.reps > 1 ? 'medians of ' : ''}${plural(results.reps, 'repetition')})</text>`,
    legend(left, top + 34),
  ];
  for (const tick of decades(ylo, yhi)) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" font-size="11" text-anchor="end">${compact(tick)}</text>`,
    );
  }
  for (const tick of decades(xlo, xhi)) {
    out.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${plotTop}" y2="${bottom}" stroke="#eee"/>`,
      `<text x="${x(tick)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${compact(tick)}/s</text>`,
    );
  }
  out.push(
    `<text x="${(left + right) / 2}" y="${bottom + 34}" font-size="12" text-anchor="middle">offered jobs/s</text>`,
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${bottom}" stroke="#333"/>`,
  );
  for (const lib of LIBS) {
    const mine = rows
      .filter((r) => r.lib === lib)
      .sort((a, b) => (a.offeredPerSec?.median ?? 0) - (b.offeredPerSec?.median ?? 0));
    for (const p of PERCENTILES) {
      const points = mine.map(
        (r) => [x(r.offeredPerSec?.median ?? 1), y(r.latency?.[p.key].median ?? ylo)] as const,
      );
      if (points.length === 0) continue;
      out.push(
        `<polyline fill="none" stroke="${COLORS[lib]}" stroke-width="2" stroke-dasharray="${p.dash}" points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
        ...points.map(
          ([a, b], i) =>
            `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${COLORS[lib]}"><title>${esc(`${LIB_NAMES[lib]} ${p.label} at ${mine[i]?.row}: ${mine[i]?.latency?.[p.key].median.toFixed(3)} ms`)}</title></circle>`,
        ),
      );
    }
  }
  PERCENTILES.forEach((p, i) => {
    const ly = plotTop + 10 + i * 18;
    out.push(
      `<line x1="${right + 20}" x2="${right + 60}" y1="${ly}" y2="${ly}" stroke="#333" stroke-width="2" stroke-dasharray="${p.dash}"/>`,
      `<text x="${right + 66}" y="${ly + 4}" font-size="12">${p.label}</text>`,
    );
  });
  return out.join('\n');
}

export function renderChart(results: RunResults): string {
  const barsHeight = 440;
  const latencyHeight = 400;
  const height = barsHeight + latencyHeight + 40;
  const title = `Sluice ${results.machine.versions.sluice} vs BullMQ ${results.machine.versions.bullmq} vs bee-queue ${results.machine.versions['bee-queue']} — ${results.machine.cores} cores, ${results.machine.cpuModel}, Node ${results.machine.node}, Redis ${results.machine.redis} (${results.mode})`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="20" y="22" font-size="13" fill="#444">${esc(title)}</text>`,
    barsPanel(results, 30, barsHeight),
    latencyPanel(results, 30 + barsHeight, latencyHeight),
    '</svg>',
    '',
  ].join('\n');
}

/** Results files of the latest run in bench/results (same timestamp, one per Redis mode). */
export function latestRun(dir = RESULTS_DIR): string[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-.*-(mem|aof)\.json$/.test(f))
    .sort();
  const last = files.at(-1);
  if (!last) return [];
  const stamp = last.replace(/-(mem|aof)\.json$/, '');
  return files.filter((f) => f.startsWith(stamp)).map((f) => join(dir, f));
}

export function readResults(file: string): RunResults {
  return JSON.parse(readFileSync(file, 'utf8')) as RunResults;
}

/** chart.svg from the mem results (or the first given), chart-aof.svg from the aof results. */
export function writeChart(files: readonly string[], dir = RESULTS_DIR): string[] {
  const written: string[] = [];
  const runs = files.map(readResults);
  const main = runs.find((r) => r.mode === 'mem') ?? runs[0];
  if (main) {
    writeFileSync(join(dir, 'chart.svg'), renderChart(main));
    written.push(join(dir, 'chart.svg'));
  }
  const aof = runs.find((r) => r.mode === 'aof');
  if (aof && aof !== main) {
    writeFileSync(join(dir, 'chart-aof.svg'), renderChart(aof));
    written.push(join(dir, 'chart-aof.svg'));
  }
  return written;
}

if (process.argv[1] && basename(process.argv[1]) === 'chart.ts') {
  const files = process.argv.length > 2 ? process.argv.slice(2) : latestRun();
  if (files.length === 0) {
    process.stderr.write('no results JSON in bench/results: run npm run bench first\n');
    process.exit(1);
  }
  process.stdout.write(`${writeChart(files).join('\n')}\n`);
}

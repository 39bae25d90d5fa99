import '../views.css';
import { effect } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { LatencyReply, Percentiles } from '../api-views';
import { axisWidth } from '../chart-axis';
import { formatCount, formatTime } from '../format';
import { pressure } from '../model';

const WAIT = '#2456c7';
const SLOT_S = 15;
const WINDOW_S = 15 * 60;
const RUN = '#b86e00';

/** `0.4 ms`, `35 ms`, `1.2 s`, `3 min`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === undefined || ms === null) return '–';
  if (ms === 0) return '0';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

type Columns = [number[], ...(number | null)[][]];

/** uPlot columns: slot start (s), then wait p50, wait p99, run p50, run p99 (ms; null where none). */
function columns(reply: LatencyReply | null): Columns {
  const points = reply?.points ?? [];
  const pick = (f: (p: LatencyReply['points'][number]) => Percentiles, q: 'p50' | 'p99') =>
    points.map((p) => f(p)[q] ?? null);
  return [
    points.map((p) => p.t / 1000),
    pick((p) => p.wait, 'p50'),
    pick((p) => p.wait, 'p99'),
    pick((p) => p.run, 'p50'),
    pick((p) => p.run, 'p99'),
  ];
}

function heightFor(width: number): number {
  return width < 560 ? 180 : 240;
}

const pad = (n: number) => String(n).padStart(2, '0');

function clock(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function line(label: string, stroke: string, scale: 'wait' | 'run', dash?: number[]): uPlot.Series {
  return {
    label,
    stroke,
    scale,
    width: 2,
    ...(dash ? { dash } : {}),
    points: { show: true, size: 6, fill: stroke },
    value: (_u, v) => (v === null ? '–' : formatMs(v)),
  };
}

/** From 0 to a little above the highest value shown (ms). */
function upTo(_u: uPlot, _min: number | null, max: number | null): uPlot.Range.MinMax {
  return [0, max !== null && Number.isFinite(max) && max > 0 ? max * 1.2 : 1];
}

function axis(scale: 'wait' | 'run', side: 1 | 3, stroke: string): uPlot.Axis {
  return {
    scale,
    side,
    stroke,
    grid: { show: side === 3, stroke: '#eceff3' },
    ticks: { stroke: '#dde1e6' },
    size: (_u, labels) => axisWidth(labels),
    values: (_u, values) => values.map((v) => formatMs(v)),
  };
}

function options(width: number): uPlot.Options {
  return {
    width,
    height: heightFor(width),
    // The legend is drawn below in JSX: uPlot's, with five entries, is wider than a phone.
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
    scales: {
      // The last 15 minutes up to the newest slot, so one slot alone still has a range to sit in.
      x: {
        time: true,
        // From the data itself: uPlot widens the range it passes when there is a single point.
        range: (u) => {
          const newest = u.data[0]?.at(-1);
          const end = newest === undefined ? Date.now() / 1000 : newest + SLOT_S;
          return [end - WINDOW_S, end];
        },
      },
      // Waits and run times can differ by orders of magnitude: each has its own axis.
      wait: { range: upTo },
      run: { range: upTo },
    },
    axes: [
      {
        stroke: '#5b6574',
        grid: { stroke: '#eceff3' },
        ticks: { stroke: '#dde1e6' },
        values: (_u, ticks) => ticks.map(clock),
      },
      axis('wait', 3, WAIT),
      axis('run', 1, RUN),
    ],
    series: [
      { label: 'Time', value: (_u, v) => (v === null ? '–' : formatTime(v * 1000)) },
      line('Wait p50', WAIT, 'wait'),
      line('Wait p99', WAIT, 'wait', [5, 4]),
      line('Run p50', RUN, 'run'),
      line('Run p99', RUN, 'run', [5, 4]),
    ],
  };
}

function Figures({ label, p, color }: { label: string; p: Percentiles; color: string }) {
  return (
    <span>
      <strong style={{ color }}>{label}</strong> p50 {formatMs(p.p50)} · p99 {formatMs(p.p99)}{' '}
      <span class="muted">({formatCount(p.count)} jobs)</span>
    </span>
  );
}

export function LatencyChart() {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const plot = new uPlot(
      options(el.clientWidth),
      columns(pressure.latency.peek()) as uPlot.AlignedData,
      el,
    );
    const stopData = effect(() => plot.setData(columns(pressure.latency.value) as uPlot.AlignedData));
    const observer = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && (width !== plot.width || heightFor(width) !== plot.height)) {
        plot.setSize({ width, height: heightFor(width) });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      stopData();
      plot.destroy();
    };
  }, []);

  const reply = pressure.latency.value;
  const empty = reply !== null && reply.points.length === 0;
  return (
    <section class="panel" aria-labelledby="latency-title">
      <div class="panel-head">
        <h2 id="latency-title">Latency, last 15 minutes</h2>
        {reply && reply.total.run.count > 0 && (
          <span class="latency-now" data-testid="latency-now">
            <Figures label="wait" p={reply.total.wait} color={WAIT} />
            <Figures label="run" p={reply.total.run} color={RUN} />
          </span>
        )}
      </div>
      {pressure.latencyError.value && (
        <p class="error-text">Cannot read the latency: {pressure.latencyError.value}</p>
      )}
      <div class="chart-box">
        <div ref={host} class="chart" data-testid="latency-chart" />
        {(reply === null || empty) && (
          <p class="chart-empty muted" data-testid="latency-empty">
            {reply === null
              ? 'Loading latency…'
              : 'No job started in the last 15 minutes: no latency to chart'}
          </p>
        )}
      </div>
      <p class="latency-legend" aria-hidden="true">
        <span style={{ color: WAIT }}>━ wait p50 (left axis)</span>{' '}
        <span style={{ color: WAIT }}>┅ wait p99</span> <span style={{ color: RUN }}>━ run p50</span>{' '}
        <span style={{ color: RUN }}>┅ run p99 (right axis)</span>
      </p>
      <p class="muted">
        Wait: enqueue to start of a first attempt. Run: the handler's time. Per 15 s, from every live engine's
        own histograms.
      </p>
    </section>
  );
}

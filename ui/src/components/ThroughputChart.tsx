import { effect } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { axisWidth } from '../chart-axis';
import { formatCompact, formatRate, formatTime } from '../format';
import { points, rate } from '../model';
import { toColumns, visibleRange } from '../series';

const COMPLETED = '#2f9e44';
const FAILED = '#e03131';

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:05` for a tick at that second (local time), `14:05:30` when ticks are less than a minute apart. */
function clock(seconds: number, withSeconds: boolean): string {
  const d = new Date(seconds * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return withSeconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

function heightFor(width: number): number {
  return width < 560 ? 180 : 240;
}

const rateLabel = (v: number) => `${formatCompact(v)}/s`;

/** The newest value of a series, for the legend while the pointer is not on the chart. */
function latest(u: uPlot, series: number): number | null {
  const column = u.data[series] ?? [];
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** A legend value: the hovered point's, else the newest (a bare "–" says nothing). */
function legendValue(format: (v: number) => string): uPlot.Series['value'] {
  return (u, v, series, idx) => {
    const shown = idx === null ? latest(u, series) : v;
    return shown === null ? '–' : format(shown);
  };
}

/** The drawn tick labels, kept for the chart's accessible description. */
export interface Ticks {
  x: string[];
  y: string[];
}

function options(width: number, onTicks: (axis: keyof Ticks, labels: string[]) => void): uPlot.Options {
  return {
    width,
    height: heightFor(width),
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
    scales: {
      x: {
        time: true,
        // Ends at the newest point (Redis clock); spans 15 minutes once there is that much history.
        range: () => visibleRange(points.peek(), Math.floor(Date.now() / 1000)),
      },
      y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
    },
    axes: [
      {
        stroke: '#5b6574',
        grid: { stroke: '#eceff3' },
        ticks: { stroke: '#dde1e6' },
        // "14:05:30" is about 50 px wide: ticks 60 px apart leave several even at phone width.
        space: 60,
        values: (_u, seconds, _axis, _space, increment) => {
          const labels = seconds.map((t) => clock(t, increment < 60));
          onTicks('x', labels);
          return labels;
        },
      },
      {
        stroke: '#5b6574',
        grid: { stroke: '#eceff3' },
        ticks: { stroke: '#dde1e6' },
        size: (_u, labels) => axisWidth(labels),
        values: (_u, values) => {
          const labels = values.map(rateLabel);
          onTicks('y', labels);
          return labels;
        },
      },
    ],
    series: [
      { label: 'Time', value: legendValue((t) => formatTime(t * 1000)) },
      {
        label: 'Completed',
        stroke: COMPLETED,
        fill: 'rgba(47, 158, 68, 0.10)',
        width: 1.5,
        points: { show: false },
        value: legendValue((v) => `${formatRate(v)}/s`),
      },
      {
        label: 'Failed',
        stroke: FAILED,
        width: 1.5,
        points: { show: false },
        value: legendValue((v) => `${formatRate(v)}/s`),
      },
    ],
  };
}

export function ThroughputChart() {
  const host = useRef<HTMLDivElement>(null);
  const [ticks, setTicks] = useState<Ticks>({ x: [], y: [] });

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onTicks = (axis: keyof Ticks, labels: string[]) =>
      setTicks((shown) => (shown[axis].join() === labels.join() ? shown : { ...shown, [axis]: labels }));
    const plot = new uPlot(options(el.clientWidth, onTicks), toColumns(points.peek()), el);
    const stopData = effect(() => plot.setData(toColumns(points.value)));
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

  const r = rate.value;
  const empty = points.value.length === 0;
  return (
    <section class="panel" aria-labelledby="throughput-title">
      <div class="panel-head">
        <h2 id="throughput-title">Throughput, last 15 minutes</h2>
        {r && (
          <span class="muted" data-testid="rate-now">
            now <strong style={{ color: COMPLETED }}>{formatRate(r.completed)}</strong> completed/s ·{' '}
            <strong style={{ color: FAILED }}>{formatRate(r.failed)}</strong> failed/s
          </span>
        )}
      </div>
      <div class="chart-box">
        <div
          ref={host}
          class="chart"
          role="img"
          data-testid="throughput-chart"
          aria-label={`Completed and failed jobs per second. Vertical axis: ${ticks.y.join(', ')}. Horizontal axis: ${ticks.x.join(', ')}.`}
        />
        {empty && <p class="chart-empty muted">No throughput recorded yet</p>}
      </div>
    </section>
  );
}

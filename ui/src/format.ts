// Display helpers. Client time is used for display only ("3 s ago"), never for decisions.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(n: number | undefined): string {
  return n === undefined ? '–' : integer.format(n);
}

export function formatRate(n: number | undefined): string {
  return n === undefined ? '–' : decimal.format(n);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * A time as the views show it: `14:03:22` when it is today (local time), `2024-05-01 14:03:22`
 * otherwise, so a time from another day is never taken for today's; `full` (ISO, UTC) is for the
 * hover title. `now` is the client clock, for display only.
 */
export function formatTime(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** The full timestamp of a time, for its hover title: `2024-05-01T12:03:22.120Z`. */
export function fullTime(ms: number): string {
  return new Date(ms).toISOString();
}

const SCALES: readonly [number, string][] = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A rate for a chart axis, short enough to fit it: `850`, `1.5k`, `100k`, `2.3M`. */
export function formatCompact(n: number): string {
  const size = Math.abs(n);
  for (const [scale, suffix] of SCALES) {
    if (size >= scale) return `${decimal.format(n / scale)}${suffix}`;
  }
  return decimal.format(n);
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatAgo(ms: number | undefined, now = Date.now()): string {
  return ms === undefined ? '–' : `${formatDuration(now - ms)} ago`;
}

/** A payload as escaped, pretty-printed text (rendered as JSX text, never as HTML). */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export type JsonCheck = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): JsonCheck {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `datetime-local` input value → ms since epoch, or undefined when empty or invalid. */
export function localInputToMs(value: string): number | undefined {
  if (value === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

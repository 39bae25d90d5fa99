/**
 * The checker: joins what producers were told (acknowledged ids), what handlers did (the ledgers)
 * and what Redis holds at the end, into numbers and PASS/FAIL criteria. Pure: no I/O here.
 */

/** One execution of the ledger handler that reached its end. */
export interface Execution {
  id: string;
  attempt: number;
  token: number;
  pid: number;
  /** When the producer built the job (its wall clock), for waiting-time figures. */
  sentAt: number;
  start: number;
  end: number;
  outcome: 'ok' | 'throw' | 'hang' | 'exit' | 'oom';
}

/** The queue's structures after the run (ids only, plus the dead letters' reasons). */
export interface FinalState {
  pending: string[];
  active: string[];
  delayed: string[];
  dead: Map<string, { reason: string | undefined; attempts: number }>;
  /** Ids that still have a record in the jobs hash. */
  records: Set<string>;
  stats: Record<string, number>;
}

export interface Summary {
  acked: number;
  completed: number;
  dead: number;
  lost: number;
  lostIds: string[];
  /** Σ over jobs of (successful executions − 1). */
  duplicates: number;
  /** Jobs still waiting, running or delayed. */
  left: number;
}

export function summarize(
  acked: Iterable<string>,
  executions: readonly Execution[],
  state: FinalState,
): Summary {
  const ok = new Map<string, number>();
  for (const e of executions) if (e.outcome === 'ok') ok.set(e.id, (ok.get(e.id) ?? 0) + 1);
  let duplicates = 0;
  for (const n of ok.values()) duplicates += n - 1;
  const waiting = new Set([...state.pending, ...state.active, ...state.delayed]);
  let count = 0;
  let completed = 0;
  let dead = 0;
  const lostIds: string[] = [];
  for (const id of new Set(acked)) {
    count += 1;
    if (state.dead.has(id)) dead += 1;
    else if ((ok.get(id) ?? 0) > 0 && !state.records.has(id)) completed += 1;
    else if (!waiting.has(id)) lostIds.push(id);
  }
  return { acked: count, completed, dead, lost: lostIds.length, lostIds, duplicates, left: waiting.size };
}

/** The jobs, lost and duplicates columns of a scenario's row. */
export const tally = (s: Summary) => ({ jobs: s.acked, lost: s.lost, duplicates: s.duplicates });

export interface Criterion {
  name: string;
  /** The measured value, as shown in the table. */
  value: string;
  pass: boolean;
}

export const criterion = (name: string, value: number | string, pass: boolean): Criterion => ({
  name,
  value: String(value),
  pass,
});

export const atMost = (name: string, value: number, bound: number): Criterion =>
  criterion(name, `${value} (≤ ${bound})`, value <= bound);

export const exactly = (name: string, value: number, expected: number): Criterion =>
  criterion(name, `${value} (= ${expected})`, value === expected);

/** The criteria every delivery scenario shares. */
export function deliveryCriteria(s: Summary, duplicateBound: number, expectDead = 0): Criterion[] {
  return [
    exactly('acknowledged jobs lost', s.lost, 0),
    exactly('jobs left in flight after drain', s.left, 0),
    atMost('duplicate executions', s.duplicates, duplicateBound),
    exactly('dead-lettered', s.dead, expectDead),
    exactly('completed + dead = acknowledged', s.completed + s.dead, s.acked),
  ];
}

/** Percentile (0..100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

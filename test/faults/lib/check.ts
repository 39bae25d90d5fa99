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

/** A handler start (payload.starts), logged before the handler runs: a killed run leaves one too. */
export interface Start {
  id: string;
  attempt: number;
  token: number;
  pid: number;
  at: number;
}

/** One entry of the queue's event stream. */
export interface StreamEntry {
  id: string;
  type: string;
  ids: string[];
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

/** The leases an engine held when it was killed, split by what its handlers had done with them. */
export interface LeasesAtKill {
  /** Leased ids no handler had ever started: the jobs the engine had not handed to a thread. */
  unstarted: string[];
  /** Leased ids started under the lease held at the kill: running, or done and not yet settled. */
  running: string[];
  /** Leased again after an earlier fault, and not started under this lease yet. */
  leasedAgain: string[];
}

/** Splits `leases` (id → delivery token, read after the engine stopped) by the starts logged. */
export function leasesAtKill(leases: ReadonlyMap<string, number>, starts: readonly Start[]): LeasesAtKill {
  const tokens = new Map<string, Set<number>>();
  for (const { id, token } of starts) {
    const set = tokens.get(id) ?? new Set<number>();
    set.add(token);
    tokens.set(id, set);
  }
  const out: LeasesAtKill = { unstarted: [], running: [], leasedAgain: [] };
  for (const [id, token] of leases) {
    const started = tokens.get(id);
    if (started === undefined) out.unstarted.push(id);
    else if (started.has(token)) out.running.push(id);
    else out.leasedAgain.push(id);
  }
  return out;
}

const SETTLEMENTS = new Set(['completed', 'retried', 'dead']);

/**
 * Which of `ids` a settle call leased: their newest 'started' entry directly follows a settlement
 * entry. One script call's entries are adjacent in the stream and settle.lua writes its settlements
 * before its lease's 'started'; an acquire writes 'started' alone. (It would err only for an
 * acquire that Redis ran right after a settle call that leased nothing.)
 */
export function leasedBySettle(entries: readonly StreamEntry[], ids: readonly string[]): string[] {
  const bySettle = new Map<string, boolean>();
  entries.forEach((entry, i) => {
    if (entry.type !== 'started') return;
    const previous = entries[i - 1];
    for (const id of entry.ids) bySettle.set(id, previous !== undefined && SETTLEMENTS.has(previous.type));
  });
  return ids.filter((id) => bySettle.get(id) === true);
}

/** Percentile (0..100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

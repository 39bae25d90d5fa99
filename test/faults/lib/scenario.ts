import type { Criterion } from './check.js';
import { Harness } from './harness.js';

/** small: the CI subset's size (seconds); full: `npm run faults` (100,000 jobs, minutes). */
export type Scale = 'small' | 'full';

export interface Result {
  id: string;
  title: string;
  fault: string;
  jobs: number;
  /** null where the scenario runs no jobs through engines (the API's request matrix). */
  lost: number | null;
  duplicates: number | null;
  /** The duplicate bound the criteria allow (Σ jobs in flight at the faults), as text. */
  bound: string;
  criteria: Criterion[];
  /** Measured facts that are reported but not judged. */
  notes: string[];
  seconds: number;
}

export interface Scenario {
  id: string;
  title: string;
  fault: string;
  run(scale: Scale): Promise<Omit<Result, 'id' | 'title' | 'fault' | 'seconds'>>;
}

export const passed = (result: Result): boolean => result.criteria.every((c) => c.pass);

export async function runScenario(scenario: Scenario, scale: Scale): Promise<Result> {
  const started = performance.now();
  const outcome = await scenario.run(scale);
  return {
    id: scenario.id,
    title: scenario.title,
    fault: scenario.fault,
    ...outcome,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** Runs `body` with a fresh harness, always disposed. */
export async function withHarness<T>(
  name: string,
  config: Record<string, string>,
  body: (h: Harness) => Promise<T>,
): Promise<T> {
  const h = await Harness.start(name, config);
  try {
    return await body(h);
  } finally {
    await h.dispose();
  }
}

export const pick = <T>(scale: Scale, small: T, full: T): T => (scale === 'full' ? full : small);

/** Sum of the `count` fields of an engine's "stale settlements rejected" log lines. */
export function staleRejections(logs: readonly { msg: string; count?: unknown }[]): number {
  let total = 0;
  for (const line of logs) if (line.msg.startsWith('stale settlements rejected')) total += Number(line.count);
  return total;
}

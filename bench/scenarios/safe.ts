import type { Lib } from '../lib/protocol.js';
import type { Metrics, RunContext } from './types.js';

/** Runs one row of one library; a failure is recorded and the suite goes on. */
export async function row(
  ctx: RunContext,
  scenario: string,
  rowName: string,
  lib: Lib,
  rep: number,
  measure: () => Promise<Metrics>,
): Promise<Metrics | undefined> {
  try {
    const metrics = await measure();
    ctx.record({ scenario, row: rowName, lib, rep, metrics });
    return metrics;
  } catch (error) {
    ctx.fail({
      scenario,
      row: rowName,
      lib,
      rep,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  } finally {
    ctx.step(`${scenario} ${rowName} ${lib}`);
  }
}

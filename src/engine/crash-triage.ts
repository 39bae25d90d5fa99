import type { FailureReason } from '../job/failure.js';
import type { Logger } from '../logger.js';
import type { Leased } from '../redis/acquire.js';
import type { Settler } from './settler.js';

/**
 * Finds the job that killed a thread. A thread may run several batches at once, so a death on
 * the main pool blames no job yet: each job of the batch becomes a suspect and runs again alone
 * on the quarantine pool (one thread, one job at a time). A death there convicts that job and no
 * other: it pays the attempt.
 */
export class CrashTriage {
  /** Suspects waiting for the quarantine pool, oldest first. */
  readonly #suspects: Leased[] = [];
  #running = false;

  constructor(
    private readonly settler: Settler,
    private readonly log: Logger,
  ) {}

  /** A suspect runs on the quarantine pool. */
  get running(): boolean {
    return this.#running;
  }

  /** The next suspect to run alone, when none is running; it runs until ran() is called. */
  next(): Leased | undefined {
    if (this.#running || this.#suspects.length === 0) return undefined;
    this.#running = true;
    return this.#suspects.shift();
  }

  /** The suspect that next() gave has finished, however it ended. */
  ran(): void {
    this.#running = false;
  }

  /** Suspects that never ran again (on a drain, to be released). */
  takeWaiting(): Leased[] {
    return this.#suspects.splice(0);
  }

  /** A thread died under the unsettled jobs of a batch: suspect them, or convict a quarantined one. */
  died(batch: Leased[], reason: FailureReason, error: unknown, quarantined: boolean): void {
    this.log.warn({ jobs: batch.length, reason, err: error, quarantined }, 'a thread died running a batch');
    if (!quarantined) {
      this.#suspects.push(...batch);
      return;
    }
    const job = batch[0] as Leased;
    const message =
      reason === 'oom'
        ? 'the thread ran out of memory (resourceLimits) running this job'
        : reason === 'timeout'
          ? 'the handler did not yield before its timeout; its thread was terminated'
          : `the thread running this job died: ${(error as Error)?.message ?? String(error)}`;
    const name =
      reason === 'oom' ? 'OutOfMemoryError' : reason === 'timeout' ? 'TimeoutError' : 'CrashedError';
    this.settler.fail(job, { reason, name, message });
  }
}

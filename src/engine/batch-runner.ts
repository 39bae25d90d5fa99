import type { Logger } from '../logger.js';
import type { Leased } from '../redis/acquire.js';
import type { ThreadPool } from '../threads/pool.js';
import { batchFailureReason } from '../threads/pool.js';
import type { BatchResult, Outcome } from '../threads/protocol.js';
import { COMPLETED } from '../threads/protocol.js';
import { batchSizes } from './batching.js';
import { CrashTriage } from './crash-triage.js';
import type { Leases } from './leases.js';
import type { ProgressWriter } from './progress.js';
import type { Settler } from './settler.js';

export interface BatchRunnerOptions {
  /** Jobs per thread batch, at most. */
  maxBatch: number;
  threads: number;
  /** Added to a batch's longest job timeout before a thread that stopped answering is terminated. */
  watchdogGraceMs: number;
}

interface Deps {
  pool: ThreadPool;
  /** One thread, one job at a time: where suspects of a thread's death run again. */
  quarantine: ThreadPool;
  leases: Leases;
  settler: Settler;
  progress: ProgressWriter;
  log: Logger;
}

/**
 * Runs leased jobs on the thread pool: splits them into thread batches, hands the pool at most
 * its capacity, and gives each job's outcome to the settler (or, for an interrupted one, keeps
 * it for release). A thread's death goes to crash triage.
 */
export class BatchRunner {
  #draining = false;
  #closed = false;
  /** Batches leased but not yet handed to the pool (the pool gets at most its capacity). */
  readonly #queued: Leased[][] = [];
  /** Batches running on the main pool (a drain waits for all of them). */
  #runningBatches = 0;
  /**
   * Batches counted against the pool's capacity: a batch whose jobs are half done (their early
   * outcomes came) stops counting, so a few slow jobs cannot keep every task slot of the pool.
   */
  #busyBatches = 0;
  readonly #interrupted: Leased[] = [];
  /** Leases revoked by a cancellation: their outcomes are dropped (Redis no longer has the job). */
  readonly #cancelled = new WeakSet<Leased>();
  readonly #triage: CrashTriage;

  /** `batchEnded` is called when a batch ends during a drain, which waits for batches. */
  constructor(
    private readonly deps: Deps,
    private readonly options: BatchRunnerOptions,
    private readonly batchEnded: () => void,
  ) {
    this.#triage = new CrashTriage(deps.settler, deps.log);
  }

  /** Batches running on the main pool. */
  get runningBatches(): number {
    return this.#runningBatches;
  }

  /** A batch or a quarantined suspect is running. */
  get busy(): boolean {
    return this.#runningBatches > 0 || this.#triage.running;
  }

  run(jobs: Leased[]): void {
    let start = 0;
    for (const size of batchSizes(jobs.length, this.options.threads, this.options.maxBatch)) {
      this.#queued.push(jobs.slice(start, start + size));
      start += size;
    }
    this.#pump();
  }

  /** Jobs whose leases a cancellation revoked: not started, or their AbortSignal fires. */
  cancel(jobs: readonly Leased[]): void {
    for (const job of jobs) this.#cancelled.add(job);
    this.deps.pool.cancel(jobs);
    this.deps.quarantine.cancel(jobs);
  }

  /** A drain began: no batch starts from now on. */
  stopStarting(): void {
    this.#draining = true;
  }

  /** Jobs that never started, batches and suspects, to be released on a drain. */
  takeUnstarted(): Leased[] {
    return [...this.#queued.splice(0).flat(), ...this.#triage.takeWaiting()];
  }

  /** Interrupts every running job (the grace period is over). */
  interruptAll(): void {
    this.deps.pool.interruptAll();
  }

  /** Interrupted jobs so far, to be released. */
  takeInterrupted(): Leased[] {
    return this.#interrupted.splice(0);
  }

  /** The pools are closing: a batch they fail is left for the janitor. */
  close(): void {
    this.#closed = true;
  }

  #pump(): void {
    while (this.#busyBatches < this.deps.pool.capacity && this.#queued.length > 0 && !this.#draining) {
      // A job leased again while its older lease waited here (Redis stalled past the lease) runs
      // once, under the newer lease: the older one could only have its settle rejected.
      const batch = (this.#queued.shift() as Leased[]).filter((job) => this.deps.leases.isCurrent(job));
      if (batch.length > 0) this.#start(batch, false);
    }
    if (this.#draining) return;
    const suspect = this.#triage.next();
    if (suspect !== undefined) this.#start([suspect], true);
  }

  #start(batch: Leased[], quarantined: boolean): void {
    let busy = !quarantined;
    const notBusy = (): void => {
      if (!busy) return;
      busy = false;
      this.#busyBatches -= 1;
      this.#pump();
    };
    if (!quarantined) {
      this.#runningBatches += 1;
      this.#busyBatches += 1;
    }
    void this.#runBatch(batch, quarantined, notBusy).finally(() => {
      if (quarantined) this.#triage.ran();
      else this.#runningBatches -= 1;
      notBusy();
      this.#pump();
      // A finished batch frees no window space (its leases go when settled: capacityFreed),
      // but a drain waits for it.
      if (this.#draining) this.batchEnded();
    });
  }

  async #runBatch(batch: Leased[], quarantined: boolean, halfDone: () => void): Promise<void> {
    // Outcomes can come early (jobs done while a slow batch-mate runs) and again in the result.
    const handled = new Uint8Array(batch.length);
    let done = 0;
    const handle = (i: number, outcome: Outcome | undefined): void => {
      if (handled[i] === 1) return;
      handled[i] = 1;
      done += 1;
      this.#handleOutcome(batch[i] as Leased, outcome);
    };
    let results: BatchResult;
    try {
      results = await (quarantined ? this.deps.quarantine : this.deps.pool).run(batch, {
        watchGraceMs: this.options.watchdogGraceMs,
        onEarly: (early) => {
          for (const [i, outcome] of early) handle(i, outcome);
          if (2 * done >= batch.length) halfDone();
        },
        onProgress: (progress) => {
          for (const [i, json] of progress)
            if (handled[i] === 0) this.deps.progress.report(batch[i] as Leased, json);
        },
      });
    } catch (error) {
      if (this.#closed) return; // the janitor recovers these leases
      const unsettled = batch.filter((_, i) => handled[i] === 0);
      if (unsettled.length > 0) this.#triage.died(unsettled, batchFailureReason(error), error, quarantined);
      return;
    }
    for (let i = 0; i < batch.length; i++) handle(i, results[i]);
  }

  #handleOutcome(job: Leased, outcome: Outcome | undefined): void {
    const { settler } = this.deps;
    if (this.#cancelled.has(job)) return;
    if (outcome === COMPLETED) settler.complete(job);
    else if (outcome === undefined) this.#interrupted.push(job);
    else if (!('reason' in outcome)) settler.complete(job, outcome);
    else if (outcome.reason === 'interrupted') this.#interrupted.push(job);
    // Only an older, superseded lease of a cancelled job gets here: nothing of it to settle.
    else if (outcome.reason === 'cancelled') return;
    else settler.fail(job, { ...outcome, reason: outcome.reason });
  }
}

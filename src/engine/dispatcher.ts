import type { FailureReason } from '../job/failure.js';
import type { Logger } from '../logger.js';
import type { Acquired, Leased, LeaseRequest } from '../redis/acquire.js';
import { acquire } from '../redis/acquire.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { release } from '../redis/release.js';
import type { Settled } from '../redis/settle.js';
import type { ThreadPool } from '../threads/pool.js';
import { batchFailureReason } from '../threads/pool.js';
import type { BatchResult, Outcome } from '../threads/protocol.js';
import { COMPLETED } from '../threads/protocol.js';
import type { LeaseAhead, WindowPolicy } from './batching.js';
import { batchSizes, nextBlockSize } from './batching.js';
import type { RedisClock } from './clock.js';
import type { Leases } from './leases.js';
import type { ProgressWriter } from './progress.js';
import type { SettleBroker, Settler } from './settler.js';

/**
 * The dispatcher moves jobs from Redis to the thread pool and their outcomes back.
 *
 * States (changed only through #to(), which asserts the move is allowed):
 *   starting   constructed, run() not called yet
 *   acquiring  an acquire call is in flight, or about to be
 *   idle       the queue was empty: waiting for a wake message, the next due delayed job (or
 *              retry this engine's settle calls scheduled) or the 1 s poll (an idle process
 *              sends about one command a second)
 *   limited    the queue's rate limit is full: waiting the ms the acquire reply gave until it
 *              frees a slot (at most the 1 s poll; a wake message, sent when the limit changes,
 *              ends it early)
 *   full       the in-flight window is full: waiting for batches to finish (backpressure)
 *   draining   stop() was called: no more acquires; running batches finish within the grace
 *              period, unstarted and interrupted jobs are released
 *   stopped    every held job is settled, released, or left for the janitor
 *
 * In acquiring, idle and full, each settle call also leases the window places it
 * frees (SettleBroker): while jobs run, one round trip per block settles and leases. The loop
 * then only acquires what no settle call is about to fill, and a settle reply that found the
 * queue empty sends it idle without an acquire of its own.
 */
export type DispatcherState = 'starting' | 'acquiring' | 'idle' | 'limited' | 'full' | 'draining' | 'stopped';

const MOVES: Readonly<Record<DispatcherState, readonly DispatcherState[]>> = {
  starting: ['acquiring', 'draining'],
  acquiring: ['acquiring', 'idle', 'limited', 'full', 'draining'],
  idle: ['acquiring', 'draining'],
  limited: ['acquiring', 'draining'],
  full: ['acquiring', 'draining'],
  draining: ['stopped'],
  stopped: [],
};

export interface DispatcherOptions {
  /** A fixed window, or one that grows with the measured rate (engines with --concurrency). */
  window: WindowPolicy | LeaseAhead;
  /** Jobs per thread batch, at most. */
  maxBatch: number;
  threads: number;
  leaseMs: number;
  /** Delayed jobs promoted per acquire, at most. */
  promoteLimit: number;
  /** Added to a batch's longest job timeout before a thread that stopped answering is terminated. */
  watchdogGraceMs: number;
  /** Interrupted jobs get this long to report after the grace period ends. */
  interruptWaitMs: number;
}

export const IDLE_POLL_MS = 1000;

interface Deps {
  redis: RedisClient;
  keys: QueueKeys;
  pool: ThreadPool;
  /** One thread, one job at a time: where suspects of a thread's death run again. */
  quarantine: ThreadPool;
  leases: Leases;
  settler: Settler;
  progress: ProgressWriter;
  clock: RedisClock;
  log: Logger;
}

/** What the last settle reply told of the queue: it had nothing more to lease (see #took). */
interface Emptied {
  /** Due time (Redis clock) of the earliest delayed job, or -1. */
  nextDue: number;
}

export class Dispatcher implements SettleBroker {
  #state: DispatcherState = 'starting';
  #wakeUp: (() => void) | undefined;
  /** The pending pause's timer and when it ends (performance.now()), so a due retry can move it up. */
  #pauseTimer: NodeJS.Timeout | undefined;
  #pauseEnds = Number.POSITIVE_INFINITY;
  /** A wake message came while we were busy: the next empty acquire must not go idle. */
  #workSignalled = false;
  /** Wake messages so far: a settle reply that was sent before the latest cannot prove the queue empty. */
  #wakes = 0;
  /** Jobs asked for by acquire and settle calls in flight: counted as leased, so the window holds. */
  #reserved = 0;
  #emptied: Emptied | undefined;
  /** Releases of jobs a settle reply brought during a drain: the drain waits for them. */
  readonly #lateReleases: Promise<void>[] = [];
  #acquireErrors = 0;
  /** Batches leased but not yet handed to the pool (the pool gets at most its capacity). */
  readonly #queued: Leased[][] = [];
  /**
   * Jobs whose thread died under them: each runs again alone on the quarantine pool (one
   * thread, one job at a time), so a death there convicts that job and no other.
   */
  readonly #suspects: Leased[] = [];
  #suspectRunning = false;
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
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly options: DispatcherOptions,
  ) {}

  get state(): DispatcherState {
    return this.#state;
  }

  /** Jobs leased and not yet settled. */
  get inFlight(): number {
    return this.deps.leases.size;
  }

  /** The leases this dispatcher holds of `ids` (for "which engine holds X?": see redis/holders.ts). */
  holding(ids: readonly string[]): { id: string; token: number }[] {
    return ids.flatMap((id) => {
      const job = this.deps.leases.get(id);
      return job === undefined ? [] : [{ id, token: job.token }];
    });
  }

  run(): void {
    this.#to('acquiring');
    this.deps.leases.start();
    this.#loop = this.#acquireLoop();
  }

  /** Settled jobs left the window: a full dispatcher may acquire again. */
  capacityFreed(): void {
    if (this.#state === 'full') this.#nudge();
  }

  /**
   * A cancel message: these jobs were removed from Redis. Those held here stop being renewed,
   * those not started never start, and running ones see their AbortSignal fire.
   */
  cancel(ids: readonly string[]): void {
    const held = ids.flatMap((id) => this.deps.leases.get(id) ?? []);
    if (held.length === 0) return;
    for (const job of held) {
      this.#cancelled.add(job);
      this.deps.leases.drop(job);
    }
    this.deps.pool.cancel(held);
    this.deps.quarantine.cancel(held);
    this.deps.log.info(
      { jobIds: held.slice(0, 20).map((job) => job.id), count: held.length },
      'jobs cancelled',
    );
    this.capacityFreed();
  }

  /** A wake message: work was added to an empty queue, or the rate limit changed. */
  signalWork(): void {
    this.#workSignalled = true;
    this.#wakes += 1;
    this.#emptied = undefined;
    if (this.#state === 'idle' || this.#state === 'limited') this.#nudge();
  }

  /** SettleBroker: the lease a settle call freeing `freeing` window places makes with it. */
  reserve(freeing: number): (LeaseRequest & { wakes: number }) | undefined {
    if (this.#draining || this.#state === 'limited' || this.#state === 'starting') return undefined;
    const { leases } = this.deps;
    const max = nextBlockSize(leases.size - freeing + this.#reserved, leases.bytes, this.#window());
    if (max === 0) return undefined;
    this.#reserved += max;
    return {
      max,
      leaseMs: this.options.leaseMs,
      promoteLimit: this.options.promoteLimit,
      wakes: this.#wakes,
    };
  }

  /** SettleBroker: a settle call ended; hand on what it leased, and wake for its retries. */
  settled(lease: LeaseRequest | undefined, settled: Settled | undefined, roundTripMs: number): void {
    if (lease !== undefined) this.#reserved -= lease.max;
    if (settled === undefined) return;
    const { window } = this.options;
    if (!('maxInFlight' in window)) {
      window.observe(settled.completed + settled.retried + settled.dead, roundTripMs, performance.now());
    }
    const got = settled.leased;
    if (got !== undefined && lease !== undefined) this.#took(got, lease as LeaseRequest & { wakes: number });
    this.#wakeBy(settled.retryDue);
    this.capacityFreed();
  }

  /** Jobs a settle call leased: dispatched as an acquire's are; the rest of its reply tells of the queue. */
  #took(got: Acquired, lease: LeaseRequest & { wakes: number }): void {
    const { leases, clock } = this.deps;
    clock.observe(got.now);
    if (got.jobs.length > 0) {
      leases.add(got.jobs);
      if (this.#draining) {
        this.#lateReleases.push(this.#release(got.jobs));
        return;
      }
      this.#dispatch(got.jobs);
    }
    if (got.pendingLeft > 0) {
      // More waits than this call could take: an idle loop acquires it.
      if (this.#state === 'idle') this.#nudge();
    } else if (got.jobs.length < lease.max && got.limitWait < 0 && lease.wakes === this.#wakes) {
      // An idle loop stays idle (woken in time for nextDue); a busy one goes idle next.
      if (this.#state === 'idle') this.#wakeBy(got.nextDue);
      else this.#emptied = { nextDue: got.nextDue };
    }
  }

  /** An idle loop wakes no later than Redis time `due` (a delayed job or retry falls due then). */
  #wakeBy(due: number): void {
    if (due < 0 || this.#state !== 'idle' || !this.deps.clock.known) return;
    const inMs = Math.max(1, due - this.deps.clock.now());
    if (performance.now() + inMs >= this.#pauseEnds) return;
    clearTimeout(this.#pauseTimer);
    this.#pauseEnds = performance.now() + inMs;
    this.#pauseTimer = setTimeout(() => this.#nudge(), inMs);
  }

  #window(): WindowPolicy {
    const { window } = this.options;
    return 'maxInFlight' in window ? window : window.window();
  }

  /**
   * Stops acquiring, lets running batches finish within graceMs, then interrupts the rest,
   * flushes settlements and releases every job that did not run to the end.
   */
  stop(graceMs: number): Promise<void> {
    this.#stopping ??= this.#drain(graceMs);
    return this.#stopping;
  }

  #to(next: DispatcherState): void {
    if (!MOVES[this.#state].includes(next)) {
      throw new Error(`dispatcher cannot move from ${this.#state} to ${next}`);
    }
    this.#state = next;
  }

  #nudge(): void {
    const wake = this.#wakeUp;
    this.#wakeUp = undefined;
    wake?.();
  }

  /** Waits for a nudge, or for ms to pass (or less: see #wakeBy). */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#pauseEnds = performance.now() + ms;
      this.#pauseTimer = Number.isFinite(ms) ? setTimeout(() => this.#nudge(), ms) : undefined;
      this.#wakeUp = () => {
        clearTimeout(this.#pauseTimer);
        this.#pauseTimer = undefined;
        this.#pauseEnds = Number.POSITIVE_INFINITY;
        resolve();
      };
    });
  }

  /** Idle until a wake message, Redis time nextDue (when > 0), or the poll. */
  async #idle(nextDue: number, now: number): Promise<void> {
    this.#to('idle');
    const untilDue = nextDue > 0 ? Math.max(1, nextDue - now) : IDLE_POLL_MS;
    await this.#pause(Math.min(IDLE_POLL_MS, untilDue));
  }

  get #draining(): boolean {
    return this.#state === 'draining' || this.#state === 'stopped';
  }

  async #acquireLoop(): Promise<void> {
    const { redis, keys, leases, clock, log } = this.deps;
    const { leaseMs, promoteLimit } = this.options;
    while (!this.#draining) {
      const want = nextBlockSize(leases.size + this.#reserved, leases.bytes, this.#window());
      if (want === 0) {
        this.#to('full');
        await this.#pause(Number.POSITIVE_INFINITY);
        if (this.#draining) return;
        this.#to('acquiring');
        continue;
      }
      const emptied = this.#emptied;
      if (emptied !== undefined) {
        // A settle call just found nothing more to lease: no acquire would either.
        this.#emptied = undefined;
        await this.#idle(emptied.nextDue, clock.now());
        if (this.#draining) return;
        this.#to('acquiring');
        continue;
      }
      this.#workSignalled = false;
      let got: Acquired;
      this.#reserved += want;
      try {
        got = await acquire(redis, keys, want, leaseMs, promoteLimit);
        this.#acquireErrors = 0;
      } catch (error) {
        this.#reserved -= want;
        this.#acquireErrors += 1;
        const retryIn = Math.min(IDLE_POLL_MS, 25 * 2 ** this.#acquireErrors);
        log.warn({ err: error, retryInMs: retryIn }, 'acquire failed; retrying');
        await this.#pause(retryIn);
        continue;
      }
      this.#reserved -= want;
      clock.observe(got.now);
      this.#emptied = undefined; // this reply is the newer word on the queue
      if (got.jobs.length > 0) {
        leases.add(got.jobs);
        if (this.#draining) {
          await this.#release(got.jobs);
          return;
        }
        this.#dispatch(got.jobs);
        // A full rate limit is reported with the leases that filled it: no call to learn it.
        if (got.limitWait < 0) continue;
      }
      if (this.#draining) return;
      if (this.#workSignalled) continue;
      if (got.limitWait > 0) {
        this.#to('limited');
        await this.#pause(Math.min(IDLE_POLL_MS, got.limitWait));
      } else {
        await this.#idle(got.nextDue, got.now);
      }
      if (this.#draining) return;
      this.#to('acquiring');
    }
  }

  #dispatch(jobs: Leased[]): void {
    let start = 0;
    for (const size of batchSizes(jobs.length, this.options.threads, this.options.maxBatch)) {
      this.#queued.push(jobs.slice(start, start + size));
      start += size;
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#busyBatches < this.deps.pool.capacity && this.#queued.length > 0 && !this.#draining) {
      // A job leased again while its older lease waited here (Redis stalled past the lease) runs
      // once, under the newer lease: the older one could only have its settle rejected.
      const batch = (this.#queued.shift() as Leased[]).filter((job) => this.deps.leases.isCurrent(job));
      if (batch.length > 0) this.#start(batch, false);
    }
    if (!this.#suspectRunning && this.#suspects.length > 0 && !this.#draining) {
      this.#suspectRunning = true;
      this.#start([this.#suspects.shift() as Leased], true);
    }
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
      if (quarantined) this.#suspectRunning = false;
      else this.#runningBatches -= 1;
      notBusy();
      this.#pump();
      // A finished batch frees no window space (its leases go when settled: capacityFreed),
      // but a drain waits for it.
      if (this.#draining) this.#nudge();
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
      if (this.#state === 'stopped') return; // the pool is closing: the janitor recovers these leases
      const unsettled = batch.filter((_, i) => handled[i] === 0);
      if (unsettled.length > 0) this.#batchDied(unsettled, batchFailureReason(error), error, quarantined);
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

  /**
   * A thread died under a batch. Its thread may have been running other batches too, so no job
   * is blamed yet: each goes to quarantine. A job whose quarantine thread dies is the culprit
   * and pays the attempt.
   */
  #batchDied(batch: Leased[], reason: FailureReason, error: unknown, quarantined: boolean): void {
    this.deps.log.warn(
      { jobs: batch.length, reason, err: error, quarantined },
      'a thread died running a batch',
    );
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
    this.deps.settler.fail(job, { reason, name, message });
  }

  async #release(jobs: readonly Leased[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await release(this.deps.redis, this.deps.keys, jobs);
    } catch (error) {
      this.deps.log.warn(
        { err: error, jobs: jobs.length },
        'release failed; the janitor will recover these jobs',
      );
    }
    for (const job of jobs) this.deps.leases.drop(job);
  }

  async #waitForBatches(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.#runningBatches > 0 || this.#suspectRunning) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#pause(left);
    }
    return true;
  }

  async #drain(graceMs: number): Promise<void> {
    const { log, pool, settler, leases } = this.deps;
    this.#to('draining');
    this.#nudge();
    await this.#loop;
    const unstarted = [...this.#queued.splice(0).flat(), ...this.#suspects.splice(0)];
    await this.#release(unstarted);
    if (!(await this.#waitForBatches(graceMs))) {
      log.warn({ batches: this.#runningBatches }, 'grace period over: interrupting running jobs');
      pool.interruptAll();
      await this.#waitForBatches(this.options.interruptWaitMs);
    }
    await settler.drain();
    await Promise.all(this.#lateReleases.splice(0));
    await this.#release(this.#interrupted.splice(0));
    leases.stop();
    this.deps.progress.stop();
    this.#to('stopped');
    log.info({ released: unstarted.length, leftToJanitor: leases.size }, 'dispatcher stopped');
  }
}

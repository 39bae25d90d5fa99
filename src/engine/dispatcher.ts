import type { Logger } from '../logger.js';
import type { Acquired, Leased, LeaseRequest } from '../redis/acquire.js';
import { acquire } from '../redis/acquire.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { release } from '../redis/release.js';
import type { Settled } from '../redis/settle.js';
import type { ThreadPool } from '../threads/pool.js';
import { BatchRunner } from './batch-runner.js';
import type { LeaseAhead, WindowPolicy } from './batching.js';
import { nextBlockSize } from './batching.js';
import type { RedisClock } from './clock.js';
import type { Leases } from './leases.js';
import type { ProgressWriter } from './progress.js';
import type { SettleBroker, Settler } from './settler.js';

/**
 * The dispatcher leases jobs from Redis and hands them to the batch runner (batch-runner.ts),
 * which runs them on the thread pool and gives their outcomes to the settler.
 *
 * States (changed only through #to(), which asserts the move is allowed):
 *   starting   constructed, run() not called yet
 *   acquiring  an acquire call is in flight, or about to be
 *   idle       the queue was empty: waiting for a wake message, the next due delayed job (or
 *              retry this engine's settle calls scheduled) or the idle poll (IDLE_POLL_MS: an
 *              idle process sends one command per poll)
 *   limited    the queue's rate limit is full: waiting the ms the acquire reply gave until it
 *              frees a slot (at most the idle poll; a wake message, sent when the limit changes,
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
  readonly #runner: BatchRunner;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly options: DispatcherOptions,
  ) {
    // A drain waits for running batches: each that ends wakes it.
    this.#runner = new BatchRunner(deps, options, () => this.#nudge());
  }

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
    for (const job of held) this.deps.leases.drop(job);
    this.#runner.cancel(held);
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
      this.#runner.run(got.jobs);
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
        this.#runner.run(got.jobs);
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
    while (this.#runner.busy) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#pause(left);
    }
    return true;
  }

  async #drain(graceMs: number): Promise<void> {
    const { log, settler, leases } = this.deps;
    this.#to('draining');
    this.#runner.stopStarting();
    this.#nudge();
    await this.#loop;
    const unstarted = this.#runner.takeUnstarted();
    await this.#release(unstarted);
    if (!(await this.#waitForBatches(graceMs))) {
      log.warn({ batches: this.#runner.runningBatches }, 'grace period over: interrupting running jobs');
      this.#runner.interruptAll();
      await this.#waitForBatches(this.options.interruptWaitMs);
    }
    await settler.drain();
    await Promise.all(this.#lateReleases.splice(0));
    await this.#release(this.#runner.takeInterrupted());
    leases.stop();
    this.deps.progress.stop();
    this.#to('stopped');
    this.#runner.close();
    log.info({ released: unstarted.length, leftToJanitor: leases.size }, 'dispatcher stopped');
  }
}

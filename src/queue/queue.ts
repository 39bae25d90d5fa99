import type { DeadFilter, DeadGroup, DeadPage } from '../job/dead-letter.js';
import type { LiveEngine } from '../job/engine-info.js';
import type { EventPage } from '../job/events.js';
import type { CancelStatus, JobInfo, JobPage, JobResult, JobState } from '../job/info.js';
import type { JobOptions } from '../job/job-options.js';
import type { QueueCounts, QueueMetrics, QueueSnapshot, RatePoint } from '../job/metrics.js';
import type { RateLimit } from '../job/rate-limit.js';
import type { Retention } from '../job/retention.js';
import type { ScheduleInfo, ScheduleJob, ScheduleSpec } from '../job/schedules.js';
import type { RedisClient } from '../redis/connection.js';
import { MAX_HISTORY_SECONDS } from '../redis/history.js';
import type { QueueKeys } from '../redis/keys.js';
import { Adder, type BulkJob, type WaitOptions } from './adding.js';
import { Admin, type ObliterateOptions } from './admin.js';
import { openQueue, type QueueCore, type QueueOptions } from './core.js';
import { DeadLetters, type DeadQuery } from './dead-letters.js';
import type { Page } from './page.js';
import { Reads } from './reads.js';
import { Schedules } from './schedules.js';

/**
 * The producer's and operator's handle on one queue: add jobs, inspect them, manage the
 * dead-letter queue. Input is validated in full before anything is written.
 *
 * Each method hands its call to the part that owns its subject: adding.ts, reads.ts, admin.ts,
 * dead-letters.ts, schedules.ts; all of them work on the one QueueCore (core.ts).
 */
export class Queue<P = unknown> {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly redis: RedisClient;
  readonly #core: QueueCore;
  readonly #adder: Adder<P>;
  readonly #reads: Reads;
  readonly #admin: Admin;
  readonly #dead: DeadLetters;
  readonly #schedules: Schedules;

  constructor(name: string, options: QueueOptions = {}) {
    const core = openQueue(name, options);
    this.keys = core.keys;
    this.name = core.name;
    this.redis = core.redis;
    this.#core = core;
    this.#adder = new Adder(core);
    this.#reads = new Reads(core);
    this.#admin = new Admin(core, this.#reads);
    this.#dead = new DeadLetters(core);
    this.#schedules = new Schedules(core);
  }

  /** Adds one job; resolves with its id once Redis has it. */
  add(payload: P, opts?: JobOptions): Promise<string> {
    return this.#adder.add(payload, opts);
  }

  /**
   * Adds a job and resolves with its handler's return value once it completes (request/response
   * over the queue). Rejects with JOB_DEAD if it is dead-lettered, RESULT_NOT_KEPT if its value
   * could not be kept (over the engine's maxResultBytes, or not JSON), WAIT_TIMEOUT after waitMs
   * (the job stays queued). The result is kept `keepResult` ms (default 60 s).
   */
  addAndWait<R = unknown>(payload: P, opts: JobOptions = {}, wait: WaitOptions = {}): Promise<R> {
    return this.#adder.addAndWait<R>(payload, opts, wait);
  }

  /**
   * Turns the queue's event stream on or off for every engine and producer at once. Off (the
   * default), the scripts write no event and a queue pays one EXISTS per script call; off also
   * deletes the events kept so far.
   */
  setEvents(on: boolean): Promise<void> {
    return this.#admin.setEvents(on);
  }

  eventsEnabled(): Promise<boolean> {
    return this.#admin.eventsEnabled();
  }

  /**
   * Up to `count` (1..1000) entries of the queue's event stream after the stream id `from` ('0':
   * from the oldest kept). For a live feed use QueueEvents.stream().
   */
  events(from = '0', count = 100): Promise<EventPage> {
    return this.#reads.events(from, count);
  }

  /** A completed job's kept result (job option keepResult); undefined when none is kept. */
  getResult(id: string): Promise<JobResult | undefined> {
    return this.#reads.getResult(id);
  }

  /** Adds many jobs in few Redis calls; every item is validated before any is written. */
  addBulk(jobs: readonly BulkJob<P>[]): Promise<string[]> {
    return this.#adder.addBulk(jobs);
  }

  /**
   * Removes a job so it never runs (again): 'removed' if it was waiting or delayed, 'stopped' if
   * it was running (its lease is revoked and its handler's AbortSignal fires; whatever the
   * handler does next is not recorded), 'dead' for a dead letter (left alone), 'missing' if there
   * is no such job.
   */
  cancel(id: string): Promise<CancelStatus> {
    return this.#admin.cancel(id);
  }

  /** Jobs in each state and the lifetime counters, summed over the partitions. */
  counts(): Promise<QueueCounts> {
    return this.#reads.counts();
  }

  /**
   * A job that is waiting, delayed, running or dead, or completed and kept (see setRetention);
   * undefined once completed (and not kept) or deleted.
   */
  getJob(id: string): Promise<JobInfo | undefined> {
    return this.#reads.getJob(id);
  }

  /**
   * The counts, the lifetime number of dead-lettered jobs, and paused, rate limit, live engines and
   * the oldest waiting job's age, read at one instant per partition (what /metrics exports).
   */
  metrics(): Promise<QueueMetrics> {
    return this.#reads.metrics();
  }

  /** Paused, counts, live engines and the current rate, read at one instant (per partition). */
  snapshot(): Promise<QueueSnapshot> {
    return this.#reads.snapshot();
  }

  /** Engines stop leasing (running jobs finish; adds go on) until resume(). */
  pause(): Promise<void> {
    return this.#admin.pause();
  }

  /** Lifts a pause; idle engines are woken at once. */
  resume(): Promise<void> {
    return this.#admin.resume();
  }

  /** True when every partition is paused. */
  isPaused(): Promise<boolean> {
    return this.#admin.isPaused();
  }

  /**
   * At most `max` jobs leased per `duration` ms, in any window, across every engine; applies from
   * each engine's next acquire (waiting engines are woken). Validated before anything is written.
   */
  setRateLimit(limit: RateLimit): Promise<void> {
    return this.#admin.setRateLimit(limit);
  }

  /** Lifts the rate limit and forgets the leases it counted; waiting engines are woken. */
  clearRateLimit(): Promise<void> {
    return this.#admin.clearRateLimit();
  }

  /** The current rate limit, or undefined when none is set. */
  rateLimit(): Promise<RateLimit | undefined> {
    return this.#admin.rateLimit();
  }

  /**
   * What the queue keeps besides its counters, for every engine from its next settle call:
   * `completed` the records of the last `count` completed jobs and/or those finished within `age`
   * ms; `dead` caps the dead-letter queue (oldest deleted first). Replaces any earlier setting; a
   * setting without `completed` deletes the kept completed records. Validated before anything is
   * written.
   */
  setRetention(setting: Retention): Promise<void> {
    return this.#admin.setRetention(setting);
  }

  /** The retention setting, or undefined when the queue keeps counters only. */
  retention(): Promise<Retention | undefined> {
    return this.#admin.retention();
  }

  /** Back to counters only: removes the setting and the kept completed records (not dead letters). */
  clearRetention(): Promise<void> {
    return this.#admin.clearRetention();
  }

  /** Engines whose heartbeat is under 5 s old (Redis clock), by id. */
  engines(): Promise<LiveEngine[]> {
    return this.#reads.engines();
  }

  /** Completed and failed jobs per second over the last `seconds` (1..900), oldest first. */
  history(seconds: number = MAX_HISTORY_SECONDS): Promise<RatePoint[]> {
    return this.#reads.history(seconds);
  }

  /**
   * A page of the jobs in a state: waiting in the order they will run, active by lease deadline,
   * delayed by due time, dead and kept completed newest first; limit is clamped to 1..1000.
   */
  listJobs(state: JobState, page: Page = {}): Promise<JobPage> {
    return this.#reads.listJobs(state, page);
  }

  /**
   * Dead letters, newest first; limit is clamped to 1..1000. `q` keeps those with an error whose
   * name or message contains it (any case), `from`/`to` bound the dead-at time (ms, inclusive);
   * `total` counts the matches. A text search reads the range in bounded chunks.
   */
  listDead(query: DeadQuery = {}): Promise<DeadPage> {
    return this.#dead.listDead(query);
  }

  /** Moves dead letters back to the queue with fresh attempts; returns how many were dead. */
  retryDead(ids: string | readonly string[]): Promise<number> {
    return this.#dead.retryDead(ids);
  }

  retryAllDead(): Promise<number> {
    return this.#dead.retryAllDead();
  }

  /** Redrives the dead letters that match (see listDead), in bounded chunks; returns how many moved. */
  retryDeadMatching(filter: DeadFilter): Promise<number> {
    return this.#dead.retryDeadMatching(filter);
  }

  /**
   * Replaces a dead letter's payload (validated as add validates it) and redrives it, in one
   * atomic step; false when the job is not dead (nothing is changed then).
   */
  editDeadAndRetry(id: string, payload: P): Promise<boolean> {
    return this.#dead.editDeadAndRetry(id, payload);
  }

  /** Deletes dead letters; returns how many were dead (jobs in other states are left alone). */
  deleteDead(ids: string | readonly string[]): Promise<number> {
    return this.#dead.deleteDead(ids);
  }

  /** Deletes every letter dead when the call began, 1,000 per script call; returns how many. */
  purgeDead(): Promise<number> {
    return this.#dead.purgeDead();
  }

  /**
   * Deletes every waiting and delayed job (record, delivery count, errors) in bounded chunks;
   * returns how many. Leased jobs and dead letters are kept. Jobs added meanwhile may or may not
   * be deleted: it stops after as many ids as were waiting and delayed when it began.
   */
  drain(): Promise<number> {
    return this.#admin.drain();
  }

  /**
   * Deletes every key of the queue in one atomic step. Refused with SLUICE_ERR_QUEUE_BUSY while
   * jobs are leased or engines are live, unless `force`; a refusal changes nothing.
   */
  obliterate(options: ObliterateOptions = {}): Promise<void> {
    return this.#admin.obliterate(options);
  }

  /**
   * The dead letters grouped by error fingerprint (name + first frame of user code), largest
   * group first: `{ id, label: 'TypeError at handler.js:12', count, lastDeadAt }`.
   */
  deadGroups(): Promise<DeadGroup[]> {
    return this.#dead.deadGroups();
  }

  /** A page of one group's dead letters, newest first; limit is clamped to 1..1000. */
  listDeadGroup(id: string, page: Page = {}): Promise<DeadPage> {
    return this.#dead.listDeadGroup(id, page);
  }

  /** Redrives the letters in a group when the call began, in bounded chunks; returns how many moved. */
  retryDeadGroup(id: string): Promise<number> {
    return this.#dead.retryDeadGroup(id);
  }

  /** Deletes the letters in a group when the call began, in bounded chunks; returns how many. */
  deleteDeadGroup(id: string): Promise<number> {
    return this.#dead.deleteDeadGroup(id);
  }

  /**
   * Creates or replaces a schedule: engines add `job` at every tick of `spec`, once per tick
   * however many run. Upserting the same spec again keeps its next fire time (only the job
   * changes); a new spec starts from now. Resolves with the schedule as stored.
   */
  upsertSchedule(name: string, spec: ScheduleSpec, job?: ScheduleJob<P>): Promise<ScheduleInfo> {
    return this.#schedules.upsertSchedule(name, spec, job);
  }

  /** Deletes a schedule; false when there was none. A job it already added is left to run. */
  removeSchedule(name: string): Promise<boolean> {
    return this.#schedules.removeSchedule(name);
  }

  /** Every schedule with its next fire time and the tick it last fired, soonest first. */
  listSchedules(): Promise<ScheduleInfo[]> {
    return this.#schedules.listSchedules();
  }

  async close(): Promise<void> {
    const core = this.#core;
    if (core.closed) return;
    core.closed = true;
    // Adds still held by the batcher go out before the connection closes.
    await this.#adder.close();
    if (core.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

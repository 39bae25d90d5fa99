import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import { GROUP_ID } from '../job/fingerprint.js';
import type { JobOptions, PreparedOptions } from '../job/job-options.js';
import { isValidJobId, prepareJobOptions, sameJobOptions } from '../job/job-options.js';
import type { RateLimit } from '../job/rate-limit.js';
import { checkRateLimit } from '../job/rate-limit.js';
import { encodePayload, recordBody } from '../job/record.js';
import type { Retention } from '../job/retention.js';
import { checkRetention } from '../job/retention.js';
import type { ScheduleInfo, ScheduleJob, ScheduleSpec } from '../job/schedules.js';
import {
  checkScheduleName,
  decodeDefinitionSpec,
  encodeDefinition,
  nextFireTime,
  prepareSchedule,
} from '../job/schedules.js';
import type { CancelStatus } from '../redis/cancel.js';
import { cancel } from '../redis/cancel.js';
import type { Connection, RedisClient } from '../redis/connection.js';
import { connect } from '../redis/connection.js';
import type { DeadFilter } from '../redis/dead-filter.js';
import { retryDeadMatching, searchDead } from '../redis/dead-filter.js';
import type { DeadGroup } from '../redis/dead-groups.js';
import { deadGroups, deleteDeadGroup, listDeadGroup, retryDeadGroup } from '../redis/dead-groups.js';
import { deleteDead, editDead, purgeDead, retryAllDead, retryDead } from '../redis/dlq.js';
import { drain } from '../redis/drain.js';
import type { LiveEngine } from '../redis/engines.js';
import { liveEngines } from '../redis/engines.js';
import type { EnqueueItem } from '../redis/enqueue.js';
import { enqueue, enqueueReplicated } from '../redis/enqueue.js';
import type { EventPage } from '../redis/events.js';
import { eventsOn, readEvents, setEvents } from '../redis/events.js';
import type { RatePoint } from '../redis/history.js';
import { history, MAX_HISTORY_SECONDS } from '../redis/history.js';
import type { DeadPage, JobInfo, JobPage, JobState, QueueCounts } from '../redis/inspect.js';
import { counts, getJob, listDead, listJobs } from '../redis/inspect.js';
import type { QueueKeys } from '../redis/keys.js';
import { checkPartitions, queueKeys } from '../redis/keys.js';
import { obliterate } from '../redis/obliterate.js';
import { isPaused, pause, resume } from '../redis/pause.js';
import { type QueueMetrics, queueMetrics } from '../redis/queue-metrics.js';
import { clearRateLimit, rateLimit, setRateLimit } from '../redis/rate-limit.js';
import { registerQueue, unregisterQueue } from '../redis/registry.js';
import type { JobResult } from '../redis/results.js';
import { readResult } from '../redis/results.js';
import { clearRetention, retention, setRetention } from '../redis/retention.js';
import { listSchedules, removeSchedule, upsertSchedule } from '../redis/schedules.js';
import type { ReplicaWait } from '../redis/scripts.js';
import type { QueueSnapshot } from '../redis/snapshot.js';
import { snapshot } from '../redis/snapshot.js';
import { sendSpan } from '../tracing/send-span.js';
import { activeTracer } from '../tracing/tracer.js';
import { KIB, MIB } from '../units.js';
import { AddBatcher } from './add-batcher.js';
import { QueueLayout } from './layout.js';
import {
  mergeEngines,
  mergeGroups,
  mergeHistory,
  mergeSnapshots,
  sumCounts,
  sumMetrics,
} from './partition-merge.js';
import { GENERATED_ID } from './partition-route.js';
import { ResultWaiter } from './waiter.js';

export interface QueueOptions {
  /** Redis URL, ioredis options, or a client to share (then close() leaves it open). */
  connection?: Connection;
  /** A payload whose JSON is larger is refused (default 512 KiB). */
  maxPayloadBytes?: number;
  /**
   * Splits the queue into this many partitions (1-256), each its own hash tag, so a Redis Cluster
   * spreads it over its masters. Fixed when the queue is first used; left out, the queue's stored
   * count is used (1 for a queue never partitioned).
   */
  partitions?: number;
  /**
   * Acknowledge an add only once `count` replicas have the jobs (Redis WAIT, at most `timeoutMs`);
   * fewer in time rejects with REPLICATION_TIMEOUT, the jobs being written on the master. Off by
   * default: replication is asynchronous, so a failover can lose adds acknowledged just before it.
   */
  replicas?: ReplicaWait;
  /**
   * Joins add and addBulk calls made while others are on their way into one script call (see
   * AddBatcher); default true. An add made alone is sent at once either way.
   */
  batchAdds?: boolean;
}

const QUEUE_OPTIONS = ['connection', 'maxPayloadBytes', 'partitions', 'replicas', 'batchAdds'];
const MAX_REPLICAS = 16;
const MAX_REPLICA_WAIT = 60_000;

export const QUEUE_DEFAULTS = {
  connection: 'redis://127.0.0.1:6379',
  maxPayloadBytes: 512 * KIB,
  batchAdds: true,
} as const satisfies Required<Omit<QueueOptions, 'connection' | 'partitions' | 'replicas'>> & {
  connection: string;
};

export interface WaitOptions {
  /** Give up waiting after this many ms (the job stays queued); default 30 s. */
  waitMs?: number;
}

/** addAndWait keeps a result this long unless the job's keepResult says otherwise. */
export const WAIT_KEEP_RESULT = 60_000;
const MAX_WAIT = 2 ** 31 - 1;

export interface ObliterateOptions {
  /** Delete even while jobs are leased or engines are live (default false). */
  force?: boolean;
}

export interface BulkJob<P = unknown> {
  payload: P;
  opts?: JobOptions;
}

export const MAX_PAGE = 1000;

export const JOB_STATES: readonly JobState[] = ['waiting', 'active', 'delayed', 'dead', 'completed'];

export interface Page {
  offset?: number;
  limit?: number;
}

/** A page of dead letters, optionally only those matching a filter. */
export type DeadQuery = Page & DeadFilter;

/** Offset at least 0, limit clamped to 1..MAX_PAGE (fractions rounded down). */
function clampPage(page: Page): { offset: number; limit: number } {
  return {
    offset: Math.max(0, Math.floor(page.offset ?? 0) || 0),
    limit: Math.min(MAX_PAGE, Math.max(1, Math.floor(page.limit ?? 50) || 1)),
  };
}

/** Longest text a dead-letter search accepts. */
export const MAX_QUERY = 200;

/** Validates a dead-letter filter; an empty `q` means no text filter. */
function checkDeadFilter(filter: DeadFilter): DeadFilter {
  const { q, from, to } = filter;
  if (q !== undefined && (typeof q !== 'string' || q.length > MAX_QUERY)) {
    throw invalidOption('q', `must be a string of at most ${MAX_QUERY} characters`);
  }
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      throw invalidOption(field, `must be a time in ms, got ${String(value)}`);
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    throw invalidOption('from', `must not be after to (${from} > ${to})`);
  }
  return { q: q === '' ? undefined : q, from, to };
}

/** Validates the replicas option: integers, count 1..16, timeoutMs 1..60,000, no other field. */
export function checkReplicas(value: unknown): ReplicaWait {
  if (typeof value !== 'object' || value === null) {
    throw invalidOption('replicas', 'must be an object { count, timeoutMs }');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'count' && key !== 'timeoutMs')
      throw invalidOption(`replicas.${key}`, 'is not a replicas option');
  }
  const { count, timeoutMs } = value as Partial<ReplicaWait>;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_REPLICAS) {
    throw invalidOption(
      'replicas.count',
      `must be an integer from 1 to ${MAX_REPLICAS}, got ${String(count)}`,
    );
  }
  if (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > MAX_REPLICA_WAIT) {
    throw invalidOption(
      'replicas.timeoutMs',
      `must be an integer from 1 to ${MAX_REPLICA_WAIT}, got ${String(timeoutMs)}`,
    );
  }
  return { count: count as number, timeoutMs: timeoutMs as number };
}

/** How many ids an error message lists. */
const IDS_SHOWN = 10;

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, IDS_SHOWN).join(', ');
  return ids.length > IDS_SHOWN ? `${shown} and ${ids.length - IDS_SHOWN} more` : shown;
}

function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || !(GENERATED_ID.test(id) || isValidJobId(id))) {
    throw new SluiceError(ErrorCode.INVALID_JOB_ID, `job id ${JSON.stringify(id)} is not a Sluice job id`);
  }
  return id;
}

function checkGroupId(id: unknown): string {
  if (typeof id !== 'string' || !GROUP_ID.test(id)) {
    throw invalidOption('group', `must be a dead-letter group id (12 hex digits), got ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * The producer's and operator's handle on one queue: add jobs, inspect them, manage the
 * dead-letter queue. Input is validated in full before anything is written.
 */
export class Queue<P = unknown> {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly redis: RedisClient;
  readonly #owned: boolean;
  readonly #maxPayloadBytes: number;
  readonly #layout: QueueLayout;
  /** One per partition that addAndWait was used on: each partition has its own channel. */
  readonly #waiters = new Map<number, ResultWaiter>();
  readonly #replicas: ReplicaWait | undefined;
  /** Absent with batchAdds: false; every add then makes its own script call. */
  readonly #batcher: AddBatcher | undefined;
  #closed = false;

  constructor(name: string, options: QueueOptions = {}) {
    this.keys = queueKeys(name);
    this.name = name;
    for (const key of Object.keys(options)) {
      if (!QUEUE_OPTIONS.includes(key)) throw invalidOption(key, 'is not a queue option');
    }
    this.#replicas = options.replicas === undefined ? undefined : checkReplicas(options.replicas);
    const max = options.maxPayloadBytes ?? QUEUE_DEFAULTS.maxPayloadBytes;
    if (!Number.isInteger(max) || max < 1 || max > 512 * MIB) {
      throw invalidOption('maxPayloadBytes', `must be an integer from 1 to ${512 * MIB}, got ${String(max)}`);
    }
    this.#maxPayloadBytes = max;
    if (options.partitions !== undefined) checkPartitions(options.partitions);
    const batch = options.batchAdds ?? QUEUE_DEFAULTS.batchAdds;
    if (typeof batch !== 'boolean')
      throw invalidOption('batchAdds', `must be true or false, got ${String(batch)}`);
    const { redis, owned } = connect(
      options.connection ?? QUEUE_DEFAULTS.connection,
      `sluice:producer:${name}`,
    );
    this.redis = redis;
    this.#owned = owned;
    this.#layout = new QueueLayout(redis, this.keys, options.partitions);
    // Learnt now, while the caller builds its first jobs, so the first add is one round trip.
    // A failure here is seen again, and thrown, by the first call that needs the layout.
    this.#layout.parts().catch(() => {});
    this.#batcher = batch ? new AddBatcher((items) => this.#layout.enqueue(items, this.#write)) : undefined;
  }

  #enqueue(items: readonly EnqueueItem[]): Promise<string[]> {
    return this.#batcher === undefined ? this.#layout.enqueue(items, this.#write) : this.#batcher.add(items);
  }

  #waiter(keys: QueueKeys): ResultWaiter {
    let waiter = this.#waiters.get(keys.partition);
    if (waiter === undefined) {
      waiter = new ResultWaiter(this.redis, keys);
      this.#waiters.set(keys.partition, waiter);
    }
    return waiter;
  }

  /** `carried`: the trace context the job carries (tracing/carrier.ts), '' when untraced. */
  #prepare(payload: unknown, opts: JobOptions | undefined, field: string, carried = ''): EnqueueItem {
    return this.#item(payload, prepareJobOptions(opts, `${field}.opts`), `${field}.payload`, carried);
  }

  #item(payload: unknown, prepared: PreparedOptions, payloadField: string, carried: string): EnqueueItem {
    const json = encodePayload(payload, this.#maxPayloadBytes, payloadField);
    return {
      body: recordBody(prepared.header, json, carried),
      due: prepared.due,
      jobId: prepared.jobId,
      prioritised: prepared.stored.priority !== undefined,
    };
  }

  /**
   * Writes jobs to one partition; with the replicas option, also waits for the replicas (WAIT on
   * the same connection) and rejects when too few acknowledged. Without it, no extra command is sent.
   */
  #write = (keys: QueueKeys, items: readonly EnqueueItem[]): Promise<string[]> => {
    // Not awaited and sent once per process: the add waits on no extra round trip.
    registerQueue(this.redis, this.name);
    const wait = this.#replicas;
    return wait === undefined ? enqueue(this.redis, keys, items) : this.#writeReplicated(keys, items, wait);
  };

  async #writeReplicated(
    keys: QueueKeys,
    items: readonly EnqueueItem[],
    wait: ReplicaWait,
  ): Promise<string[]> {
    const { ids, replicas, waitError } = await enqueueReplicated(this.redis, keys, items, wait);
    if (replicas < wait.count) {
      const why =
        waitError === undefined
          ? `only ${replicas} did within ${wait.timeoutMs} ms`
          : `WAIT failed: ${waitError}`;
      throw new SluiceError(
        ErrorCode.REPLICATION_TIMEOUT,
        `queue ${this.name}: ${ids.length} job(s) (${listIds(ids)}) ARE written on the master but not ` +
          `confirmed on ${wait.count} replica(s) (${why}); a failover now could lose them. Retry with the ` +
          'same jobIds to stay idempotent (a retry of generated ids adds the jobs again)',
      );
    }
    return ids;
  }

  #open(): void {
    if (this.#closed) throw new SluiceError(ErrorCode.CLOSED, `queue ${this.name} is closed`);
  }

  /** Runs `send` under a producer span when an OpenTelemetry SDK is registered, else as it is. */
  #traced(
    operation: 'add' | 'addBulk',
    count: number,
    send: (carried: string) => Promise<string[]>,
  ): Promise<string[]> {
    const tracer = activeTracer();
    return tracer === undefined ? send('') : sendSpan(tracer, this.name, operation, count, send);
  }

  /** Adds one job; resolves with its id once Redis has it. */
  async add(payload: P, opts?: JobOptions): Promise<string> {
    this.#open();
    const [id] = await this.#traced('add', 1, (carried) =>
      this.#enqueue([this.#prepare(payload, opts, 'job', carried)]),
    );
    return id as string;
  }

  /**
   * Adds a job and resolves with its handler's return value once it completes (request/response
   * over the queue). Rejects with JOB_DEAD if it is dead-lettered, RESULT_NOT_KEPT if its value
   * could not be kept (over the engine's maxResultBytes, or not JSON), WAIT_TIMEOUT after waitMs
   * (the job stays queued). The result is kept `keepResult` ms (default 60 s).
   */
  async addAndWait<R = unknown>(payload: P, opts: JobOptions = {}, wait: WaitOptions = {}): Promise<R> {
    this.#open();
    const { waitMs = 30_000 } = wait;
    if (!Number.isInteger(waitMs) || waitMs < 1 || waitMs > MAX_WAIT) {
      throw invalidOption('waitMs', `must be an integer from 1 to ${MAX_WAIT}, got ${String(waitMs)}`);
    }
    if (opts.keepResult === 0)
      throw invalidOption('opts.keepResult', 'must be above 0 to wait for the result');
    let waiter: ResultWaiter | undefined;
    const [id] = await this.#traced('add', 1, async (carried) => {
      const item = this.#prepare(payload, { keepResult: WAIT_KEEP_RESULT, ...opts }, 'job', carried);
      // The partition is chosen before the add, so its waiter listens before the job can finish.
      const keys = await this.#layout.partFor(item.jobId);
      waiter = this.#waiter(keys);
      await waiter.ready();
      return this.#write(keys, [item]);
    });
    return (await (waiter as ResultWaiter).wait(id as string, waitMs)) as R;
  }

  /**
   * Turns the queue's event stream on or off for every engine and producer at once. Off (the
   * default), the scripts write no event and a queue pays one EXISTS per script call; off also
   * deletes the events kept so far.
   */
  async setEvents(on: boolean): Promise<void> {
    if (typeof on !== 'boolean') throw invalidOption('on', `must be a boolean, got ${String(on)}`);
    await setEvents(this.redis, await this.#layout.only('the event stream'), on);
  }

  async eventsEnabled(): Promise<boolean> {
    return eventsOn(this.redis, this.keys);
  }

  /**
   * Up to `count` (1..1000) entries of the queue's event stream after the stream id `from` ('0':
   * from the oldest kept). For a live feed use QueueEvents.stream().
   */
  async events(from = '0', count = 100): Promise<EventPage> {
    if (typeof from !== 'string' || !/^(0|\d{1,15}-\d{1,15})$/.test(from)) {
      throw invalidOption('from', `must be '0' or a stream id like 1795871234567-0, got ${String(from)}`);
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE) {
      throw invalidOption('count', `must be an integer from 1 to ${MAX_PAGE}, got ${String(count)}`);
    }
    return readEvents(this.redis, await this.#layout.only('the event stream'), from, count);
  }

  /** A completed job's kept result (job option keepResult); undefined when none is kept. */
  async getResult(id: string): Promise<JobResult | undefined> {
    return readResult(this.redis, await this.#layout.partOf(checkJobId(id)), id);
  }

  /** Adds many jobs in few Redis calls; every item is validated before any is written. */
  async addBulk(jobs: readonly BulkJob<P>[]): Promise<string[]> {
    this.#open();
    if (!Array.isArray(jobs)) throw invalidOption('jobs', 'must be an array of { payload, opts? }');
    if (jobs.length === 0) return [];
    return this.#traced('addBulk', jobs.length, (carried) => this.#addBulk(jobs, carried));
  }

  /** Every job of a bulk carries the same trace context: its addBulk span's. */
  async #addBulk(jobs: readonly BulkJob<P>[], carried: string): Promise<string[]> {
    const items: EnqueueItem[] = new Array(jobs.length);
    // Equal options in a row share one prepared header.
    let opts: JobOptions | undefined;
    let prepared: PreparedOptions | undefined;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      if (typeof job !== 'object' || job === null || !('payload' in job)) {
        throw invalidOption(`jobs[${i}]`, 'must be an object { payload, opts? }');
      }
      try {
        if (prepared === undefined || !sameJobOptions(job.opts, opts)) {
          prepared = prepareJobOptions(job.opts);
          opts = job.opts;
        }
        items[i] = this.#item(job.payload, prepared, 'payload', carried);
      } catch (error) {
        // The item's name goes into the message only when it fails: prepared again under it.
        this.#prepare(job.payload, job.opts, `jobs[${i}]`);
        throw error;
      }
    }
    return this.#enqueue(items);
  }

  /**
   * Removes a job so it never runs (again): 'removed' if it was waiting or delayed, 'stopped' if
   * it was running (its lease is revoked and its handler's AbortSignal fires; whatever the
   * handler does next is not recorded), 'dead' for a dead letter (left alone), 'missing' if there
   * is no such job.
   */
  async cancel(id: string): Promise<CancelStatus> {
    this.#open();
    const [status] = await cancel(this.redis, await this.#layout.partOf(checkJobId(id)), [id]);
    return status as CancelStatus;
  }

  /** Jobs in each state and the lifetime counters, summed over the partitions. */
  async counts(): Promise<QueueCounts> {
    return sumCounts(await this.#layout.each((keys) => counts(this.redis, keys)));
  }

  /**
   * A job that is waiting, delayed, running or dead, or completed and kept (see setRetention);
   * undefined once completed (and not kept) or deleted.
   */
  async getJob(id: string): Promise<JobInfo | undefined> {
    return getJob(this.redis, await this.#layout.partOf(checkJobId(id)), id);
  }

  /**
   * The counts, the lifetime number of dead-lettered jobs, and paused, rate limit, live engines and
   * the oldest waiting job's age, read at one instant per partition (what /metrics exports).
   */
  async metrics(): Promise<QueueMetrics> {
    return sumMetrics(await this.#layout.each((keys) => queueMetrics(this.redis, keys)));
  }

  /** Paused, counts, live engines and the current rate, read at one instant (per partition). */
  async snapshot(): Promise<QueueSnapshot> {
    return mergeSnapshots(await this.#layout.each((keys) => snapshot(this.redis, keys)));
  }

  /** Engines stop leasing (running jobs finish; adds go on) until resume(). */
  async pause(): Promise<void> {
    await this.#layout.each((keys) => pause(this.redis, keys));
  }

  /** Lifts a pause; idle engines are woken at once. */
  async resume(): Promise<void> {
    await this.#layout.each((keys) => resume(this.redis, keys));
  }

  /** True when every partition is paused. */
  async isPaused(): Promise<boolean> {
    return (await this.#layout.each((keys) => isPaused(this.redis, keys))).every(Boolean);
  }

  /**
   * At most `max` jobs leased per `duration` ms, in any window, across every engine; applies from
   * each engine's next acquire (waiting engines are woken). Validated before anything is written.
   */
  async setRateLimit(limit: RateLimit): Promise<void> {
    const checked = checkRateLimit(limit);
    await setRateLimit(this.redis, await this.#layout.only('a rate limit'), checked);
  }

  /** Lifts the rate limit and forgets the leases it counted; waiting engines are woken. */
  async clearRateLimit(): Promise<void> {
    await this.#layout.each((keys) => clearRateLimit(this.redis, keys));
  }

  /** The current rate limit, or undefined when none is set. */
  async rateLimit(): Promise<RateLimit | undefined> {
    return rateLimit(this.redis, this.keys);
  }

  /**
   * What the queue keeps besides its counters, for every engine from its next settle call:
   * `completed` the records of the last `count` completed jobs and/or those finished within `age`
   * ms; `dead` caps the dead-letter queue (oldest deleted first). Replaces any earlier setting; a
   * setting without `completed` deletes the kept completed records. Validated before anything is
   * written.
   */
  async setRetention(setting: Retention): Promise<void> {
    const checked = checkRetention(setting);
    await this.#layout.each((keys) => setRetention(this.redis, keys, checked));
  }

  /** The retention setting, or undefined when the queue keeps counters only. */
  async retention(): Promise<Retention | undefined> {
    return retention(this.redis, this.keys);
  }

  /** Back to counters only: removes the setting and the kept completed records (not dead letters). */
  async clearRetention(): Promise<void> {
    await this.#layout.each((keys) => clearRetention(this.redis, keys));
  }

  /** Engines whose heartbeat is under 5 s old (Redis clock), by id. */
  async engines(): Promise<LiveEngine[]> {
    return mergeEngines(await this.#layout.each((keys) => liveEngines(this.redis, keys)));
  }

  /** Completed and failed jobs per second over the last `seconds` (1..900), oldest first. */
  async history(seconds: number = MAX_HISTORY_SECONDS): Promise<RatePoint[]> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HISTORY_SECONDS) {
      throw invalidOption(
        'seconds',
        `must be an integer from 1 to ${MAX_HISTORY_SECONDS}, got ${String(seconds)}`,
      );
    }
    return mergeHistory(await this.#layout.each((keys) => history(this.redis, keys, seconds)));
  }

  /**
   * A page of the jobs in a state: waiting in the order they will run, active by lease deadline,
   * delayed by due time, dead and kept completed newest first; limit is clamped to 1..1000.
   */
  async listJobs(state: JobState, page: Page = {}): Promise<JobPage> {
    if (!JOB_STATES.includes(state)) {
      throw invalidOption('state', `must be one of ${JOB_STATES.join(', ')}, got ${JSON.stringify(state)}`);
    }
    const { offset, limit } = clampPage(page);
    return this.#layout.page((keys, o, l) => listJobs(this.redis, keys, state, o, l), offset, limit);
  }

  /**
   * Dead letters, newest first; limit is clamped to 1..1000. `q` keeps those with an error whose
   * name or message contains it (any case), `from`/`to` bound the dead-at time (ms, inclusive);
   * `total` counts the matches. A text search reads the range in bounded chunks.
   */
  async listDead(query: DeadQuery = {}): Promise<DeadPage> {
    const filter = checkDeadFilter(query);
    const { offset, limit } = clampPage(query);
    const q = filter.q;
    return this.#layout.page(
      (keys, o, l) =>
        q === undefined
          ? listDead(this.redis, keys, o, l, filter)
          : searchDead(this.redis, keys, { ...filter, q }, o, l),
      offset,
      limit,
    );
  }

  /** Moves dead letters back to the queue with fresh attempts; returns how many were dead. */
  async retryDead(ids: string | readonly string[]): Promise<number> {
    const list = (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
    return this.#layout.byPartition(list, (keys, part) => retryDead(this.redis, keys, part));
  }

  retryAllDead(): Promise<number> {
    return this.#layout.sum((keys) => retryAllDead(this.redis, keys));
  }

  /** Redrives the dead letters that match (see listDead), in bounded chunks; returns how many moved. */
  async retryDeadMatching(filter: DeadFilter): Promise<number> {
    const checked = checkDeadFilter(filter);
    if (checked.q === undefined && checked.from === undefined && checked.to === undefined) {
      return this.retryAllDead();
    }
    return this.#layout.sum((keys) => retryDeadMatching(this.redis, keys, checked));
  }

  /**
   * Replaces a dead letter's payload (validated as add validates it) and redrives it, in one
   * atomic step; false when the job is not dead (nothing is changed then).
   */
  async editDeadAndRetry(id: string, payload: P): Promise<boolean> {
    checkJobId(id);
    const json = encodePayload(payload, this.#maxPayloadBytes, 'payload');
    const outcome = await editDead(this.redis, await this.#layout.partOf(id), id, json);
    if (outcome === 'damaged') {
      throw new SluiceError(
        ErrorCode.RECORD_DAMAGED,
        `job ${id}: its stored record has no payload part to replace; delete it instead`,
      );
    }
    return outcome === 'redriven';
  }

  /** Deletes dead letters; returns how many were dead (jobs in other states are left alone). */
  async deleteDead(ids: string | readonly string[]): Promise<number> {
    const list = (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
    return this.#layout.byPartition(list, (keys, part) => deleteDead(this.redis, keys, part));
  }

  /** Deletes every letter dead when the call began, 1,000 per script call; returns how many. */
  purgeDead(): Promise<number> {
    return this.#layout.sum((keys) => purgeDead(this.redis, keys));
  }

  /**
   * Deletes every waiting and delayed job (record, delivery count, errors) in bounded chunks;
   * returns how many. Leased jobs and dead letters are kept. Jobs added meanwhile may or may not
   * be deleted: it stops after as many ids as were waiting and delayed when it began.
   */
  drain(): Promise<number> {
    return this.#layout.sum((keys) => drain(this.redis, keys));
  }

  /**
   * Deletes every key of the queue in one atomic step. Refused with SLUICE_ERR_QUEUE_BUSY while
   * jobs are leased or engines are live, unless `force`; a refusal changes nothing.
   */
  async obliterate(options: ObliterateOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', 'must be an object { force? }');
    }
    for (const key of Object.keys(options)) {
      if (key !== 'force') throw invalidOption(key, 'is not an obliterate option');
    }
    const { force = false } = options;
    if (typeof force !== 'boolean') throw invalidOption('force', `must be a boolean, got ${String(force)}`);
    const parts = await this.#layout.parts();
    if (!force && parts.length > 1) {
      // Every partition is checked before any is deleted, so a refusal changes nothing.
      const [active, engines] = await Promise.all([this.counts(), this.engines()]);
      if (active.active > 0 || engines.length > 0) throw this.#busy(active.active, engines.length);
    }
    // Partition 0 last: it holds the partition count, which the others are found by.
    for (const keys of [...parts].reverse()) {
      const outcome = await obliterate(this.redis, keys, force);
      if (!outcome.deleted) throw this.#busy(outcome.active, outcome.liveEngines);
    }
    this.#layout.forget();
    await unregisterQueue(this.redis, this.name);
  }

  #busy(active: number, liveEngines: number): SluiceError {
    return new SluiceError(
      ErrorCode.QUEUE_BUSY,
      `queue ${this.name} is busy (${active} jobs leased, ${liveEngines} live engines): ` +
        'stop its engines first, or pass { force: true }',
    );
  }

  /**
   * The dead letters grouped by error fingerprint (name + first frame of user code), largest
   * group first: `{ id, label: 'TypeError at handler.js:12', count, lastDeadAt }`.
   */
  async deadGroups(): Promise<DeadGroup[]> {
    return mergeGroups(await this.#layout.each((keys) => deadGroups(this.redis, keys)));
  }

  /** A page of one group's dead letters, newest first; limit is clamped to 1..1000. */
  async listDeadGroup(id: string, page: Page = {}): Promise<DeadPage> {
    const { offset, limit } = clampPage(page);
    const group = checkGroupId(id);
    return this.#layout.page((keys, o, l) => listDeadGroup(this.redis, keys, group, o, l), offset, limit);
  }

  /** Redrives the letters in a group when the call began, in bounded chunks; returns how many moved. */
  async retryDeadGroup(id: string): Promise<number> {
    const group = checkGroupId(id);
    return this.#layout.sum((keys) => retryDeadGroup(this.redis, keys, group));
  }

  /** Deletes the letters in a group when the call began, in bounded chunks; returns how many. */
  async deleteDeadGroup(id: string): Promise<number> {
    const group = checkGroupId(id);
    return this.#layout.sum((keys) => deleteDeadGroup(this.redis, keys, group));
  }

  /**
   * Creates or replaces a schedule: engines add `job` at every tick of `spec`, once per tick
   * however many run. Upserting the same spec again keeps its next fire time (only the job
   * changes); a new spec starts from now. Resolves with the schedule as stored.
   */
  async upsertSchedule(name: string, spec: ScheduleSpec, job?: ScheduleJob<P>): Promise<ScheduleInfo> {
    this.#open();
    checkScheduleName(name);
    const prepared = prepareSchedule(spec, job, this.#maxPayloadBytes);
    registerQueue(this.redis, this.name);
    // A partitioned queue keeps its schedules in partition 0, where their jobs are added.
    const stored = await upsertSchedule(
      this.redis,
      this.keys,
      name,
      prepared.specJson,
      encodeDefinition(prepared),
      (now) => nextFireTime(prepared.spec, now, now),
    );
    return { name, spec: prepared.spec, ...stored };
  }

  /** Deletes a schedule; false when there was none. A job it already added is left to run. */
  async removeSchedule(name: string): Promise<boolean> {
    this.#open();
    return removeSchedule(this.redis, this.keys, checkScheduleName(name));
  }

  /** Every schedule with its next fire time and the tick it last fired, soonest first. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    const stored = await listSchedules(this.redis, this.keys);
    return stored.flatMap(({ name, definition, next, lastFired }) => {
      const decoded = decodeDefinitionSpec(definition);
      return decoded === undefined ? [] : [{ name, spec: decoded.spec, next, lastFired }];
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Adds still held by the batcher go out before the connection closes.
    await this.#batcher?.idle();
    await Promise.all([...this.#waiters.values()].map((waiter) => waiter.close()));
    if (this.#owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

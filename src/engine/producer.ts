import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
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
import type { DeadPage, JobInfo, JobPage, JobState, QueueCounts, QueueMetrics } from '../redis/inspect.js';
import { counts, getJob, listDead, listJobs, queueMetrics } from '../redis/inspect.js';
import type { QueueKeys } from '../redis/keys.js';
import { queueKeys } from '../redis/keys.js';
import { obliterate } from '../redis/obliterate.js';
import { isPaused, pause, resume } from '../redis/pause.js';
import { clearRateLimit, rateLimit, setRateLimit } from '../redis/rate-limit.js';
import type { JobResult } from '../redis/results.js';
import { readResult } from '../redis/results.js';
import { clearRetention, retention, setRetention } from '../redis/retention.js';
import { listSchedules, removeSchedule, upsertSchedule } from '../redis/schedules.js';
import type { ReplicaWait } from '../redis/scripts.js';
import type { QueueSnapshot } from '../redis/snapshot.js';
import { snapshot } from '../redis/snapshot.js';
import { KIB, MIB } from '../units.js';
import { GROUP_ID } from './fingerprint.js';
import type { JobOptions } from './job-options.js';
import { isValidJobId, prepareJobOptions } from './job-options.js';
import type { RateLimit } from './rate-limit.js';
import { checkRateLimit } from './rate-limit.js';
import { encodePayload, recordBody } from './record.js';
import type { Retention } from './retention.js';
import { checkRetention } from './retention.js';
import type { ScheduleInfo, ScheduleJob, ScheduleSpec } from './schedules.js';
import {
  checkScheduleName,
  decodeDefinitionSpec,
  encodeDefinition,
  nextFireTime,
  prepareSchedule,
} from './schedules.js';
import { ResultWaiter } from './waiter.js';

export interface QueueOptions {
  /** Redis URL, ioredis options, or a client to share (then close() leaves it open). */
  connection?: Connection;
  /** A payload whose JSON is larger is refused (default 512 KiB). */
  maxPayloadBytes?: number;
  /**
   * Acknowledge an add only once `count` replicas have the jobs (Redis WAIT, at most `timeoutMs`);
   * fewer in time rejects with REPLICATION_TIMEOUT, the jobs being written on the master. Off by
   * default: replication is asynchronous, so a failover can lose adds acknowledged just before it.
   */
  replicas?: ReplicaWait;
}

const QUEUE_OPTIONS = ['connection', 'maxPayloadBytes', 'replicas'];
const MAX_REPLICAS = 16;
const MAX_REPLICA_WAIT = 60_000;

export const QUEUE_DEFAULTS = {
  connection: 'redis://127.0.0.1:6379',
  maxPayloadBytes: 512 * KIB,
} as const satisfies Required<Omit<QueueOptions, 'connection' | 'replicas'>> & { connection: string };

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
  if (typeof id !== 'string' || !(/^\d{1,20}$/.test(id) || isValidJobId(id))) {
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
  readonly #replicas: ReplicaWait | undefined;
  readonly #waiter: ResultWaiter;
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
    const { redis, owned } = connect(
      options.connection ?? QUEUE_DEFAULTS.connection,
      `sluice:producer:${name}`,
    );
    this.redis = redis;
    this.#owned = owned;
    this.#waiter = new ResultWaiter(redis, this.keys);
  }

  #prepare(payload: unknown, opts: JobOptions | undefined, field: string): EnqueueItem {
    const prepared = prepareJobOptions(opts, `${field}.opts`);
    const json = encodePayload(payload, this.#maxPayloadBytes, `${field}.payload`);
    return {
      body: recordBody(prepared.header, json),
      due: prepared.due,
      jobId: prepared.jobId,
      ranked: prepared.stored.priority !== undefined,
    };
  }

  /**
   * Writes the jobs; with the replicas option, also waits for the replicas (WAIT on the same
   * connection) and rejects when too few acknowledged. Without it, no extra command is sent.
   */
  #enqueue(items: readonly EnqueueItem[]): Promise<string[]> {
    const wait = this.#replicas;
    return wait === undefined ? enqueue(this.redis, this.keys, items) : this.#enqueueReplicated(items, wait);
  }

  async #enqueueReplicated(items: readonly EnqueueItem[], wait: ReplicaWait): Promise<string[]> {
    const { ids, replicas, waitError } = await enqueueReplicated(this.redis, this.keys, items, wait);
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

  /** Adds one job; resolves with its id once Redis has it. */
  async add(payload: P, opts?: JobOptions): Promise<string> {
    this.#open();
    const [id] = await this.#enqueue([this.#prepare(payload, opts, 'job')]);
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
    const item = this.#prepare(payload, { keepResult: WAIT_KEEP_RESULT, ...opts }, 'job');
    await this.#waiter.ready();
    const [id] = await this.#enqueue([item]);
    return (await this.#waiter.wait(id as string, waitMs)) as R;
  }

  /**
   * Turns the queue's event stream on or off for every engine and producer at once. Off (the
   * default), the scripts write no event and a queue pays one EXISTS per script call; off also
   * deletes the events kept so far.
   */
  async setEvents(on: boolean): Promise<void> {
    if (typeof on !== 'boolean') throw invalidOption('on', `must be a boolean, got ${String(on)}`);
    await setEvents(this.redis, this.keys, on);
  }

  eventsEnabled(): Promise<boolean> {
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
    return readEvents(this.redis, this.keys, from, count);
  }

  /** A completed job's kept result (job option keepResult); undefined when none is kept. */
  async getResult(id: string): Promise<JobResult | undefined> {
    return readResult(this.redis, this.keys, checkJobId(id));
  }

  /** Adds many jobs in few Redis calls; every item is validated before any is written. */
  async addBulk(jobs: readonly BulkJob<P>[]): Promise<string[]> {
    this.#open();
    if (!Array.isArray(jobs)) throw invalidOption('jobs', 'must be an array of { payload, opts? }');
    const items = jobs.map((job, i) => {
      if (typeof job !== 'object' || job === null || !('payload' in job)) {
        throw invalidOption(`jobs[${i}]`, 'must be an object { payload, opts? }');
      }
      return this.#prepare(job.payload, job.opts, `jobs[${i}]`);
    });
    return items.length === 0 ? [] : this.#enqueue(items);
  }

  /**
   * Removes a job so it never runs (again): 'removed' if it was waiting or delayed, 'stopped' if
   * it was running (its lease is revoked and its handler's AbortSignal fires; whatever the
   * handler does next is not recorded), 'dead' for a dead letter (left alone), 'missing' if there
   * is no such job.
   */
  async cancel(id: string): Promise<CancelStatus> {
    this.#open();
    const [status] = await cancel(this.redis, this.keys, [checkJobId(id)]);
    return status as CancelStatus;
  }

  counts(): Promise<QueueCounts> {
    return counts(this.redis, this.keys);
  }

  /**
   * A job that is waiting, delayed, running or dead, or completed and kept (see setRetention);
   * undefined once completed (and not kept) or deleted.
   */
  async getJob(id: string): Promise<JobInfo | undefined> {
    return getJob(this.redis, this.keys, checkJobId(id));
  }

  /** The counts plus the lifetime number of dead-lettered jobs (what /metrics exports). */
  metrics(): Promise<QueueMetrics> {
    return queueMetrics(this.redis, this.keys);
  }

  /** Paused, counts, live engines and the current rate, read at one instant. */
  snapshot(): Promise<QueueSnapshot> {
    return snapshot(this.redis, this.keys);
  }

  /** Engines stop leasing (running jobs finish; adds go on) until resume(). */
  pause(): Promise<void> {
    return pause(this.redis, this.keys);
  }

  /** Lifts a pause; idle engines are woken at once. */
  resume(): Promise<void> {
    return resume(this.redis, this.keys);
  }

  isPaused(): Promise<boolean> {
    return isPaused(this.redis, this.keys);
  }

  /**
   * At most `max` jobs leased per `duration` ms, in any window, across every engine; applies from
   * each engine's next acquire (waiting engines are woken). Validated before anything is written.
   */
  async setRateLimit(limit: RateLimit): Promise<void> {
    await setRateLimit(this.redis, this.keys, checkRateLimit(limit));
  }

  /** Lifts the rate limit and forgets the leases it counted; waiting engines are woken. */
  clearRateLimit(): Promise<void> {
    return clearRateLimit(this.redis, this.keys);
  }

  /** The current rate limit, or undefined when none is set. */
  rateLimit(): Promise<RateLimit | undefined> {
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
    await setRetention(this.redis, this.keys, checkRetention(setting));
  }

  /** The retention setting, or undefined when the queue keeps counters only. */
  retention(): Promise<Retention | undefined> {
    return retention(this.redis, this.keys);
  }

  /** Back to counters only: removes the setting and the kept completed records (not dead letters). */
  clearRetention(): Promise<void> {
    return clearRetention(this.redis, this.keys);
  }

  /** Engines whose heartbeat is under 5 s old (Redis clock), by id. */
  engines(): Promise<LiveEngine[]> {
    return liveEngines(this.redis, this.keys);
  }

  /** Completed and failed jobs per second over the last `seconds` (1..900), oldest first. */
  async history(seconds: number = MAX_HISTORY_SECONDS): Promise<RatePoint[]> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HISTORY_SECONDS) {
      throw invalidOption(
        'seconds',
        `must be an integer from 1 to ${MAX_HISTORY_SECONDS}, got ${String(seconds)}`,
      );
    }
    return history(this.redis, this.keys, seconds);
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
    return listJobs(this.redis, this.keys, state, offset, limit);
  }

  /**
   * Dead letters, newest first; limit is clamped to 1..1000. `q` keeps those with an error whose
   * name or message contains it (any case), `from`/`to` bound the dead-at time (ms, inclusive);
   * `total` counts the matches. A text search reads the range in bounded chunks.
   */
  async listDead(query: DeadQuery = {}): Promise<DeadPage> {
    const filter = checkDeadFilter(query);
    const { offset, limit } = clampPage(query);
    return filter.q === undefined
      ? listDead(this.redis, this.keys, offset, limit, filter)
      : searchDead(this.redis, this.keys, { ...filter, q: filter.q }, offset, limit);
  }

  /** Moves dead letters back to the queue with fresh attempts; returns how many were dead. */
  async retryDead(ids: string | readonly string[]): Promise<number> {
    const list = (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
    return retryDead(this.redis, this.keys, list);
  }

  retryAllDead(): Promise<number> {
    return retryAllDead(this.redis, this.keys);
  }

  /** Redrives the dead letters that match (see listDead), in bounded chunks; returns how many moved. */
  async retryDeadMatching(filter: DeadFilter): Promise<number> {
    const checked = checkDeadFilter(filter);
    if (checked.q === undefined && checked.from === undefined && checked.to === undefined) {
      return retryAllDead(this.redis, this.keys);
    }
    return retryDeadMatching(this.redis, this.keys, checked);
  }

  /**
   * Replaces a dead letter's payload (validated as add validates it) and redrives it, in one
   * atomic step; false when the job is not dead (nothing is changed then).
   */
  async editDeadAndRetry(id: string, payload: P): Promise<boolean> {
    checkJobId(id);
    const json = encodePayload(payload, this.#maxPayloadBytes, 'payload');
    const outcome = await editDead(this.redis, this.keys, id, json);
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
    return deleteDead(this.redis, this.keys, list);
  }

  /** Deletes every letter dead when the call began, 1,000 per script call; returns how many. */
  purgeDead(): Promise<number> {
    return purgeDead(this.redis, this.keys);
  }

  /**
   * Deletes every waiting and delayed job (record, delivery count, errors) in bounded chunks;
   * returns how many. Leased jobs and dead letters are kept. Jobs added meanwhile may or may not
   * be deleted: it stops after as many ids as were waiting and delayed when it began.
   */
  drain(): Promise<number> {
    return drain(this.redis, this.keys);
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
    const outcome = await obliterate(this.redis, this.keys, force);
    if (!outcome.deleted) {
      throw new SluiceError(
        ErrorCode.QUEUE_BUSY,
        `queue ${this.name} is busy (${outcome.active} jobs leased, ${outcome.liveEngines} live engines): ` +
          'stop its engines first, or pass { force: true }',
      );
    }
  }

  /**
   * The dead letters grouped by error fingerprint (name + first frame of user code), largest
   * group first: `{ id, label: 'TypeError at handler.js:12', count, lastDeadAt }`.
   */
  deadGroups(): Promise<DeadGroup[]> {
    return deadGroups(this.redis, this.keys);
  }

  /** A page of one group's dead letters, newest first; limit is clamped to 1..1000. */
  async listDeadGroup(id: string, page: Page = {}): Promise<DeadPage> {
    const { offset, limit } = clampPage(page);
    return listDeadGroup(this.redis, this.keys, checkGroupId(id), offset, limit);
  }

  /** Redrives the letters in a group when the call began, in bounded chunks; returns how many moved. */
  async retryDeadGroup(id: string): Promise<number> {
    return retryDeadGroup(this.redis, this.keys, checkGroupId(id));
  }

  /** Deletes the letters in a group when the call began, in bounded chunks; returns how many. */
  async deleteDeadGroup(id: string): Promise<number> {
    return deleteDeadGroup(this.redis, this.keys, checkGroupId(id));
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
    await this.#waiter.close();
    if (this.#owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

import type { Redis } from 'ioredis';
import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import type { Connection } from '../redis/connection.js';
import { connect } from '../redis/connection.js';
import { deleteDead, retryAllDead, retryDead } from '../redis/dlq.js';
import type { EnqueueItem } from '../redis/enqueue.js';
import { enqueue } from '../redis/enqueue.js';
import type { DeadPage, JobInfo, QueueCounts } from '../redis/inspect.js';
import { counts, getJob, listDead } from '../redis/inspect.js';
import type { QueueKeys } from '../redis/keys.js';
import { queueKeys } from '../redis/keys.js';
import { KIB, MIB } from '../units.js';
import type { JobOptions } from './job-options.js';
import { isValidJobId, prepareJobOptions } from './job-options.js';
import { encodePayload, recordBody } from './record.js';

export interface QueueOptions {
  /** Redis URL, ioredis options, or a client to share (then close() leaves it open). */
  connection?: Connection;
  /** A payload whose JSON is larger is refused (default 512 KiB). */
  maxPayloadBytes?: number;
}

export const QUEUE_DEFAULTS = {
  connection: 'redis://127.0.0.1:6379',
  maxPayloadBytes: 512 * KIB,
} as const satisfies Required<Omit<QueueOptions, 'connection'>> & { connection: string };

export interface BulkJob<P = unknown> {
  payload: P;
  opts?: JobOptions;
}

export const MAX_PAGE = 1000;

function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || !(/^\d{1,20}$/.test(id) || isValidJobId(id))) {
    throw new SluiceError(ErrorCode.INVALID_JOB_ID, `job id ${JSON.stringify(id)} is not a Sluice job id`);
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
  readonly redis: Redis;
  readonly #owned: boolean;
  readonly #maxPayloadBytes: number;
  #closed = false;

  constructor(name: string, options: QueueOptions = {}) {
    this.keys = queueKeys(name);
    this.name = name;
    for (const key of Object.keys(options)) {
      if (key !== 'connection' && key !== 'maxPayloadBytes')
        throw invalidOption(key, 'is not a queue option');
    }
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
  }

  #prepare(payload: unknown, opts: JobOptions | undefined, field: string): EnqueueItem {
    const prepared = prepareJobOptions(opts, `${field}.opts`);
    const json = encodePayload(payload, this.#maxPayloadBytes, `${field}.payload`);
    return { body: recordBody(prepared.header, json), delay: prepared.delay, jobId: prepared.jobId };
  }

  #open(): void {
    if (this.#closed) throw new SluiceError(ErrorCode.CLOSED, `queue ${this.name} is closed`);
  }

  /** Adds one job; resolves with its id once Redis has it. */
  async add(payload: P, opts?: JobOptions): Promise<string> {
    this.#open();
    const [id] = await enqueue(this.redis, this.keys, [this.#prepare(payload, opts, 'job')]);
    return id as string;
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
    return items.length === 0 ? [] : enqueue(this.redis, this.keys, items);
  }

  counts(): Promise<QueueCounts> {
    return counts(this.redis, this.keys);
  }

  /** A job that is waiting, delayed, running or dead; undefined once completed or deleted. */
  async getJob(id: string): Promise<JobInfo | undefined> {
    return getJob(this.redis, this.keys, checkJobId(id));
  }

  /** Dead letters, newest first; limit is clamped to 1..1000. */
  listDead(page: { offset?: number; limit?: number } = {}): Promise<DeadPage> {
    const offset = Math.max(0, Math.floor(page.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(page.limit ?? 50)));
    return listDead(this.redis, this.keys, offset, limit);
  }

  /** Moves dead letters back to the queue with fresh attempts; returns how many were dead. */
  async retryDead(ids: string | readonly string[]): Promise<number> {
    const list = (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
    return retryDead(this.redis, this.keys, list);
  }

  retryAllDead(): Promise<number> {
    return retryAllDead(this.redis, this.keys);
  }

  /** Deletes dead letters; returns how many were dead (jobs in other states are left alone). */
  async deleteDead(ids: string | readonly string[]): Promise<number> {
    const list = (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
    return deleteDead(this.redis, this.keys, list);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

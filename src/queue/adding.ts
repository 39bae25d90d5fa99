import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import type { JobOptions, PreparedOptions } from '../job/job-options.js';
import { prepareJobOptions, sameJobOptions } from '../job/job-options.js';
import { encodePayload, recordBody } from '../job/record.js';
import type { ReplicaWait } from '../job/replicas.js';
import type { EnqueueItem } from '../redis/enqueue.js';
import { enqueue, enqueueReplicated } from '../redis/enqueue.js';
import type { QueueKeys } from '../redis/keys.js';
import { registerQueue } from '../redis/registry.js';
import { sendSpan } from '../tracing/send-span.js';
import { activeTracer } from '../tracing/tracer.js';
import { AddBatcher } from './add-batcher.js';
import { checkOpen, type QueueCore } from './core.js';
import { ResultWaiter } from './waiter.js';

export interface WaitOptions {
  /** Give up waiting after this many ms (the job stays queued); default 30 s. */
  waitMs?: number;
}

/** addAndWait keeps a result this long unless the job's keepResult says otherwise. */
export const WAIT_KEEP_RESULT = 60_000;
const MAX_WAIT = 2 ** 31 - 1;

export interface BulkJob<P = unknown> {
  payload: P;
  opts?: JobOptions;
}

/** How many ids an error message lists. */
const IDS_SHOWN = 10;

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, IDS_SHOWN).join(', ');
  return ids.length > IDS_SHOWN ? `${shown} and ${ids.length - IDS_SHOWN} more` : shown;
}

/**
 * A Queue's adds: jobs validated and encoded, joined by the batcher, routed to their partitions,
 * traced, confirmed on replicas when asked, and waited for by addAndWait.
 */
export class Adder<P> {
  readonly #core: QueueCore;
  /** One per partition that addAndWait was used on: each partition has its own channel. */
  readonly #waiters = new Map<number, ResultWaiter>();
  /** Absent with batchAdds: false; every add then makes its own script call. */
  readonly #batcher: AddBatcher | undefined;

  constructor(core: QueueCore) {
    this.#core = core;
    this.#batcher = core.batchAdds
      ? new AddBatcher((items) => core.layout.enqueue(items, this.#write))
      : undefined;
  }

  #enqueue(items: readonly EnqueueItem[]): Promise<string[]> {
    return this.#batcher === undefined
      ? this.#core.layout.enqueue(items, this.#write)
      : this.#batcher.add(items);
  }

  #waiter(keys: QueueKeys): ResultWaiter {
    let waiter = this.#waiters.get(keys.partition);
    if (waiter === undefined) {
      waiter = new ResultWaiter(this.#core.redis, keys);
      this.#waiters.set(keys.partition, waiter);
    }
    return waiter;
  }

  /** `carried`: the trace context the job carries (tracing/carrier.ts), '' when untraced. */
  #prepare(payload: unknown, opts: JobOptions | undefined, field: string, carried = ''): EnqueueItem {
    return this.#item(payload, prepareJobOptions(opts, `${field}.opts`), `${field}.payload`, carried);
  }

  #item(payload: unknown, prepared: PreparedOptions, payloadField: string, carried: string): EnqueueItem {
    const json = encodePayload(payload, this.#core.maxPayloadBytes, payloadField);
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
    const { redis, name, replicas } = this.#core;
    // Not awaited and sent once per process: the add waits on no extra round trip.
    registerQueue(redis, name);
    return replicas === undefined
      ? enqueue(redis, keys, items)
      : this.#writeReplicated(keys, items, replicas);
  };

  async #writeReplicated(
    keys: QueueKeys,
    items: readonly EnqueueItem[],
    wait: ReplicaWait,
  ): Promise<string[]> {
    const { ids, replicas, waitError } = await enqueueReplicated(this.#core.redis, keys, items, wait);
    if (replicas < wait.count) {
      const why =
        waitError === undefined
          ? `only ${replicas} did within ${wait.timeoutMs} ms`
          : `WAIT failed: ${waitError}`;
      throw new SluiceError(
        ErrorCode.REPLICATION_TIMEOUT,
        `queue ${this.#core.name}: ${ids.length} job(s) (${listIds(ids)}) ARE written on the master but not ` +
          `confirmed on ${wait.count} replica(s) (${why}); a failover now could lose them. Retry with the ` +
          'same jobIds to stay idempotent (a retry of generated ids adds the jobs again)',
      );
    }
    return ids;
  }

  /** Runs `send` under a producer span when an OpenTelemetry SDK is registered, else as it is. */
  #traced(
    operation: 'add' | 'addBulk',
    count: number,
    send: (carried: string) => Promise<string[]>,
  ): Promise<string[]> {
    const tracer = activeTracer();
    return tracer === undefined ? send('') : sendSpan(tracer, this.#core.name, operation, count, send);
  }

  async add(payload: P, opts: JobOptions | undefined): Promise<string> {
    checkOpen(this.#core);
    const [id] = await this.#traced('add', 1, (carried) =>
      this.#enqueue([this.#prepare(payload, opts, 'job', carried)]),
    );
    return id as string;
  }

  async addAndWait<R>(payload: P, opts: JobOptions, wait: WaitOptions): Promise<R> {
    checkOpen(this.#core);
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
      const keys = await this.#core.layout.partFor(item.jobId);
      waiter = this.#waiter(keys);
      await waiter.ready();
      return this.#write(keys, [item]);
    });
    return (await (waiter as ResultWaiter).wait(id as string, waitMs)) as R;
  }

  async addBulk(jobs: readonly BulkJob<P>[]): Promise<string[]> {
    checkOpen(this.#core);
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

  /** Sends the adds the batcher still holds, then stops the waiters. */
  async close(): Promise<void> {
    await this.#batcher?.idle();
    await Promise.all([...this.#waiters.values()].map((waiter) => waiter.close()));
  }
}

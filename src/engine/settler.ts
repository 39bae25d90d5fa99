import { setTimeout as sleep } from 'node:timers/promises';
import type { Span } from '@opentelemetry/api';
import { attemptOf } from '../job/attempt.js';
import { failureStep } from '../job/backoff.js';
import type { FailureReason } from '../job/failure.js';
import { encodeErrorEntry, isRetryable } from '../job/failure.js';
import { fingerprint } from '../job/fingerprint.js';
import { JOB_DEFAULTS } from '../job/job-options.js';
import { decodeRecord } from '../job/record.js';
import type { Logger } from '../logger.js';
import type { Leased, LeaseRequest } from '../redis/acquire.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import type { Completion, Failure, Settled } from '../redis/settle.js';
import { settle } from '../redis/settle.js';
import type { FailedOutcome, KeptOutcome } from '../threads/protocol.js';
import { endSettle, startSettle } from '../tracing/settle-span.js';
import { activeTracer } from '../tracing/tracer.js';
import type { Leases } from './leases.js';
import type { EngineMetrics } from './metrics.js';

export interface SettlerOptions {
  /** The queue's name, for the settle spans (tracing/settle-span.ts). */
  queue: string;
  /** Flush once this many outcomes are waiting, even while a settle call is in flight. */
  maxBatch: number;
  /**
   * 0: flush as soon as no settle call is in flight (outcomes of one event-loop turn go
   * together; those that come while a call is in flight go in the next, when it returns). Else
   * let the oldest outcome wait up to this long (ms) to gather more.
   */
  maxWaitMs: number;
}

/** The dispatcher's side of a settle call: what to lease with it, and what its reply brought. */
export interface SettleBroker {
  /** A lease for the call to make, given the window places it frees (undefined: none). */
  reserve(freeing: number): LeaseRequest | undefined;
  /** A call ended (`settled` undefined: it failed and will be sent again, without a lease). */
  settled(lease: LeaseRequest | undefined, settled: Settled | undefined, roundTripMs: number): void;
}

/** What happens after a failed attempt the thread did not decide (see FailedOutcome.next). */
function stepOf(job: Leased, outcome: FailedOutcome & { reason: FailureReason }, random: number) {
  const record = decodeRecord(job.record);
  return failureStep(
    attemptOf(job.token, record?.base ?? 0),
    record?.options ?? JOB_DEFAULTS,
    random,
    record !== undefined && isRetryable(outcome.reason),
    outcome.retryInMs,
  );
}

/**
 * Builds the settle entry of a failed attempt: its error entry and what happens next, and for a
 * dead-lettering one its fingerprint group (retries skip that work).
 */
export function failureFor(
  job: Leased,
  outcome: FailedOutcome & { reason: FailureReason },
  random: number,
): Failure {
  const { next } = outcome;
  const step =
    next === undefined
      ? stepOf(job, outcome, random)
      : next < 0
        ? { dead: true as const }
        : { retryInMs: next };
  const entry: Parameters<typeof encodeErrorEntry>[0] = {
    name: outcome.name,
    message: outcome.message,
    reason: outcome.reason,
    at: Date.now(),
  };
  if (outcome.stack !== undefined) entry.stack = outcome.stack;
  const failure = { id: job.id, token: job.token, entry: encodeErrorEntry(entry) };
  return 'dead' in step
    ? { ...failure, retryInMs: -1, group: fingerprint(outcome.name, outcome.stack) }
    : { ...failure, retryInMs: step.retryInMs };
}

interface Outcomes {
  /** Each with its job's record, whose trace context a settle span links to. */
  completions: (Completion & Pick<Leased, 'record'>)[];
  failures: { job: Leased; failure: Failure }[];
}

/**
 * Collects job outcomes and settles them in batches (one settle script call per flush, which
 * also leases the window places it frees: see SettleBroker). A batch that cannot be written is
 * kept and tried again: its leases stay renewed meanwhile.
 */
export class Settler {
  #buffer: Outcomes = { completions: [], failures: [] };
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #sending = new Set<Promise<void>>();
  #settled = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly leases: Leases,
    private readonly options: SettlerOptions,
    private readonly log: Logger,
    private readonly metrics: EngineMetrics,
    private readonly broker: SettleBroker,
  ) {}

  /** Job outcomes written so far. */
  get settled(): number {
    return this.#settled;
  }

  /** `kept`: what to keep of a job with keepResult or uniqueFor (see lua/settle.lua). */
  complete(job: Leased, kept?: KeptOutcome): void {
    this.#buffer.completions.push(
      kept === undefined ? job : { id: job.id, token: job.token, record: job.record, kept },
    );
    this.#schedule();
  }

  fail(job: Leased, outcome: FailedOutcome & { reason: FailureReason }): void {
    const failure = failureFor(job, outcome, Math.random());
    this.log.debug(
      {
        jobId: job.id,
        token: job.token,
        reason: outcome.reason,
        err: outcome.message,
        retryInMs: failure.retryInMs,
      },
      'job attempt failed',
    );
    this.#buffer.failures.push({ job, failure });
    this.#schedule();
  }

  /** Sends everything buffered and waits until every send has been written. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#sending.size > 0) {
      await Promise.all(this.#sending);
      this.#flush();
    }
  }

  #size(): number {
    return this.#buffer.completions.length + this.#buffer.failures.length;
  }

  #schedule(): void {
    if (this.#size() >= this.options.maxBatch) this.#flush();
    else if (this.options.maxWaitMs > 0)
      this.#timer ??= setTimeout(() => this.#flush(), this.options.maxWaitMs);
    else if (this.#sending.size === 0) this.#immediate ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    const size = this.#size();
    if (size === 0) return;
    const batch = this.#buffer;
    this.#buffer = { completions: [], failures: [] };
    const tracer = activeTracer();
    const span =
      tracer === undefined
        ? undefined
        : startSettle(tracer, this.options.queue, [
            ...batch.completions.map((c) => c.record),
            ...batch.failures.map((f) => f.job.record),
          ]);
    const sending = this.#send(batch, this.broker.reserve(size), span).finally(() => {
      this.#sending.delete(sending);
      // What came while the call was in flight goes now, in one call.
      if (this.options.maxWaitMs === 0 && this.#sending.size === 0) this.#flush();
    });
    this.#sending.add(sending);
  }

  async #send(
    batch: Outcomes,
    lease: LeaseRequest | undefined,
    span: Span | undefined,
    attempt = 1,
  ): Promise<void> {
    const started = performance.now();
    try {
      const result = await settle(
        this.redis,
        this.keys,
        batch.completions,
        batch.failures.map((f) => f.failure),
        lease,
      );
      for (const job of batch.completions) this.leases.drop(job);
      for (const { job } of batch.failures) this.leases.drop(job);
      const roundTripMs = performance.now() - started;
      this.metrics.settleSeconds.observe(roundTripMs / 1000);
      const count = batch.completions.length + batch.failures.length;
      this.#settled += count;
      this.metrics.settled.inc(count);
      this.broker.settled(lease, result, roundTripMs);
      if (span !== undefined) endSettle(span, result);
      if (result.stale.length > 0) {
        this.log.warn(
          { jobIds: result.stale.slice(0, 20), count: result.stale.length },
          'stale settlements rejected: those leases were lost',
        );
      }
    } catch (error) {
      // Jobs the call may have leased before its reply was lost come back through the janitor.
      if (lease !== undefined) this.broker.settled(lease, undefined, performance.now() - started);
      const delay = Math.min(2000, 50 * 2 ** attempt);
      this.log.warn(
        { err: error, jobs: batch.completions.length + batch.failures.length, retryInMs: delay },
        'settle failed; retrying',
      );
      span?.recordException(error as Error);
      await sleep(delay);
      await this.#send(batch, undefined, span, attempt + 1);
    }
  }
}

/**
 * Thread side of the pool: loads the handler once per thread, runs each batch's jobs
 * concurrently (at most `concurrency` of the thread's jobs at once when that is set), each with
 * its own timeout and AbortSignal, and reports one outcome per job.
 */
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import type { Tracer } from '@opentelemetry/api';
import { attemptOf } from '../job/attempt.js';
import { failureStep, strategyDelay } from '../job/backoff.js';
import type { StoredJobOptions } from '../job/job-options.js';
import { type DecodedRecord, decodeRecord, encodePayload } from '../job/record.js';
import { activeTracer } from '../tracing/tracer.js';
import type { BackoffStrategy, Handler, JobContext } from './handler.js';
import { LatencyProbe } from './latency-probe.js';
import type {
  BatchResult,
  ControlMessage,
  EarlyOutcomes,
  FailedOutcome,
  KeptOutcome,
  Outcome,
  OutcomeReason,
  RunBatch,
  ThreadData,
  WireJob,
} from './protocol.js';
import {
  COMPLETED,
  EARLY_OUTCOMES_MS,
  MAX_PROGRESS_BYTES,
  PING_MESSAGE,
  SHUTDOWN_MESSAGE,
  unpackJobs,
} from './protocol.js';
import { endRun, runIn, startRun } from './run-span.js';

const data = workerData as ThreadData;
const latency = data.latency === undefined ? undefined : new LatencyProbe(data.latency);
const running = new Set<AbortController>();
let shuttingDown = false;

/** A batch this thread runs: where a cancellation finds its jobs. */
interface Running {
  jobs: WireJob[];
  /** Each job's record, decoded once, here (undefined: not a Sluice record). */
  records: (DecodedRecord | undefined)[];
  results: Outcome[];
  contexts: (Context | undefined)[];
  /** The OpenTelemetry SDK's tracer, looked up once per batch; undefined when none is registered here. */
  tracer: Tracer | undefined;
  /** Progress JSON reported since the last early post, by index. */
  progress?: Map<number, string>;
}

const batches = new Set<Running>();

/**
 * Cancelled leases ("id:token") not started yet: a cancellation can overtake its batch on the
 * way to this thread, or find the job waiting for a concurrency slot. Kept a minute at most.
 */
const cancelledLeases = new Map<string, number>();
const CANCEL_MEMORY_MS = 60_000;

function cancel(leases: readonly string[]): void {
  const now = performance.now();
  for (const [lease, at] of cancelledLeases) if (now - at > CANCEL_MEMORY_MS) cancelledLeases.delete(lease);
  for (const lease of leases) cancelledLeases.set(lease, now);
  for (const batch of batches) {
    batch.jobs.forEach((job, i) => {
      const ctx = batch.contexts[i];
      const lease = `${job.id}:${job.token}`;
      if (ctx !== undefined && cancelledLeases.delete(lease)) ctx.controller.abort(new CancelledError());
    });
  }
}

const control = new BroadcastChannel(data.controlChannel);
control.onmessage = (event) => {
  const message = (event as MessageEvent).data as ControlMessage;
  if (message === SHUTDOWN_MESSAGE) {
    shuttingDown = true;
    for (const controller of running) controller.abort(new InterruptedError());
  } else {
    cancel(message.cancel);
  }
};
control.unref();

// Answering proves this thread's event loop turns; a handler in a busy loop stops the answers.
const ping = new BroadcastChannel(data.pingChannel);
ping.onmessage = (event) => {
  if ((event as MessageEvent).data === PING_MESSAGE) ping.postMessage(threadId);
};
ping.unref();

const early = new BroadcastChannel(data.outcomeChannel);
early.unref();

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('the job was cancelled');
  }
}

class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('the engine is shutting down');
  }
}

interface HandlerModule {
  run: Handler;
  backoff: BackoffStrategy | undefined;
}

let handler: Promise<HandlerModule> | undefined;

async function loadHandler(): Promise<HandlerModule> {
  const module = (await import(data.handlerUrl)) as { default?: unknown; backoff?: unknown };
  if (typeof module.default !== 'function') {
    throw new TypeError(`${data.handlerUrl} has no default export function`);
  }
  const backoff = typeof module.backoff === 'function' ? (module.backoff as BackoffStrategy) : undefined;
  return { run: module.default as Handler, backoff };
}

/** The thread's say in a failed attempt's retry (see FailedOutcome.retryInMs). */
function retryInMs(
  error: unknown,
  module: HandlerModule,
  id: string,
  attempt: number,
  payload: unknown,
): number | undefined {
  if (error instanceof Error && error.name === 'UnrecoverableError') return -1;
  if (module.backoff === undefined) return undefined;
  try {
    return strategyDelay(module.backoff({ id, attempt, error, payload }));
  } catch {
    return undefined;
  }
}

/** The signal is made on first use: most handlers never read it and it is not free. */
class Context implements JobContext {
  #controller: AbortController | undefined;
  constructor(
    readonly id: string,
    readonly token: number,
    readonly attempt: number,
    private readonly batch: Running,
    private readonly index: number,
  ) {}

  progress(value: unknown): void {
    let json: string;
    try {
      json = encodePayload(value, MAX_PROGRESS_BYTES, 'progress', 'the 4 KiB progress limit');
    } catch (error) {
      throw new TypeError((error as Error).message);
    }
    this.batch.progress ??= new Map();
    this.batch.progress.set(this.index, json);
  }

  get controller(): AbortController {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      running.add(this.#controller);
      if (shuttingDown) this.#controller.abort(new InterruptedError());
    }
    return this.#controller;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get touched(): boolean {
    return this.#controller !== undefined;
  }

  done(): void {
    if (this.#controller) running.delete(this.#controller);
  }
}

function failed(reason: OutcomeReason, error: unknown): FailedOutcome {
  if (error instanceof Error) {
    const outcome: FailedOutcome = { reason, name: error.name, message: error.message };
    if (error.stack !== undefined) outcome.stack = error.stack;
    return outcome;
  }
  return { reason, name: 'NonError', message: `the handler threw a non-Error value: ${String(error)}` };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** The outcome of a completed job with keepResult or uniqueFor: what settle.lua keeps. */
function kept(value: unknown, options: StoredJobOptions): KeptOutcome {
  const outcome: KeptOutcome = { keepResult: options.keepResult, uniqueFor: options.uniqueFor };
  if (options.keepResult > 0) {
    try {
      outcome.result = `v${encodePayload(value ?? null, data.maxResultBytes, 'result', 'maxResultBytes')}`;
    } catch (error) {
      outcome.result = `e${(error as Error).message}`;
    }
  }
  return outcome;
}

/**
 * Runs one job and stores its outcome in results[i], where an early post can find it while the
 * batch still runs (writing there, instead of returning it, costs no extra promise per job).
 */
async function runJob(job: WireJob, module: HandlerModule, batch: Running, i: number): Promise<void> {
  const { results } = batch;
  if (cancelledLeases.size > 0 && cancelledLeases.delete(`${job.id}:${job.token}`)) {
    results[i] = failed('cancelled', new CancelledError());
    return;
  }
  const record = batch.records[i];
  if (record === undefined) {
    results[i] = {
      reason: 'decode_error',
      name: 'DecodeError',
      message: 'the stored value is not a Sluice job record',
    };
    return;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(record.payloadJson);
  } catch (error) {
    results[i] = failed('decode_error', error);
    return;
  }
  const ctx = new Context(job.id, job.token, attemptOf(job.token, record.base), batch, i);
  batch.contexts[i] = ctx;
  const { options } = record;
  const { timeout } = options;
  // Called as a plain function, so stacks read "at handler", not "at Object.handler [as run]".
  const { run } = module;
  let timer: NodeJS.Timeout | undefined;
  // Only a first attempt's wait is enqueue-to-start; a retry's would count its earlier runs and backoff.
  if (ctx.attempt === 1) latency?.waited(record.enqueuedAt);
  const traced =
    batch.tracer === undefined
      ? undefined
      : startRun(batch.tracer, data.queue, job.id, ctx.attempt, record.trace);
  let failure: unknown;
  const started = performance.now();
  try {
    let value: unknown;
    if (timeout > 0) {
      const { controller } = ctx;
      timer = setTimeout(() => controller.abort(new TimeoutError(`timed out after ${timeout} ms`)), timeout);
      value = await Promise.race([
        traced === undefined ? run(payload, ctx) : runIn(traced, run, payload, ctx),
        rejectOnAbort(controller.signal),
      ]);
    } else {
      value = await (traced === undefined ? run(payload, ctx) : runIn(traced, run, payload, ctx));
    }
    results[i] = options.keepResult === 0 && options.uniqueFor === 0 ? COMPLETED : kept(value, options);
  } catch (error) {
    const reason = !ctx.touched
      ? 'error'
      : ctx.signal.reason instanceof TimeoutError
        ? 'timeout'
        : ctx.signal.reason instanceof InterruptedError
          ? 'interrupted'
          : ctx.signal.reason instanceof CancelledError
            ? 'cancelled'
            : 'error';
    failure = reason === 'error' ? error : ctx.signal.reason;
    const outcome = failed(reason, failure);
    if (reason === 'error' || reason === 'timeout') {
      const retry = retryInMs(failure, module, job.id, ctx.attempt, payload);
      if (retry !== undefined) outcome.retryInMs = retry;
      const step = failureStep(ctx.attempt, options, Math.random(), true, retry);
      outcome.next = 'dead' in step ? -1 : step.retryInMs;
    }
    results[i] = outcome;
  } finally {
    latency?.ran(performance.now() - started);
    clearTimeout(timer);
    ctx.done();
    if (traced !== undefined) endRun(traced, results[i], failure);
  }
}

/** Slots for the thread's running jobs when `concurrency` is set; a freed slot goes to the oldest waiter. */
let runningJobs = 0;
const waiting: (() => void)[] = [];

async function limited(job: WireJob, module: HandlerModule, batch: Running, i: number): Promise<void> {
  if (runningJobs < data.concurrency) runningJobs += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    await runJob(job, module, batch, i);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else runningJobs -= 1;
  }
}

/**
 * While a batch runs, every EARLY_OUTCOMES_MS, posts the outcomes that appeared in its results
 * since the last post. A batch that ends sooner costs one timer and posts nothing.
 */
class EarlyPoster {
  #timer: NodeJS.Timeout;
  #posted: Uint8Array | undefined;

  constructor(
    private readonly batch: number,
    private readonly running: Running,
  ) {
    this.#timer = setTimeout(() => this.#post(), EARLY_OUTCOMES_MS);
  }

  #post(): void {
    const { results } = this.running;
    this.#posted ??= new Uint8Array(results.length);
    const posted = this.#posted;
    const outcomes: [number, Outcome][] = [];
    results.forEach((outcome, i) => {
      if (outcome !== undefined && posted[i] === 0) {
        posted[i] = 1;
        outcomes.push([i, outcome]);
      }
    });
    const message: EarlyOutcomes = { batch: this.batch, outcomes };
    const progress = this.running.progress;
    if (progress !== undefined && progress.size > 0) {
      // A finished job's progress is moot: its outcome clears it.
      message.progress = [...progress].filter(([i]) => posted[i] === 0);
      progress.clear();
    }
    if (outcomes.length > 0 || (message.progress?.length ?? 0) > 0) early.postMessage(message);
    this.#timer = setTimeout(() => this.#post(), EARLY_OUTCOMES_MS);
  }

  /** The batch ended: its result carries everything, so nothing more is posted. */
  end(): void {
    clearTimeout(this.#timer);
  }
}

export default async function runBatch({ batch, jobs: packed }: RunBatch): Promise<BatchResult> {
  const jobs = unpackJobs(packed);
  const records = jobs.map((job) => decodeRecord(job.record));
  let timeout = 0;
  for (const record of records) if (record !== undefined) timeout = Math.max(timeout, record.options.timeout);
  if (timeout > 0)
    early.postMessage({ batch, thread: threadId, timeout, outcomes: [] } satisfies EarlyOutcomes);
  handler ??= loadHandler();
  const module = await handler;
  const results: Outcome[] = new Array(jobs.length);
  const active: Running = {
    jobs,
    records,
    results,
    contexts: new Array(jobs.length),
    // After the handler module loaded: it may have registered the SDK.
    tracer: activeTracer(),
  };
  batches.add(active);
  const poster = new EarlyPoster(batch, active);
  const one = data.concurrency === 0 ? runJob : limited;
  try {
    await Promise.all(jobs.map((job, i) => one(job, module, active, i)));
    return results;
  } finally {
    poster.end();
    batches.delete(active);
  }
}

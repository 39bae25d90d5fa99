/**
 * Messages between the dispatcher (main thread) and the pool's threads. Jobs travel in batches:
 * a Piscina task per job would cost far more than the job's share of a batch's task.
 */
import type { FailureReason } from '../job/failure.js';
import type { Keep } from '../job/kept.js';

/** One leased job as the thread receives it (a Leased from redis/acquire.ts fits as it is). */
export interface WireJob {
  id: string;
  /** The lease's fencing token (delivery count); the thread derives the attempt from it. */
  token: number;
  /** The stored record (see job/record.ts); decoded in the thread, off the main thread. */
  record: string;
}

/**
 * A batch's jobs as they cross to the thread: each job's id then its record, end to end, in
 * strings of at most SEGMENT_CHARS (or one record, when it is longer), with their lengths and
 * tokens in typed arrays. This clones far faster than an object per job, and the clone runs on
 * the main thread, which does all the Redis work. Segments keep every string far below V8's
 * string length limit, however many large records a batch holds.
 */
export interface PackedJobs {
  segments: string[];
  /** Per job: its id's length, then its record's (UTF-16 code units, as String#slice counts). */
  lengths: Uint32Array;
  tokens: Float64Array;
}

const SEGMENT_CHARS = 1 << 20;

export function packJobs(jobs: readonly WireJob[]): PackedJobs {
  const lengths = new Uint32Array(2 * jobs.length);
  const tokens = new Float64Array(jobs.length);
  const segments: string[] = [];
  let parts: string[] = [];
  let size = 0;
  jobs.forEach(({ id, token, record }, i) => {
    const length = id.length + record.length;
    if (size > 0 && size + length > SEGMENT_CHARS) {
      segments.push(parts.join(''));
      parts = [];
      size = 0;
    }
    parts.push(id, record);
    size += length;
    lengths[2 * i] = id.length;
    lengths[2 * i + 1] = record.length;
    tokens[i] = token;
  });
  segments.push(parts.join(''));
  return { segments, lengths, tokens };
}

export function unpackJobs({ segments, lengths, tokens }: PackedJobs): WireJob[] {
  const jobs: WireJob[] = new Array(tokens.length);
  let segment = 0;
  let text = segments[0] ?? '';
  let at = 0;
  for (let i = 0; i < tokens.length; i++) {
    // A segment ends only between jobs, and every id has at least one character.
    if (at === text.length) {
      segment += 1;
      text = segments[segment] ?? '';
      at = 0;
    }
    const idEnd = at + (lengths[2 * i] as number);
    const recordEnd = idEnd + (lengths[2 * i + 1] as number);
    jobs[i] = { id: text.slice(at, idEnd), token: tokens[i] as number, record: text.slice(idEnd, recordEnd) };
    at = recordEnd;
  }
  return jobs;
}

/** A Piscina task: the jobs of one batch, run concurrently in one thread. */
export interface RunBatch {
  /** Names the batch in EarlyOutcomes messages. */
  batch: number;
  jobs: PackedJobs;
}

/**
 * Outcomes of a batch's jobs that finished while others of the batch still run, posted on the
 * pool's outcome channel at most every EARLY_OUTCOMES_MS, so one slow job does not hold back its
 * batch-mates' settlement (and their room in the dispatcher's window). A batch that finishes
 * sooner posts none: its task result carries every outcome.
 */
export interface EarlyOutcomes {
  batch: number;
  /**
   * Sent with no outcomes when a batch that has a job timeout starts: the threadId running it
   * and the longest timeout of its jobs (ms). The pool watches that thread from then on.
   */
  thread?: number;
  timeout?: number;
  /** [index in the batch, outcome] */
  outcomes: [number, Outcome][];
  /** [index in the batch, progress JSON]: the latest ctx.progress() of each job since the last post. */
  progress?: [number, string][];
}

/** Largest ctx.progress() value, as JSON. */
export const MAX_PROGRESS_BYTES = 4096;

export const EARLY_OUTCOMES_MS = 50;

/**
 * `interrupted`: the job was stopped by an engine shutdown, not by its own fault; the
 * dispatcher gives it back rather than counting a failed attempt. `cancelled`: stopped by a
 * cancellation; Redis has already removed the job, so the outcome is dropped.
 */
export type OutcomeReason = FailureReason | 'interrupted' | 'cancelled';

export interface FailedOutcome {
  reason: OutcomeReason;
  name: string;
  message: string;
  stack?: string;
  /**
   * Decided in the thread: -1 dead-letters now (an UnrecoverableError), a value >= 0 is the wait
   * the handler module's `backoff` chose. Absent: the job's own backoff option decides.
   */
  retryInMs?: number;
  /**
   * What happens next, decided in the thread from the record it decoded (attempts, backoff and
   * retryInMs): ms until the next attempt, or -1 to dead-letter now. Absent from the failures the
   * main thread makes up (a thread that died under its jobs): the settler decides those.
   */
  next?: number;
}

/** A completion with something to keep: the job has keepResult or uniqueFor set. */
export type KeptOutcome = Keep;

/** Per job, in batch order: COMPLETED, a completion with something to keep, or why it failed. */
export type Outcome = typeof COMPLETED | KeptOutcome | FailedOutcome;
export const COMPLETED = 0;

export type BatchResult = Outcome[];

/** Given to every thread at start (Piscina workerData). */
export interface ThreadData {
  /** file: URL of the handler module. */
  handlerUrl: string;
  /** The queue's name, for the run spans' names and attributes (threads/run-span.ts). */
  queue: string;
  /** BroadcastChannel on which the dispatcher announces a shutdown or cancelled jobs (ControlMessage). */
  controlChannel: string;
  /** Jobs running at once in this thread; 0 = no limit. */
  concurrency: number;
  /** A kept result whose JSON is larger is replaced by the reason it was not kept. */
  maxResultBytes: number;
  /** BroadcastChannel of the liveness check: the pool posts PING, each thread answers with its threadId. */
  pingChannel: string;
  /** BroadcastChannel on which threads post EarlyOutcomes. */
  outcomeChannel: string;
  /** The engine's latency bucket counts (job/latency.ts), which each job adds to. */
  latency?: SharedArrayBuffer;
}

export const PING_MESSAGE = 'ping';

export const SHUTDOWN_MESSAGE = 'shutdown';

/** A shutdown, or leases ("id:token") to stop: their AbortSignal fires with a CancelledError. */
export type ControlMessage = typeof SHUTDOWN_MESSAGE | { cancel: string[] };

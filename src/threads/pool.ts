/** Main side of the worker-thread pool: Piscina running threads/runner.ts, fed batches of jobs. */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { FailureReason } from '../job/failure.js';
import type {
  BatchResult,
  ControlMessage,
  EarlyOutcomes,
  Outcome,
  RunBatch,
  ThreadData,
  WireJob,
} from './protocol.js';
import { PING_MESSAGE, packJobs, SHUTDOWN_MESSAGE } from './protocol.js';

// Piscina does not export its worker type; this is what its loadBalancer option is handed.
type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;
type PiscinaWorker = Parameters<Balancer>[1][number];

const PING_MS = 50;
const TASK_HEADROOM = 4;
/** A thread silent for this long is running something that does not yield: no new batch goes to it. */
const STALLED_MS = 200;

export interface PoolOptions {
  /** file: URL of the handler module. */
  handlerUrl: string;
  /** The queue the jobs come from (names the threads' run spans). */
  queue: string;
  threads: number;
  /** Batches one thread runs at once (their jobs interleave while handlers await). */
  tasksPerThread: number;
  /** Jobs one thread runs at once; 0 = no limit. */
  concurrency: number;
  /** Old-generation heap limit per thread; a thread that exceeds it dies alone. */
  threadMemoryMb: number;
  maxResultBytes: number;
  /** Start threads only when a batch arrives, and end them after a minute idle. */
  lazy?: boolean;
  /** Shared latency bucket counts the threads add each job to (engine/latency-recorder.ts). */
  latency?: SharedArrayBuffer;
}

const RUNNER = new URL('./runner.js', import.meta.url).href;

type EarlyHandler = (outcomes: [number, Outcome][]) => void;
type ProgressHandler = (progress: [number, string][]) => void;

export interface RunOptions {
  /** Added to a batch's longest job timeout before its thread is watched (see run()). */
  watchGraceMs?: number;
  onEarly?: EarlyHandler;
  /** Progress reported by the batch's jobs: [index in the batch, JSON]. */
  onProgress?: ProgressHandler;
}

/** The batch's thread stopped answering past its watch time and was terminated. */
export class ThreadStalledError extends Error {
  override readonly name = 'ThreadStalledError';
  constructor(watchMs: number, cause: unknown) {
    super(`the thread stopped answering more than ${watchMs} ms into the batch and was terminated`, {
      cause,
    });
  }
}

export class ThreadPool {
  readonly #piscina: Piscina;
  readonly #control: BroadcastChannel;
  readonly #ping: BroadcastChannel;
  readonly #pinger: NodeJS.Timeout;
  /** threadId → when it last answered a ping (performance.now()). */
  readonly #answered = new Map<number, number>();
  readonly #outcomes: BroadcastChannel;
  /** Running batches, by batch number: who wants their early outcomes, which thread runs them. */
  readonly #batches = new Map<
    number,
    {
      onEarly?: EarlyHandler | undefined;
      onProgress?: ProgressHandler | undefined;
      thread?: number;
      /** Starts the watchdog: the thread said it started the batch, whose longest timeout is this. */
      watch?: (timeout: number) => void;
    }
  >();
  #nextBatch = 0;
  readonly capacity: number;

  constructor(options: PoolOptions) {
    const workerData: ThreadData = {
      handlerUrl: options.handlerUrl,
      queue: options.queue,
      controlChannel: `sluice:control:${randomUUID()}`,
      concurrency: options.concurrency,
      maxResultBytes: options.maxResultBytes,
      pingChannel: `sluice:ping:${randomUUID()}`,
      outcomeChannel: `sluice:outcomes:${randomUUID()}`,
      ...(options.latency === undefined ? {} : { latency: options.latency }),
    };
    this.#control = new BroadcastChannel(workerData.controlChannel);
    this.#ping = new BroadcastChannel(workerData.pingChannel);
    this.#ping.onmessage = (event) => {
      const id = (event as MessageEvent).data;
      if (typeof id === 'number') this.#answered.set(id, performance.now());
    };
    this.#ping.unref();
    this.#pinger = setInterval(() => this.#ping.postMessage(PING_MESSAGE), PING_MS).unref();
    this.#outcomes = new BroadcastChannel(workerData.outcomeChannel);
    this.#outcomes.onmessage = (event) => {
      const { batch, thread, timeout, outcomes, progress } = (event as MessageEvent).data as EarlyOutcomes;
      const running = this.#batches.get(batch);
      if (running === undefined) return;
      if (thread !== undefined) {
        running.thread = thread;
        // Starting the batch proves the thread was live then, even before it answered a ping.
        if (!this.#answered.has(thread)) this.#answered.set(thread, performance.now());
        if (timeout !== undefined) running.watch?.(timeout);
      }
      if (outcomes.length > 0) running.onEarly?.(outcomes);
      if (progress !== undefined) running.onProgress?.(progress);
    };
    this.#outcomes.unref();
    this.#piscina = new Piscina({
      filename: RUNNER,
      minThreads: options.lazy ? 0 : options.threads,
      maxThreads: options.threads,
      idleTimeout: options.lazy ? 60_000 : Number.POSITIVE_INFINITY,
      // Room beyond tasksPerThread for batches that are mostly done but wait on a slow job: the
      // dispatcher stops counting those against `capacity` (see Dispatcher.#busyBatches).
      concurrentTasksPerWorker: options.tasksPerThread * TASK_HEADROOM,
      // 'sync' parks an idle thread in Atomics.wait, which would freeze its handlers' pending I/O.
      atomics: 'async',
      resourceLimits: { maxOldGenerationSizeMb: options.threadMemoryMb },
      workerData,
      loadBalancer: (_task, workers) => this.#choose(workers, options.tasksPerThread * TASK_HEADROOM),
    });
    // A replaced thread (crashed, out of memory, terminated) gets a new id; forget the old one.
    this.#piscina.on('workerDestroy', (worker: PiscinaWorker) => this.#answered.delete(worker.id));
    this.capacity = options.threads * options.tasksPerThread;
  }

  /**
   * The least busy thread with room that has answered a ping lately (a new thread that has not
   * answered yet counts as live). A thread stuck in a busy loop would otherwise be handed more
   * batches, whose jobs would wait for it however idle the other threads are. A thread running
   * no task is never skipped: no handler of it can be looping, so its silence is only a starved
   * CPU, and skipping it could leave a batch waiting for a task to finish when none runs. null:
   * none now; Piscina asks again when a task finishes or a thread starts.
   */
  #choose(workers: PiscinaWorker[], perThread: number): PiscinaWorker | null {
    const now = performance.now();
    let best: PiscinaWorker | null = null;
    for (const worker of workers) {
      if (worker.currentUsage >= perThread || worker.terminating || worker.destroyed) continue;
      const answered = this.#answered.get(worker.id);
      if (answered !== undefined && now - answered > STALLED_MS && worker.currentUsage > 0) continue;
      if (best === null || worker.currentUsage < best.currentUsage) best = worker;
    }
    return best;
  }

  /**
   * Runs one batch. `onEarly` receives outcomes of jobs that finish while others of the batch
   * still run; the result then repeats them (the two may arrive in either order). When a job of
   * the batch has a timeout, the thread says so as it starts the batch (it decodes the records;
   * the main thread does not), and the thread is terminated if, the longest timeout plus
   * `watchGraceMs` after that or any time later, it has stopped answering pings: a handler that
   * does not yield past its timeout. The batch then
   * rejects with ThreadStalledError. (Piscina's own abort signal would do this too, but Piscina
   * then gives the thread to that one task alone, so one slow job would idle a whole thread.)
   */
  async run(jobs: WireJob[], options: RunOptions = {}): Promise<BatchResult> {
    const batch = this.#nextBatch++;
    let watchMs = 0;
    let watchdog: NodeJS.Timeout | undefined;
    let stalled = false;
    const check = (): void => {
      const thread = this.#batches.get(batch)?.thread;
      if (thread !== undefined && this.#isStalled(thread)) {
        stalled = true;
        void this.#piscina.threads.find((worker) => worker.threadId === thread)?.terminate();
        return;
      }
      watchdog = setTimeout(check, STALLED_MS);
    };
    const watch = (timeout: number): void => {
      watchMs = timeout + (options.watchGraceMs ?? 0);
      clearTimeout(watchdog);
      watchdog = setTimeout(check, watchMs);
    };
    this.#batches.set(batch, { onEarly: options.onEarly, onProgress: options.onProgress, watch });
    const task: RunBatch = { batch, jobs: packJobs(jobs) };
    try {
      return (await this.#piscina.run(task)) as BatchResult;
    } catch (error) {
      if (stalled) throw new ThreadStalledError(watchMs, error);
      throw error;
    } finally {
      clearTimeout(watchdog);
      this.#batches.delete(batch);
    }
  }

  #isStalled(thread: number): boolean {
    const answered = this.#answered.get(thread);
    return answered !== undefined && performance.now() - answered > STALLED_MS;
  }

  /** Fires the AbortSignal of every job running in any thread. */
  interruptAll(): void {
    this.#control.postMessage(SHUTDOWN_MESSAGE satisfies ControlMessage);
  }

  /** Fires the AbortSignal of these leases wherever they run, and keeps them from starting. */
  cancel(leases: readonly WireJob[]): void {
    this.#control.postMessage({
      cancel: leases.map((job) => `${job.id}:${job.token}`),
    } satisfies ControlMessage);
  }

  async close(): Promise<void> {
    clearInterval(this.#pinger);
    this.#control.close();
    this.#ping.close();
    this.#outcomes.close();
    await this.#piscina.destroy();
  }
}

/** Why a whole batch failed, from the error its Piscina task rejected with. */
export function batchFailureReason(error: unknown): FailureReason {
  if (error instanceof ThreadStalledError) return 'timeout';
  return (error as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crashed';
}

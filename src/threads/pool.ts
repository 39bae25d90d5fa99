/** Main side of the worker-thread pool: Piscina running threads/runner.ts, fed batches of jobs. */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { FailureReason } from '../engine/failure.js';
import type { BatchResult, RunBatch, ThreadData, WireJob } from './protocol.js';
import { PING_MESSAGE, SHUTDOWN_MESSAGE } from './protocol.js';

// Piscina does not export its worker type; this is what its loadBalancer option is handed.
type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;
type PiscinaWorker = Parameters<Balancer>[1][number];

const PING_MS = 50;
/** A thread silent for this long is running something that does not yield: no new batch goes to it. */
const STALLED_MS = 200;

export interface PoolOptions {
  /** file: URL of the handler module. */
  handlerUrl: string;
  threads: number;
  /** Batches one thread runs at once (their jobs interleave while handlers await). */
  tasksPerThread: number;
  /** Jobs one thread runs at once; 0 = no limit. */
  concurrency: number;
  /** Old-generation heap limit per thread; a thread that exceeds it dies alone. */
  threadMemoryMb: number;
  /** Start threads only when a batch arrives, and end them after a minute idle. */
  lazy?: boolean;
}

const RUNNER = new URL('./runner.js', import.meta.url).href;

export class ThreadPool {
  readonly #piscina: Piscina;
  readonly #shutdown: BroadcastChannel;
  readonly #ping: BroadcastChannel;
  readonly #pinger: NodeJS.Timeout;
  /** threadId → when it last answered a ping (performance.now()). */
  readonly #answered = new Map<number, number>();
  readonly capacity: number;

  constructor(options: PoolOptions) {
    const workerData: ThreadData = {
      handlerUrl: options.handlerUrl,
      shutdownChannel: `sluice:shutdown:${randomUUID()}`,
      concurrency: options.concurrency,
      pingChannel: `sluice:ping:${randomUUID()}`,
    };
    this.#shutdown = new BroadcastChannel(workerData.shutdownChannel);
    this.#ping = new BroadcastChannel(workerData.pingChannel);
    this.#ping.onmessage = (event) => {
      const id = (event as MessageEvent).data;
      if (typeof id === 'number') this.#answered.set(id, performance.now());
    };
    this.#ping.unref();
    this.#pinger = setInterval(() => this.#ping.postMessage(PING_MESSAGE), PING_MS).unref();
    this.#piscina = new Piscina({
      filename: RUNNER,
      minThreads: options.lazy ? 0 : options.threads,
      maxThreads: options.threads,
      idleTimeout: options.lazy ? 60_000 : Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: options.tasksPerThread,
      // 'sync' parks an idle thread in Atomics.wait, which would freeze its handlers' pending I/O.
      atomics: 'async',
      resourceLimits: { maxOldGenerationSizeMb: options.threadMemoryMb },
      workerData,
      loadBalancer: (_task, workers) => this.#choose(workers, options.tasksPerThread),
    });
    this.capacity = options.threads * options.tasksPerThread;
  }

  /**
   * The least busy thread with room that has answered a ping lately (a new thread that has not
   * answered yet counts as live). A thread stuck in a busy loop would otherwise be handed more
   * batches, whose jobs would wait for it however idle the other threads are. null: none now;
   * Piscina asks again when a task finishes or a thread starts.
   */
  #choose(workers: PiscinaWorker[], perThread: number): PiscinaWorker | null {
    const now = performance.now();
    let best: PiscinaWorker | null = null;
    for (const worker of workers) {
      if (worker.currentUsage >= perThread || worker.terminating || worker.destroyed) continue;
      const answered = this.#answered.get(worker.id);
      if (answered !== undefined && now - answered > STALLED_MS) continue;
      if (best === null || worker.currentUsage < best.currentUsage) best = worker;
    }
    return best;
  }

  /** Runs one batch; `signal` terminates the thread running it (a handler stuck in a busy loop). */
  run(jobs: WireJob[], signal?: AbortSignal): Promise<BatchResult> {
    const task: RunBatch = { jobs };
    return this.#piscina.run(task, signal ? { signal } : {}) as Promise<BatchResult>;
  }

  /** Fires the AbortSignal of every job running in any thread. */
  interruptAll(): void {
    this.#shutdown.postMessage(SHUTDOWN_MESSAGE);
  }

  async close(): Promise<void> {
    clearInterval(this.#pinger);
    this.#shutdown.close();
    this.#ping.close();
    await this.#piscina.destroy();
  }
}

/** Why a whole batch failed, from the error its Piscina task rejected with. */
export function batchFailureReason(error: unknown, timedOut: boolean): FailureReason {
  if (timedOut) return 'timeout';
  return (error as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crashed';
}

/** Main side of the worker-thread pool: Piscina running threads/runner.ts, fed batches of jobs. */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { FailureReason } from '../engine/failure.js';
import type { BatchResult, RunBatch, ThreadData, WireJob } from './protocol.js';
import { SHUTDOWN_MESSAGE } from './protocol.js';

export interface PoolOptions {
  /** file: URL of the handler module. */
  handlerUrl: string;
  threads: number;
  /** Batches one thread runs at once (their jobs interleave while handlers await). */
  tasksPerThread: number;
  /** Old-generation heap limit per thread; a thread that exceeds it dies alone. */
  threadMemoryMb: number;
  /** Start threads only when a batch arrives, and end them after a minute idle. */
  lazy?: boolean;
}

const RUNNER = new URL('./runner.js', import.meta.url).href;

export class ThreadPool {
  readonly #piscina: Piscina;
  readonly #shutdown: BroadcastChannel;
  readonly capacity: number;

  constructor(options: PoolOptions) {
    const workerData: ThreadData = {
      handlerUrl: options.handlerUrl,
      shutdownChannel: `sluice:shutdown:${randomUUID()}`,
    };
    this.#shutdown = new BroadcastChannel(workerData.shutdownChannel);
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
    });
    this.capacity = options.threads * options.tasksPerThread;
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
    this.#shutdown.close();
    await this.#piscina.destroy();
  }
}

/** Why a whole batch failed, from the error its Piscina task rejected with. */
export function batchFailureReason(error: unknown, timedOut: boolean): FailureReason {
  if (timedOut) return 'timeout';
  return (error as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crashed';
}

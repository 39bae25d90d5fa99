import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { JanitorData, JanitorReport } from './protocol.js';
import { STOP } from './protocol.js';

const RESTART_DELAY_MS = 1000;

/**
 * Main-side handle of the janitor thread: logs what it reports, and starts a new thread if
 * one dies, since without a janitor a crashed engine's jobs would never come back.
 */
export class Janitor {
  #worker: Worker;
  #stopping = false;
  #restart: NodeJS.Timeout | undefined;

  constructor(
    private readonly data: JanitorData,
    private readonly log: Logger,
  ) {
    this.#worker = this.#spawn();
  }

  #spawn(): Worker {
    const worker = new Worker(new URL('./thread.js', import.meta.url), { workerData: this.data });
    worker.on('message', (report: JanitorReport) => {
      if (report.type === 'reaped') this.log.info(report, 'janitor recovered jobs');
      else if (report.type === 'trimmed') {
        // dead letters deleted by the operator's cap are worth a line; completed records are routine
        if (report.dead > 0) this.log.info(report, 'janitor trimmed retained records');
        else this.log.debug(report, 'janitor trimmed retained records');
      } else if (report.type === 'fired') this.log.debug(report, 'schedule fired');
      else this.log.warn({ err: report.message }, 'janitor sweep failed; retrying next interval');
    });
    worker.on('error', (error) => this.log.error({ err: error }, 'janitor thread died'));
    worker.on('exit', (code) => {
      if (this.#stopping) return;
      this.log.error({ code, restartInMs: RESTART_DELAY_MS }, 'janitor thread exited; starting a new one');
      this.#restart = setTimeout(() => {
        this.#worker = this.#spawn();
      }, RESTART_DELAY_MS);
    });
    return worker;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restart);
    const worker = this.#worker;
    if (worker.threadId === -1) return; // already exited
    const exited = once(worker, 'exit');
    worker.postMessage(STOP);
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../engine/logger.js';
import type { JanitorData, JanitorReport } from './protocol.js';
import { STOP } from './protocol.js';

/** Main-side handle of the janitor thread; logs what it reports. */
export class Janitor {
  readonly #worker: Worker;

  constructor(data: JanitorData, log: Logger) {
    this.#worker = new Worker(new URL('./thread.js', import.meta.url), { workerData: data });
    this.#worker.on('message', (report: JanitorReport) => {
      if (report.type === 'reaped') log.info(report, 'janitor recovered jobs');
      else log.warn({ err: report.message }, 'janitor sweep failed; retrying next interval');
    });
    this.#worker.on('error', (error) => log.error({ err: error }, 'janitor thread died'));
  }

  async stop(): Promise<void> {
    const exited = once(this.#worker, 'exit');
    this.#worker.postMessage(STOP);
    const timer = setTimeout(() => void this.#worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}

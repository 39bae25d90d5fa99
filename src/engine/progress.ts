import type { Logger } from '../logger.js';
import type { Leased } from '../redis/acquire.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import type { ProgressEntry } from '../redis/progress.js';
import { writeProgress } from '../redis/progress.js';

/** Progress reports are coalesced per job and written at most this often. */
export const PROGRESS_FLUSH_MS = 100;

/**
 * Collects the progress handlers report and writes the latest of each job every
 * PROGRESS_FLUSH_MS in one script call. Progress is advisory: a failed write is logged and
 * dropped (the next report replaces it anyway).
 */
export class ProgressWriter {
  #pending = new Map<string, ProgressEntry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly log: Logger,
  ) {}

  report(job: Leased, json: string): void {
    this.#pending.set(job.id, { id: job.id, token: job.token, json });
    this.#timer ??= setTimeout(() => void this.#flush(), PROGRESS_FLUSH_MS);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    const entries = [...this.#pending.values()];
    this.#pending = new Map();
    try {
      await writeProgress(this.redis, this.keys, entries);
    } catch (error) {
      this.log.warn({ err: error, jobs: entries.length }, 'progress write failed; dropped');
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}

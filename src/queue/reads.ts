import { invalidOption } from '../errors.js';
import type { LiveEngine } from '../job/engine-info.js';
import type { EventPage } from '../job/events.js';
import { JOB_STATES, type JobInfo, type JobPage, type JobResult, type JobState } from '../job/info.js';
import type { QueueCounts, QueueMetrics, QueueSnapshot, RatePoint } from '../job/metrics.js';
import { counts } from '../redis/counts.js';
import { liveEngines } from '../redis/engines.js';
import { readEvents } from '../redis/events.js';
import { getJob } from '../redis/get-job.js';
import { history, MAX_HISTORY_SECONDS } from '../redis/history.js';
import { listJobs } from '../redis/job-pages.js';
import { queueMetrics } from '../redis/queue-metrics.js';
import { readResult } from '../redis/results.js';
import { snapshot } from '../redis/snapshot.js';
import { checkJobId, type QueueCore } from './core.js';
import { clampPage, MAX_PAGE, type Page } from './page.js';
import { mergeEngines, mergeHistory, mergeSnapshots, sumCounts, sumMetrics } from './partition-merge.js';

/**
 * What a Queue reads of itself: a partitioned queue's reads are made on every partition and put
 * together (partition-merge.ts), a job's on the partition that holds it.
 */
export class Reads {
  readonly #core: QueueCore;

  constructor(core: QueueCore) {
    this.#core = core;
  }

  async counts(): Promise<QueueCounts> {
    const { redis, layout } = this.#core;
    return sumCounts(await layout.each((keys) => counts(redis, keys)));
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    const { redis, layout } = this.#core;
    return getJob(redis, await layout.partOf(checkJobId(id)), id);
  }

  async getResult(id: string): Promise<JobResult | undefined> {
    const { redis, layout } = this.#core;
    return readResult(redis, await layout.partOf(checkJobId(id)), id);
  }

  async metrics(): Promise<QueueMetrics> {
    const { redis, layout } = this.#core;
    return sumMetrics(await layout.each((keys) => queueMetrics(redis, keys)));
  }

  async snapshot(): Promise<QueueSnapshot> {
    const { redis, layout } = this.#core;
    return mergeSnapshots(await layout.each((keys) => snapshot(redis, keys)));
  }

  async engines(): Promise<LiveEngine[]> {
    const { redis, layout } = this.#core;
    return mergeEngines(await layout.each((keys) => liveEngines(redis, keys)));
  }

  async history(seconds: number): Promise<RatePoint[]> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HISTORY_SECONDS) {
      throw invalidOption(
        'seconds',
        `must be an integer from 1 to ${MAX_HISTORY_SECONDS}, got ${String(seconds)}`,
      );
    }
    const { redis, layout } = this.#core;
    return mergeHistory(await layout.each((keys) => history(redis, keys, seconds)));
  }

  async listJobs(state: JobState, page: Page): Promise<JobPage> {
    if (!JOB_STATES.includes(state)) {
      throw invalidOption('state', `must be one of ${JOB_STATES.join(', ')}, got ${JSON.stringify(state)}`);
    }
    const { offset, limit } = clampPage(page);
    const { redis, layout } = this.#core;
    return layout.page((keys, o, l) => listJobs(redis, keys, state, o, l), offset, limit);
  }

  async events(from: string, count: number): Promise<EventPage> {
    if (typeof from !== 'string' || !/^(0|\d{1,15}-\d{1,15})$/.test(from)) {
      throw invalidOption('from', `must be '0' or a stream id like 1795871234567-0, got ${String(from)}`);
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE) {
      throw invalidOption('count', `must be an integer from 1 to ${MAX_PAGE}, got ${String(count)}`);
    }
    const { redis, layout } = this.#core;
    return readEvents(redis, await layout.only('the event stream'), from, count);
  }
}

import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import type { CancelStatus } from '../job/info.js';
import type { RateLimit } from '../job/rate-limit.js';
import { checkRateLimit } from '../job/rate-limit.js';
import type { Retention } from '../job/retention.js';
import { checkRetention } from '../job/retention.js';
import { cancel } from '../redis/cancel.js';
import { drain } from '../redis/drain.js';
import { eventsOn, setEvents } from '../redis/events.js';
import { obliterate } from '../redis/obliterate.js';
import { isPaused, pause, resume } from '../redis/pause.js';
import { clearRateLimit, rateLimit, setRateLimit } from '../redis/rate-limit.js';
import { unregisterQueue } from '../redis/registry.js';
import { clearRetention, retention, setRetention } from '../redis/retention.js';
import { checkJobId, checkOpen, type QueueCore } from './core.js';
import type { Reads } from './reads.js';

export interface ObliterateOptions {
  /** Delete even while jobs are leased or engines are live (default false). */
  force?: boolean;
}

/**
 * How an operator controls a Queue: cancel a job, pause, rate limit, retention, the event stream,
 * drain and obliterate. A setting a partitioned queue can hold only as one queue is refused there
 * (see QueueLayout.only); the others are applied to every partition.
 */
export class Admin {
  readonly #core: QueueCore;
  readonly #reads: Reads;

  constructor(core: QueueCore, reads: Reads) {
    this.#core = core;
    this.#reads = reads;
  }

  async cancel(id: string): Promise<CancelStatus> {
    checkOpen(this.#core);
    const { redis, layout } = this.#core;
    const [status] = await cancel(redis, await layout.partOf(checkJobId(id)), [id]);
    return status as CancelStatus;
  }

  async pause(): Promise<void> {
    const { redis, layout } = this.#core;
    await layout.each((keys) => pause(redis, keys));
  }

  async resume(): Promise<void> {
    const { redis, layout } = this.#core;
    await layout.each((keys) => resume(redis, keys));
  }

  async isPaused(): Promise<boolean> {
    const { redis, layout } = this.#core;
    return (await layout.each((keys) => isPaused(redis, keys))).every(Boolean);
  }

  async setRateLimit(limit: RateLimit): Promise<void> {
    const checked = checkRateLimit(limit);
    await setRateLimit(this.#core.redis, await this.#core.layout.only('a rate limit'), checked);
  }

  async clearRateLimit(): Promise<void> {
    const { redis, layout } = this.#core;
    await layout.each((keys) => clearRateLimit(redis, keys));
  }

  async rateLimit(): Promise<RateLimit | undefined> {
    return rateLimit(this.#core.redis, this.#core.keys);
  }

  async setRetention(setting: Retention): Promise<void> {
    const checked = checkRetention(setting);
    const { redis, layout } = this.#core;
    await layout.each((keys) => setRetention(redis, keys, checked));
  }

  async retention(): Promise<Retention | undefined> {
    return retention(this.#core.redis, this.#core.keys);
  }

  async clearRetention(): Promise<void> {
    const { redis, layout } = this.#core;
    await layout.each((keys) => clearRetention(redis, keys));
  }

  async setEvents(on: boolean): Promise<void> {
    if (typeof on !== 'boolean') throw invalidOption('on', `must be a boolean, got ${String(on)}`);
    await setEvents(this.#core.redis, await this.#core.layout.only('the event stream'), on);
  }

  async eventsEnabled(): Promise<boolean> {
    return eventsOn(this.#core.redis, this.#core.keys);
  }

  async drain(): Promise<number> {
    const { redis, layout } = this.#core;
    return layout.sum((keys) => drain(redis, keys));
  }

  async obliterate(options: ObliterateOptions): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', 'must be an object { force? }');
    }
    for (const key of Object.keys(options)) {
      if (key !== 'force') throw invalidOption(key, 'is not an obliterate option');
    }
    const { force = false } = options;
    if (typeof force !== 'boolean') throw invalidOption('force', `must be a boolean, got ${String(force)}`);
    const { redis, layout, name } = this.#core;
    const parts = await layout.parts();
    if (!force && parts.length > 1) {
      // Every partition is checked before any is deleted, so a refusal changes nothing.
      const [active, engines] = await Promise.all([this.#reads.counts(), this.#reads.engines()]);
      if (active.active > 0 || engines.length > 0) throw this.#busy(active.active, engines.length);
    }
    // Partition 0 last: it holds the partition count, which the others are found by.
    for (const keys of [...parts].reverse()) {
      const outcome = await obliterate(redis, keys, force);
      if (!outcome.deleted) throw this.#busy(outcome.active, outcome.liveEngines);
    }
    layout.forget();
    await unregisterQueue(redis, name);
  }

  #busy(active: number, liveEngines: number): SluiceError {
    return new SluiceError(
      ErrorCode.QUEUE_BUSY,
      `queue ${this.#core.name} is busy (${active} jobs leased, ${liveEngines} live engines): ` +
        'stop its engines first, or pass { force: true }',
    );
  }
}

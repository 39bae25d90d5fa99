import type { ScheduleInfo, ScheduleJob, ScheduleSpec } from '../job/schedules.js';
import {
  checkScheduleName,
  decodeDefinitionSpec,
  encodeDefinition,
  nextFireTime,
  prepareSchedule,
} from '../job/schedules.js';
import { registerQueue } from '../redis/registry.js';
import { listSchedules, removeSchedule, upsertSchedule } from '../redis/schedules.js';
import { checkOpen, type QueueCore } from './core.js';

/**
 * A Queue's schedules. A partitioned queue keeps them in partition 0 (the queue's own keys),
 * where their jobs are added.
 */
export class Schedules {
  readonly #core: QueueCore;

  constructor(core: QueueCore) {
    this.#core = core;
  }

  async upsertSchedule(
    name: string,
    spec: ScheduleSpec,
    job: ScheduleJob | undefined,
  ): Promise<ScheduleInfo> {
    checkOpen(this.#core);
    checkScheduleName(name);
    const { redis, keys, maxPayloadBytes } = this.#core;
    const prepared = prepareSchedule(spec, job, maxPayloadBytes);
    registerQueue(redis, this.#core.name);
    const stored = await upsertSchedule(
      redis,
      keys,
      name,
      prepared.specJson,
      encodeDefinition(prepared),
      (now) => nextFireTime(prepared.spec, now, now),
    );
    return { name, spec: prepared.spec, ...stored };
  }

  async removeSchedule(name: string): Promise<boolean> {
    checkOpen(this.#core);
    return removeSchedule(this.#core.redis, this.#core.keys, checkScheduleName(name));
  }

  async listSchedules(): Promise<ScheduleInfo[]> {
    const stored = await listSchedules(this.#core.redis, this.#core.keys);
    return stored.flatMap(({ name, definition, next, lastFired }) => {
      const decoded = decodeDefinitionSpec(definition);
      return decoded === undefined ? [] : [{ name, spec: decoded.spec, next, lastFired }];
    });
  }
}

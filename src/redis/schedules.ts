import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';
import { runScript } from './scripts.js';
import { timeMs } from './time.js';

export interface StoredSchedule {
  name: string;
  /** "<spec JSON>\n<opts|payload>" (see job/schedules.ts). */
  definition: string;
  next: number;
  lastFired: number | undefined;
}

export interface ScheduleEntry {
  name: string;
  next: number;
}

function scheduleKeys(keys: QueueKeys): string[] {
  return [keys.schedules, keys['schedule-defs'], keys['schedule-fired']];
}

/**
 * Creates or replaces a schedule (see lua/schedule-upsert.lua); `firstFire` gets the Redis time
 * and returns the first tick after it. Returns the next fire time and the last tick fired.
 */
export async function upsertSchedule(
  redis: RedisClient,
  keys: QueueKeys,
  name: string,
  specJson: string,
  definition: string,
  firstFire: (now: number) => number,
): Promise<{ next: number; lastFired: number | undefined }> {
  const first = firstFire(timeMs(await redis.time()));
  const [next, last] = (await runScript(redis, 'schedule-upsert', scheduleKeys(keys), [
    name,
    specJson,
    definition,
    first,
  ])) as [number, number];
  return { next, lastFired: last < 0 ? undefined : last };
}

/** Deletes a schedule; false when there was none. A job it already added stays. */
export async function removeSchedule(redis: RedisClient, keys: QueueKeys, name: string): Promise<boolean> {
  const replies = await redis
    .multi()
    .zrem(keys.schedules, name)
    .hdel(keys['schedule-defs'], name)
    .hdel(keys['schedule-fired'], name)
    .exec();
  return (replies ?? []).slice(0, 2).some(([error, count]) => !error && Number(count) > 0);
}

/** Every schedule, soonest first (schedules are few: one read of the three keys). */
export async function listSchedules(redis: RedisClient, keys: QueueKeys): Promise<StoredSchedule[]> {
  const replies = await readTogether(redis, (batch) =>
    batch
      .zrange(keys.schedules, 0, -1, 'WITHSCORES')
      .hgetall(keys['schedule-defs'])
      .hgetall(keys['schedule-fired']),
  );
  const [[, order], [, defs], [, fired]] = replies as [
    [unknown, string[]],
    [unknown, Record<string, string>],
    [unknown, Record<string, string>],
  ];
  const out: StoredSchedule[] = [];
  for (let i = 0; i < order.length; i += 2) {
    const name = order[i] as string;
    const definition = defs[name];
    if (definition === undefined) continue;
    const last = fired[name];
    out.push({
      name,
      definition,
      next: Number(order[i + 1]),
      lastFired: last === undefined ? undefined : Number(last),
    });
  }
  return out;
}

/** The Redis time and the `limit` schedules that fire soonest, read in one round trip. */
export async function soonestSchedules(
  redis: RedisClient,
  keys: QueueKeys,
  limit: number,
): Promise<{ now: number; soonest: ScheduleEntry[] }> {
  const replies = await readTogether(redis, (batch) =>
    batch.time().zrange(keys.schedules, 0, limit - 1, 'WITHSCORES'),
  );
  const [[, time], [, flat]] = replies as [[unknown, [string, string]], [unknown, string[]]];
  const soonest: ScheduleEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    soonest.push({ name: flat[i] as string, next: Number(flat[i + 1]) });
  }
  return { now: timeMs(time), soonest };
}

/** The stored definitions of some schedules (undefined for one removed meanwhile). */
export async function scheduleDefinitions(
  redis: RedisClient,
  keys: QueueKeys,
  names: readonly string[],
): Promise<(string | undefined)[]> {
  const values = await redis.hmget(keys['schedule-defs'], ...names);
  return values.map((value) => value ?? undefined);
}

/**
 * Fires tick `due` of a schedule and stores `next` (see lua/schedule-fire.lua); the Redis time
 * of the firing, or undefined when another caller fired it first or the schedule changed.
 */
export async function fireSchedule(
  redis: RedisClient,
  keys: QueueKeys,
  name: string,
  due: number,
  next: number,
  specJson: string,
): Promise<number | undefined> {
  const firedAt = (await runScript(
    redis,
    'schedule-fire',
    [...scheduleKeys(keys), keys.pending, keys.jobs, keys.stats, keys.priorities],
    [keys.wake, name, due, next, specJson],
  )) as number;
  return firedAt === 0 ? undefined : firedAt;
}

import { decodeDefinitionSpec, nextFireTime } from '../job/schedules.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { fireSchedule, scheduleDefinitions, soonestSchedules } from '../redis/schedules.js';
import type { JanitorReport } from './protocol.js';

/** Schedules read per sweep; more due at once are fired by the next sweep, straight after. */
const SWEEP_BATCH = 100;
/** Longest sleep between sweeps, so a schedule added meanwhile is seen within about this long. */
export const MAX_SCHEDULE_WAIT_MS = 1000;

/**
 * Fires the due schedules of a queue and returns how long (ms) to sleep before the next sweep:
 * until the soonest next tick, at most MAX_SCHEDULE_WAIT_MS. Due decisions and next ticks use
 * the Redis clock read in this sweep; lua/schedule-fire.lua lets one caller fire each tick.
 */
export async function sweepSchedules(
  redis: RedisClient,
  keys: QueueKeys,
  report: (message: JanitorReport) => void,
): Promise<number> {
  const { now, soonest } = await soonestSchedules(redis, keys, SWEEP_BATCH);
  const due = soonest.filter((entry) => entry.next <= now);
  // The next ticks of the due schedules count too (whoever fired them stored the same ones).
  let soonestNext = soonest.find((entry) => entry.next > now)?.next ?? Number.POSITIVE_INFINITY;
  if (due.length > 0) {
    const definitions = await scheduleDefinitions(
      redis,
      keys,
      due.map((entry) => entry.name),
    );
    for (const [i, entry] of due.entries()) {
      const definition = definitions[i];
      const decoded = definition === undefined ? undefined : decodeDefinitionSpec(definition);
      if (decoded === undefined) {
        if (definition !== undefined) {
          report({ type: 'error', message: `schedule ${entry.name}: stored definition is damaged` });
        }
        continue;
      }
      const next = nextFireTime(decoded.spec, entry.next, now);
      soonestNext = Math.min(soonestNext, next);
      const firedAt = await fireSchedule(redis, keys, entry.name, entry.next, next, decoded.specJson);
      if (firedAt !== undefined) {
        report({ type: 'fired', schedule: entry.name, tick: entry.next, lateMs: firedAt - entry.next });
      }
    }
    if (soonest.length === SWEEP_BATCH && due.length === SWEEP_BATCH) return 0;
  }
  return Math.min(MAX_SCHEDULE_WAIT_MS, soonestNext - now);
}

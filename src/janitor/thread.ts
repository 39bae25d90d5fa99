/**
 * Janitor thread: every interval (with jitter, so janitors of many processes spread out) it
 * recovers expired leases and promotes due delayed jobs, in bounded calls until none is left.
 * A second loop fires due schedules, waking at the soonest next tick (at least once a second),
 * since the reap interval (5 s by default) is too coarse for cron ticks.
 * Each sweep also deletes what the queue's retention setting no longer keeps (completed records
 * past their count or age, dead letters past an explicit cap), in bounded calls.
 * Its own connection keeps it independent of a busy dispatcher; the reap script is atomic, so
 * any number of janitors may run against one queue.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../redis/connection.js';
import { partitionKeys, type QueueKeys } from '../redis/keys.js';
import { reap } from '../redis/reap.js';
import { trimRetained } from '../redis/retention.js';
import type { JanitorData, JanitorReport } from './protocol.js';
import { STOP } from './protocol.js';
import { MAX_SCHEDULE_WAIT_MS, sweepSchedules } from './schedule-sweep.js';

const data = workerData as JanitorData;
/** Every partition of the queue; schedules live in partition 0. */
const parts = partitionKeys(data.queue, data.partitions);
const home = parts[0] as QueueKeys;
const { redis } = connect(data.connection, `sluice:janitor:${data.queue}`, true);
// The engine's own connection reports an outage once; this one's errors are the same outage.
redis.on('error', () => {});
/** Records deleted per trim call: a few hundred, so no call holds Redis for long. */
const TRIM_BATCH = 200;
let stopping = false;
let timer: NodeJS.Timeout | undefined;
let scheduleTimer: NodeJS.Timeout | undefined;

function report(message: JanitorReport): void {
  parentPort?.postMessage(message);
}

async function sweep(): Promise<void> {
  for (const keys of parts) {
    if (stopping) return;
    await sweepPartition(keys);
  }
}

async function sweepPartition(keys: QueueKeys): Promise<void> {
  const total = { requeued: 0, deadLettered: 0, promoted: 0 };
  for (;;) {
    const r = await reap(redis, keys, data.batch);
    total.requeued += r.requeued;
    total.deadLettered += r.deadLettered;
    total.promoted += r.promoted;
    if (!r.more || stopping) break;
  }
  if (total.requeued + total.deadLettered + total.promoted > 0) report({ type: 'reaped', ...total });
  const trimmed = { completed: 0, dead: 0 };
  for (;;) {
    const r = await trimRetained(redis, keys, TRIM_BATCH);
    trimmed.completed += r.completed;
    trimmed.dead += r.dead;
    if (!r.more || stopping) break;
  }
  if (trimmed.completed + trimmed.dead > 0) report({ type: 'trimmed', ...trimmed });
}

function schedule(): void {
  if (stopping) return;
  const jittered = data.intervalMs * (0.75 + Math.random() / 2);
  timer = setTimeout(() => {
    sweep()
      .catch((error: Error) => report({ type: 'error', message: error.message }))
      .finally(schedule);
  }, jittered);
}

function scheduleSweep(waitMs: number): void {
  if (stopping) return;
  scheduleTimer = setTimeout(() => {
    sweepSchedules(redis, home, report)
      .catch((error: Error) => {
        report({ type: 'error', message: error.message });
        return MAX_SCHEDULE_WAIT_MS;
      })
      .then(scheduleSweep);
  }, waitMs);
}

parentPort?.on('message', (message) => {
  if (message !== STOP) return;
  stopping = true;
  clearTimeout(timer);
  clearTimeout(scheduleTimer);
  // disconnect, not quit: quit waits out a connection attempt still in progress. Then exit: a
  // socket still connecting keeps the thread alive for seconds, and a reap cut short is harmless
  // (each reap call is one atomic script).
  redis.disconnect();
  process.exit(0);
});

schedule();
scheduleSweep(0);

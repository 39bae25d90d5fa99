import type { JobInfo, JobState } from '../job/info.js';
import type { RedisClient } from './connection.js';
import { toCompletedInfo, toJobInfo } from './display.js';
import type { QueueKeys } from './keys.js';
import { readTogether } from './read.js';

/**
 * A job that exists (waiting, active, delayed or dead), or a completed one the retention setting
 * keeps; undefined once completed (and not kept) or deleted.
 */
export async function getJob(redis: RedisClient, keys: QueueKeys, id: string): Promise<JobInfo | undefined> {
  const reply = await readTogether(redis, (batch) =>
    batch
      .hget(keys.jobs, id)
      .hget(keys.deliveries, id)
      .hget(keys.errors, id)
      .zscore(keys.active, id)
      .zscore(keys.delayed, id)
      .zscore(keys.dead, id)
      .hget(keys.progress, id)
      .hget(keys['completed-jobs'], id)
      .zscore(keys.completed, id),
  );
  const [record, deliveries, errors, active, delayed, dead, progress, kept, finished] = (reply ?? []).map(
    ([, v]) => v,
  ) as (string | null)[];
  if (record === null || record === undefined) {
    return kept == null ? undefined : toCompletedInfo(id, kept, finished);
  }
  const state: JobState =
    active != null ? 'active' : delayed != null ? 'delayed' : dead != null ? 'dead' : 'waiting';
  const until = Number(active ?? delayed ?? dead ?? Number.NaN) || undefined;
  const info = toJobInfo(id, state, record, deliveries, errors, until);
  if (typeof progress === 'string') {
    try {
      info.progress = JSON.parse(progress);
    } catch {
      // not written by progress.lua: shown as absent rather than failing the lookup
    }
  }
  return info;
}

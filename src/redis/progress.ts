import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

export interface ProgressEntry {
  id: string;
  token: number;
  /** The progress value as JSON. */
  json: string;
}

const PROGRESS_MAX = 1000;

/** Stores running jobs' progress, each fenced by its lease token (see lua/progress.lua). */
export async function writeProgress(
  redis: RedisClient,
  keys: QueueKeys,
  entries: readonly ProgressEntry[],
): Promise<number> {
  let written = 0;
  for (let i = 0; i < entries.length; i += PROGRESS_MAX) {
    const args: (string | number)[] = [];
    for (const { id, token, json } of entries.slice(i, i + PROGRESS_MAX)) args.push(id, token, json);
    written += (await runScript(redis, 'progress', [keys.deliveries, keys.progress], args)) as number;
  }
  return written;
}

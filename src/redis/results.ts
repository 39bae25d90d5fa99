import type { ErrorEntry } from '../job/failure.js';
import { decodeErrorEntries } from '../job/failure.js';
import type { JobResult } from '../job/info.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

/** Where a job a caller waits for has got to. */
export type Finish = { result: JobResult } | { dead: ErrorEntry | undefined } | undefined;

function parseResult(stored: string): JobResult {
  return stored.startsWith('v') ? { value: JSON.parse(stored.slice(1)) } : { notKept: stored.slice(1) };
}

/** The kept result of a completed job with keepResult; undefined when there is none (yet, or any more). */
export async function readResult(
  redis: RedisClient,
  keys: QueueKeys,
  id: string,
): Promise<JobResult | undefined> {
  const stored = await redis.get(keys.resultPrefix + id);
  return stored === null ? undefined : parseResult(stored);
}

/** For each id: its kept result, its last error if it is dead, or undefined (not finished). */
export async function readFinishes(
  redis: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<Finish[]> {
  const batch = redis.pipeline();
  for (const id of ids)
    batch
      .get(keys.resultPrefix + id)
      .zscore(keys.dead, id)
      .hget(keys.errors, id);
  const replies = (await batch.exec()) ?? [];
  return ids.map((_, i) => {
    const [[, result], [, deadAt], [, errors]] = replies.slice(3 * i, 3 * i + 3) as [
      [Error | null, string | null],
      [Error | null, string | null],
      [Error | null, string | null],
    ];
    if (typeof result === 'string') return { result: parseResult(result) };
    if (typeof deadAt === 'string') return { dead: decodeErrorEntries(errors).at(-1) };
    return undefined;
  });
}

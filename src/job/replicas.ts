import { invalidOption } from '../errors.js';

/** Redis WAIT's arguments: replicas that must acknowledge, and ms to wait for them. */
export interface ReplicaWait {
  count: number;
  timeoutMs: number;
}

const MAX_REPLICAS = 16;
const MAX_REPLICA_WAIT = 60_000;

/** Validates the replicas option: count and timeoutMs integers within their limits, no other field. */
export function checkReplicas(value: unknown): ReplicaWait {
  if (typeof value !== 'object' || value === null) {
    throw invalidOption('replicas', 'must be an object { count, timeoutMs }');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'count' && key !== 'timeoutMs')
      throw invalidOption(`replicas.${key}`, 'is not a replicas option');
  }
  const { count, timeoutMs } = value as Partial<ReplicaWait>;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_REPLICAS) {
    throw invalidOption(
      'replicas.count',
      `must be an integer from 1 to ${MAX_REPLICAS}, got ${String(count)}`,
    );
  }
  if (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > MAX_REPLICA_WAIT) {
    throw invalidOption(
      'replicas.timeoutMs',
      `must be an integer from 1 to ${MAX_REPLICA_WAIT}, got ${String(timeoutMs)}`,
    );
  }
  return { count: count as number, timeoutMs: timeoutMs as number };
}

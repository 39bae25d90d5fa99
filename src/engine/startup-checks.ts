import { ErrorCode, SluiceError } from '../errors.js';
import type { ServerInfo } from '../redis/server-info.js';

export interface ServerVerdict {
  /** Set when the engine must not start on this server. */
  fatal?: SluiceError;
  warnings: string[];
}

const MIN_VERSION: readonly [number, number] = [6, 2];

function atLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [m = 0, n = 0] = version.split('.').map(Number);
  return m > major || (m === major && n >= minor);
}

/** Decides whether a Redis server can hold jobs safely (pure: the facts come from serverInfo). */
export function judgeServer(info: ServerInfo): ServerVerdict {
  const warnings: string[] = [];
  if (!atLeast(info.version, MIN_VERSION)) {
    return {
      fatal: new SluiceError(
        ErrorCode.REDIS_TOO_OLD,
        `Redis ${info.version || '(unknown version)'} is older than ${MIN_VERSION.join('.')}; Sluice needs RPOP with a count and ZMSCORE. Upgrade Redis.`,
      ),
      warnings,
    };
  }
  if (info.maxmemoryPolicy !== 'noeviction') {
    return {
      fatal: new SluiceError(
        ErrorCode.REDIS_EVICTS_KEYS,
        `Redis maxmemory-policy is ${info.maxmemoryPolicy || '(unknown)'}: it may evict job keys and lose jobs. Set "maxmemory-policy noeviction" (CONFIG SET maxmemory-policy noeviction, and in redis.conf).`,
      ),
      warnings,
    };
  }
  if (!info.aofEnabled) {
    warnings.push(
      info.rdbSave === ''
        ? 'Redis persistence is off: a Redis restart loses every job. Set "appendonly yes".'
        : 'Redis keeps only RDB snapshots: a Redis crash loses the jobs since the last one. Set "appendonly yes".',
    );
  }
  return { warnings };
}

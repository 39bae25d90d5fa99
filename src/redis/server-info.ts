import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connection.js';

export interface ServerInfo {
  version: string;
  maxmemoryPolicy: string;
  aofEnabled: boolean;
  /** RDB save points configured (empty when snapshots are off or CONFIG is not allowed). */
  rdbSave: string;
}

function field(info: string, name: string): string {
  const match = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim() ?? '';
}

/** Reads what the startup checks need; INFO works on managed Redis where CONFIG may not. */
export async function serverInfo(redis: Redis): Promise<ServerInfo> {
  const info = [await redis.info('server'), await redis.info('memory'), await redis.info('persistence')].join(
    '\n',
  );
  let rdbSave = '';
  try {
    const reply = (await redis.config('GET', 'save')) as string[];
    rdbSave = reply[1] ?? '';
  } catch {
    // CONFIG may be renamed or forbidden; then we only know about AOF.
  }
  return {
    version: field(info, 'redis_version'),
    maxmemoryPolicy: field(info, 'maxmemory_policy'),
    aofEnabled: field(info, 'aof_enabled') === '1',
    rdbSave,
  };
}

/** The facts of every server that holds keys: the one server, or each master of a cluster. */
export function serverInfos(redis: RedisClient): Promise<ServerInfo[]> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  return Promise.all(servers.map(serverInfo));
}

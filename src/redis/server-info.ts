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

/** Every server that holds keys: the one server, or each master of a cluster. */
function keyHolders(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** The facts of every server that holds keys. */
export function serverInfos(redis: RedisClient): Promise<ServerInfo[]> {
  return Promise.all(keyHolders(redis).map(serverInfo));
}

/** What the monitor's Redis panel shows of one server. */
export interface ServerStatus {
  version: string;
  /** Bytes (INFO used_memory). */
  usedMemory: number;
  /** Bytes; 0 when no limit is set. */
  maxmemory: number;
  maxmemoryPolicy: string;
  connectedClients: number;
  aofEnabled: boolean;
  /** RDB save points, or undefined when CONFIG is not allowed (then only AOF is known). */
  rdbSave: string | undefined;
}

async function serverStatus(redis: Redis): Promise<ServerStatus> {
  const [info, save] = await Promise.all([
    redis.info(),
    (redis.config('GET', 'save') as Promise<string[]>).then(
      (reply) => reply[1] ?? '',
      () => undefined,
    ),
  ]);
  return {
    version: field(info, 'redis_version'),
    usedMemory: Number(field(info, 'used_memory')) || 0,
    maxmemory: Number(field(info, 'maxmemory')) || 0,
    maxmemoryPolicy: field(info, 'maxmemory_policy'),
    connectedClients: Number(field(info, 'connected_clients')) || 0,
    aofEnabled: field(info, 'aof_enabled') === '1',
    rdbSave: save,
  };
}

/** The status of every server that holds keys (each master of a cluster), in one round trip each. */
export async function serverStatuses(
  redis: RedisClient,
): Promise<{ cluster: boolean; servers: ServerStatus[] }> {
  return {
    cluster: redis instanceof Cluster,
    servers: await Promise.all(keyHolders(redis).map(serverStatus)),
  };
}

import type { FastifyInstance } from 'fastify';
import { type ServerStatus, serverStatuses } from '../../redis/server-info.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';
import { object } from '../schemas.js';

export type Persistence = 'rdb' | 'aof' | 'rdb+aof' | 'none' | 'unknown';

/** AOF from INFO; RDB from the save points, unknown when CONFIG is refused and AOF is off. */
export function persistenceOf(status: ServerStatus): Persistence {
  const rdb = status.rdbSave === undefined ? undefined : status.rdbSave.trim() !== '';
  if (rdb === undefined) return status.aofEnabled ? 'aof' : 'unknown';
  if (rdb) return status.aofEnabled ? 'rdb+aof' : 'rdb';
  return status.aofEnabled ? 'aof' : 'none';
}

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;

const serverSchema = object(
  {
    version: str,
    usedMemory: num,
    maxmemory: num,
    maxmemoryPolicy: str,
    evictionOff: { type: 'boolean' },
    connectedClients: num,
    persistence: { type: 'string', enum: ['rdb', 'aof', 'rdb+aof', 'none', 'unknown'] },
  },
  ['version', 'usedMemory', 'maxmemory', 'maxmemoryPolicy', 'evictionOff', 'connectedClients', 'persistence'],
);

/** GET /api/redis: the server's version, memory, clients and persistence; each master of a cluster. */
export function redisRoutes(app: FastifyInstance, queues: QueueLookup): void {
  route(app, {
    method: 'GET',
    url: '/api/redis',
    access: 'read',
    reply: object({ cluster: { type: 'boolean' }, servers: { type: 'array', items: serverSchema } }, [
      'cluster',
      'servers',
    ]),
    handler: async () => {
      const { cluster, servers } = await serverStatuses(queues.server());
      return {
        cluster,
        servers: servers.map((s) => ({
          version: s.version,
          usedMemory: s.usedMemory,
          maxmemory: s.maxmemory,
          maxmemoryPolicy: s.maxmemoryPolicy,
          evictionOff: s.maxmemoryPolicy === 'noeviction',
          connectedClients: s.connectedClients,
          persistence: persistenceOf(s),
        })),
      };
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { type ApiTokens, accessOf } from '../auth.js';
import { route } from '../route.js';
import { object } from '../schemas.js';

/**
 * What the caller's token may do, so a client can disable what it may not before a click fails:
 * `open` (no token configured), `read` or `admin`. A missing or wrong token is a 401 as on any read route.
 */
export function whoamiRoutes(app: FastifyInstance, tokens: ApiTokens | undefined): void {
  const roleOf = accessOf(tokens);
  route(app, {
    method: 'GET',
    url: '/api/auth/whoami',
    access: 'read',
    reply: object({ access: { type: 'string', enum: ['open', 'read', 'admin'] } }, ['access']),
    handler: async (request) => ({ access: roleOf(request.headers.authorization) }),
  });
}

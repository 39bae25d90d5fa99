import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { invalidOption } from '../errors.js';
import { ApiCode, ApiError } from './errors.js';

/** Who may call a route: anyone, a holder of the read or admin token, or of the admin token only. */
export type Access = 'public' | 'read' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface ApiTokens {
  /** May call the read routes. */
  read?: string | undefined;
  /** May call every route. */
  admin?: string | undefined;
}

/** A shorter token is refused: it could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

/** Query parameters that look like a credential: refused, since URLs end up in logs and histories. */
const TOKEN_PARAMS = new Set(['token', 'access_token']);

export function isTokenParam(name: string): boolean {
  return TOKEN_PARAMS.has(name.toLowerCase());
}

/** Validates the tokens; true when at least one is set (then every non-public route needs one). */
export function checkTokens(tokens: ApiTokens | undefined): boolean {
  const { read, admin } = tokens ?? {};
  for (const [field, token] of [
    ['tokens.read', read],
    ['tokens.admin', admin],
  ] as const) {
    if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH)) {
      throw invalidOption(field, `must be a string of at least ${MIN_TOKEN_LENGTH} characters`);
    }
  }
  if (read !== undefined && read === admin) {
    throw invalidOption('tokens.read', 'must differ from tokens.admin (it would grant admin)');
  }
  return read !== undefined || admin !== undefined;
}

/** Digests have one length whatever the token's, so timingSafeEqual compares in constant time. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Every route under /api (but health) and /metrics must say who may call it: a forgotten one fails at start. */
export function requireAccess(route: RouteOptions): void {
  const guarded = route.url.startsWith('/api/') || route.url === '/metrics';
  if (guarded && route.config?.access === undefined) {
    throw new Error(`route ${route.method} ${route.url} declares no access level`);
  }
}

/** What a request may do: `open` when no token is configured, else what its bearer token grants. */
export type CallerAccess = 'open' | 'read' | 'admin';

/** The access of an Authorization header (undefined: no valid token while tokens are configured). */
export function accessOf(
  tokens: ApiTokens | undefined,
): (header: string | undefined) => CallerAccess | undefined {
  const enabled = checkTokens(tokens);
  const admin = tokens?.admin === undefined ? undefined : digest(tokens.admin);
  const read = tokens?.read === undefined ? undefined : digest(tokens.read);
  return (header) => {
    if (!enabled) return 'open';
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (!match) return undefined;
    const presented = digest(match[1] as string);
    const isAdmin = admin !== undefined && timingSafeEqual(presented, admin);
    const isRead = read !== undefined && timingSafeEqual(presented, read);
    return isAdmin ? 'admin' : isRead ? 'read' : undefined;
  };
}

/**
 * The onRequest check. A token in the query string is refused (401) whatever the route, even
 * with no token configured. With tokens configured, `Authorization: Bearer <token>` is required on
 * every non-public route: admin routes take the admin token, read routes either token.
 */
export function authHook(tokens: ApiTokens | undefined) {
  const roleOf = accessOf(tokens);

  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (Object.keys(request.query ?? {}).some(isTokenParam)) {
      throw new ApiError(
        401,
        ApiCode.UNAUTHORIZED,
        'send the token in the Authorization header, never in the URL',
      );
    }
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const role = roleOf(request.headers.authorization);
    if (role === 'open') return;
    if (role === undefined) {
      reply.header('www-authenticate', 'Bearer realm="sluice"');
      throw new ApiError(401, ApiCode.UNAUTHORIZED, 'a valid bearer token is required');
    }
    if (access === 'admin' && role !== 'admin') {
      throw new ApiError(403, ApiCode.FORBIDDEN, 'this route needs the admin token');
    }
  };
}

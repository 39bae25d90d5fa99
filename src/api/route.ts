import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { Access } from './auth.js';
import { noBody, noQuery, replies } from './schemas.js';

interface RouteBase<G extends RouteGenericInterface> {
  url: string;
  /** Who may call it (auth.ts reads it from `config.access`); the public health routes declare their own. */
  access: Exclude<Access, 'public'>;
  /** The path parameters' schema; none for a path without any. */
  params?: object;
  /** Default: no query parameter is accepted. */
  query?: object;
  /** The success status; default 200. */
  status?: 200 | 201;
  /** The success reply's schema; 4xx and 5xx replies keep the error shape (see replies()). */
  reply: object;
  /** Typed by G (Params, Querystring, Body); what it returns is sent with `status`. */
  handler: RouteHandlerMethod<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, G>;
}

/** A read takes no body; a write's body is refused unless it declares one. */
export type RouteSpec<G extends RouteGenericInterface> = RouteBase<G> &
  ({ method: 'GET'; body?: never } | { method: 'POST' | 'PUT' | 'DELETE'; body?: object });

/** Sets the success status before the handler runs: an error reply then sets its own (errors.ts). */
function successStatus(status: number) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.code(status);
  };
}

/**
 * Declares an API route with the house's schema rules: requests are validated with unknown query
 * parameters and body fields refused, and the reply is serialised with only its declared fields.
 */
export function route<G extends RouteGenericInterface = RouteGenericInterface>(
  app: FastifyInstance,
  spec: RouteSpec<G>,
): void {
  const { method, url, access, params, query = noQuery, status = 200, reply, handler } = spec;
  app.route<G>({
    method,
    url,
    config: { access },
    schema: {
      ...(params === undefined ? {} : { params }),
      querystring: query,
      ...(method === 'GET' ? {} : { body: spec.body ?? noBody }),
      response: replies({ [status]: reply }),
    },
    ...(status === 200 ? {} : { preHandler: successStatus(status) }),
    handler,
  });
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, SluiceError } from '../errors.js';
import type { AllowedMethods } from './methods.js';
import { type ValidationIssue, validationMessage } from './validation.js';

/** The stable codes of the HTTP API (see the README's "Operator API"). */
export const ApiCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  URI_TOO_LONG: 'URI_TOO_LONG',
  QUEUE_NOT_FOUND: 'QUEUE_NOT_FOUND',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  SCHEDULE_NOT_FOUND: 'SCHEDULE_NOT_FOUND',
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_JSON: 'INVALID_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  INVALID_JOB_ID: 'INVALID_JOB_ID',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  CONFLICT: 'CONFLICT',
  QUEUE_BUSY: 'QUEUE_BUSY',
  QUEUE_READ_ONLY: 'QUEUE_READ_ONLY',
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

/** An error the API answers with as it is: its status, code and message are meant for the client. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ApiCode,
    message: string,
  ) {
    super(message);
  }
}

const SLUICE_CODES: Partial<Record<ErrorCode, [number, ApiCode]>> = {
  [ErrorCode.INVALID_JOB_ID]: [400, ApiCode.INVALID_JOB_ID],
  [ErrorCode.INVALID_PAYLOAD]: [400, ApiCode.INVALID_PAYLOAD],
  [ErrorCode.PAYLOAD_TOO_LARGE]: [413, ApiCode.PAYLOAD_TOO_LARGE],
  [ErrorCode.INVALID_OPTION]: [400, ApiCode.INVALID_REQUEST],
  [ErrorCode.INVALID_QUEUE_NAME]: [400, ApiCode.INVALID_REQUEST],
  [ErrorCode.RECORD_DAMAGED]: [409, ApiCode.CONFLICT],
  [ErrorCode.QUEUE_BUSY]: [409, ApiCode.QUEUE_BUSY],
  [ErrorCode.PARTITIONED]: [409, ApiCode.CONFLICT],
};

/** Longest path part (a job id, a schedule name) the router takes; a longer one is 414. */
export const MAX_PARAM_LENGTH = 2000;

const FASTIFY_CODES: Record<string, [number, ApiCode, string]> = {
  FST_ERR_MAX_PARAM_LENGTH: [
    414,
    ApiCode.URI_TOO_LONG,
    `a part of the path is over ${MAX_PARAM_LENGTH} characters`,
  ],
  FST_ERR_BAD_URL: [400, ApiCode.INVALID_REQUEST, 'the path is not valid percent-encoding'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ApiCode.PAYLOAD_TOO_LARGE, 'the request body is over 1 MiB'],
  FST_ERR_CTP_INVALID_JSON_BODY: [
    400,
    ApiCode.INVALID_JSON,
    'the body is not valid JSON, or holds a __proto__ or constructor.prototype key',
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ApiCode.UNSUPPORTED_MEDIA_TYPE, 'send the body as application/json'],
};

/** ioredis's ways of saying the server cannot be reached (as opposed to a command being refused). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
]);

function isRedisUnavailable(error: { name?: unknown; message?: unknown; code?: unknown }): boolean {
  const message = typeof error.message === 'string' ? error.message : '';
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    // the cluster client, when no node answers (ioredis's ClusterAllFailedError)
    error.name === 'ClusterAllFailedError' ||
    message === 'Connection is closed.' ||
    message.startsWith("Stream isn't writeable") ||
    /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN) /.test(message) ||
    (typeof error.code === 'string' && NETWORK_CODES.has(error.code))
  );
}

/** A failed schema check: a malformed job id has its own code, anything else is INVALID_REQUEST. */
function validationError(error: FastifyError): ApiError {
  const first = error.validation?.[0];
  const path = first?.instancePath ?? '';
  const isJobId =
    (error.validationContext === 'params' && path === '/id') ||
    (error.validationContext === 'body' && /^\/ids\/\d+$/.test(path));
  return isJobId
    ? new ApiError(400, ApiCode.INVALID_JOB_ID, `${error.validationContext}${path} is not a Sluice job id`)
    : new ApiError(
        400,
        ApiCode.INVALID_REQUEST,
        validationMessage(error.validationContext ?? 'request', error.validation as ValidationIssue[]),
      );
}

/** Maps any error to what the client is told; undefined for an unexpected one (a 500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof SluiceError) {
    const mapped = SLUICE_CODES[error.code];
    return mapped && new ApiError(mapped[0], mapped[1], error.message);
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as FastifyError;
  if (e.validation) return validationError(e);
  const known = FASTIFY_CODES[e.code];
  if (known) return new ApiError(known[0], known[1], known[2]);
  if (isRedisUnavailable(e)) return new ApiError(503, ApiCode.REDIS_UNAVAILABLE, 'Redis is not reachable');
  // Fastify's own client errors (bad content length, empty JSON body...): their text names no secret.
  if (typeof e.code === 'string' && e.code.startsWith('FST_') && e.statusCode && e.statusCode < 500) {
    return new ApiError(e.statusCode, ApiCode.INVALID_REQUEST, e.message);
  }
  return undefined;
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
}

/** Errors the router meets before any route (a path part too long, bad encoding): same shape, no URL echoed. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, toApiError(error) ?? new ApiError(400, ApiCode.INVALID_REQUEST, 'bad request'));
}

/** A path for a message: a very long one is cut, so a reply never echoes kilobytes back. */
function shortPath(url: string): string {
  const path = url.split('?')[0] as string;
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * Every error leaves as { error: { code, message } }: client errors with their stable code,
 * anything else as INTERNAL, logged here with its stack and never sent.
 */
export function installErrorHandling(app: FastifyInstance, allowed: AllowedMethods): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = toApiError(error);
    if (known) {
      // An outage is logged once by the Redis watch, not once per request.
      const log =
        known.code === ApiCode.REDIS_UNAVAILABLE
          ? request.log.debug
          : known.statusCode >= 500
            ? request.log.warn
            : request.log.info;
      log.call(request.log, { code: known.code, status: known.statusCode }, known.message);
      return sendError(reply, known);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, new ApiError(500, ApiCode.INTERNAL, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = shortPath(request.url);
    const methods = allowed.of(request.url.split('?')[0] as string);
    if (methods.length === 0) {
      return sendError(reply, new ApiError(404, ApiCode.NOT_FOUND, `no route ${request.method} ${path}`));
    }
    reply.header('allow', methods.join(', '));
    return sendError(
      reply,
      new ApiError(
        405,
        ApiCode.METHOD_NOT_ALLOWED,
        `${path} answers ${methods.join(', ')}, not ${request.method}`,
      ),
    );
  });
}

/**
 * JSON schemas shared by the routes. Requests are validated with additional properties refused
 * (not stripped); responses are serialised with only the declared properties.
 */
import { COUNT_FIELDS } from '../job/metrics.js';
import { JOB_ID_PATTERN, NAME_PATTERN } from '../job/names.js';

/** Largest page a route returns; larger limits are clamped, not refused. */
export const MAX_LIMIT = 100;
/** Largest offset accepted, far beyond any real queue. */
export const MAX_OFFSET = 1_000_000_000;

export function object(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, required } as const;
}

export const noQuery = object({});
export const noBody = object({});

export const queueParams = object({ queue: { type: 'string', pattern: NAME_PATTERN } }, ['queue']);
export const jobParams = object(
  { queue: { type: 'string', pattern: NAME_PATTERN }, id: { type: 'string', pattern: JOB_ID_PATTERN } },
  ['queue', 'id'],
);

/** The request types of routes with queueParams and jobParams. */
export interface QueueRoute {
  Params: { queue: string };
}
export interface JobRoute {
  Params: { queue: string; id: string };
}

export const pageQuery = {
  offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  limit: { type: 'integer', default: 50 },
} as const;

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;

export const countsSchema = object(Object.fromEntries(COUNT_FIELDS.map((field) => [field, num])), [
  ...COUNT_FIELDS,
]);

const errorEntry = object(
  {
    name: str,
    message: str,
    stack: str,
    reason: { type: 'string', enum: ['error', 'timeout', 'crashed', 'oom', 'decode_error'] },
    at: num,
  },
  ['name', 'message', 'reason', 'at'],
);

/** Any JSON value (payloads). */
const anyJson = {};

export const jobSchema = object(
  {
    id: str,
    state: { type: 'string', enum: ['waiting', 'active', 'delayed', 'dead', 'completed'] },
    payload: anyJson,
    raw: str,
    attempts: num,
    deliveries: num,
    enqueuedAt: num,
    errors: { type: 'array', items: errorEntry },
    lastError: errorEntry,
    until: num,
    progress: anyJson,
    priority: num,
    finishedAt: num,
  },
  ['id', 'state', 'attempts', 'deliveries', 'errors'],
);

export const deadLetterSchema = object(
  {
    id: str,
    payload: anyJson,
    raw: str,
    attempts: num,
    errors: { type: 'array', items: errorEntry },
    reason: str,
    enqueuedAt: num,
    deadAt: num,
  },
  ['id', 'attempts', 'errors', 'deadAt'],
);

/** readOnly: discovered in Redis, not served here, so admin routes answer 409 QUEUE_READ_ONLY. */
export const queueSummary = object(
  { name: str, readOnly: { type: 'boolean' }, paused: { type: 'boolean' }, counts: countsSchema },
  ['name', 'readOnly', 'paused', 'counts'],
);

export const engineSchema = object(
  {
    id: str,
    host: str,
    pid: num,
    threads: num,
    inFlight: num,
    jobsPerSec: num,
    startedAt: num,
    seenAt: num,
  },
  ['id', 'host', 'pid', 'threads', 'inFlight', 'jobsPerSec', 'startedAt', 'seenAt'],
);

/** `{ [name]: n }`: the reply of a route that moves or deletes n things. */
export function countReply(name: string) {
  return object({ [name]: num }, [name]);
}

/** One page of a list: its items and how many there are in all. */
export function pageReply(item: unknown) {
  return object({ total: num, items: { type: 'array', items: item } }, ['total', 'items']);
}

const errorBody = object({ error: object({ code: str, message: str }, ['code', 'message']) }, ['error']);

/** The response schemas of a route: its success reply(ies) plus the error body for 4xx and 5xx. */
export function replies(ok: Record<number, unknown>) {
  return { ...ok, '4xx': errorBody, '5xx': errorBody };
}

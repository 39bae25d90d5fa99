// The operator API's routes, typed. Every request carries `Authorization: Bearer <token>` when a
// token is set; every failure becomes an ApiError with the contract's stable code.

import { viewRoutes } from './api-views';
import type {
  Access,
  DeadFilter,
  DeadGroup,
  DeadLetter,
  EngineInfo,
  Job,
  JobOptions,
  JobResult,
  Page,
  QueueSummary,
  RatePoint,
  RedisInfo,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientHooks {
  /** The token to send, or '' for none. */
  token(): string;
  /** Called on every 401 before the error is thrown. */
  unauthorized(error: ApiError): void;
}

type Query = Record<string, string | number | undefined>;

export function authHeaders(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

export function createClient(hooks: ClientHooks) {
  async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(hooks.token()) };
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(withQuery(path, query), init);
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `cannot reach the server (${(error as Error).message})`);
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) hooks.unauthorized(error);
      throw error;
    }
    return (await response.json()) as T;
  }

  const q = (name: string) => `/api/queues/${encodeURIComponent(name)}`;

  return {
    ...viewRoutes(request, q),
    whoami: () => request<{ access: Access }>('GET', '/api/auth/whoami'),
    queues: () => request<{ queues: QueueSummary[] }>('GET', '/api/queues'),
    redis: () => request<RedisInfo>('GET', '/api/redis'),
    pause: (queue: string) => request<{ paused: boolean }>('POST', `${q(queue)}/pause`),
    resume: (queue: string) => request<{ paused: boolean }>('POST', `${q(queue)}/resume`),
    history: (queue: string, seconds = 900) =>
      request<{ points: RatePoint[] }>('GET', `${q(queue)}/history`, undefined, { seconds }),
    engines: (queue: string) => request<{ engines: EngineInfo[] }>('GET', `${q(queue)}/engines`),
    job: (queue: string, id: string) => request<Job>('GET', `${q(queue)}/jobs/${encodeURIComponent(id)}`),
    result: (queue: string, id: string) =>
      request<JobResult>('GET', `${q(queue)}/jobs/${encodeURIComponent(id)}/result`),
    add: (queue: string, payload: unknown, opts: JobOptions, count: number) =>
      request<{ ids: string[] }>('POST', `${q(queue)}/jobs`, { payload, opts, count }),
    dead: (queue: string, filter: DeadFilter, offset: number, limit: number) =>
      request<Page<DeadLetter>>('GET', `${q(queue)}/dead`, undefined, { ...filter, offset, limit }),
    retryDead: (queue: string, ids: string[]) =>
      request<{ retried: number }>('POST', `${q(queue)}/dead/retry`, { ids }),
    retryAllDead: (queue: string, filter: DeadFilter) =>
      request<{ retried: number }>('POST', `${q(queue)}/dead/retry`, { all: true, filter }),
    retryOne: (queue: string, id: string, payload?: unknown) =>
      request<{ retried: number }>(
        'POST',
        `${q(queue)}/dead/${encodeURIComponent(id)}/retry`,
        payload === undefined ? {} : { payload },
      ),
    deleteDead: (queue: string, id: string) =>
      request<{ deleted: number }>('DELETE', `${q(queue)}/dead/${encodeURIComponent(id)}`),
    purgeDead: (queue: string, confirm: string) =>
      request<{ deleted: number }>('POST', `${q(queue)}/dead/purge`, { confirm }),
    deadGroups: (queue: string) => request<{ groups: DeadGroup[] }>('GET', `${q(queue)}/dead/groups`),
    deadGroup: (queue: string, group: string, offset: number, limit: number) =>
      request<Page<DeadLetter>>('GET', `${q(queue)}/dead/groups/${encodeURIComponent(group)}`, undefined, {
        offset,
        limit,
      }),
    retryGroup: (queue: string, group: string) =>
      request<{ retried: number }>('POST', `${q(queue)}/dead/groups/${encodeURIComponent(group)}/retry`),
    deleteGroup: (queue: string, group: string) =>
      request<{ deleted: number }>('DELETE', `${q(queue)}/dead/groups/${encodeURIComponent(group)}`),
  };
}

export type Client = ReturnType<typeof createClient>;

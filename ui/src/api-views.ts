// The routes behind the schedules, job pages, event feed, latency and levels views, typed.
// createClient (api.ts) spreads these into its client, with its own request function.
import type { Job, Page } from './types';

type Query = Record<string, string | number | undefined>;
export type Request = <T>(method: string, path: string, body?: unknown, query?: Query) => Promise<T>;

export interface Schedule {
  name: string;
  spec: { cron?: string; tz?: string; every?: number };
  /** Next fire, ms (Redis clock). */
  next: number;
  lastFired?: number;
}

export type EventType = 'added' | 'started' | 'completed' | 'retried' | 'dead' | 'stalled' | 'cancelled';

export interface QueueEvent {
  id: string;
  type: EventType;
  jobIds: string[];
  at: number;
}

export interface EventPage {
  events: QueueEvent[];
  next: string;
  gap: boolean;
}

export interface Percentiles {
  count: number;
  p50?: number;
  p99?: number;
}

export interface LatencyReply {
  slotMs: number;
  points: { t: number; wait: Percentiles; run: Percentiles }[];
  total: { wait: Percentiles; run: Percentiles };
}

export interface RateWindow {
  max: number;
  duration: number;
  used: number;
  freesAt?: number;
}

export interface LevelsReply {
  levels: { level: number; waiting: number }[];
  rateLimit: RateWindow | null;
  now: number;
}

export interface Holder {
  id: string;
  engine: string;
  host?: string;
  pid?: number;
  token: number;
}

/** States the job pages list. */
export type ListedState = 'active' | 'delayed' | 'completed';

export type ListedJob = Job;

export function viewRoutes(request: Request, q: (queue: string) => string) {
  return {
    schedules: (queue: string) => request<{ items: Schedule[] }>('GET', `${q(queue)}/schedules`),
    removeSchedule: (queue: string, name: string) =>
      request<{ deleted: number }>('DELETE', `${q(queue)}/schedules/${encodeURIComponent(name)}`),
    jobs: (queue: string, state: ListedState, offset: number, limit: number) =>
      request<Page<ListedJob>>('GET', `${q(queue)}/jobs`, undefined, { state, offset, limit }),
    promote: (queue: string, id: string) =>
      request<{ status: 'moved' }>('POST', `${q(queue)}/jobs/${encodeURIComponent(id)}/promote`),
    holders: (queue: string, ids: readonly string[]) =>
      request<{ holders: Holder[]; asked: number; answered: number; ms: number }>(
        'GET',
        `${q(queue)}/holders`,
        undefined,
        { ids: ids.join(',') },
      ),
    events: (queue: string, from: string, limit = 100) =>
      request<EventPage>('GET', `${q(queue)}/events`, undefined, { from, limit }),
    setEvents: (queue: string, enabled: boolean) =>
      request<{ enabled: boolean }>('PUT', `${q(queue)}/events`, { enabled }),
    latency: (queue: string) => request<LatencyReply>('GET', `${q(queue)}/latency`),
    levels: (queue: string) => request<LevelsReply>('GET', `${q(queue)}/levels`),
  };
}

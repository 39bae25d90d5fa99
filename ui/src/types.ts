// Shapes of the operator API's replies (see the HTTP contract). Times are ms since epoch, Redis clock.

export interface Counts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
  added: number;
  completed: number;
  failed: number;
  retried: number;
  reaped: number;
  redriven: number;
  cancelled: number;
  drained: number;
}

/** What the token may do (GET /api/auth/whoami): `open` when the server has no tokens. */
export type Access = 'open' | 'read' | 'admin';

export interface QueueSummary {
  name: string;
  /** Discovered in Redis, not served by this API: admin routes answer 409 QUEUE_READ_ONLY. */
  readOnly: boolean;
  paused: boolean;
  counts: Counts;
}

/** One Redis server (each master of a cluster), from GET /api/redis. */
export interface RedisServer {
  version: string;
  usedMemory: number;
  /** 0: no limit. */
  maxmemory: number;
  maxmemoryPolicy: string;
  evictionOff: boolean;
  connectedClients: number;
  persistence: 'rdb' | 'aof' | 'rdb+aof' | 'none' | 'unknown';
}

export interface RedisInfo {
  cluster: boolean;
  servers: RedisServer[];
}

/** Per-second rates at second `t`. */
export interface RatePoint {
  t: number;
  completed: number;
  failed: number;
}

export interface EngineInfo {
  id: string;
  host: string;
  pid: number;
  threads: number;
  inFlight: number;
  jobsPerSec: number;
  startedAt: number;
  seenAt: number;
}

export type ErrorReason = 'error' | 'timeout' | 'crashed' | 'oom' | 'decode_error';

export interface ErrorEntry {
  name: string;
  message: string;
  stack?: string;
  reason: ErrorReason;
  at: number;
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'dead' | 'completed';

export interface Job {
  id: string;
  state: JobState;
  payload: unknown;
  raw?: string;
  attempts: number;
  deliveries: number;
  enqueuedAt?: number;
  errors: ErrorEntry[];
  lastError?: ErrorEntry;
  until?: number;
  /** Set when the job was added with a priority other than the default (3). */
  priority?: number;
  /** When a kept completed job finished. */
  finishedAt?: number;
  /** The latest progress a running job reported. */
  progress?: unknown;
}

/** A completed job's kept result (GET /jobs/:id/result). */
export type JobResult = { value: unknown } | { notKept: string };

export interface DeadLetter {
  id: string;
  payload: unknown;
  raw?: string;
  attempts: number;
  errors: ErrorEntry[];
  reason: ErrorReason;
  enqueuedAt?: number;
  deadAt: number;
}

/** Dead letters that failed the same way: error name and first frame of user code. */
export interface DeadGroup {
  id: string;
  label: string;
  count: number;
  lastDeadAt: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface DeadFilter {
  q?: string;
  from?: number;
  to?: number;
}

export interface JobOptions {
  attempts?: number;
  delay?: number;
  timeout?: number;
}

/** The `stats` event of `/api/events`, once a second. */
export interface StatsEvent {
  queue: string;
  paused: boolean;
  counts: Counts;
  engines: number;
  rate: { completed: number; failed: number };
  t: number;
}

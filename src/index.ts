export type { EngineOptions } from './engine/engine-options.js';
export { ENGINE_DEFAULTS } from './engine/engine-options.js';
export { Engine } from './engine/runtime.js';
export { ErrorCode, SluiceError } from './errors.js';
export type { ErrorEntry, FailureReason } from './job/failure.js';
export type { BackoffOptions, BackoffType, JobOptions } from './job/job-options.js';
export { JOB_DEFAULTS } from './job/job-options.js';
export type { RateLimit } from './job/rate-limit.js';
export type { Retention, RetentionLimit } from './job/retention.js';
export type { ScheduleInfo, ScheduleJob, ScheduleSpec } from './job/schedules.js';
export type { QueueEventsOptions, StreamOptions } from './queue/events.js';
export { QueueEvents } from './queue/events.js';
export type {
  BulkJob,
  DeadQuery,
  ObliterateOptions,
  Page,
  QueueOptions,
  WaitOptions,
} from './queue/queue.js';
export { JOB_STATES, QUEUE_DEFAULTS, Queue } from './queue/queue.js';
export type { CancelStatus } from './redis/cancel.js';
export type { DeadFilter } from './redis/dead-filter.js';
export type { DeadGroup } from './redis/dead-groups.js';
export type { LiveEngine } from './redis/engines.js';
export type { EventPage, EventType, QueueEvent } from './redis/events.js';
export type { RatePoint } from './redis/history.js';
export type {
  DeadLetter,
  DeadPage,
  JobInfo,
  JobPage,
  JobState,
  QueueCounts,
  QueueTotals,
} from './redis/inspect.js';
export type { QueueMetrics } from './redis/queue-metrics.js';
export type { JobResult } from './redis/results.js';
export type { ReplicaWait } from './redis/scripts.js';
export type { QueueSnapshot } from './redis/snapshot.js';
export type { BackoffContext, BackoffStrategy, Handler, JobContext } from './threads/handler.js';
export { UnrecoverableError } from './threads/handler.js';

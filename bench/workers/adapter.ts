import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { waitCompleted } from '../lib/counters.js';
import type { AddTask, ConsumeTask, FixedRetry, HandlerKind, RedisTarget } from '../lib/protocol.js';
import { wallNow } from '../lib/protocol.js';
import {
  type FlakyPayload,
  flakyAttempt,
  type RetryPayload,
  type RetryReport,
  retryAttempt,
} from './handlers/failing.js';
import { hashWork } from './handlers/hash-work.js';

export type { FixedRetry };

/** One library's producer, bound to one queue. */
export interface Producer {
  add(payload: object): Promise<unknown>;
  /** `retry`: each job's attempts and backoff, with the library's own job options. */
  addBulk(payloads: readonly object[], retry?: FixedRetry): Promise<unknown>;
  close(): Promise<void>;
}

/** A library's own pause and resume of one queue (bee-queue has none). */
export interface Pauser {
  pause(): Promise<void>;
  /** Idle consumers take the jobs at once (each library wakes its workers on resume). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One library's consumer: running, warmed up on its own queue and waiting for work. It takes
 * the measured jobs as soon as they appear (the runner moves pre-added jobs in with SWAPDB).
 */
export interface Consumer {
  /** Latency samples still on their way arrive within this many ms after the last job. */
  readonly flushMs: number;
  stop(): Promise<void>;
}

export interface ConsumerHooks extends RetryReport {
  /** Wall times in ms: when the job was enqueued, when its handler started. */
  record(enqueuedAt: number, startedAt: number): void;
}

/** Sluice only (see AddTask); the peers ignore them. */
export type ProducerOptions = Pick<AddTask, 'partitions' | 'batchAdds'>;

export interface Adapter {
  producer(redis: RedisTarget, queue: string, options?: ProducerOptions): Promise<Producer>;
  consumer(task: ConsumeTask, hooks: ConsumerHooks, counters: Redis): Promise<Consumer>;
  pauser?(redis: RedisTarget, queue: string, partitions?: number): Promise<Pauser>;
}

/** What the handlers read from a payload (each kind its own fields). */
export type HandlerPayload = { t?: number; n?: number } & RetryPayload & FlakyPayload;

/**
 * The in-process handler of the peers: what a Sluice handler module does in a thread. `id` and
 * `attempt` (1-based) are the library's, for the failing handlers.
 */
export function inProcessHandler(
  kind: HandlerKind,
  hooks: ConsumerHooks,
): (data: HandlerPayload, id: string, attempt: number) => void {
  switch (kind) {
    case 'noop':
      return () => {};
    case 'latency':
      return (data) => hooks.record(data.t as number, wallNow());
    case 'hash':
      return (data) => {
        hashWork(data.n as number);
      };
    case 'retry':
      return (data, id, attempt) => retryAttempt(data, id, attempt, hooks);
    case 'flaky':
      return (data, id, attempt) => flakyAttempt(data, id, attempt);
  }
}

/** Payload of the warm-up jobs a consumer runs before it reports ready (none of them fails). */
export function warmupPayload(task: ConsumeTask): object {
  switch (task.handler) {
    case 'noop':
      return { x: 1 };
    case 'latency':
      return { t: 0 };
    case 'hash':
      return { n: task.hashIterations };
    case 'retry':
      return {};
    case 'flaky':
      return { f: 0 };
  }
}

/**
 * Adds `count` warm-up jobs with `producer` and waits until the consumer has run them
 * (`completed` reads the queue's completed count).
 */
export async function warmUp(
  producer: Producer,
  completed: () => Promise<number>,
  what: string,
  count: number,
  payload: object,
): Promise<void> {
  if (count === 0) return;
  const before = await completed();
  for (let i = 0; i < count; i += 1000) {
    await producer.addBulk(new Array<object>(Math.min(1000, count - i)).fill(payload));
  }
  await waitCompleted(completed, what, before + count, 60_000);
}

/** A compiled handler module next to the compiled adapters (see lib/compile.ts). */
export function handlerPath(name: string): string {
  return fileURLToPath(new URL(`./handlers/${name}.js`, import.meta.url));
}

export function redisUrl(target: RedisTarget): string {
  return `redis://${target.host}:${target.port}/${target.db}`;
}

import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { waitCompleted } from '../lib/counters.js';
import type { ConsumeTask, HandlerKind, RedisTarget } from '../lib/protocol.js';
import { wallNow } from '../lib/protocol.js';
import { hashWork } from './handlers/hash-work.js';

/** One library's producer, bound to one queue. */
export interface Producer {
  add(payload: object): Promise<unknown>;
  addBulk(payloads: readonly object[]): Promise<unknown>;
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

export interface ConsumerHooks {
  /** Wall times in ms: when the job was enqueued, when its handler started. */
  record(enqueuedAt: number, startedAt: number): void;
}

export interface Adapter {
  /** `partitions`: Sluice only (see AddTask). */
  producer(redis: RedisTarget, queue: string, partitions?: number): Promise<Producer>;
  consumer(task: ConsumeTask, hooks: ConsumerHooks, counters: Redis): Promise<Consumer>;
}

/** The in-process handler of the peers: what a Sluice handler module does in a thread. */
export function inProcessHandler(
  kind: HandlerKind,
  hooks: ConsumerHooks,
): (data: { t?: number; n?: number }) => void {
  switch (kind) {
    case 'noop':
      return () => {};
    case 'latency':
      return (data) => hooks.record(data.t as number, wallNow());
    case 'hash':
      return (data) => {
        hashWork(data.n as number);
      };
  }
}

/** Payload of the warm-up jobs a consumer runs before it reports ready. */
export function warmupPayload(task: ConsumeTask): object {
  switch (task.handler) {
    case 'noop':
      return { x: 1 };
    case 'latency':
      return { t: 0 };
    case 'hash':
      return { n: task.hashIterations };
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

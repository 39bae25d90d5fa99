import BeeQueue from 'bee-queue';
import type { Redis } from 'ioredis';
import { completedCount } from '../lib/counters.js';
import type { ConsumeTask, HandlerKind, RedisTarget } from '../lib/protocol.js';
import type { Adapter, Consumer, ConsumerHooks, HandlerPayload, Producer } from './adapter.js';
import { inProcessHandler, warmUp, warmupPayload } from './adapter.js';

function redisOptions(redis: RedisTarget) {
  return { host: redis.host, port: redis.port, db: redis.db };
}

/** A producer-only queue, set up as bee-queue's README advises for one that never processes. */
async function producer(redis: RedisTarget, queue: string): Promise<Producer> {
  const q = new BeeQueue(queue, {
    redis: redisOptions(redis),
    isWorker: false,
    getEvents: false,
    storeJobs: false,
  });
  await q.ready();
  return {
    add: (payload) => q.createJob(payload).save(),
    async addBulk(payloads, retry) {
      const jobs = payloads.map((payload) => {
        const job = q.createJob(payload);
        return retry ? job.retries(retry.attempts - 1).backoff('fixed', retry.backoffMs) : job;
      });
      const errors = await q.saveAll(jobs);
      if (errors.size > 0) throw [...errors.values()][0];
    },
    close: () => q.close(),
  };
}

/** Handlers whose jobs fail and come back after a backoff. */
const RETRYING: ReadonlySet<HandlerKind> = new Set(['retry', 'flaky']);

/**
 * A worker queue with the scenario's concurrency, handler in process; getEvents off (a worker
 * that listens to no job events, as bee-queue's settings doc advises), other settings default,
 * but activateDelayedJobs for failing handlers: without it no backoff retry ever runs.
 */
async function consumer(task: ConsumeTask, hooks: ConsumerHooks, counters: Redis): Promise<Consumer> {
  if (task.sandboxed) throw new Error('bee-queue has no sandboxed processors');
  const q = new BeeQueue(task.queue, {
    redis: redisOptions(task.redis),
    getEvents: false,
    activateDelayedJobs: RETRYING.has(task.handler),
  });
  q.on('error', (error) => process.stderr.write(`bee-queue: ${error.message}\n`));
  await q.ready();
  const handle = inProcessHandler(task.handler, hooks);
  // bee-queue keeps one stack trace per failed attempt.
  q.process(task.concurrency, async (job) =>
    handle(job.data as HandlerPayload, job.id, (job.options.stacktraces as unknown[]).length + 1),
  );
  const warm = await producer(task.redis, task.queue);
  await warmUp(
    warm,
    () => completedCount(counters, 'bee', task.queue),
    `bee ${task.queue}`,
    task.warmup,
    warmupPayload(task),
  );
  await warm.close();
  return { flushMs: 0, stop: () => q.close() };
}

export const bee: Adapter = { producer, consumer };

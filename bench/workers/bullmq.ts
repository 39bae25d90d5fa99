import { type JobsOptions, Queue, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { completedCount } from '../lib/counters.js';
import type { ConsumeTask, RedisTarget } from '../lib/protocol.js';
import type { Adapter, Consumer, ConsumerHooks, Pauser, Producer } from './adapter.js';
import { handlerPath, inProcessHandler, warmUp, warmupPayload } from './adapter.js';

function connection(redis: RedisTarget) {
  return { host: redis.host, port: redis.port, db: redis.db, maxRetriesPerRequest: null };
}

async function openQueue(redis: RedisTarget, queue: string): Promise<Queue> {
  const q = new Queue(queue, { connection: connection(redis) });
  await q.waitUntilReady();
  return q;
}

async function producer(redis: RedisTarget, queue: string): Promise<Producer> {
  const q = await openQueue(redis, queue);
  return {
    add: (payload) => q.add('job', payload),
    addBulk(payloads, retry) {
      if (!retry) return q.addBulk(payloads.map((data) => ({ name: 'job', data })));
      const opts: JobsOptions = {
        attempts: retry.attempts,
        backoff: { type: 'fixed', delay: retry.backoffMs },
      };
      return q.addBulk(payloads.map((data) => ({ name: 'job', data, opts })));
    },
    close: () => q.close(),
  };
}

async function pauser(redis: RedisTarget, queue: string): Promise<Pauser> {
  const q = await openQueue(redis, queue);
  return { pause: () => q.pause(), resume: () => q.resume(), close: () => q.close() };
}

/**
 * A Worker with default options and the scenario's concurrency; the hash handler runs as a
 * sandboxed processor on worker threads when the task says so.
 */
async function consumer(task: ConsumeTask, hooks: ConsumerHooks, counters: Redis): Promise<Consumer> {
  const options: WorkerOptions = { connection: connection(task.redis), concurrency: task.concurrency };
  let worker: Worker;
  if (task.sandboxed) {
    if (task.handler !== 'hash') throw new Error('only the hash handler runs sandboxed');
    worker = new Worker(task.queue, handlerPath('bullmq-hash'), { ...options, useWorkerThreads: true });
  } else {
    const handle = inProcessHandler(task.handler, hooks);
    // attemptsMade counts the job's failed attempts so far.
    worker = new Worker(
      task.queue,
      async (job) => handle(job.data, job.id ?? '', job.attemptsMade + 1),
      options,
    );
  }
  worker.on('error', (error) => process.stderr.write(`bullmq worker: ${error.message}\n`));
  await worker.waitUntilReady();
  const warm = await producer(task.redis, task.queue);
  await warmUp(
    warm,
    () => completedCount(counters, 'bullmq', task.queue),
    `bullmq ${task.queue}`,
    task.warmup,
    warmupPayload(task),
  );
  await warm.close();
  return { flushMs: 0, stop: () => worker.close() };
}

export const bullmq: Adapter = { producer, consumer, pauser };

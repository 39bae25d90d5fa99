import { BroadcastChannel } from 'node:worker_threads';
import { pino } from 'pino';
import { Engine, type EngineOptions, type JobOptions, Queue } from 'sluice';
import type { ConsumeTask, RedisTarget } from '../lib/protocol.js';
import type { Adapter, Consumer, ConsumerHooks, Pauser, Producer, ProducerOptions } from './adapter.js';
import { handlerPath, redisUrl, warmUp, warmupPayload } from './adapter.js';
import { FLUSH_MS, LATENCY_CHANNEL } from './handlers/latency-channel.js';
import { RETRY_CHANNEL, type RetryMessage } from './handlers/retry-channel.js';

const HANDLERS = {
  noop: 'sluice-noop',
  latency: 'sluice-latency',
  hash: 'sluice-hash',
  retry: 'sluice-retry',
  flaky: 'sluice-flaky',
} as const;

/** A URL, or a cluster's seed (Sluice's cluster client learns the other nodes from it). */
export function sluiceConnection(redis: RedisTarget): NonNullable<EngineOptions['connection']> {
  return redis.cluster ? { cluster: [redisUrl(redis)] } : redisUrl(redis);
}

function openQueue(redis: RedisTarget, queue: string, options: ProducerOptions = {}): Queue {
  return new Queue(queue, { connection: sluiceConnection(redis), ...options });
}

function asProducer(q: Queue): Producer {
  return {
    add: (payload) => q.add(payload),
    addBulk(payloads, retry) {
      if (!retry) return q.addBulk(payloads.map((payload) => ({ payload })));
      const opts: JobOptions = {
        attempts: retry.attempts,
        backoff: { type: 'fixed', delay: retry.backoffMs },
      };
      return q.addBulk(payloads.map((payload) => ({ payload, opts })));
    },
    close: () => q.close(),
  };
}

/** Connected and scripts' connection up before any timing. */
async function connectedQueue(redis: RedisTarget, queue: string, options?: ProducerOptions) {
  const q = openQueue(redis, queue, options);
  await q.counts();
  return q;
}

async function producer(redis: RedisTarget, queue: string, options?: ProducerOptions): Promise<Producer> {
  return asProducer(await connectedQueue(redis, queue, options));
}

async function pauser(redis: RedisTarget, queue: string, partitions?: number): Promise<Pauser> {
  const q = await connectedQueue(redis, queue, partitions ? { partitions } : {});
  return { pause: () => q.pause(), resume: () => q.resume(), close: () => q.close() };
}

/** An engine in this process (what `node dist/engine.js` runs), its handler in worker threads. */
async function consumer(task: ConsumeTask, hooks: ConsumerHooks): Promise<Consumer> {
  const options: EngineOptions = {
    queue: task.queue,
    handler: handlerPath(HANDLERS[task.handler]),
    connection: sluiceConnection(task.redis),
    threads: task.sluice.threads,
    logger: pino({ level: 'error' }),
  };
  if (task.sluice.tasksPerThread !== undefined) options.tasksPerThread = task.sluice.tasksPerThread;
  if (task.sluice.threadBatch !== undefined) options.threadBatch = task.sluice.threadBatch;
  if (task.sluice.concurrency !== undefined) options.concurrency = task.sluice.concurrency;
  if (task.sluice.partitions !== undefined) options.partitions = task.sluice.partitions;
  const channel = new BroadcastChannel(LATENCY_CHANNEL);
  channel.onmessage = (event) => {
    const pairs = (event as { data: Float64Array }).data;
    for (let i = 0; i < pairs.length; i += 2) hooks.record(pairs[i] as number, pairs[i + 1] as number);
  };
  const retries = new BroadcastChannel(RETRY_CHANNEL);
  retries.onmessage = (event) => {
    const [kind, id, at] = (event as { data: RetryMessage }).data;
    if (kind === 'due') hooks.retryDue(id, at);
    else hooks.retryStarted(id, at);
  };
  const engine = await Engine.start(options);
  // Counted through the Queue, which sums the partitions' counters on any topology.
  const warm = openQueue(
    task.redis,
    task.queue,
    task.sluice.partitions === undefined ? {} : { partitions: task.sluice.partitions },
  );
  const completed = async () => (await warm.counts()).completed;
  await warmUp(asProducer(warm), completed, `sluice ${task.queue}`, task.warmup, warmupPayload(task));
  await warm.close();
  return {
    flushMs: 4 * FLUSH_MS,
    async stop() {
      await engine.stop(1000);
      channel.close();
      retries.close();
    },
  };
}

export const sluice: Adapter = { producer, consumer, pauser };

import { BroadcastChannel } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Engine, type EngineOptions, Queue } from 'sluice';
import type { ConsumeTask, RedisTarget } from '../lib/protocol.js';
import type { Adapter, Consumer, ConsumerHooks, Producer } from './adapter.js';
import { handlerPath, redisUrl, warmUp, warmupPayload } from './adapter.js';
import { FLUSH_MS, LATENCY_CHANNEL } from './handlers/latency-channel.js';

const HANDLERS = { noop: 'sluice-noop', latency: 'sluice-latency', hash: 'sluice-hash' } as const;

async function producer(redis: RedisTarget, queue: string): Promise<Producer> {
  const q = new Queue(queue, { connection: redisUrl(redis) });
  await q.counts(); // connected and scripts' connection up before any timing
  return {
    add: (payload) => q.add(payload),
    addBulk: (payloads) => q.addBulk(payloads.map((payload) => ({ payload }))),
    close: () => q.close(),
  };
}

/** An engine in this process (what `node dist/engine.js` runs), its handler in worker threads. */
async function consumer(task: ConsumeTask, hooks: ConsumerHooks, counters: Redis): Promise<Consumer> {
  const options: EngineOptions = {
    queue: task.queue,
    handler: handlerPath(HANDLERS[task.handler]),
    connection: redisUrl(task.redis),
    threads: task.sluice.threads,
    logger: pino({ level: 'error' }),
  };
  if (task.sluice.tasksPerThread !== undefined) options.tasksPerThread = task.sluice.tasksPerThread;
  if (task.sluice.threadBatch !== undefined) options.threadBatch = task.sluice.threadBatch;
  const channel = new BroadcastChannel(LATENCY_CHANNEL);
  channel.onmessage = (event) => {
    const pairs = (event as { data: Float64Array }).data;
    for (let i = 0; i < pairs.length; i += 2) hooks.record(pairs[i] as number, pairs[i + 1] as number);
  };
  const engine = await Engine.start(options);
  const warm = await producer(task.redis, task.queue);
  await warmUp(warm, counters, 'sluice', task.queue, task.warmup, warmupPayload(task));
  await warm.close();
  return {
    flushMs: 4 * FLUSH_MS,
    async stop() {
      await engine.stop(1000);
      channel.close();
    },
  };
}

export const sluice: Adapter = { producer, consumer };

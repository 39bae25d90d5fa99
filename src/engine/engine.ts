import { ErrorCode, SluiceError } from '../errors.js';
import { Janitor } from '../janitor/janitor.js';
import type { RedisClient } from '../redis/connection.js';
import { connect, describeServer, duplicateOf, reachable } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { queueKeys } from '../redis/keys.js';
import { serverInfos } from '../redis/server-info.js';
import { ThreadPool } from '../threads/pool.js';
import { RedisClock } from './clock.js';
import type { DispatcherState } from './dispatcher.js';
import { Dispatcher } from './dispatcher.js';
import type { EngineOptions, ResolvedEngineOptions } from './engine-options.js';
import { resolveEngineOptions } from './engine-options.js';
import { loadHandlerModule } from './handler-module.js';
import { Heartbeat, newEngineId } from './heartbeat.js';
import { Leases } from './leases.js';
import type { Logger } from './logger.js';
import { createLogger } from './logger.js';
import { EngineMetrics } from './metrics.js';
import { ProgressWriter } from './progress.js';
import { Settler } from './settler.js';
import { judgeServer } from './startup-checks.js';

const CONNECT_ATTEMPTS = 5;
const CONNECT_WAIT_MS = 1000;
const JANITOR_BATCH = 1000;

/** Stops a burst of identical connection errors from flooding the log. */
function logConnectionErrors(redis: RedisClient, log: Logger, role: string): void {
  let last = 0;
  redis.on('error', (error: Error) => {
    const now = performance.now();
    if (now - last > 5000) log.warn({ err: error.message, role }, 'Redis connection error');
    last = now;
  });
}

/**
 * One engine process: a dispatcher feeding a Piscina pool, and a janitor thread.
 * Start with Engine.start(options); stop with engine.stop().
 */
export class Engine {
  #stopping: Promise<void> | undefined;

  private constructor(
    readonly options: ResolvedEngineOptions,
    readonly keys: QueueKeys,
    /** This engine's own measurements (settle latency, in flight, epoch losses). */
    readonly metrics: EngineMetrics,
    private readonly log: Logger,
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly pools: readonly ThreadPool[],
    private readonly dispatcher: Dispatcher,
    private readonly janitor: Janitor,
    private readonly heartbeat: Heartbeat,
  ) {}

  /** This engine's id in the live list (`host:pid:random`). */
  get id(): string {
    return this.heartbeat.id;
  }

  static async start(input: EngineOptions): Promise<Engine> {
    const options = resolveEngineOptions(input);
    const log = (options.logger ?? createLogger()).child({ queue: options.queue });
    const handlerUrl = await loadHandlerModule(options.handler);
    const keys = queueKeys(options.queue);
    const { redis } = connect(options.connection, `sluice:dispatcher:${options.queue}`, true);
    logConnectionErrors(redis, log, 'dispatcher');
    try {
      if (!(await reachable(redis, CONNECT_ATTEMPTS, CONNECT_WAIT_MS))) {
        throw new SluiceError(
          ErrorCode.REDIS_UNREACHABLE,
          `no answer from Redis at ${describeServer(redis)} after ${CONNECT_ATTEMPTS} tries; start Redis or pass --redis / REDIS_URL`,
        );
      }
      const warned = new Set<string>();
      for (const info of await serverInfos(redis)) {
        const verdict = judgeServer(info);
        if (verdict.fatal) throw verdict.fatal;
        for (const warning of verdict.warnings) warned.add(warning);
      }
      for (const warning of warned) log.warn(warning);
    } catch (error) {
      redis.disconnect();
      throw error;
    }

    const subscriber = duplicateOf(redis, `sluice:wake:${options.queue}`);
    logConnectionErrors(subscriber, log, 'subscriber');
    const pool = new ThreadPool({
      handlerUrl,
      threads: options.threads,
      tasksPerThread: options.tasksPerThread,
      concurrency: options.concurrency,
      threadMemoryMb: options.threadMemoryMb,
      maxResultBytes: options.maxResultBytes,
    });
    const quarantine = new ThreadPool({
      handlerUrl,
      threads: 1,
      tasksPerThread: 1,
      concurrency: options.concurrency,
      threadMemoryMb: options.threadMemoryMb,
      maxResultBytes: options.maxResultBytes,
      lazy: true,
    });
    const id = newEngineId();
    let dispatcher: Dispatcher | undefined;
    const metrics = new EngineMetrics(options.queue, id, () => dispatcher?.inFlight ?? 0);
    const clock = new RedisClock();
    const leases = new Leases(redis, keys, options.leaseMs, clock, log);
    const settler = new Settler(
      redis,
      keys,
      leases,
      { maxBatch: options.settleBatch, maxWaitMs: options.settleWaitMs },
      log,
      metrics,
      () => dispatcher?.capacityFreed(),
    );
    dispatcher = new Dispatcher(
      {
        redis,
        keys,
        pool,
        quarantine,
        leases,
        settler,
        progress: new ProgressWriter(redis, keys, log),
        clock,
        log,
      },
      {
        window: {
          maxInFlight: options.maxInFlight,
          maxInFlightBytes: options.maxInFlightBytes,
          maxBlock: options.batch,
        },
        maxBatch: options.threadBatch,
        threads: options.threads,
        leaseMs: options.leaseMs,
        promoteLimit: options.batch,
        watchdogGraceMs: 1000,
        interruptWaitMs: 2000,
      },
    );
    const janitor = new Janitor(
      {
        connection: options.connection,
        queue: options.queue,
        intervalMs: options.janitorIntervalMs,
        batch: JANITOR_BATCH,
      },
      log,
    );
    const wake = dispatcher;
    const heartbeat = new Heartbeat(
      id,
      redis,
      keys,
      { threads: options.threads, inFlight: () => wake.inFlight, settled: () => settler.settled },
      metrics,
      log,
    );
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === keys.cancel) wake.cancel(message.split(','));
      else wake.signalWork();
    });
    await subscriber.subscribe(keys.wake, keys.cancel);
    await heartbeat.start();
    dispatcher.run();
    log.info(
      { threads: options.threads, leaseMs: options.leaseMs, redis: describeServer(redis) },
      'engine started',
    );
    return new Engine(
      options,
      keys,
      metrics,
      log,
      redis,
      subscriber,
      [pool, quarantine],
      dispatcher,
      janitor,
      heartbeat,
    );
  }

  get state(): DispatcherState {
    return this.dispatcher.state;
  }

  /** Jobs leased by this engine and not yet settled. */
  get inFlight(): number {
    return this.dispatcher.inFlight;
  }

  /**
   * Graceful stop: no more acquires; running jobs get graceMs to finish, unstarted ones go back
   * to the queue; then threads, janitor and connections close.
   */
  stop(graceMs = this.options.graceMs): Promise<void> {
    this.#stopping ??= (async () => {
      await this.dispatcher.stop(graceMs);
      await this.janitor.stop();
      await this.heartbeat.stop();
      await Promise.all(this.pools.map((pool) => pool.close()));
      await this.subscriber.quit().catch(() => this.subscriber.disconnect());
      await this.redis.quit().catch(() => this.redis.disconnect());
      this.log.info('engine stopped');
    })();
    return this.#stopping;
  }
}

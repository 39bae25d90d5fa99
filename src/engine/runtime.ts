import { ErrorCode, SluiceError } from '../errors.js';
import { Janitor } from '../janitor/janitor.js';
import type { Logger } from '../logger.js';
import { createLogger } from '../logger.js';
import { connect, describeServer, duplicateOf, type RedisClient, reachable } from '../redis/connection.js';
import { answerHolders, parseRequest } from '../redis/holders.js';
import type { QueueKeys } from '../redis/keys.js';
import { partitionKeys, queueKeys } from '../redis/keys.js';
import { partitionCount } from '../redis/partitions.js';
import { registerQueue } from '../redis/registry.js';
import { serverInfos } from '../redis/server-info.js';
import { logOutages, RedisWatch } from '../redis/watch.js';
import { ThreadPool } from '../threads/pool.js';
import type { DispatcherState } from './dispatcher.js';
import { claimEngineName, type EngineName } from './engine-name.js';
import type { EngineOptions, ResolvedEngineOptions } from './engine-options.js';
import { resolveEngineOptions } from './engine-options.js';
import { loadHandlerModule } from './handler-module.js';
import { newEngineId } from './heartbeat.js';
import { type Lane, STATE_ORDER, startLane } from './lane.js';
import { EngineMetrics } from './metrics.js';
import { judgeServer } from './startup-checks.js';

const CONNECT_ATTEMPTS = 5;
const CONNECT_WAIT_MS = 1000;
const JANITOR_BATCH = 1000;

/** Answers a "which engine holds these jobs?" request from this lane's leases (redis/holders.ts). */
function answer(redis: RedisClient, lane: Lane, engine: string, message: string, log: Logger): void {
  const request = parseRequest(message);
  if (request === undefined) return;
  answerHolders(redis, request.replyTo, engine, lane.dispatcher.holding(request.ids)).catch((error) =>
    log.warn({ err: error }, 'could not answer a holders request'),
  );
}

/**
 * One engine process: one dispatcher lane per partition of the queue (one lane for an
 * unpartitioned queue) feeding a Piscina pool, and a janitor thread.
 * Start with Engine.start(options); stop with engine.stop().
 */
export class Engine {
  #stopping: Promise<void> | undefined;

  private constructor(
    readonly options: ResolvedEngineOptions,
    readonly keys: QueueKeys,
    /** The `engine` label of its metrics, held until it stops. */
    private readonly label: EngineName,
    /** This engine's own measurements (settle latency, in flight, epoch losses). */
    readonly metrics: EngineMetrics,
    private readonly log: Logger,
    private readonly redis: RedisClient,
    private readonly watch: RedisWatch,
    private readonly subscriber: RedisClient,
    private readonly pools: readonly ThreadPool[],
    /** One per partition of the queue (one for an unpartitioned queue). */
    private readonly lanes: readonly Lane[],
    private readonly janitor: Janitor,
  ) {}

  /** The `engine` label of its metrics: engineName, or `host:N` (see engine-name.ts). */
  get name(): string {
    return this.label.name;
  }

  /** This engine's id in the live list (`host:pid:random`). */
  get id(): string {
    return (this.lanes[0] as Lane).heartbeat.id;
  }

  static async start(input: EngineOptions): Promise<Engine> {
    const options = resolveEngineOptions(input);
    const name = claimEngineName(options.queue, options.engineName);
    const log = (options.logger ?? createLogger()).child({ queue: options.queue });
    const handlerUrl = await loadHandlerModule(options.handler).catch((error: unknown) => {
      name.release();
      throw error;
    });
    const keys = queueKeys(options.queue);
    const { redis } = connect(options.connection, `sluice:dispatcher:${options.queue}`, true);
    const watch = new RedisWatch([redis], logOutages(log, 'leasing waits until it is back'));
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
      name.release();
      watch.close();
      redis.disconnect();
      throw error;
    }

    let parts: QueueKeys[];
    try {
      const count = await partitionCount(redis, keys, options.partitions, true);
      parts = count === 1 ? [keys] : partitionKeys(options.queue, count);
      // So monitors on this Redis list the queue before its first add.
      registerQueue(redis, options.queue);
    } catch (error) {
      name.release();
      watch.close();
      redis.disconnect();
      throw error;
    }

    const subscriber = duplicateOf(redis, `sluice:wake:${options.queue}`);
    // The same outage as the dispatcher connection's, which reports it.
    subscriber.on('error', () => {});
    const id = newEngineId();
    const lanes: Lane[] = [];
    const metrics = new EngineMetrics({ queue: options.queue, name: name.name, id }, () =>
      lanes.reduce((n, l) => n + l.dispatcher.inFlight, 0),
    );
    const latency = metrics.latency.shared;
    const pool = new ThreadPool({
      handlerUrl,
      queue: options.queue,
      latency,
      threads: options.threads,
      tasksPerThread: options.tasksPerThread,
      concurrency: options.concurrency,
      threadMemoryMb: options.threadMemoryMb,
      maxResultBytes: options.maxResultBytes,
    });
    const quarantine = new ThreadPool({
      handlerUrl,
      queue: options.queue,
      threads: 1,
      tasksPerThread: 1,
      concurrency: options.concurrency,
      threadMemoryMb: options.threadMemoryMb,
      maxResultBytes: options.maxResultBytes,
      lazy: true,
      latency,
    });
    for (const partKeys of parts) {
      lanes.push(startLane(partKeys, parts.length, { redis, pool, quarantine, metrics, id, options, log }));
    }
    const janitor = new Janitor(
      {
        connection: options.connection,
        queue: options.queue,
        partitions: parts.length,
        intervalMs: options.janitorIntervalMs,
        batch: JANITOR_BATCH,
      },
      log,
    );
    const byChannel = new Map<string, { lane: Lane; kind: 'wake' | 'cancel' | 'holders' }>();
    for (const lane of lanes) {
      byChannel.set(lane.keys.wake, { lane, kind: 'wake' });
      byChannel.set(lane.keys.cancel, { lane, kind: 'cancel' });
      byChannel.set(lane.keys.holders, { lane, kind: 'holders' });
    }
    subscriber.on('message', (channel: string, message: string) => {
      const to = byChannel.get(channel);
      if (to?.kind === 'cancel') to.lane.dispatcher.cancel(message.split(','));
      else if (to?.kind === 'wake') to.lane.dispatcher.signalWork();
      else if (to?.kind === 'holders') answer(redis, to.lane, id, message, log);
    });
    await subscriber.subscribe(...byChannel.keys());
    for (const lane of lanes) {
      await lane.heartbeat.start();
      lane.dispatcher.run();
    }
    log.info(
      {
        threads: options.threads,
        leaseMs: options.leaseMs,
        partitions: parts.length,
        redis: describeServer(redis),
      },
      'engine started',
    );
    return new Engine(
      options,
      keys,
      name,
      metrics,
      log,
      redis,
      watch,
      subscriber,
      [pool, quarantine],
      lanes,
      janitor,
    );
  }

  /** The dispatcher's state; with partitions, the busiest lane's (see STATE_ORDER). */
  get state(): DispatcherState {
    const states = this.lanes.map((lane) => lane.dispatcher.state);
    return STATE_ORDER.find((state) => states.includes(state)) ?? (states[0] as DispatcherState);
  }

  /** Jobs leased by this engine and not yet settled. */
  get inFlight(): number {
    return this.lanes.reduce((n, lane) => n + lane.dispatcher.inFlight, 0);
  }

  /**
   * Graceful stop: no more acquires; running jobs get graceMs to finish, unstarted ones go back
   * to the queue; then threads, janitor and connections close.
   */
  stop(graceMs = this.options.graceMs): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.lanes.map((lane) => lane.dispatcher.stop(graceMs)));
      await this.janitor.stop();
      await Promise.all(this.lanes.map((lane) => lane.heartbeat.stop()));
      await Promise.all(this.pools.map((pool) => pool.close()));
      this.watch.close();
      await this.subscriber.quit().catch(() => this.subscriber.disconnect());
      await this.redis.quit().catch(() => this.redis.disconnect());
      this.label.release();
      this.log.info('engine stopped');
    })();
    return this.#stopping;
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EngineInfo } from '../job/engine-info.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis/connection.js';
import { deregister, EpochStatus, heartbeat } from '../redis/heartbeat.js';
import type { QueueKeys } from '../redis/keys.js';
import { SECOND } from '../units.js';
import type { EngineMetrics } from './metrics.js';

export const HEARTBEAT_MS = SECOND;
/** An engine missing this many beats is no longer listed as live. */
const ENGINE_TTL_MS = 5 * HEARTBEAT_MS;
/** The monitor charts 15 minutes; one more is kept so the first rate has a point before it. */
const HISTORY_SECONDS = 16 * 60;

export function newEngineId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface HeartbeatSource {
  threads: number;
  inFlight(): number;
  /** Jobs settled by this engine so far. */
  settled(): number;
}

/**
 * Every HEARTBEAT_MS: registers the engine as live (host, pid, threads, in flight, jobs/s), records a
 * throughput point for the monitor, and checks the queue's epoch key, whose disappearance means
 * Redis lost the queue's data (restarted without persistence, flushed): that is logged as an error
 * and counted, never passed over in silence.
 */
export class Heartbeat {
  readonly #startedAt = Date.now();
  #epoch = '';
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #last = { at: performance.now(), settled: 0 };
  #failing = false;

  constructor(
    readonly id: string,
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly source: HeartbeatSource,
    private readonly metrics: EngineMetrics,
    private readonly log: Logger,
  ) {}

  /** First beat now (so the epoch is known from the start), then one per HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beating ??= this.#beat().finally(() => {
        this.#beating = undefined;
      });
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    await deregister(this.redis, this.keys, this.id).catch(() => undefined);
  }

  #info(): EngineInfo {
    const now = performance.now();
    const settled = this.source.settled();
    const seconds = (now - this.#last.at) / SECOND;
    const jobsPerSec = seconds > 0 ? Math.round((settled - this.#last.settled) / seconds) : 0;
    this.#last = { at: now, settled };
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      threads: this.source.threads,
      inFlight: this.source.inFlight(),
      jobsPerSec,
      startedAt: this.#startedAt,
      latency: this.metrics.latency.published(),
    };
  }

  async #beat(): Promise<void> {
    try {
      const beat = await heartbeat(this.redis, this.keys, {
        info: this.#info(),
        engineTtlMs: ENGINE_TTL_MS,
        historySeconds: HISTORY_SECONDS,
        knownEpoch: this.#epoch,
        freshEpoch: randomBytes(8).toString('hex'),
      });
      // The Redis time of this beat puts the threads' Date.now() on the Redis clock (see LatencyProbe).
      this.metrics.latency.observeRedisTime(beat.now);
      this.metrics.latency.pull();
      if (this.#failing) this.log.info('heartbeat written again');
      this.#failing = false;
      if (beat.status === EpochStatus.lost || beat.status === EpochStatus.changed) {
        this.metrics.stateLost.inc();
        this.log.error(
          { event: 'redis_state_lost', epoch: beat.epoch, previousEpoch: this.#epoch },
          "redis_state_lost: the queue's epoch key is gone, so Redis lost this queue's data (restarted without persistence, or flushed); jobs added before the loss cannot be recovered from Redis",
        );
      }
      this.#epoch = beat.epoch;
    } catch (error) {
      // The dispatcher reports Redis trouble; one line here says the heartbeat is affected too.
      if (!this.#failing)
        this.log.warn({ err: error }, 'heartbeat failed; this engine may be listed as gone');
      this.#failing = true;
    }
  }
}

import type { Logger } from '../logger.js';
import type { Leased } from '../redis/acquire.js';
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { renewLeases } from '../redis/renew.js';
import type { RedisClock } from './clock.js';

/**
 * The jobs this process holds (leased and not yet settled or released), and the timer that
 * keeps their leases alive: every lease/3, one pipelined ZADD XX moves every deadline to
 * Redis-now + lease. Three renewals fit in a lease, so one slow round trip loses nothing.
 */
export class Leases {
  readonly #held = new Map<string, Leased>();
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly leaseMs: number,
    private readonly clock: RedisClock,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.#held.size;
  }

  /** Record bytes held, to bound memory when payloads are large. */
  get bytes(): number {
    return this.#bytes;
  }

  add(jobs: readonly Leased[]): void {
    for (const job of jobs) {
      // A job can be leased again while a stale lease of it still runs here (after a stall).
      const stale = this.#held.get(job.id);
      if (stale !== undefined) this.#bytes -= stale.record.length;
      this.#held.set(job.id, job);
      this.#bytes += job.record.length;
    }
  }

  /** The lease held on a job, if any. */
  get(id: string): Leased | undefined {
    return this.#held.get(id);
  }

  /** False once a newer lease of the same job has been taken by this process. */
  isCurrent(job: Leased): boolean {
    return this.#held.get(job.id)?.token === job.token;
  }

  /** Forgets a lease (settled, released or lost); a newer lease of the same id is kept. */
  drop(job: { id: string; token: number }): void {
    const held = this.#held.get(job.id);
    if (held !== undefined && held.token === job.token) {
      this.#held.delete(job.id);
      this.#bytes -= held.record.length;
    }
  }

  start(): void {
    this.#timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async renew(): Promise<void> {
    if (this.#renewing || this.#held.size === 0 || !this.clock.known) return;
    this.#renewing = true;
    try {
      await renewLeases(this.redis, this.keys, [...this.#held.keys()], this.clock.now() + this.leaseMs);
    } catch (error) {
      this.log.warn({ err: error, jobs: this.#held.size }, 'lease renewal failed; retrying at the next tick');
    } finally {
      this.#renewing = false;
    }
  }
}

import type { Logger } from 'pino';
import type { RedisClient } from './connection.js';

export interface OutageListener {
  /** The first sign of an outage: a dropped or refused connection, or a PING that timed out. */
  down(since: number, error: string): void;
  /** The client is ready again. */
  up(downMs: number): void;
}

/**
 * Whether Redis is reachable from these clients, from their connection events and from PINGs:
 * down at the first error or close, up again once every client is ready. Each outage is reported
 * once (down, then up), however many reconnect attempts fail in between; it is also the clients'
 * 'error' listener, so ioredis never prints "Unhandled error event".
 */
export class RedisWatch {
  #downSince: number | undefined;
  #closed = false;
  readonly #clients: readonly RedisClient[];
  readonly #listener: OutageListener | undefined;

  constructor(clients: readonly RedisClient[], listener?: OutageListener) {
    this.#clients = [...new Set(clients)];
    this.#listener = listener;
    for (const client of this.#clients) {
      client.on('error', (error: Error) => this.markDown(errorText(error)));
      client.on('close', () => this.markDown('connection closed'));
      client.on('ready', () => {
        if (this.#clients.every((c) => c.status === 'ready')) this.markUp();
      });
    }
  }

  /** Since when (ms, client clock) Redis has been unreachable; undefined while it answers. */
  get downSince(): number | undefined {
    return this.#downSince;
  }

  markDown(error: string): void {
    if (this.#closed || this.#downSince !== undefined) return;
    this.#downSince = Date.now();
    this.#listener?.down(this.#downSince, error);
  }

  markUp(): void {
    if (this.#closed || this.#downSince === undefined) return;
    const downMs = Date.now() - this.#downSince;
    this.#downSince = undefined;
    this.#listener?.up(downMs);
  }

  /** PINGs every client; false if one fails or has not answered within timeoutMs (then marked down). */
  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer to PING within ${timeoutMs} ms`), timeoutMs);
    });
    const answers = Promise.all(this.#clients.map((c) => c.ping())).then(
      () => undefined,
      (error: Error) => errorText(error),
    );
    const failure = await Promise.race([answers, late]);
    clearTimeout(timer);
    if (failure === undefined) this.markUp();
    else this.markDown(failure);
    return failure === undefined;
  }

  /** Stops reporting (before the clients are closed on purpose); errors are still swallowed. */
  close(): void {
    this.#closed = true;
  }
}

/** An error's code (ECONNREFUSED...) or message, never a URL or password. */
function errorText(error: Error & { code?: unknown }): string {
  return typeof error.code === 'string' ? error.code : error.name;
}

/** One warn line when an outage starts and one info line, with its duration, when it ends. */
export function logOutages(log: Logger, consequence: string): OutageListener {
  return {
    down: (since, error) =>
      log.warn(
        { redisDownSince: new Date(since).toISOString(), err: error },
        `Redis unreachable; ${consequence}`,
      ),
    up: (downMs) => log.info({ downMs }, `Redis reachable again after ${downMs} ms`),
  };
}

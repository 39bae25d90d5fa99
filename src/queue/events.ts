import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import type { QueueEvent } from '../job/events.js';
import type { Connection, RedisClient } from '../redis/connection.js';
import { connect, duplicateOf } from '../redis/connection.js';
import { eventsOn, lastEventId, readEvents, waitEvents } from '../redis/events.js';
import type { QueueKeys } from '../redis/keys.js';
import { queueKeys } from '../redis/keys.js';

export interface QueueEventsOptions {
  /** Redis URL, ioredis options, or a client to share (blocking reads use their own copy). */
  connection?: Connection;
}

export interface StreamOptions {
  /** Continue after this event id (a saved QueueEvent.id); '$' (default) = only new events. */
  from?: string;
  /** Longest a blocking read waits, so close() takes effect within about this long. */
  blockMs?: number;
}

const STREAM_ID = /^(\$|0|\d{1,15}-\d{1,15})$/;
const BATCH = 500;

/**
 * Reads a queue's event stream: `for await (const event of events.stream({ from }))` yields
 * every event after `from`, waiting for new ones, until close(). Save the last event's id to
 * resume after a restart without a gap; an event whose entries were already trimmed away (the
 * stream keeps about 10,000 entries) makes the iterator throw SLUICE_ERR_EVENTS_TRIMMED.
 */
export class QueueEvents {
  readonly keys: QueueKeys;
  readonly #redis: RedisClient;
  readonly #owned: boolean;
  #reader: RedisClient | undefined;
  #closed = false;

  constructor(name: string, options: QueueEventsOptions = {}) {
    this.keys = queueKeys(name);
    const { redis, owned } = connect(options.connection ?? 'redis://127.0.0.1:6379', `sluice:events:${name}`);
    this.#redis = redis;
    this.#owned = owned;
  }

  async *stream(options: StreamOptions = {}): AsyncGenerator<QueueEvent> {
    const { from = '$', blockMs = 1000 } = options;
    checkFrom(from);
    if (!(await eventsOn(this.#redis, this.keys))) {
      throw new SluiceError(
        ErrorCode.EVENTS_OFF,
        `queue ${this.keys.events} records no events: turn them on with queue.setEvents(true)`,
      );
    }
    this.#reader ??= duplicateOf(this.#redis, `sluice:events-reader:${this.keys.events}`);
    let cursor = from === '$' ? await lastEventId(this.#redis, this.keys) : from;
    if (from !== '$') {
      const first = await readEvents(this.#redis, this.keys, cursor, 1);
      if (first.gap) {
        throw new SluiceError(
          ErrorCode.EVENTS_TRIMMED,
          `events after ${from} were trimmed from the stream; resume from '0' (the oldest kept) and reconcile`,
        );
      }
    }
    while (!this.#closed) {
      const events = await waitEvents(this.#reader, this.keys, cursor, BATCH, blockMs).catch(
        (error: unknown) => {
          if (this.#closed) return [];
          throw error;
        },
      );
      for (const event of events) {
        cursor = event.id;
        yield event;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.disconnect();
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

function checkFrom(from: unknown): void {
  if (typeof from !== 'string' || !STREAM_ID.test(from)) {
    throw invalidOption('from', `must be '$', '0' or a stream id like 1795871234567-0, got ${String(from)}`);
  }
}

import type { EventPage, EventType, QueueEvent } from '../job/events.js';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

type Entry = [id: string, fields: string[]];

function toEvent([id, fields]: Entry): QueueEvent {
  const get = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
  return { id, type: get('type') as EventType, jobIds: get('ids').split(','), at: Number(id.split('-')[0]) };
}

/** Compares two stream ids ("ms-seq"); '0' and '0-0' are the beginning. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * Whether entries after `from` may have been trimmed: the stream was trimmed and its oldest kept
 * entry is after `from`. (Redis 7.0 does not record the newest id MAXLEN trimmed, so when `from`
 * was itself the last entry trimmed this errs on the side of reporting a gap.)
 */
async function trimmedAfter(redis: RedisClient, keys: QueueKeys, from: string): Promise<boolean> {
  if (from === '$' || compareIds(from, '0-0') === 0) return false;
  const info = (await redis.call('XINFO', 'STREAM', keys.events).catch(() => null)) as unknown[] | null;
  if (info === null) return false;
  const field = (name: string) => info[info.indexOf(name) + 1];
  const firstId = (field('first-entry') as Entry | null)?.[0];
  const trimmed = Number(field('entries-added')) > Number(field('length'));
  return trimmed && firstId !== undefined && compareIds(firstId, from) > 0;
}

/** Up to `count` events after `from` (exclusive; '0' = from the beginning), without blocking. */
export async function readEvents(
  redis: RedisClient,
  keys: QueueKeys,
  from: string,
  count: number,
): Promise<EventPage> {
  const entries = (await redis.xrange(keys.events, `(${from}`, '+', 'COUNT', count)) as Entry[];
  const gap = await trimmedAfter(redis, keys, from);
  return { events: entries.map(toEvent), next: entries.at(-1)?.[0] ?? from, gap };
}

/** Blocks up to blockMs for events after `from` ('$' = only new ones); [] when none came. */
export async function waitEvents(
  redis: RedisClient,
  keys: QueueKeys,
  from: string,
  count: number,
  blockMs: number,
): Promise<QueueEvent[]> {
  const reply = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', keys.events, from)) as
    | [string, Entry[]][]
    | null;
  return reply?.[0]?.[1].map(toEvent) ?? [];
}

/**
 * Turns a queue's events on (an empty stream: the scripts write only while it exists) or off
 * (the stream and its history deleted).
 */
export async function setEvents(redis: RedisClient, keys: QueueKeys, on: boolean): Promise<void> {
  if (!on) {
    await redis.del(keys.events);
    return;
  }
  // XADD then XTRIM to 0 leaves an existing, empty stream (a stream key outlives its entries).
  await redis.multi().xadd(keys.events, '*', 'type', 'on', 'ids', '').xtrim(keys.events, 'MAXLEN', 0).exec();
}

export async function eventsOn(redis: RedisClient, keys: QueueKeys): Promise<boolean> {
  return (await redis.exists(keys.events)) === 1;
}

/** The id of the newest entry, or '0-0' when the stream is empty (where a reader "from now" starts). */
export async function lastEventId(redis: RedisClient, keys: QueueKeys): Promise<string> {
  const [entry] = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1)) as Entry[];
  return entry?.[0] ?? '0-0';
}

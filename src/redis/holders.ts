import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';

/**
 * "Which engine holds job X?" without charging any job: nothing is written per lease. The asker
 * PUBLISHes the ids on the partition's holders channel with a reply channel; every engine
 * subscribed there answers from its in-memory leases, holding them or not. PUBLISH returns how
 * many engines got the request, so the asker stops waiting as soon as that many have answered.
 *
 * Request: "<reply channel>\n<id>,<id>...". Answer: "<engine id>\n<id>:<token>,..." (the ids of
 * the request it holds, with each lease's fencing token; nothing after the newline for none).
 */

export interface HolderRequest {
  replyTo: string;
  ids: string[];
}

export function parseRequest(message: string): HolderRequest | undefined {
  const newline = message.indexOf('\n');
  if (newline <= 0) return undefined;
  const ids = message.slice(newline + 1);
  return { replyTo: message.slice(0, newline), ids: ids === '' ? [] : ids.split(',') };
}

/** An engine's answer: the leases it holds of the ids asked about. */
export async function answerHolders(
  redis: RedisClient,
  replyTo: string,
  engine: string,
  held: readonly { id: string; token: number }[],
): Promise<void> {
  await redis.publish(replyTo, `${engine}\n${held.map((h) => `${h.id}:${h.token}`).join(',')}`);
}

export interface Holding {
  engine: string;
  token: number;
}

export interface HoldersReply {
  /** Per id held by a live engine: which, and under which fencing token. */
  held: Map<string, Holding>;
  /** Engines the request reached, and those that answered before the timeout. */
  asked: number;
  answered: number;
}

/**
 * Asks the engines of one partition which of `ids` they hold. `subscriber` is a connection in
 * subscriber mode shared by the caller's requests; each request listens on its own channel.
 */
export async function askHolders(
  redis: RedisClient,
  subscriber: RedisClient,
  keys: QueueKeys,
  ids: readonly string[],
  timeoutMs: number,
): Promise<HoldersReply> {
  const replyTo = `${keys.holders}:${randomUUID()}`;
  const held = new Map<string, Holding>();
  let answered = 0;
  let asked = Number.POSITIVE_INFINITY;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const onMessage = (channel: string, message: string): void => {
    if (channel !== replyTo) return;
    const newline = message.indexOf('\n');
    const engine = message.slice(0, newline);
    for (const pair of message.slice(newline + 1).split(',')) {
      const colon = pair.lastIndexOf(':');
      if (colon > 0) held.set(pair.slice(0, colon), { engine, token: Number(pair.slice(colon + 1)) });
    }
    answered += 1;
    if (answered >= asked) done();
  };
  subscriber.on('message', onMessage);
  const timer = setTimeout(done, timeoutMs);
  try {
    await subscriber.subscribe(replyTo);
    const reached = await redis.publish(keys.holders, `${replyTo}\n${ids.join(',')}`);
    // A cluster node counts only its own subscribers (the message still reaches every node's):
    // there the wait runs to the timeout rather than stop before every engine could answer.
    if (!(redis instanceof Cluster)) asked = reached;
    if (answered >= asked) done();
    await finished;
  } finally {
    clearTimeout(timer);
    subscriber.off('message', onMessage);
    await subscriber.unsubscribe(replyTo);
  }
  return { held, asked: Number.isFinite(asked) ? asked : answered, answered };
}

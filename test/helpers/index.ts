import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import { inject } from 'vitest';
import { Engine, type EngineOptions, Queue, type QueueOptions } from '../../dist/index.js';
import { connect, type RedisClient } from '../../dist/redis/connection.js';

export const silent = pino({ level: 'silent' });

/** A pino logger whose JSON lines are kept in memory. */
export function capturingLogger() {
  const lines: { level: number; msg: string; [field: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A client of the tests' Redis: one server, or a cluster when redisUrl() lists its seeds. */
export function redisClient(): RedisClient {
  return connect(redisUrl(), 'sluice:test').redis;
}

/** The client of a single server, for tests of commands a cluster client cannot send (KEYS, MONITOR). */
export function singleServer(client: RedisClient): Redis {
  if (!(client instanceof Redis)) throw new Error('this test needs a single Redis server, not a cluster');
  return client;
}

/** Every key matching `pattern`, from each master when the client is a cluster's. */
export async function keysMatching(client: RedisClient, pattern: string): Promise<string[]> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  return (await Promise.all(servers.map((server) => server.keys(pattern)))).flat().sort();
}

/** A queue name no other test uses. */
export function queueName(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

export function handlerPath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/handlers/${name}.js`, import.meta.url));
}

export const ENGINE_ENTRY = fileURLToPath(new URL('../../dist/engine.js', import.meta.url));

interface Tracked {
  label: string;
  isOpen(): boolean;
  close(): Promise<void>;
}

const tracked: Tracked[] = [];

/** Closes whatever a test left open; returns the labels of those it had to close. */
export async function closeTracked(): Promise<string[]> {
  const open = tracked.splice(0).filter((t) => t.isOpen());
  await Promise.all(open.map((t) => t.close().catch(() => {})));
  return open.map((t) => t.label);
}

export function openQueue(name: string, options: QueueOptions = {}): Queue {
  const queue = new Queue(name, { connection: redisUrl(), ...options });
  let closed = false;
  const close = queue.close.bind(queue);
  queue.close = async () => {
    closed = true;
    await close();
  };
  tracked.push({ label: `Queue ${name}`, isOpen: () => !closed, close: () => queue.close() });
  return queue;
}

export async function startEngine(options: EngineOptions) {
  const engine = await Engine.start({ connection: redisUrl(), logger: silent, threads: 2, ...options });
  tracked.push({
    label: `Engine ${options.queue}`,
    isOpen: () => engine.state !== 'stopped',
    close: () => engine.stop(0),
  });
  return engine;
}

/** Polls `check` until it returns a truthy value; fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The error a call throws or rejects with; fails when it does neither. */
export async function rejection(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

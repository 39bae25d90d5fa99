import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { expect } from 'vitest';
import { type AppDeps, buildApp } from '../../dist/api/app.js';
import type { Queue } from '../../dist/index.js';
import { acquire } from '../../dist/redis/acquire.js';
import type { RedisClient } from '../../dist/redis/connection.js';
import { settle } from '../../dist/redis/settle.js';
import { openQueue, queueName, singleServer } from '../helpers/index.js';

export const ADMIN = 'admin-token-0123456789abcdef';
export const READ = 'read-token-0123456789abcdef';

export const asAdmin = { authorization: `Bearer ${ADMIN}` };
export const asReader = { authorization: `Bearer ${READ}` };

export interface TestApp {
  app: FastifyInstance;
  queue: Queue;
  /** Closes the app and the queue. */
  close(): Promise<void>;
}

/** An app serving one fresh queue (plus `others`), with no monitor directory. */
export function testApp(
  label: string,
  deps: Omit<AppDeps, 'queues'> & { others?: Queue[]; logger?: Logger; metrics?: Registry[] } = {},
): TestApp {
  const queue = openQueue(queueName(label));
  const { others = [], ...rest } = deps;
  const app = buildApp({ uiDir: false, ...rest, queues: [queue, ...others] });
  return {
    app,
    queue,
    async close() {
      await app.close();
      await Promise.all([queue, ...others].map((q) => q.close()));
    },
  };
}

/** Injects a request and returns the status and parsed JSON body. */
export async function call(app: FastifyInstance, options: InjectOptions) {
  const res = await app.inject(options);
  const json = res.headers['content-type']?.toString().startsWith('application/json')
    ? res.json()
    : undefined;
  return { status: res.statusCode, body: json, res };
}

/** Expects the stable error shape with the given status and code. */
export function expectError(result: { status: number; body: unknown }, status: number, code: string): void {
  expect({ status: result.status, body: result.body }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
}

/** Every key of a queue with its type and whole content, to prove a request changed nothing. */
export async function dumpQueue(client: RedisClient, name: string): Promise<Record<string, unknown>> {
  const redis = singleServer(client);
  const keys = (await redis.keys(`sluice:{${name}}:*`)).sort();
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    const content =
      type === 'string'
        ? await redis.get(key)
        : type === 'list'
          ? await redis.lrange(key, 0, -1)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'zset'
              ? await redis.zrange(key, 0, -1, 'WITHSCORES')
              : `unexpected type ${type}`;
    dump[key] = { type, content };
  }
  return dump;
}

export interface DeadSpec {
  payload?: unknown;
  name?: string;
  message?: string;
}

/**
 * Adds one job per spec (attempts 1) and dead-letters each through the real acquire and settle
 * scripts with the spec's error, each in its own settle so dead-at times are increasing.
 * Returns the ids in the order they died.
 */
export async function makeDead(queue: Queue, specs: readonly DeadSpec[]): Promise<string[]> {
  const ids = await queue.addBulk(
    specs.map((s, i) => ({ payload: s.payload ?? { i }, opts: { attempts: 1 } })),
  );
  const leased: { id: string; token: number }[] = [];
  while (leased.length < specs.length) {
    const got = await acquire(queue.redis, queue.keys, 1000, 60_000, 100);
    expect(got.jobs.length).toBeGreaterThan(0);
    leased.push(...got.jobs);
  }
  expect(leased.map((j) => j.id)).toEqual(ids);
  for (const [i, { id, token }] of leased.entries()) {
    const spec = specs[i] as DeadSpec;
    const entry = JSON.stringify({
      name: spec.name ?? 'Error',
      message: spec.message ?? `failed ${id}`,
      reason: 'error',
      at: Date.now(),
    });
    expect((await settle(queue.redis, queue.keys, [], [{ id, token, retryInMs: -1, entry }])).dead).toBe(1);
    await sleep(2); // the next death gets a later dead-at time
  }
  return ids;
}

/**
 * Startup checks of the Redis server: an evicting Redis is refused (in-process and by the
 * command), a Redis without persistence is accepted with a warning, and the pure verdict
 * judgeServer() draws the version line at 6.2.
 */
import { describe, expect, it } from 'vitest';
import { judgeServer } from '../dist/engine/startup-checks.js';
import { Engine, ErrorCode, SluiceError } from '../dist/index.js';
import { runEngine } from './fixtures/engine-cli.js';
import { capturingLogger, handlerPath, queueName, silent, startEngine } from './helpers/index.js';
import { type RedisServer, startRedisServer } from './helpers/redis-server.js';

const WARN = 40;
const FATAL = 60;

async function withServer<T>(config: Record<string, string>, use: (server: RedisServer) => Promise<T>) {
  const server = await startRedisServer(config);
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

const SOUND = { version: '7.0.15', maxmemoryPolicy: 'noeviction', aofEnabled: true, rdbSave: '' };

describe.sequential('startup checks', () => {
  it('Engine.start refuses a handler module whose backoff export is not a function', async () => {
    const starting = Engine.start({
      queue: queueName('bad-backoff'),
      handler: handlerPath('bad-backoff'),
      logger: silent,
    });
    await expect(starting).rejects.toMatchObject({
      code: ErrorCode.HANDLER_INVALID,
      message: expect.stringContaining('backoff that is not a function'),
    });
  });

  it('Engine.start refuses an evicting Redis with REDIS_EVICTS_KEYS', async () => {
    await withServer({ 'maxmemory-policy': 'allkeys-lru' }, async (server) => {
      const starting = Engine.start({
        queue: queueName('evicts'),
        handler: handlerPath('noop'),
        connection: server.url,
        logger: silent,
        threads: 1,
      });
      await expect(starting).rejects.toBeInstanceOf(SluiceError);
      await expect(starting).rejects.toMatchObject({
        code: ErrorCode.REDIS_EVICTS_KEYS,
        message: expect.stringContaining('allkeys-lru'),
      });
    });
  });

  it('the engine command exits 78 on an evicting Redis, saying which policy to set', async () => {
    await withServer({ 'maxmemory-policy': 'allkeys-lru' }, async (server) => {
      const run = await runEngine([
        '--queue',
        queueName('evicts'),
        '--handler',
        handlerPath('noop'),
        '--redis',
        server.url,
        '--threads',
        '1',
      ]);
      expect(run.code).toBe(78);
      const fatal = run.logs.find((line) => line.level === FATAL);
      expect(fatal?.code).toBe(ErrorCode.REDIS_EVICTS_KEYS);
      expect(fatal?.msg).toContain('noeviction');
    });
  });

  it('a Redis without persistence is accepted with a warning in the log', async () => {
    await withServer({ appendonly: 'no', save: '' }, async (server) => {
      const { logger, lines } = capturingLogger();
      const engine = await startEngine({
        queue: queueName('nopersist'),
        handler: handlerPath('noop'),
        connection: server.url,
        logger,
        threads: 1,
      });
      await engine.stop();
      const warnings = lines.filter((line) => line.level === WARN).map((line) => line.msg);
      expect(warnings).toContainEqual(expect.stringContaining('persistence is off'));
      expect(lines.map((line) => line.msg)).toContain('engine started');
    });
  });

  it('a Redis with AOF persistence gets no persistence warning', async () => {
    await withServer({ appendonly: 'yes' }, async (server) => {
      const { logger, lines } = capturingLogger();
      const engine = await startEngine({
        queue: queueName('aof'),
        handler: handlerPath('noop'),
        connection: server.url,
        logger,
        threads: 1,
      });
      await engine.stop();
      expect(lines.filter((line) => line.level === WARN)).toEqual([]);
      expect(lines.map((line) => line.msg)).toContain('engine started');
    });
  });

  it('judgeServer refuses Redis 6.0.9 with REDIS_TOO_OLD', () => {
    const verdict = judgeServer({ ...SOUND, version: '6.0.9' });
    expect(verdict.fatal).toBeInstanceOf(SluiceError);
    expect(verdict.fatal?.code).toBe(ErrorCode.REDIS_TOO_OLD);
    expect(verdict.fatal?.message).toContain('6.0.9');
  });

  it('judgeServer accepts Redis 6.2.0 and 7.0.15', () => {
    for (const version of ['6.2.0', '7.0.15']) {
      expect(judgeServer({ ...SOUND, version }), version).toEqual({ warnings: [] });
    }
  });
});

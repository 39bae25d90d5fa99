import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { handlerPath, startEngine } from '../helpers/index.js';
import { ADMIN, asReader, call, expectError, READ, testApp } from './support.js';

interface Stream {
  response: IncomingMessage;
  /** Resolves with the first n `stats` events' data. */
  events(n: number): Promise<unknown[]>;
  ended: Promise<void>;
  destroy(): void;
}

function openStream(url: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (response) => {
      let buffer = '';
      const parsed: unknown[] = [];
      const waiters: (() => void)[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines[0] === 'event: stats')
            parsed.push(JSON.parse((lines[1] as string).replace(/^data: /, '')));
        }
        for (const wake of waiters.splice(0)) wake();
      });
      const ended = new Promise<void>((done) => response.on('close', () => done()));
      resolve({
        response,
        ended,
        events: async (n) => {
          while (parsed.length < n) await new Promise<void>((wake) => waiters.push(wake));
          return parsed.slice(0, n);
        },
        destroy: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('live events (SSE)', () => {
  it('streams a stats event at once and then every second, and stops reading Redis when the client leaves', async () => {
    const { app, queue, close } = testApp('sse', { tokens: { read: READ, admin: ADMIN } });
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('noop') });
    await queue.addBulk([{ payload: 1 }, { payload: 2 }]);
    let reads = 0;
    const snapshot = queue.snapshot.bind(queue);
    queue.snapshot = () => {
      reads++;
      return snapshot();
    };
    const base = await app.listen({ host: '127.0.0.1', port: 0 });

    const opened = performance.now();
    const stream = await openStream(`${base}/api/events?queue=${queue.name}`, asReader);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    const [first, second] = (await stream.events(2)) as Record<string, unknown>[];
    const elapsed = performance.now() - opened;
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(2500);
    expect(first).toEqual({
      queue: queue.name,
      paused: false,
      counts: {
        waiting: expect.any(Number),
        active: expect.any(Number),
        delayed: 0,
        dead: 0,
        added: 2,
        completed: expect.any(Number),
        failed: 0,
        retried: 0,
        reaped: 0,
        redriven: 0,
        cancelled: 0,
        drained: 0,
      },
      engines: 1,
      rate: { completed: expect.any(Number), failed: 0 },
      t: expect.any(Number),
    });
    expect((second?.t as number) - (first?.t as number)).toBeGreaterThanOrEqual(900);

    stream.destroy();
    await stream.ended;
    await sleep(100);
    const after = reads;
    await sleep(1200);
    expect(reads).toBe(after);
    await engine.stop();
    await close();
  });

  it('app.close() ends open streams at once, and their timers never fire again', async () => {
    const { app, queue, close } = testApp('sse-close');
    let reads = 0;
    const snapshot = queue.snapshot.bind(queue);
    queue.snapshot = () => {
      reads++;
      return snapshot();
    };
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const streams = await Promise.all(
      [1, 2].map(() => openStream(`${base}/api/events?queue=${queue.name}`, {})),
    );
    await Promise.all(streams.map((s) => s.events(1)));
    const closing = performance.now();
    await close();
    await Promise.all(streams.map((s) => s.ended));
    expect(performance.now() - closing).toBeLessThan(500);
    const after = reads;
    await sleep(1100);
    expect(reads).toBe(after);
  });

  it('refuses an unknown or malformed queue and a missing one before streaming', async () => {
    const { app, close } = testApp('sse-bad');
    expectError(await call(app, { url: '/api/events?queue=no-such-queue' }), 404, 'QUEUE_NOT_FOUND');
    expectError(await call(app, { url: '/api/events?queue=bad%20name' }), 400, 'INVALID_REQUEST');
    expectError(await call(app, { url: '/api/events' }), 400, 'INVALID_REQUEST');
    await close();
  });
});

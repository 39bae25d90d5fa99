import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveEngineOptions } from '../dist/engine/engine-options.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';
import { useLedger } from './helpers/ledger.js';

describe('concurrency', () => {
  it('runs at most `concurrency` jobs at once in each thread', async () => {
    const ledger = useLedger();
    const queue = openQueue(queueName('concurrency'));
    await queue.addBulk(Array.from({ length: 60 }, () => ({ payload: { ms: 30 } })));
    const engine = await startEngine({
      queue: queue.name,
      handler: handlerPath('gauge'),
      threads: 2,
      concurrency: 3,
    });
    await waitFor('60 completed', async () => (await queue.counts()).completed === 60);
    await engine.stop();
    const lines = readFileSync(ledger, 'utf8').trim().split('\n');
    const running = lines.map((line) => Number(line.split(' ')[1]));
    expect(lines).toHaveLength(60);
    expect(Math.max(...running)).toBe(3);
    await queue.close();
  });

  it('without a limit, a thread starts every job of its batch at once', async () => {
    const ledger = useLedger();
    const queue = openQueue(queueName('unlimited'));
    await queue.addBulk(Array.from({ length: 40 }, () => ({ payload: { ms: 200 } })));
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('gauge'), threads: 1 });
    await waitFor('40 completed', async () => (await queue.counts()).completed === 40);
    await engine.stop();
    const running = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[1]));
    expect(Math.max(...running)).toBe(40);
    await queue.close();
  });

  it('settles the jobs of a batch as they finish, not when its slowest job does', async () => {
    const queue = openQueue(queueName('early'));
    // One thread, so the slow job and the fast ones share a batch.
    await queue.addBulk([
      { payload: { ms: 3000 } },
      ...Array.from({ length: 20 }, () => ({ payload: { ms: 5 } })),
    ]);
    const engine = await startEngine({ queue: queue.name, handler: handlerPath('slow'), threads: 1 });
    const started = performance.now();
    await waitFor('the 20 fast jobs settled', async () => (await queue.counts()).completed === 20, 2500);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(await queue.counts()).toMatchObject({ active: 1 });
    await waitFor('the slow one too', async () => (await queue.counts()).completed === 21);
    await engine.stop();
    await queue.close();
  });

  it('sizes the window by the measured rate when a limit is set, unless maxInFlight is given', () => {
    const base = { queue: 'q', handler: 'h.js', threads: 4 };
    expect(resolveEngineOptions(base)).toMatchObject({ maxInFlight: 8192, leaseAhead: false });
    expect(resolveEngineOptions({ ...base, concurrency: 5 })).toMatchObject({
      maxInFlight: 8192,
      leaseAhead: true,
    });
    expect(resolveEngineOptions({ ...base, concurrency: 5, maxInFlight: 1000 })).toMatchObject({
      maxInFlight: 1000,
      leaseAhead: false,
    });
    expect(() => resolveEngineOptions({ ...base, concurrency: -1 })).toThrow(/concurrency/);
  });
});

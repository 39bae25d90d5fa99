import { describe, expect, it } from 'vitest';
import { spawnEngine } from '../fixtures/engine-cli.js';
import { handlerPath, openQueue, queueName, redisUrl, waitFor } from '../helpers/index.js';
import { readLedger, useLedger } from '../helpers/ledger.js';

describe('the engine command on a Redis Cluster', () => {
  it('takes the seeds in --redis (and one seed with --cluster), serves 3 partitions, and stops with exit 0', async () => {
    const seeds = redisUrl().split(',');
    const ledger = useLedger();
    const name = queueName('cli-cluster');
    const first = spawnEngine(
      [
        '--queue',
        name,
        '--handler',
        handlerPath('ledger'),
        '--threads',
        '1',
        '--partitions',
        '3',
        '--redis',
        seeds.join(','),
      ],
      { SLUICE_LEDGER: ledger },
    );
    // a second engine knows only one seed node, and the partition count from Redis
    const second = spawnEngine(
      [
        '--queue',
        name,
        '--handler',
        handlerPath('ledger'),
        '--threads',
        '1',
        '--cluster',
        '--redis',
        seeds[3] as string,
      ],
      { SLUICE_LEDGER: ledger },
    );
    try {
      for (const engine of [first, second]) {
        const started = await engine.waitForLog('engine started', (line) => line.msg === 'engine started');
        expect(started).toMatchObject({ partitions: 3, redis: expect.stringContaining('cluster') });
      }
      const queue = openQueue(name);
      const ids = await queue.addBulk(Array.from({ length: 600 }, (_, i) => ({ payload: { i } })));
      await waitFor('600 completions', async () => (await queue.counts()).completed === 600);
      const lines = readLedger(ledger);
      expect(new Set(lines.map((l) => l.id))).toEqual(new Set(ids));
      expect(lines).toHaveLength(600);
      for (const engine of [first, second]) engine.signal('SIGTERM');
      for (const engine of [first, second])
        expect(await engine.waitForExit(15_000)).toEqual({ code: 0, signal: null });
      await queue.obliterate();
      await queue.close();
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });
});

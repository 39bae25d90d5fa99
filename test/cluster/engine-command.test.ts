import { describe, expect, it } from 'vitest';
import { type EngineChild, spawnEngine } from '../fixtures/engine-cli.js';
import { handlerPath, openQueue, queueName, redisUrl, waitFor } from '../helpers/index.js';
import { readLedger, useLedger } from '../helpers/ledger.js';

describe('the engine command on a Redis Cluster', () => {
  it('takes the seeds in --redis (and one seed with --cluster), serves 3 partitions, and stops with exit 0', async () => {
    const seeds = redisUrl().split(',');
    const ledger = useLedger();
    const name = queueName('cli-cluster');
    const engineArgs = (...extra: string[]) => [
      ...['--queue', name, '--handler', handlerPath('ledger'), '--threads', '1'],
      ...extra,
    ];
    const engines: EngineChild[] = [];
    const started = async (engine: EngineChild) => {
      engines.push(engine);
      return engine.waitForLog('engine started', (line) => line.msg === 'engine started');
    };
    try {
      const first = await started(
        spawnEngine(engineArgs('--partitions', '3', '--redis', seeds.join(',')), { SLUICE_LEDGER: ledger }),
      );
      // A second engine knows only one seed node (a replica) and finds the partition count the
      // first stored (started together, the one that stored first would decide: see the README).
      const second = await started(
        spawnEngine(engineArgs('--cluster', '--redis', seeds[3] as string), { SLUICE_LEDGER: ledger }),
      );
      for (const line of [first, second]) {
        expect(line).toMatchObject({ partitions: 3, redis: expect.stringContaining('cluster') });
      }
      const queue = openQueue(name);
      const ids = await queue.addBulk(Array.from({ length: 600 }, (_, i) => ({ payload: { i } })));
      await waitFor('600 completions', async () => (await queue.counts()).completed === 600);
      const lines = readLedger(ledger);
      expect(new Set(lines.map((l) => l.id))).toEqual(new Set(ids));
      expect(lines).toHaveLength(600);
      for (const engine of engines) engine.signal('SIGTERM');
      for (const engine of engines)
        expect(await engine.waitForExit(15_000)).toEqual({ code: 0, signal: null });
      await queue.obliterate();
      await queue.close();
    } finally {
      await Promise.all(engines.map((engine) => engine.dispose()));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';

// No OpenTelemetry SDK is registered in this file's process.
describe('tracing with no OpenTelemetry SDK registered', () => {
  it('writes records without a trace context, byte for byte as before, and runs them', async () => {
    const name = queueName('trace-off');
    const queue = openQueue(name);
    const one = await queue.add({ n: 1 });
    const [two, three] = await queue.addBulk([
      { payload: { n: 2 } },
      { payload: { n: 3 }, opts: { attempts: 5, priority: 1 } },
    ]);
    const records = await queue.redis.hmget(queue.keys.jobs, one, two as string, three as string);
    expect(records[0]).toMatch(/^\d+\|0\|\|\{"n":1\}$/);
    expect(records[1]).toMatch(/^\d+\|0\|\|\{"n":2\}$/);
    expect(records[2]).toMatch(/^\d+\|0\|5,0,e,1000,0,0,0,1\|\{"n":3\}$/);
    const engine = await startEngine({ queue: name, handler: handlerPath('echo'), threads: 1 });
    await waitFor('3 completed', async () => (await queue.counts()).completed === 3);
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0, dead: 0 });
    await engine.stop();
    await queue.close();
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquire } from '../dist/redis/acquire.js';
import { writeProgress } from '../dist/redis/progress.js';
import { settle } from '../dist/redis/settle.js';
import { handlerPath, openQueue, queueName, startEngine, waitFor } from './helpers/index.js';

describe('progress', () => {
  it('shows the latest ctx.progress() in getJob while the job runs, and clears it when it ends', async () => {
    const name = queueName('progress');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('reports-progress') });
    const id = await queue.add({ steps: 8, ms: 150 });

    const seen: number[] = [];
    await waitFor('progress to reach step 3', async () => {
      const job = await queue.getJob(id);
      const step = (job?.progress as { step?: number } | undefined)?.step;
      if (step !== undefined && seen.at(-1) !== step) seen.push(step);
      return step !== undefined && step >= 3;
    });
    expect(seen.every((step, i) => i === 0 || step > (seen[i - 1] as number))).toBe(true);
    expect((await queue.getJob(id))?.progress).toMatchObject({ of: 8 });
    await waitFor('completion', async () => (await queue.counts()).completed === 1);
    expect(await queue.redis.exists(queue.keys.progress)).toBe(0);
    await engine.stop();
    await queue.close();
  });

  it('refuses a progress value over 4 KiB with a TypeError in the handler; the job goes on', async () => {
    const name = queueName('progress-big');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: handlerPath('reports-progress') });
    const file = join(tmpdir(), `sluice-progress-${process.pid}-${Date.now()}`);
    await queue.add({ steps: 1, ms: 0, bad: file });
    await waitFor('completion', async () => (await queue.counts()).completed === 1);
    await engine.stop();
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(
      /^TypeError: progress: \d+ bytes of JSON is over the 4 KiB progress limit/,
    );
    await queue.close();
  });

  it("fences progress by token: a stale lease's write is ignored, the current one's is kept", async () => {
    const queue = openQueue(queueName('progress-fenced'));
    const id = await queue.add({});
    const [job] = (await acquire(queue.redis, queue.keys, 1, 30_000, 0)).jobs;
    const { token } = job as { token: number };
    expect(await writeProgress(queue.redis, queue.keys, [{ id, token: token - 1, json: '"stale"' }])).toBe(0);
    expect(await writeProgress(queue.redis, queue.keys, [{ id, token, json: '"half"' }])).toBe(1);
    expect((await queue.getJob(id))?.progress).toBe('half');
    await settle(queue.redis, queue.keys, [{ id, token }], []);
    expect(await writeProgress(queue.redis, queue.keys, [{ id, token, json: '"late"' }])).toBe(0);
    expect(await queue.redis.hget(queue.keys.progress, id)).toBeNull();
    await queue.close();
  });
});

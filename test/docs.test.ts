import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../dist/index.js';
import { KEY_NAMES } from '../dist/redis/keys.js';
import { openQueue, redisUrl, silent, startEngine, waitFor } from './helpers/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const run = promisify(execFile);

describe('README', () => {
  it('documents every error code', () => {
    const undocumented = Object.values(ErrorCode).filter((code) => !readme.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents every Redis key of a queue in "Under the hood"', () => {
    const missing = [...KEY_NAMES, 'wake'].filter((name) => !readme.includes(`\`sluice:{q}:${name}\``));
    expect(missing).toEqual([]);
  });

  it('names commands that exist in package.json', () => {
    const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts;
    for (const command of readme.matchAll(/^npm (start|test)$/gm)) {
      expect(scripts).toHaveProperty(command[1] as string);
    }
    expect(readme).toMatch(/^npm test$/m);
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });
});

describe('examples', () => {
  it('examples/produce.js adds jobs that the example handler completes', async () => {
    const queue = openQueue('default');
    await queue.redis.del(...KEY_NAMES.map((k) => `sluice:{default}:${k}`));
    const { stdout } = await run(process.execPath, ['examples/produce.js', '25'], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    expect(stdout).toContain('added 25 jobs');
    const engine = await startEngine({ queue: 'default', handler: 'examples/handler.js', logger: silent });
    await waitFor('25 completed', async () => (await queue.counts()).completed === 25);
    expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0, dead: 0 });
    await engine.stop();
    await queue.close();
  });
});

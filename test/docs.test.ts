import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ApiCode } from '../dist/api/errors.js';
import { ErrorCode } from '../dist/index.js';
import { KEY_NAMES, QUEUE_REGISTRY, REGISTRY_SWEPT } from '../dist/redis/keys.js';
import { openQueue, queueName, redisUrl, silent, startEngine, waitFor } from './helpers/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const run = promisify(execFile);

describe('README', () => {
  it('documents every error code', () => {
    const undocumented = Object.values(ErrorCode).filter((code) => !readme.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents every API error code in the Operator API table', () => {
    const api = readme.slice(readme.indexOf('## Operator API'));
    const undocumented = Object.values(ApiCode).filter((code) => !api.includes(`| \`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents the registry keys that belong to no queue', () => {
    for (const key of [QUEUE_REGISTRY, REGISTRY_SWEPT]) expect(readme).toContain(`| \`${key}\``);
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

describe('ARCHITECTURE.md', () => {
  const architecture = readFileSync(new URL('../ARCHITECTURE.md', import.meta.url), 'utf8');
  const root = new URL('../', import.meta.url);

  it('names only files and folders that exist', () => {
    const paths = [...architecture.matchAll(/`((?:src|lua|ui)\/[\w./<>-]*)`/g)].map((m) => m[1] as string);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(new URL(path, root)))).toEqual([]);
  });

  it('gives each folder of src/ the imports biome.json allows it', () => {
    const biome = JSON.parse(readFileSync(new URL('../biome.json', import.meta.url), 'utf8'));
    const folders = readdirSync(new URL('../src/', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'types')
      .map((entry) => entry.name);
    const layers = folders.filter((folder) => folder !== 'cli');
    for (const folder of layers) {
      const override = biome.overrides.find(
        (o: { includes: string[] }) => o.includes[0] === `src/${folder}/**`,
      );
      const banned: string[] = override.linter.rules.style.noRestrictedImports.options.patterns[0].group.map(
        (pattern: string) => pattern.split('/')[1],
      );
      const row = architecture.split('\n').find((line) => line.startsWith(`| \`src/${folder}/\``));
      expect(row, folder).toBeDefined();
      const allowed = [...String((row as string).split('|')[3]).matchAll(/`(\w+)`/g)].map((m) => m[1]);
      const expected = folders.filter((other) => other !== folder && !banned.includes(other));
      expect(allowed.sort(), folder).toEqual(expected.sort());
    }
    expect(architecture).toContain('| `src/cli/`');
  });

  it('says who writes every Redis key of a queue', () => {
    const table = architecture.slice(architecture.indexOf('## Redis keys of a queue'));
    const missing = KEY_NAMES.filter((name) => !new RegExp(`^\\| [^|]*\`${name}\``, 'm').test(table));
    expect(missing).toEqual([]);
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

  it('examples/ask.js, shown in the README, prints the result the engine computed', async () => {
    const example = readFileSync(new URL('../examples/ask.js', import.meta.url), 'utf8');
    expect(readme).toContain(example);
    const engine = await startEngine({ queue: 'default', handler: 'examples/handler.js', logger: silent });
    const { stdout } = await run(process.execPath, ['examples/ask.js', 'hello'], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    await engine.stop();
    expect(stdout.trim()).toBe(`sha256: ${createHash('sha256').update('hello').digest('hex')}`);
  });

  it('examples/job-control.js, shown in the README, sees progress, cancels, and keeps a jobId unique', async () => {
    const example = readFileSync(new URL('../examples/job-control.js', import.meta.url), 'utf8');
    expect(readme).toContain(example);
    const { stdout } = await run(process.execPath, ['examples/job-control.js'], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    const lines = stdout.split('\n').filter((line) => !line.startsWith('{'));
    expect(lines.slice(0, 6)).toEqual([
      'again: report-2027-01',
      expect.stringMatching(/^progress: \{"step":\d+,"of":50\}$/),
      'cancel: stopped',
      'runAt: delayed',
      'cancel: removed',
      '',
    ]);
  });

  it('examples/events.js, shown in the README, prints the events after an id', async () => {
    const example = readFileSync(new URL('../examples/events.js', import.meta.url), 'utf8');
    expect(readme).toContain(example);
    const queue = openQueue(queueName('events-example'));
    await queue.setEvents(true);
    const [first] = await queue.addBulk([{ payload: 1 }]);
    const [second] = await queue.addBulk([{ payload: 2 }]);
    const { stdout } = await run(process.execPath, ['examples/events.js', queue.name, '0', '2'], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ').slice(1).join(' ')),
    ).toEqual([`added ${first}`, `added ${second}`]);
    await queue.close();
  });

  it('examples/tracing.js, shown in the README with its SDK setup, puts add, run and handler spans in one trace', async () => {
    for (const file of ['tracing.js', 'tracing-setup.js']) {
      expect(readme).toContain(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8'));
    }
    const name = queueName('tracing-example');
    const { stdout } = await run(process.execPath, ['examples/tracing.js', name], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    // The engine's log lines are JSON; the rest are the example's.
    const lines = stdout
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('{'));
    expect(lines.filter((line) => line === 'HELLO')).toHaveLength(1);
    const spans = new Map(
      lines.filter((line) => line !== 'HELLO').map((line) => [line.slice(33), line.slice(0, 32)]),
    );
    expect([...spans.keys()].sort()).toEqual([
      `main send ${name}`,
      `main settle ${name}`,
      `thread process ${name}`,
      'thread shout',
    ]);
    const trace = spans.get(`main send ${name}`);
    expect(trace).toMatch(/^[0-9a-f]{32}$/);
    expect(spans.get(`thread process ${name}`)).toBe(trace);
    expect(spans.get('thread shout')).toBe(trace);
  });

  it('examples/retry-handler.js, shown in the README, dead-letters at once or retries on its own schedule', async () => {
    const example = readFileSync(new URL('../examples/retry-handler.js', import.meta.url), 'utf8');
    expect(readme).toContain(example);
    const name = queueName('retry-example');
    const queue = openQueue(name);
    const engine = await startEngine({ queue: name, handler: 'examples/retry-handler.js' });
    const hopeless = await queue.add({}, { attempts: 5 });
    const busy = await queue.add(
      { to: 'ada@example.com', busy: true },
      { attempts: 3, backoff: { type: 'fixed', delay: 60_000 } },
    );
    await queue.add({ to: 'ada@example.com' });

    await waitFor('both failing jobs dead', async () => (await queue.counts()).dead === 2);
    const letters = (await queue.listDead()).items;
    await engine.stop();
    const errors = (id: string) => letters.find((letter) => letter.id === id)?.errors ?? [];
    expect(errors(hopeless).map((e) => e.name)).toEqual(['UnrecoverableError']);
    const at = errors(busy).map((e) => e.at);
    expect(at).toHaveLength(3);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(50);
    expect((at[2] as number) - (at[1] as number)).toBeGreaterThanOrEqual(100);
    expect((await queue.counts()).completed).toBe(1);
    await queue.close();
  });
});

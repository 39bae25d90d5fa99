import { availableParallelism, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCli, toArgv, USAGE, UsageError } from '../../dist/cli/args.js';
import { childArgv } from '../../dist/cli/supervisor.js';

const REQUIRED = ['--queue', 'emails', '--handler', './handler.js'];

function args(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseCli(argv, env);
  if (parsed.help) throw new Error('parsed as --help');
  return parsed.args;
}

function usageError(argv: string[]): UsageError {
  try {
    parseCli(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCli', () => {
  it('fills in the defaults', () => {
    expect(args(REQUIRED)).toEqual({
      queue: 'emails',
      handler: './handler.js',
      threads: undefined,
      concurrency: undefined,
      tasksPerThread: undefined,
      processes: 1,
      redis: undefined,
      cluster: false,
      partitions: undefined,
      startRedis: false,
      leaseMs: undefined,
      batch: undefined,
      graceMs: undefined,
      janitorMs: undefined,
      threadMemoryMb: undefined,
      engineName: undefined,
      api: undefined,
      apiTokens: {},
      logLevel: 'info',
    });
  });

  it('reads every flag', () => {
    expect(
      args([
        ...REQUIRED,
        '--threads=4',
        '--concurrency',
        '50',
        '--tasks-per-thread',
        '2',
        '--processes',
        '3',
        '--redis',
        'redis://h:1',
        '--cluster',
        '--partitions',
        '6',
        '--start-redis',
        '--lease-ms',
        '1000',
        '--batch',
        '10',
        '--grace-ms',
        '0',
        '--janitor-ms',
        '200',
        '--thread-memory-mb',
        '64',
        '--engine-name',
        'eu-1.worker_a',
        '--api',
        '0.0.0.0:3000',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      queue: 'emails',
      handler: './handler.js',
      threads: 4,
      concurrency: 50,
      tasksPerThread: 2,
      processes: 3,
      redis: 'redis://h:1',
      cluster: true,
      partitions: 6,
      startRedis: true,
      leaseMs: 1000,
      batch: 10,
      graceMs: 0,
      janitorMs: 200,
      threadMemoryMb: 64,
      engineName: 'eu-1.worker_a',
      api: { host: '0.0.0.0', port: 3000 },
      apiTokens: {},
      logLevel: 'debug',
    });
  });

  it('reads --api as PORT, HOST:PORT or [IPv6]:PORT, and the API tokens only from the environment', () => {
    expect(args([...REQUIRED, '--api', '3000']).api).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(args([...REQUIRED, '--api=[::1]:8080']).api).toEqual({ host: '::1', port: 8080 });
    expect(
      args(REQUIRED, { SLUICE_API_TOKEN: 'a'.repeat(20), SLUICE_API_READ_TOKEN: 'r'.repeat(20) }).apiTokens,
    ).toEqual({ admin: 'a'.repeat(20), read: 'r'.repeat(20) });
    for (const bad of ['', 'host:', ':80', '70000', 'a b:1']) {
      expect(usageError([...REQUIRED, '--api', bad]).message).toMatch(/--api must be PORT or HOST:PORT/);
    }
  });

  it('--help wins over everything, even missing flags', () => {
    expect(parseCli(['--help'])).toEqual({ help: true });
    expect(parseCli([...REQUIRED, '--help'])).toEqual({ help: true });
  });

  it('uses REDIS_URL from the environment when no --redis is given', () => {
    expect(args(REQUIRED, { REDIS_URL: 'redis://env:6380' }).redis).toBe('redis://env:6380');
    expect(args([...REQUIRED, '--redis', 'redis://flag:1'], { REDIS_URL: 'redis://env:6380' }).redis).toBe(
      'redis://flag:1',
    );
    expect(args(REQUIRED, { REDIS_URL: '' }).redis).toBeUndefined();
  });

  it('--engine-name names the engine label; a supervised process gets NAME:SLOT, or HOST:SLOT without it', () => {
    expect(args([...REQUIRED, '--engine-name=api-7']).engineName).toBe('api-7');
    const argv = [...REQUIRED, '--processes', '3', '--engine-name', 'box', '--threads', '2'];
    const forSlot = (slot: number) => childArgv(args(argv), 'redis://h:1', slot);
    expect(forSlot(2)).toEqual([
      ...REQUIRED,
      '--threads',
      '2',
      '--processes',
      '1',
      '--redis',
      'redis://h:1',
      '--engine-name',
      'box:2',
    ]);
    // the child parses what it is given: its slot's name, whatever the restart
    expect(args(forSlot(0)).engineName).toBe('box:0');
    const unnamed = [...REQUIRED, '--processes=2', '--threads=1'];
    expect(args(childArgv(args(unnamed), 'redis://h:1', 1)).engineName).toBe(`${hostname()}:1`);
  });

  it('--processes auto is one per core', () => {
    expect(args([...REQUIRED, '--processes', 'auto']).processes).toBe(availableParallelism());
  });

  it('throws UsageError naming the problem for every bad invocation', () => {
    const cases: [string[], RegExp][] = [
      [[...REQUIRED, '--frobnicate'], /--frobnicate/],
      [[...REQUIRED, 'stray'], /stray/],
      [['--handler', './h.js'], /--queue/],
      [['--queue', 'q'], /--handler/],
      [['--queue', '', '--handler', './h.js'], /--queue/],
      [[...REQUIRED, '--threads', 'abc'], /--threads.*"abc"/],
      [[...REQUIRED, '--threads', '0'], /--threads/],
      [[...REQUIRED, '--threads', '1.5'], /--threads/],
      [[...REQUIRED, '--threads', '-2'], /--threads/],
      [[...REQUIRED, '--tasks-per-thread', '0'], /--tasks-per-thread/],
      [[...REQUIRED, '--processes', 'many'], /--processes/],
      [[...REQUIRED, '--processes', '0'], /--processes/],
      [[...REQUIRED, '--lease-ms', '1e3'], /--lease-ms/],
      [[...REQUIRED, '--batch', ''], /--batch/],
      [[...REQUIRED, '--grace-ms', '-1'], /--grace-ms/],
      [[...REQUIRED, '--janitor-ms', 'soon'], /--janitor-ms/],
      [[...REQUIRED, '--thread-memory-mb', '0x10'], /--thread-memory-mb/],
      [[...REQUIRED, '--log-level', 'loud'], /--log-level.*loud/],
      [[...REQUIRED, '--threads'], /--threads/],
      [[...REQUIRED, '--engine-name', ''], /--engine-name.*""/],
      [[...REQUIRED, '--engine-name', 'a b'], /--engine-name.*"a b"/],
      [[...REQUIRED, '--engine-name', 'x'.repeat(101)], /--engine-name/],
      [[...REQUIRED, '--engine-name=é'], /--engine-name.*"é"/],
    ];
    for (const [argv, message] of cases) {
      expect(usageError(argv).message, argv.join(' ')).toMatch(message);
    }
  });
});

const EVERY_FLAG = [
  ...REQUIRED,
  '--threads=4',
  '--concurrency',
  '0',
  '--tasks-per-thread',
  '2',
  '--processes',
  '3',
  '--redis',
  'redis://a:1,redis://b:2',
  '--cluster',
  '--partitions',
  '6',
  '--start-redis',
  '--lease-ms',
  '1000',
  '--batch',
  '10',
  '--grace-ms',
  '0',
  '--janitor-ms',
  '200',
  '--thread-memory-mb',
  '64',
  '--max-result-bytes',
  '4096',
  '--engine-name',
  'eu-1.worker_a',
  '--api',
  '[::1]:3000',
  '--log-level',
  'debug',
];

describe('flags written back from parsed options', () => {
  it('toArgv parses back to the same options', () => {
    const env = { SLUICE_API_TOKEN: 'a'.repeat(20) };
    for (const argv of [REQUIRED, EVERY_FLAG, ['--queue=-q', '--handler=-h.js', '--engine-name=-e']]) {
      const parsed = args(argv, env);
      expect(args(toArgv(parsed), env), argv.join(' ')).toEqual(parsed);
    }
  });

  it("a supervised child's argv parses to the supervisor's options but for its slot's own", () => {
    for (const argv of [[...REQUIRED, '--processes', '2'], EVERY_FLAG]) {
      const parent = args(argv);
      const child = args(childArgv(parent, 'redis://seed:7000', 1));
      expect(child).toEqual({
        ...parent,
        threads: parent.threads ?? Math.max(1, Math.floor(availableParallelism() / parent.processes)),
        processes: 1,
        redis: 'redis://seed:7000',
        startRedis: false,
        api: undefined,
        engineName: `${parent.engineName ?? hostname()}:1`,
      });
    }
  });

  it('--help lists every flag', () => {
    for (const flag of EVERY_FLAG.filter((arg) => arg.startsWith('--'))) {
      expect(USAGE).toContain(`  ${flag.split('=')[0]} `);
    }
    expect(USAGE).toContain('  --help ');
  });
});

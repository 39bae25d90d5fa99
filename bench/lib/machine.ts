import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Machine {
  cores: number;
  cpuModel: string;
  totalMemoryGiB: number;
  os: string;
  node: string;
  redis: string;
  versions: Record<string, string>;
  /** The commit Sluice was built from, '+changes' when src/ or lua/ differed from it. */
  sluiceCommit: string;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Installed version of a package (read from its package.json: some packages' exports hide it). */
export function packageVersion(name: string): string {
  const path = name === 'sluice' ? `${ROOT}package.json` : `${ROOT}node_modules/${name}/package.json`;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export const VERSIONED = [
  'sluice',
  'bullmq',
  'bee-queue',
  'piscina',
  'ioredis',
  'tinybench',
  'hdr-histogram-js',
] as const;

function sluiceCommit(): string {
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD');
  if (!commit) return 'unknown';
  return git('status', '--porcelain', '--', 'src', 'lua') ? `${commit}+changes` : commit;
}

export function machine(redisVersion: string): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    redis: redisVersion,
    versions: Object.fromEntries(VERSIONED.map((name) => [name, packageVersion(name)])),
    sluiceCommit: sluiceCommit(),
  };
}

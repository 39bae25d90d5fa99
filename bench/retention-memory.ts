/**
 * Redis memory over a long run, with and without retention (issue 6, item 9).
 *
 *   npx tsx bench/retention-memory.ts [--jobs 1000000] [--every 50000]
 *
 * Starts its own redis-server (free port, no persistence), pushes the jobs through one engine
 * (no-op handler, 2 threads) once with retention { completed: { count: 1000 } } and once with
 * none, and samples INFO used_memory every `--every` completions. The producer keeps the backlog
 * under 10,000 jobs, so the curve shows what completed jobs leave behind, not the queue's length.
 * Prints a table and writes bench/results/retention-memory.json. Needs `npm run build` first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Engine, Queue, type Retention } from 'sluice';
import { onCleanup } from './lib/processes.js';
import { parseInfo, startRedis } from './lib/redis-server.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '1000000' }, every: { type: 'string', default: '50000' } },
});
const JOBS = Number(values.jobs);
const EVERY = Number(values.every);
const BACKLOG = 10_000;
const CHUNK = 1000;

interface Sample {
  /** The sampling point (a multiple of --every); completed is what had completed when read. */
  mark: number;
  completed: number;
  usedMemory: number;
  kept: number;
  waiting: number;
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-retention-'));
onCleanup(() => rmSync(dir, { recursive: true, force: true }));
const handler = join(dir, 'noop.mjs');
writeFileSync(handler, 'export default async function noop() {}\n');

const redis = await startRedis('mem');

async function usedMemory(): Promise<number> {
  return Number(parseInfo(await redis.admin.info('memory')).get('used_memory'));
}

async function run(label: string, retention: Retention | undefined): Promise<Sample[]> {
  await redis.admin.flushall();
  const connection = `redis://127.0.0.1:${redis.port}`;
  const queue = new Queue(`mem-${label}`, { connection });
  if (retention) await queue.setRetention(retention);
  const engine = await Engine.start({
    connection,
    queue: queue.name,
    handler,
    threads: 2,
    logger: pino({ level: 'warn' }),
  });
  const samples: Sample[] = [{ mark: 0, completed: 0, usedMemory: await usedMemory(), kept: 0, waiting: 0 }];
  const payloads = Array.from({ length: CHUNK }, (_, i) => ({ payload: { n: i, note: 'retention bench' } }));
  let added = 0;
  let next = EVERY;
  const started = performance.now();
  while (next <= JOBS) {
    const { completed, waiting } = await queue.counts();
    if (completed >= next) {
      const kept = await queue.redis.zcard(queue.keys.completed);
      samples.push({ mark: next, completed, usedMemory: await usedMemory(), kept, waiting });
      process.stderr.write(`${label}: ${completed} completed, used_memory ${samples.at(-1)?.usedMemory}\n`);
      next += EVERY;
      continue;
    }
    if (added < JOBS && waiting < BACKLOG) {
      const n = Math.min(CHUNK, JOBS - added);
      await queue.addBulk(n === CHUNK ? payloads : payloads.slice(0, n));
      added += n;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${label}: ${JOBS} jobs in ${seconds.toFixed(1)} s\n`);
  await engine.stop();
  await queue.close();
  return samples;
}

const runs = {
  none: await run('none', undefined),
  count1000: await run('count1000', { completed: { count: 1000 } }),
};
await redis.stop();

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
const rows = runs.none.map((s, i) => {
  const r = runs.count1000[i] as Sample;
  const waiting = `${s.waiting} / ${r.waiting}`;
  return `| ${s.mark.toLocaleString('en')} | ${mib(s.usedMemory)} | ${mib(r.usedMemory)} | ${r.kept} | ${waiting} |`;
});
console.log(
  [
    '| completed | no retention: used_memory (MiB) | completed.count 1000: used_memory (MiB) | records kept | waiting (none / 1000) |',
    '| --------: | ------------------------------: | --------------------------------------: | -----------: | --------------------: |',
    ...rows,
  ].join('\n'),
);
writeFileSync(
  new URL('./results/retention-memory.json', import.meta.url),
  `${JSON.stringify({ jobs: JOBS, every: EVERY, threads: 2, backlogUnder: BACKLOG, runs }, null, 2)}\n`,
);
process.exit(0);

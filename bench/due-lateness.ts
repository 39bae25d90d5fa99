/**
 * How late delayed jobs start: `npx tsx bench/due-lateness.ts [--jobs 2000] [--loads 0,20000,50000]`.
 * For each background load (plain jobs/s added while it runs), 2,000 jobs get a runAt spread over
 * the next 2-12 s; the handler reports when each started. Lateness = start − runAt, with the
 * local wall clock mapped onto the Redis clock (same machine: the offset is measured once).
 * Prints p50/p90/p99/max per load and writes bench/results/due-lateness.json.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BroadcastChannel } from 'node:worker_threads';
import { pino } from 'pino';
import { Engine, Queue } from '../dist/index.js';
import { startRedis } from './lib/redis-server.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '2000' }, loads: { type: 'string', default: '0,20000,50000' } },
});
const JOBS = Number(values.jobs);
const LOADS = String(values.loads).split(',').map(Number);
const HANDLER = fileURLToPath(new URL('./handlers/due-lateness.js', import.meta.url));
const SPREAD_MS = [2000, 12_000] as const;

const wall = () => performance.timeOrigin + performance.now();

async function redisOffset(queue: Queue): Promise<number> {
  const before = wall();
  const [s, us] = (await queue.redis.time()) as unknown as [string, string];
  const after = wall();
  return Number(s) * 1000 + Number(us) / 1000 - (before + after) / 2;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function run(port: number, load: number) {
  const connection = `redis://127.0.0.1:${port}`;
  const name = `due-${load}`;
  const queue = new Queue(name, { connection });
  const engine = await Engine.start({
    queue: name,
    handler: HANDLER,
    connection,
    threads: 2,
    logger: pino({ level: 'silent' }),
  });
  const offset = await redisOffset(queue);
  const samples: number[] = [];
  const channel = new BroadcastChannel('sluice-bench:due');
  channel.onmessage = (event) => {
    const [due, started] = (event as MessageEvent).data as [number, number];
    samples.push(started + offset - due);
  };
  const now = wall() + offset;
  const due = Array.from({ length: JOBS }, () =>
    Math.round(now + SPREAD_MS[0] + Math.random() * (SPREAD_MS[1] - SPREAD_MS[0])),
  );
  for (let i = 0; i < JOBS; i += 500) {
    await queue.addBulk(due.slice(i, i + 500).map((t) => ({ payload: { due: t }, opts: { runAt: t } })));
  }
  // Background load: plain jobs every 10 ms until the last due time has passed.
  const end = Math.max(...due) + 500;
  let added = 0;
  const started = wall();
  while (wall() + offset < end) {
    if (load > 0) {
      const owed = Math.floor(((wall() - started) / 1000) * load) - added;
      if (owed > 0) {
        await queue.addBulk(Array.from({ length: owed }, () => ({ payload: {} })));
        added += owed;
      }
    }
    await sleep(10);
  }
  for (let i = 0; i < 200 && samples.length < JOBS; i++) await sleep(25);
  const seconds = (wall() - started) / 1000;
  const counts = await queue.counts();
  channel.close();
  await engine.stop();
  await queue.close();
  const sorted = samples.sort((a, b) => a - b);
  return {
    load,
    offeredPerSec: Math.round(added / seconds),
    completed: counts.completed,
    jobs: sorted.length,
    minMs: sorted[0] ?? Number.NaN,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

const server = await startRedis('mem');
const rows = [];
try {
  for (const load of LOADS) rows.push(await run(server.port, load));
} finally {
  await server.stop();
}
const fmt = (n: number) => n.toFixed(1);
console.log('| background load (jobs/s) | delayed jobs | min | p50 | p90 | p99 | max (ms late) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.offeredPerSec} | ${r.jobs} | ${fmt(r.minMs)} | ${fmt(r.p50Ms)} | ${fmt(r.p90Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} |`,
  );
}
writeFileSync(
  new URL('./results/due-lateness.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
);

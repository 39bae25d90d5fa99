// Writes docs/monitor.png, the monitor's overview at 1280×800 shown in the README, after a few
// minutes of varying load on a throwaway redis-server: two engine processes, a few failing jobs.
// Needs a build (npm run build) and Chromium at /usr/bin/chromium (or $CHROMIUM_PATH).
//   npx tsx scripts/screenshot.ts [--seconds 150]
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { startApiServer } from '../dist/api/server.js';
import { Queue } from '../dist/index.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { CHROMIUM } from './chromium.mjs';

const OUT = fileURLToPath(new URL('../docs/monitor.png', import.meta.url));
const ENGINE = fileURLToPath(new URL('../dist/engine.js', import.meta.url));
const HANDLER = fileURLToPath(new URL('../test/fixtures/handlers/flag-fails.js', import.meta.url));
const QUEUE = 'emails';

const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag === -1 ? 150 : Number(process.argv[secondsFlag + 1]);
if (!Number.isFinite(seconds) || seconds < 10) throw new Error('--seconds must be a number ≥ 10');

const logger = pino({ level: 'silent' });
const scratch = mkdtempSync(join(tmpdir(), 'sluice-screenshot-'));
const flag = join(scratch, 'flag');
writeFileSync(flag, '');

const redis = await startRedisServer();
const queue = new Queue(QUEUE, { connection: redis.url });
const engines: ChildProcess[] = [0, 1].map(() =>
  spawn(
    process.execPath,
    [
      ENGINE,
      '--queue',
      QUEUE,
      '--handler',
      HANDLER,
      '--threads',
      '2',
      '--redis',
      redis.url,
      '--log-level',
      'warn',
      '--grace-ms',
      '1000',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  ),
);
let loading = true;

/** Adds jobs every 200 ms, at a rate that swings over 70 s; 1 % of them fail twice and die. */
async function load(): Promise<void> {
  const started = performance.now();
  while (loading) {
    const t = (performance.now() - started) / 1000;
    const perTick = Math.round(24 * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 70)) + 8 * Math.random());
    await queue.addBulk(
      Array.from({ length: perTick }, () =>
        Math.random() < 0.01
          ? {
              payload: { to: 'bounce@example.com', flag },
              opts: { attempts: 2, backoff: { type: 'fixed', delay: 500 } },
            }
          : { payload: { to: 'ada@example.com', ms: 60 } },
      ),
    );
    await sleep(200);
  }
}

const api = await startApiServer({
  host: '127.0.0.1',
  port: 0,
  queues: [QUEUE],
  connection: redis.url,
  logger,
});
try {
  console.log(`running ${seconds} s of load on ${QUEUE}…`);
  const producer = load();
  await sleep(seconds * 1000);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.route('**/*', (route) =>
      route.request().url().startsWith(api.url) || route.request().url().startsWith('data:')
        ? route.continue()
        : route.abort(),
    );
    await page.goto(api.url);
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await page.getByTestId('engines').waitFor();
    await sleep(1500);
    mkdirSync(join(OUT, '..'), { recursive: true });
    await page.screenshot({ path: OUT });
    console.log(`wrote ${OUT}`);
  } finally {
    await browser.close();
    loading = false;
    await producer;
  }
} finally {
  loading = false;
  await api.close();
  await Promise.all(
    engines.map(async (engine) => {
      if (engine.exitCode !== null) return;
      engine.kill('SIGTERM');
      await once(engine, 'exit');
    }),
  );
  await queue.close();
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
}

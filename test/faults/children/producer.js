// A producer process for the fault suite: adds jobs in chunks and logs, synchronously, one line per
// acknowledged id ("A <id> <ms since start> <call latency ms>") and one per refused call
// ("E <message>"), so a kill -9 of anything never loses an acknowledgement already returned.
// Config: one JSON argument (see ProducerConfig in ../lib/processes.ts).
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from '../../../dist/index.js';

const config = JSON.parse(process.argv[2]);
const queue = new Queue(config.queue, { connection: config.url });
queue.redis.on('error', () => {}); // refusals are logged per call below
const started = performance.now();
let acked = 0;
let n = 0;
let failures = 0;

function job(i) {
  const payload = { ...config.payload, n: i, sentAt: Date.now() };
  if (config.payload.msMax !== undefined) {
    payload.ms =
      config.payload.msMin + Math.floor(Math.random() * (config.payload.msMax - config.payload.msMin + 1));
  }
  const opts = { ...config.opts };
  if (config.dupEvery && i % config.dupEvery === 0)
    opts.jobId = `${config.dupPrefix}-${(i / config.dupEvery) % config.dupKeys}`;
  return { payload, opts };
}

while (acked < config.count) {
  const size = Math.min(config.chunk, config.count - acked);
  const batch = Array.from({ length: size }, (_, k) => job(n + k));
  const t0 = performance.now();
  try {
    const ids = await queue.addBulk(batch);
    const t1 = performance.now();
    const at = Math.round(t1 - started);
    const latency = (t1 - t0).toFixed(2);
    appendFileSync(config.log, ids.map((id) => `A ${id} ${at} ${latency}\n`).join(''));
    acked += ids.length;
    n += size;
    failures = 0;
  } catch (error) {
    appendFileSync(config.log, `E ${String(error.message).replaceAll('\n', ' ')}\n`);
    failures += 1;
    if (config.stopAfterFailures && failures >= config.stopAfterFailures) break;
    await sleep(100);
  }
  if (config.pauseMs) await sleep(config.pauseMs);
}
appendFileSync(config.log, 'DONE\n');
await queue.close();

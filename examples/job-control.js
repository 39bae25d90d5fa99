// Progress, cancellation, runAt and uniqueFor in one run: `node examples/job-control.js`
// (REDIS_URL or 127.0.0.1:6379). It starts an engine in this process.
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, Queue } from 'sluice';

const connection = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const name = `job-control-${process.pid}`;
const handler = new URL('./progress-handler.js', import.meta.url).pathname;
const engine = await Engine.start({ queue: name, handler, connection, threads: 1 });
const queue = new Queue(name, { connection });

// A jobId is taken while its job exists and, with uniqueFor, that long after it completes.
const id = await queue.add({ steps: 50 }, { jobId: 'report-2027-01', uniqueFor: 86_400_000 });
console.log('again:', await queue.add({ steps: 50 }, { jobId: 'report-2027-01', uniqueFor: 86_400_000 }));

let job = await queue.getJob(id);
while (job?.progress === undefined) {
  await sleep(50);
  job = await queue.getJob(id);
}
console.log('progress:', JSON.stringify(job.progress));
console.log('cancel:', await queue.cancel(id)); // 'stopped': its ctx.signal fired

const [s] = await queue.redis.time();
const later = await queue.add({ steps: 1 }, { runAt: (Number(s) + 3600) * 1000 });
console.log('runAt:', (await queue.getJob(later))?.state);
console.log('cancel:', await queue.cancel(later)); // 'removed'

await engine.stop();
await queue.obliterate();
await queue.close();

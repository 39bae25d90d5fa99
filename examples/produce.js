// Adds jobs for the example handler: `node examples/produce.js [count]` (REDIS_URL or 127.0.0.1:6379).
import { Queue } from 'sluice';

const count = Number(process.argv[2] ?? 1000);
const queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const ids = await queue.addBulk(Array.from({ length: count }, (_, i) => ({ payload: { text: `job ${i}` } })));
console.log(`added ${ids.length} jobs (${ids[0]}..${ids.at(-1)}) to queue "default"`);
console.log(await queue.counts());
await queue.close();

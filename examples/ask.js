// Request/response over the queue: `node examples/ask.js "some text"` adds a job to "default" and
// prints its result once an engine running examples/handler.js has completed it.
import { Queue } from 'sluice';

const queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const { digest } = await queue.addAndWait(
  { text: process.argv[2] ?? 'hello' },
  { timeout: 5_000 },
  { waitMs: 10_000 },
);
console.log(`sha256: ${digest}`);
await queue.close();

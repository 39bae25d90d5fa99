// Caps a queue at 100 job starts per second, all engines together:
// `node examples/rate-limit.js [queue]` (REDIS_URL or 127.0.0.1:6379).
import { Queue } from 'sluice';

const queue = new Queue(process.argv[2] ?? 'emails', {
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
});
await queue.setRateLimit({ max: 100, duration: 1000 }); // at most 100 leases in any 1,000 ms
console.log('limit', JSON.stringify(await queue.rateLimit())); // {"max":100,"duration":1000}
await queue.close();

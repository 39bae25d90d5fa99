// Prints a queue's events as they happen: `node examples/events.js [queue] [from] [count]`.
// Save the last id it prints and pass it as `from` to carry on after a restart without a gap.
import { QueueEvents } from 'sluice';

const [queue = 'default', from = '$', count = 'Infinity'] = process.argv.slice(2);
const events = new QueueEvents(queue, { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
let left = Number(count);
for await (const event of events.stream({ from })) {
  console.log(event.id, event.type, event.jobIds.join(','));
  if (--left === 0) break;
}
await events.close();

// Traces a job from add to handler to settle: `node examples/tracing.js [queue]`.
import './tracing-setup.js';
import { Engine, Queue } from 'sluice';

const [name = 'traced'] = process.argv.slice(2);
const connection = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const handler = new URL('./traced-handler.js', import.meta.url);
const engine = await Engine.start({ queue: name, handler: handler.href, connection, threads: 1 });
const queue = new Queue(name, { connection });
console.log(await queue.addAndWait({ text: 'hello' })); // HELLO; each span prints a line as it ends
await engine.stop();
await queue.close();

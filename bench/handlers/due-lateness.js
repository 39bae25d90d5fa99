// Handler of bench/due-lateness.ts: a job carrying `due` (its runAt, Redis-clock ms) posts
// [due, wall time at handler start] to the main thread; background jobs do nothing.
import { BroadcastChannel } from 'node:worker_threads';

const channel = new BroadcastChannel('sluice-bench:due');
channel.unref();

export default function due(payload) {
  if (payload.due) channel.postMessage([payload.due, performance.timeOrigin + performance.now()]);
}

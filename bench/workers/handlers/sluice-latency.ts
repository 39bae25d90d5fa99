import { BroadcastChannel } from 'node:worker_threads';
import { FLUSH_MS, FLUSH_SAMPLES, LATENCY_CHANNEL } from './latency-channel.js';

/**
 * Sluice handler module for the steady-state scenario: takes the wall time at handler start
 * and sends [enqueuedAt, startedAt] to the engine's main thread, in batches.
 */
const channel = new BroadcastChannel(LATENCY_CHANNEL);
channel.unref();
const buffer = new Float64Array(FLUSH_SAMPLES * 2);
let used = 0;

function flush(): void {
  if (used === 0) return;
  channel.postMessage(buffer.slice(0, used));
  used = 0;
}

setInterval(flush, FLUSH_MS).unref();

export default function latency(payload: { t: number }): void {
  buffer[used++] = payload.t;
  buffer[used++] = performance.timeOrigin + performance.now();
  if (used === buffer.length) flush();
}

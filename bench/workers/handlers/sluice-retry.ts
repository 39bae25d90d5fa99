import { BroadcastChannel } from 'node:worker_threads';
import type { JobContext } from 'sluice';
import { type RetryPayload, type RetryReport, retryAttempt } from './failing.js';
import { RETRY_CHANNEL, type RetryMessage } from './retry-channel.js';

/** Sluice handler module for retry-lateness: fails each first attempt (see failing.ts). */
const channel = new BroadcastChannel(RETRY_CHANNEL);
channel.unref();
const post = (message: RetryMessage) => channel.postMessage(message);

const report: RetryReport = {
  retryDue: (id, at) => post(['due', id, at]),
  retryStarted: (id, at) => post(['started', id, at]),
};

export default function retry(payload: RetryPayload, ctx: JobContext): void {
  retryAttempt(payload, ctx.id, ctx.attempt, report);
}

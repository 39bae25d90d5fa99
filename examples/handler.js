// Example handler: `node dist/engine.js --queue default --handler examples/handler.js`.
// Runs in a worker thread; the payload is the JSON value given to queue.add().
import { createHash } from 'node:crypto';

/** @param {{ text?: string }} payload @param {import('sluice').JobContext} ctx */
export default async function handler(payload, ctx) {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const digest = createHash('sha256')
    .update(payload.text ?? '')
    .digest('hex');
  return { id: ctx.id, attempt: ctx.attempt, digest };
}

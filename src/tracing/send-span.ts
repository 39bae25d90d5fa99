/**
 * Producer side: one PRODUCER span per add (and addAndWait) and one per addBulk call, whose
 * context every job of the call carries. A bulk gets one span, not one per job: thousands of
 * spans would cost more than the write they describe, and the run spans already tell the jobs
 * apart (each is a child of the bulk's span and names its job id).
 */
import type { Tracer } from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { carry } from './carrier.js';
import { messagingAttributes } from './tracer.js';

/**
 * Runs `send` under a "send <queue>" span; `send` gets the header suffix carrying the span's
 * context (tracing/carrier.ts) and resolves with the ids written.
 */
export async function sendSpan(
  tracer: Tracer,
  queue: string,
  operation: 'add' | 'addBulk',
  count: number,
  send: (carried: string) => Promise<string[]>,
): Promise<string[]> {
  const attributes = messagingAttributes(queue, 'send', operation);
  if (operation === 'addBulk') attributes['messaging.batch.message_count'] = count;
  const span = tracer.startSpan(`send ${queue}`, { kind: SpanKind.PRODUCER, attributes });
  try {
    // Active while writing, so a Redis client's own instrumentation nests under it.
    const ids = await context.with(
      trace.setSpan(context.active(), span),
      send,
      undefined,
      carry(span.spanContext()),
    );
    if (operation === 'add' && ids[0] !== undefined) span.setAttribute('messaging.message.id', ids[0]);
    return ids;
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Thread side of tracing: a CONSUMER "process <queue>" span around each handler call, a child of
 * the context the job carries (the producer's span), made active while the handler runs so the
 * handler's own spans join the producer's trace. Uses this thread's @opentelemetry/api globals:
 * the SDK is the one the handler module (or a module it imports first) registered in the thread.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { parseCarried } from '../tracing/carrier.js';
import { messagingAttributes } from '../tracing/tracer.js';
import type { Outcome } from './protocol.js';

export interface RunSpan {
  span: Span;
  /** The context the handler runs in: the span's, under the producer's. */
  active: Context;
}

/** Starts a job's run span; `carried` is the record's trace context (DecodedRecord.trace). */
export function startRun(
  tracer: Tracer,
  queue: string,
  id: string,
  attempt: number,
  carried: string | undefined,
): RunSpan {
  const remote = carried === undefined ? undefined : parseCarried(carried);
  const parent = remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
  const attributes = messagingAttributes(queue, 'process', 'process');
  attributes['messaging.message.id'] = id;
  attributes['sluice.job.attempt'] = attempt;
  const span = tracer.startSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, active: trace.setSpan(parent, span) };
}

/** Calls the handler with the run span's context active (context.with carries it across awaits). */
export function runIn<A extends unknown[], R>(run: RunSpan, fn: (...args: A) => R, ...args: A): R {
  return context.with(run.active, fn, undefined, ...args);
}

/** Ends a run span with the job's outcome: an error status naming the failure's reason. */
export function endRun({ span }: RunSpan, outcome: Outcome | undefined, error: unknown): void {
  if (outcome !== undefined && typeof outcome === 'object' && 'reason' in outcome) {
    span.setAttribute('sluice.outcome', outcome.reason);
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${outcome.name}: ${outcome.message}` });
  }
  span.end();
}

/**
 * A job's trace context as it travels in its record: the option header gains
 * ";traceparent[;tracestate]" (W3C Trace Context), written only when the producer's span context
 * is valid. The tracestate is percent-encoded, so neither part holds ',' '|' or ';': the header's
 * fields and the record's separators stay unambiguous for the TypeScript and Lua readers.
 */
import type { SpanContext } from '@opentelemetry/api';
import { createTraceState, isSpanContextValid } from '@opentelemetry/api';
import { TRACE_MARK } from '../job/record.js';

/** The header suffix carrying `sc`: '' when it is not a valid span context (nothing to join). */
export function carry(sc: SpanContext): string {
  if (!isSpanContextValid(sc)) return '';
  const flags = sc.traceFlags.toString(16).padStart(2, '0');
  const parent = `${TRACE_MARK}00-${sc.traceId}-${sc.spanId}-${flags}`;
  const state = sc.traceState?.serialize() ?? '';
  return state === '' ? parent : `${parent}${TRACE_MARK}${encodeURIComponent(state)}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context of a carried "traceparent[;tracestate]"; undefined when malformed. */
export function parseCarried(carried: string): SpanContext | undefined {
  const mark = carried.indexOf(TRACE_MARK);
  const match = TRACEPARENT.exec(mark < 0 ? carried : carried.slice(0, mark));
  if (match === null) return undefined;
  const sc: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  };
  if (mark >= 0) {
    try {
      sc.traceState = createTraceState(decodeURIComponent(carried.slice(mark + 1)));
    } catch {
      // A tracestate that does not decode is dropped; the traceparent alone still joins the trace.
    }
  }
  return isSpanContextValid(sc) ? sc : undefined;
}

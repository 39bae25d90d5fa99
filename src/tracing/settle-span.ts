/**
 * Main side: one CLIENT "settle <queue>" span per settle call (a batch of up to settleBatch
 * outcomes in one script call), not one per job: the call is the unit of work and of latency.
 * It links to the trace context each of its jobs carries (up to MAX_LINKS), so the call leads to
 * the traces of the jobs whose outcomes it wrote.
 */
import type { Link, Span, Tracer } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import { decodeRecord } from '../job/record.js';
import { parseCarried } from './carrier.js';
import { messagingAttributes } from './tracer.js';

/** Links one span takes at most: a settle call holds up to 1000 jobs. */
export const MAX_LINKS = 128;

/** Starts the span of a settle call over jobs with these records. */
export function startSettle(tracer: Tracer, queue: string, records: readonly string[]): Span {
  const links: Link[] = [];
  for (const record of records) {
    if (links.length === MAX_LINKS) break;
    const carried = decodeRecord(record)?.trace;
    const sc = carried === undefined ? undefined : parseCarried(carried);
    if (sc !== undefined) links.push({ context: sc });
  }
  const attributes = messagingAttributes(queue, 'settle', 'settle');
  attributes['messaging.batch.message_count'] = records.length;
  return tracer.startSpan(`settle ${queue}`, { kind: SpanKind.CLIENT, attributes, links });
}

/** Ends the span with what the call did (a failed call is sent again under the same span). */
export function endSettle(
  span: Span,
  settled: { completed: number; retried: number; dead: number; stale: readonly string[] },
): void {
  span.setAttributes({
    'sluice.settle.completed': settled.completed,
    'sluice.settle.retried': settled.retried,
    'sluice.settle.dead': settled.dead,
    'sluice.settle.stale': settled.stale.length,
  });
  span.end();
}

// The handler of examples/tracing.js. Its first import registers the SDK in the thread; its own
// span joins the producer's trace, as a child of the job's "process" span.
import './tracing-setup.js';
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('example');

/** @param {{ text: string }} payload */
export default async function handler(payload) {
  return tracer.startActiveSpan('shout', (span) => {
    span.end();
    return payload.text.toUpperCase();
  });
}

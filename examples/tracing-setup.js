// The OpenTelemetry SDK of examples/tracing.js. Imported by the main process (add and settle
// spans) and by the handler module, so each worker thread, which has OpenTelemetry globals of its
// own, registers it too before its first job. Prints one line per ended span; a real setup
// exports them instead (e.g. OTLPTraceExporter from @opentelemetry/exporter-trace-otlp-http).
import { threadId } from 'node:worker_threads';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

const print = {
  onStart() {},
  onEnd(span) {
    const where = threadId === 0 ? 'main' : 'thread';
    console.log(`${span.spanContext().traceId} ${where} ${span.name}`);
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [print] }));

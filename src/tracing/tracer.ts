/**
 * The OpenTelemetry tracer Sluice's spans come from, and the attributes they share. Tracing is
 * on when an SDK has registered a global tracer provider (in this thread: each worker thread has
 * its own @opentelemetry/api globals); otherwise every span site costs one check and nothing else.
 */
import type { Attributes, Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';

const NAME = 'sluice';

/**
 * The registered SDK's tracer, or undefined when none is registered. Unlike trace.getTracer(),
 * which hands out a no-op ProxyTracer then, this allocates nothing when tracing is off.
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider
    ? provider.getDelegateTracer(NAME)
    : provider.getTracer(NAME);
}

/** OpenTelemetry messaging semantic conventions, with "sluice" as the messaging system. */
export function messagingAttributes(
  queue: string,
  type: 'send' | 'process' | 'settle',
  name: string,
): Attributes {
  return {
    'messaging.system': NAME,
    'messaging.destination.name': queue,
    'messaging.operation.type': type,
    'messaging.operation.name': name,
  };
}

import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's default process and Node metrics (process_cpu_seconds_total, nodejs_heap_*,
 * nodejs_eventloop_lag_*, ...), unprefixed so stock Node.js dashboards work. Collected once per
 * process into a registry of their own (never prom-client's global one) that every app of the
 * process shows: collectDefaultMetrics starts an event-loop monitor and a GC observer each call,
 * and one process has one set of these values however many apps or engines it runs.
 */
export function processMetrics(): Registry {
  if (shared === undefined) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}

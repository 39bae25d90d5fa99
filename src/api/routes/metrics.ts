import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { QueueMetrics } from '../../job/metrics.js';
import { SECOND } from '../../units.js';
import { processMetrics } from '../process-metrics.js';
import type { QueueLookup } from '../queue-lookup.js';
import { route } from '../route.js';

type Sample = readonly [queue: string, metrics: QueueMetrics];

/** A per-queue metric: name, help, and its value (undefined: no sample for that queue). */
type Reading = readonly [name: string, help: string, value: (m: QueueMetrics) => number | undefined];

const COUNTERS: readonly Reading[] = [
  ['sluice_jobs_added_total', 'Jobs added to the queue', (m) => m.added],
  ['sluice_jobs_completed_total', 'Jobs completed', (m) => m.completed],
  [
    'sluice_job_attempts_failed_total',
    'Attempts that failed (error, timeout, crash, undecodable record), not jobs: each failed attempt is either retried or dead-letters its job',
    (m) => m.failed,
  ],
  [
    'sluice_job_attempts_retried_total',
    'Failed attempts after which the job was scheduled to run again (after its backoff)',
    (m) => m.retried,
  ],
  [
    'sluice_jobs_dead_lettered_total',
    'Jobs moved to the dead-letter queue (attempts used up, unrecoverable, crashed); a redriven job that dies again counts again',
    (m) => m.deadLettered,
  ],
  ['sluice_jobs_redriven_total', 'Dead letters moved back to the queue by an operator', (m) => m.redriven],
  ['sluice_jobs_cancelled_total', 'Jobs removed by a cancellation', (m) => m.cancelled],
  ['sluice_jobs_drained_total', 'Waiting and delayed jobs deleted by a drain', (m) => m.drained],
  ['sluice_lease_expiries_total', 'Leases that expired and were recovered by a janitor', (m) => m.reaped],
];

const GAUGES: readonly Reading[] = [
  ['sluice_jobs_waiting', 'Jobs waiting to run', (m) => m.waiting],
  ['sluice_jobs_delayed', 'Jobs waiting for their due time or retry backoff', (m) => m.delayed],
  ['sluice_jobs_dead', 'Jobs in the dead-letter queue', (m) => m.dead],
  ['sluice_jobs_in_flight', 'Jobs leased to an engine', (m) => m.active],
  [
    'sluice_oldest_waiting_job_age_seconds',
    'Time since the longest-waiting job at the head of a waiting list was added (Redis clock; its delay or retry backoff counts); 0 when none waits',
    (m) => (m.oldestWaitingMs === undefined ? undefined : m.oldestWaitingMs / SECOND),
  ],
  [
    'sluice_queue_paused',
    '1 while the queue is paused (engines lease nothing from it), else 0',
    (m) => (m.paused ? 1 : 0),
  ],
  [
    'sluice_rate_limit_max',
    'Jobs leased at most per rate-limit window, across every engine; absent when the queue has no rate limit',
    (m) => m.rateLimit?.max,
  ],
  [
    'sluice_rate_limit_duration_seconds',
    "The rate limit's window; absent when the queue has no rate limit",
    (m) => (m.rateLimit === undefined ? undefined : m.rateLimit.duration / SECOND),
  ],
  [
    'sluice_engines_live',
    'Engines working the queue whose heartbeat is under 5 s old (Redis clock)',
    (m) => m.engines,
  ],
];

/**
 * The registries of in-process engines as one text: a metric several engines have (their
 * histograms, with different `engine` labels) is listed once, under one HELP and TYPE, as the
 * exposition format requires.
 */
async function engineText(engines: readonly Registry[]): Promise<string> {
  if (engines.length === 0) return '';
  const each = await Promise.all(engines.map((r) => r.getMetricsAsJSON()));
  return AggregatorRegistry.aggregate(each).metrics();
}

/**
 * The app's own registry (never prom-client's global one): per-queue values read from Redis at
 * scrape time, one MULTI per queue partition, then the process's default metrics and the
 * registries of in-process engines.
 */
export function metricsRoutes(app: FastifyInstance, queues: QueueLookup, engines: readonly Registry[]): void {
  const registry = new Registry();
  let samples: readonly Sample[] = [];
  const registers = [registry];
  // Two loops, not one: the kinds differ in their TYPE line, in how a value is written (a counter
  // has no set) and in a missing value (a counter shows 0, a gauge has no sample).
  for (const [name, help, value] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, m] of samples) this.inc({ queue }, value(m) ?? 0);
      },
    });
  }
  for (const [name, help, value] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, m] of samples) {
          const v = value(m);
          if (v !== undefined) this.set({ queue }, v);
        }
      },
    });
  }

  route(app, {
    method: 'GET',
    url: '/metrics',
    access: 'read',
    reply: { type: 'string' },
    handler: async (_request, reply) => {
      samples = await Promise.all(queues.all.map(async (q): Promise<Sample> => [q.name, await q.metrics()]));
      const texts = await Promise.all([registry.metrics(), processMetrics().metrics(), engineText(engines)]);
      return reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(texts.join(''));
    },
  });
}

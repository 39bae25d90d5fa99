import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { QueueMetrics } from '../../redis/inspect.js';
import type { QueueLookup } from '../queue-lookup.js';
import { noQuery, replies } from '../schemas.js';

type Sample = readonly [queue: string, metrics: QueueMetrics];

const COUNTERS: readonly [name: string, help: string, field: keyof QueueMetrics][] = [
  ['sluice_jobs_added_total', 'Jobs added to the queue', 'added'],
  ['sluice_jobs_completed_total', 'Jobs completed', 'completed'],
  ['sluice_jobs_failed_total', 'Attempts that failed (each retry counts)', 'failed'],
  ['sluice_jobs_retried_total', 'Failed attempts scheduled to run again', 'retried'],
  ['sluice_jobs_dead_lettered_total', 'Jobs moved to the dead-letter queue', 'deadLettered'],
  ['sluice_jobs_redriven_total', 'Dead letters moved back to the queue by an operator', 'redriven'],
  ['sluice_jobs_cancelled_total', 'Jobs removed by a cancellation', 'cancelled'],
  ['sluice_jobs_drained_total', 'Waiting and delayed jobs deleted by a drain', 'drained'],
  ['sluice_lease_expiries_total', 'Leases that expired and were recovered by a janitor', 'reaped'],
];

const GAUGES: readonly [name: string, help: string, field: keyof QueueMetrics][] = [
  ['sluice_jobs_waiting', 'Jobs waiting to run', 'waiting'],
  ['sluice_jobs_delayed', 'Jobs waiting for their due time or retry backoff', 'delayed'],
  ['sluice_jobs_dead', 'Jobs in the dead-letter queue', 'dead'],
  ['sluice_jobs_in_flight', 'Jobs leased to an engine', 'active'],
];

/**
 * The app's own registry (never prom-client's global one): per-queue values read from Redis at
 * scrape time, one MULTI per queue, then the registries of in-process engines appended.
 */
export function metricsRoutes(app: FastifyInstance, queues: QueueLookup, engines: readonly Registry[]): void {
  const registry = new Registry();
  let samples: readonly Sample[] = [];
  const registers = [registry];
  for (const [name, help, field] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, m] of samples) this.inc({ queue }, m[field]);
      },
    });
  }
  for (const [name, help, field] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, m] of samples) this.set({ queue }, m[field]);
      },
    });
  }

  app.get(
    '/metrics',
    {
      config: { access: 'read' },
      schema: { querystring: noQuery, response: replies({ 200: { type: 'string' } }) },
    },
    async (_request, reply) => {
      samples = await Promise.all(queues.all.map(async (q): Promise<Sample> => [q.name, await q.metrics()]));
      const texts = await Promise.all([registry, ...engines].map((r) => r.metrics()));
      return reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(texts.join(''));
    },
  );
}

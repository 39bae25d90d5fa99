import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../version.js';
import { LatencyRecorder, registerLatency } from './latency-recorder.js';

export interface EngineLabels {
  queue: string;
  /** The stable `engine` label (see engine-name.ts). */
  name: string;
  /** The id in the live list, `host:pid:random`: new with every start, so only in sluice_engine_info. */
  id: string;
}

/**
 * What one engine process measures that Redis does not hold; the operator API appends it to the
 * queue-level metrics it reads from Redis. One registry per engine, never prom-client's global.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly settleSeconds: Histogram;
  readonly settled: Counter;
  readonly stateLost: Counter;
  /** Wait and run time of the jobs this engine's threads start (sluice_job_*_seconds). */
  readonly latency = new LatencyRecorder();

  constructor(labels: EngineLabels, inFlight: () => number) {
    this.registry.setDefaultLabels({ queue: labels.queue, engine: labels.name });
    const registers = [this.registry];
    new Gauge({
      name: 'sluice_engine_info',
      help: "Always 1: the engine's id in the live list (host:pid:random, new with every start) and Sluice version",
      labelNames: ['id', 'version'],
      registers,
    }).set({ id: labels.id, version: VERSION }, 1);
    this.settleSeconds = new Histogram({
      name: 'sluice_engine_settle_seconds',
      help: 'Time to write one settle batch to Redis',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.settled = new Counter({
      name: 'sluice_engine_jobs_settled_total',
      help: 'Job outcomes (completions and failures) this engine wrote',
      registers,
    });
    this.stateLost = new Counter({
      name: 'sluice_engine_redis_state_lost_total',
      help: "Times this engine found the queue's epoch key gone: Redis lost its data",
      registers,
    });
    registerLatency(this.registry, this.latency);
    new Gauge({
      name: 'sluice_engine_jobs_in_flight',
      help: 'Jobs leased by this engine and not yet settled',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }
}

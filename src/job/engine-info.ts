import type { PublishedSlot } from './latency.js';

/** What an engine publishes of itself with each heartbeat (see lua/heartbeat.lua). */
export interface EngineInfo {
  id: string;
  host: string;
  pid: number;
  threads: number;
  inFlight: number;
  jobsPerSec: number;
  startedAt: number;
  /** Latency bucket counts of the last minutes (job/latency.ts), read by the API's latency route. */
  latency?: PublishedSlot[];
}

export interface LiveEngine extends EngineInfo {
  /** Its last heartbeat, ms by the Redis clock. */
  seenAt: number;
}

/**
 * Sluice runs handlers in worker threads, so latency samples travel to the engine process's
 * main thread on a BroadcastChannel: Float64Arrays of [enqueuedAt, startedAt] pairs.
 */
export const LATENCY_CHANNEL = 'sluice-bench:latency';

/** Samples a thread buffers before posting; a timer also flushes every FLUSH_MS. */
export const FLUSH_SAMPLES = 1024;
export const FLUSH_MS = 5;

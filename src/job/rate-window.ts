import type { RateLimit } from './rate-limit.js';

/** A rate limit and how much of its current window is used, as the acquire script counts it. */
export interface RateWindow extends RateLimit {
  /** Jobs leased in the window that ends now (ms, Redis clock). */
  used: number;
  /** When the oldest lease of the window leaves it, freeing room; absent when nothing was leased. */
  freesAt?: number;
}

/**
 * What the lease log (sluice:{q}:limit-log, score = lease time, member "count:id:token") says of
 * the window ending at `now`: the leases after now - duration count, as in lua/includes/lease.lua.
 */
export function rateWindow(limit: RateLimit, log: readonly string[], now: number): RateWindow {
  let used = 0;
  let oldest: number | undefined;
  for (let i = 0; i < log.length; i += 2) {
    const at = Number(log[i + 1]);
    if (at <= now - limit.duration) continue;
    used += Number.parseInt(log[i] as string, 10) || 0;
    oldest = oldest === undefined ? at : Math.min(oldest, at);
  }
  return { ...limit, used, ...(oldest === undefined ? {} : { freesAt: oldest + limit.duration }) };
}

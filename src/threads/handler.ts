/** What a handler module's default export receives besides the payload. */
export interface JobContext {
  readonly id: string;
  /** 1 for the first delivery; a crashed or timed-out delivery counts too. */
  readonly attempt: number;
  /**
   * This delivery's fencing token (the job's delivery count, growing with every lease). Pass it
   * to a downstream store that rejects writes carrying a token lower than one it has seen.
   */
  readonly token: number;
  /** Fires when the job's timeout passes or the engine shuts down; stop work and return or throw. */
  readonly signal: AbortSignal;
}

/** A handler module exports `default async (payload, ctx) => result`. */
export type Handler<P = unknown, R = unknown> = (payload: P, ctx: JobContext) => R | Promise<R>;

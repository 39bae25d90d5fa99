/** What a handler module's default export receives besides the payload. */
export interface JobContext {
  readonly id: string;
  /** 1 for the first delivery; a crashed or timed-out delivery counts too. */
  readonly attempt: number;
  /** Fires when the job's timeout passes or the engine shuts down; stop work and return or throw. */
  readonly signal: AbortSignal;
}

/** A handler module exports `default async (payload, ctx) => result`. */
export type Handler<P = unknown, R = unknown> = (payload: P, ctx: JobContext) => R | Promise<R>;

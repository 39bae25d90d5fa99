import type { JobContext } from 'sluice';
import { type FlakyPayload, flakyAttempt } from './failing.js';

/** Sluice handler module for retry-storm: fails payload.f % of attempts (see failing.ts). */
export default function flaky(payload: FlakyPayload, ctx: JobContext): void {
  flakyAttempt(payload, ctx.id, ctx.attempt);
}

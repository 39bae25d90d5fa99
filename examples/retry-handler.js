import { UnrecoverableError } from 'sluice';

export default async function send(payload) {
  if (typeof payload.to !== 'string') throw new UnrecoverableError('payload.to is missing'); // dead-lettered now
  if (payload.busy) throw Object.assign(new Error('mail server busy'), { retryAfterMs: 50 });
}

// For each failed attempt (a throw or a timeout): ms to wait, or undefined for the job's backoff option.
export function backoff({ attempt, error }) {
  return error.retryAfterMs === undefined ? undefined : error.retryAfterMs * attempt;
}

// Job lookup by id and the "enqueue test jobs" form.
import { computed, signal } from '@preact/signals';
import { ApiError } from '../api';
import { parseJson } from '../format';
import type { Job, JobOptions, JobResult } from '../types';
import { client } from './auth';
import { attempt, notify } from './notices';

export const lookupId = signal('');
/** A completed job's result: kept, not kept (too large…), or none kept (the API's words). */
export type ResultView = JobResult | { none: string };
export type Lookup =
  | { status: 'idle' }
  | { status: 'loading'; id: string }
  | { status: 'found'; job: Job; result?: ResultView }
  | { status: 'missing'; id: string; message: string };
export const lookup = signal<Lookup>({ status: 'idle' });

async function resultOf(queue: string, id: string): Promise<ResultView> {
  try {
    return await client.result(queue, id);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'JOB_NOT_FOUND') return { none: error.message };
    throw error;
  }
}

export async function findJob(queue: string): Promise<void> {
  const id = lookupId.value.trim();
  if (!id) return;
  lookup.value = { status: 'loading', id };
  try {
    const job = await client.job(queue, id);
    lookup.value =
      job.state === 'completed'
        ? { status: 'found', job, result: await resultOf(queue, id) }
        : { status: 'found', job };
  } catch (error) {
    // The API's 404 says why (it knows whether retention keeps completed jobs): shown as it is.
    lookup.value = { status: 'missing', id, message: error instanceof Error ? error.message : String(error) };
  }
}

/** The form's fields as typed. */
export const enqueueCount = signal('10');
export const enqueuePayload = signal('{\n  "hello": "world"\n}');
export const enqueueAttempts = signal('');
export const enqueueDelay = signal('');
export const enqueueBusy = signal(false);
export const lastEnqueued = signal<string[] | null>(null);

function wholeNumber(text: string, min: number, max: number): number | undefined | 'bad' {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : 'bad';
}

/** The request the form describes, or the first problem with it. */
export const enqueueRequest = computed(
  (): { ok: true; count: number; payload: unknown; opts: JobOptions } | { ok: false; error: string } => {
    const count = wholeNumber(enqueueCount.value, 1, 1000);
    if (count === 'bad' || count === undefined)
      return { ok: false, error: 'Count must be a whole number from 1 to 1000.' };
    const payload = parseJson(enqueuePayload.value);
    if (!payload.ok) return { ok: false, error: `Payload is not valid JSON: ${payload.error}` };
    const opts: JobOptions = {};
    const attempts = wholeNumber(enqueueAttempts.value, 1, 1000);
    if (attempts === 'bad') return { ok: false, error: 'Attempts must be a whole number from 1 to 1000.' };
    if (attempts !== undefined) opts.attempts = attempts;
    const delay = wholeNumber(enqueueDelay.value, 0, 365 * 24 * 3600 * 1000);
    if (delay === 'bad') return { ok: false, error: 'Delay must be a whole number of milliseconds.' };
    if (delay !== undefined) opts.delay = delay;
    return { ok: true, count, payload: payload.value, opts };
  },
);

export async function enqueue(queue: string): Promise<void> {
  const request = enqueueRequest.value;
  if (!request.ok || enqueueBusy.value) return;
  enqueueBusy.value = true;
  const reply = await attempt('Enqueue', () =>
    client.add(queue, request.payload, request.opts, request.count),
  );
  enqueueBusy.value = false;
  if (!reply) return;
  lastEnqueued.value = reply.ids;
  notify('ok', `Added ${reply.ids.length} job${reply.ids.length === 1 ? '' : 's'} to ${queue}`);
}

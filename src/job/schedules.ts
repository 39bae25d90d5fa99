import { CronExpressionParser } from 'cron-parser';
import { invalidOption } from '../errors.js';
import type { JobOptions } from './job-options.js';
import { MAX_DELAY, prepareJobOptions } from './job-options.js';
import { isName, NAME_RULE } from './names.js';
import { encodePayload, recordBody } from './record.js';

/** When a schedule fires: a cron expression (5 fields, or 6 with seconds) in a time zone, or every N ms. */
export type ScheduleSpec = { cron: string; tz?: string } | { every: number };

/** The job each firing adds; opts as for add, except jobId and delay (see prepareSchedule). */
export interface ScheduleJob<P = unknown> {
  payload: P;
  opts?: JobOptions;
}

export interface ScheduleInfo {
  name: string;
  spec: ScheduleSpec;
  /** Next fire time (ms, Redis clock). */
  next: number;
  /** The tick last fired (ms); undefined before the first. */
  lastFired: number | undefined;
}

/** What the upsert script stores: the spec as canonical JSON, and the job record body. */
export interface PreparedSchedule {
  spec: ScheduleSpec;
  specJson: string;
  body: string;
}

/** Shortest interval: the sweep reads Redis at most about this often per schedule. */
export const MIN_EVERY = 100;
export const MAX_EVERY = MAX_DELAY;
/** Fired jobs get the id "<name>:<tick ms>", which must stay within a job id's 128 characters. */
export function checkScheduleName(name: unknown): string {
  if (!isName(name)) {
    throw invalidOption('name', `must be ${NAME_RULE}, got ${JSON.stringify(name)}`);
  }
  return name;
}

function checkTimeZone(tz: unknown): string {
  if (typeof tz === 'string' && tz !== '') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz;
    } catch {
      // falls through to the error below
    }
  }
  throw invalidOption(
    'spec.tz',
    `must be an IANA time zone such as "Europe/Berlin", got ${JSON.stringify(tz)}`,
  );
}

/** Validates a spec (naming the bad field) and puts its keys in a fixed order. */
export function checkSpec(spec: unknown): ScheduleSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw invalidOption('spec', 'must be an object { cron, tz? } or { every }');
  }
  const { cron, tz, every, ...rest } = spec as { cron?: unknown; tz?: unknown; every?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalidOption(`spec.${unknown}`, 'is not a schedule option');
  if (every !== undefined) {
    if (cron !== undefined || tz !== undefined) {
      throw invalidOption('spec.every', 'cannot be combined with cron or tz');
    }
    if (typeof every !== 'number' || !Number.isInteger(every) || every < MIN_EVERY || every > MAX_EVERY) {
      throw invalidOption(
        'spec.every',
        `must be an integer from ${MIN_EVERY} to ${MAX_EVERY} (ms), got ${String(every)}`,
      );
    }
    return { every };
  }
  if (typeof cron !== 'string' || cron.trim() === '' || cron.length > 200) {
    throw invalidOption(
      'spec.cron',
      `must be a cron expression (or give every), got ${JSON.stringify(cron)}`,
    );
  }
  const checked: ScheduleSpec = tz === undefined ? { cron } : { cron, tz: checkTimeZone(tz) };
  try {
    // Parsing alone accepts some expressions that can never fire (30 February): ask for one tick.
    nextFireTime(checked, 0, Date.UTC(2000, 0, 1));
  } catch (error) {
    throw invalidOption('spec.cron', `${(error as Error).message} (${JSON.stringify(cron)})`);
  }
  return checked;
}

/**
 * The first tick strictly after `now` (ms). `due` is the tick that is firing (or `now` for a new
 * schedule): intervals keep their phase from it, and ticks missed in between are skipped, so a
 * schedule that was not swept for a while fires once, not once per missed tick.
 */
export function nextFireTime(spec: ScheduleSpec, due: number, now: number): number {
  if ('every' in spec) return due + spec.every * (Math.floor((now - due) / spec.every) + 1);
  // Without a tz, UTC: engines on hosts in different zones must agree on every tick.
  return CronExpressionParser.parse(spec.cron, { currentDate: now, tz: spec.tz ?? 'UTC' })
    .next()
    .getTime();
}

/** Validates all of upsertSchedule's input before anything is written. */
export function prepareSchedule(
  spec: unknown,
  job: ScheduleJob | undefined,
  maxPayloadBytes: number,
): PreparedSchedule {
  const checked = checkSpec(spec);
  if (job !== undefined && (typeof job !== 'object' || job === null || !('payload' in job))) {
    throw invalidOption('job', 'must be an object { payload, opts? }');
  }
  // Each tick's job is "<name>:<tick>" and is due at its tick: a fixed id would make every tick
  // after the first a no-op, and a delay belongs in the schedule itself.
  if (job?.opts?.jobId !== undefined)
    throw invalidOption('job.opts.jobId', 'is set per tick to "<name>:<tick ms>"');
  if (job?.opts?.delay !== undefined)
    throw invalidOption('job.opts.delay', 'is not allowed: a job runs at its tick');
  const options = prepareJobOptions(job?.opts, 'job.opts');
  const json = encodePayload(job === undefined ? null : job.payload, maxPayloadBytes, 'job.payload');
  return { spec: checked, specJson: JSON.stringify(checked), body: recordBody(options.header, json) };
}

/** A stored definition: "<spec JSON>\n<record body>" (JSON never holds a raw newline). */
export function encodeDefinition(prepared: PreparedSchedule): string {
  return `${prepared.specJson}\n${prepared.body}`;
}

/** The spec of a stored definition; undefined when it is not one. */
export function decodeDefinitionSpec(
  definition: string,
): { spec: ScheduleSpec; specJson: string } | undefined {
  const end = definition.indexOf('\n');
  if (end < 0) return undefined;
  const specJson = definition.slice(0, end);
  try {
    return { spec: checkSpec(JSON.parse(specJson)), specJson };
  } catch {
    return undefined;
  }
}

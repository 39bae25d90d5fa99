import { invalidOption } from '../errors.js';
import { HOUR } from '../units.js';

/** Keep at most `count` records, or those younger than `age` ms (Redis clock); either or both. */
export interface RetentionLimit {
  count?: number;
  age?: number;
}

/**
 * What a queue keeps besides its counters. `completed`: the records of completed jobs (none
 * when absent). `dead`: a cap on the dead-letter queue, which otherwise keeps every letter until
 * an operator acts; failed attempts that are retried are not records of their own.
 */
export interface Retention {
  completed?: RetentionLimit;
  dead?: RetentionLimit;
}

export const MAX_RETAIN_COUNT = 1_000_000;
export const MAX_RETAIN_AGE = 365 * 24 * HOUR;

function integerIn(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw invalidOption(field, `must be an integer from 1 to ${max}, got ${shown}`);
  }
  return value;
}

function checkLimit(field: string, limit: unknown): RetentionLimit {
  if (typeof limit !== 'object' || limit === null || Array.isArray(limit)) {
    throw invalidOption(field, 'must be an object { count?, age? }');
  }
  const { count, age, ...rest } = limit as RetentionLimit;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalidOption(`${field}.${unknown}`, 'is not a retention limit');
  if (count === undefined && age === undefined) throw invalidOption(field, 'needs count, age or both');
  const checked: RetentionLimit = {};
  if (count !== undefined) checked.count = integerIn(`${field}.count`, count, MAX_RETAIN_COUNT);
  if (age !== undefined) checked.age = integerIn(`${field}.age`, age, MAX_RETAIN_AGE);
  return checked;
}

/** Validates a retention setting; the error names the field at fault. */
export function checkRetention(setting: unknown): Retention {
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) {
    throw invalidOption('retention', 'must be an object { completed?, dead? }');
  }
  const { completed, dead, ...rest } = setting as Retention;
  const unknown = Object.keys(rest)[0];
  if (unknown === 'failed') {
    throw invalidOption(
      'failed',
      'is not a retention option: failed jobs are dead letters, kept until an operator acts; cap them with dead: { count, age }',
    );
  }
  if (unknown !== undefined) throw invalidOption(unknown, 'is not a retention option');
  if (completed === undefined && dead === undefined) {
    throw invalidOption('retention', 'needs completed, dead or both (clearRetention() keeps nothing)');
  }
  const checked: Retention = {};
  if (completed !== undefined) checked.completed = checkLimit('completed', completed);
  if (dead !== undefined) checked.dead = checkLimit('dead', dead);
  return checked;
}

/** The fields of sluice:{q}:retention that lua/settle.lua and lua/retention-trim.lua read. */
export function retentionFields(setting: Retention): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const kind of ['completed', 'dead'] as const) {
    const limit = setting[kind];
    if (limit?.count !== undefined) fields[`${kind}-count`] = limit.count;
    if (limit?.age !== undefined) fields[`${kind}-age`] = limit.age;
  }
  return fields;
}

/** The inverse of retentionFields; undefined when nothing is set. */
export function decodeRetention(fields: Record<string, string>): Retention | undefined {
  const setting: Retention = {};
  for (const kind of ['completed', 'dead'] as const) {
    const count = fields[`${kind}-count`];
    const age = fields[`${kind}-age`];
    if (count === undefined && age === undefined) continue;
    const limit: RetentionLimit = {};
    if (count !== undefined) limit.count = Number(count);
    if (age !== undefined) limit.age = Number(age);
    setting[kind] = limit;
  }
  return setting.completed === undefined && setting.dead === undefined ? undefined : setting;
}

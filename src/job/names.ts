/**
 * The one set of naming rules: queue, schedule and engine names, and the ids a caller may choose.
 * Kept as regular-expression sources so the API's JSON schemas and the library check the same thing.
 */

/** What a name or chosen id is made of: safe in a Redis key, a URL path segment and a log line. */
const NAME_CHARS = 'A-Za-z0-9_.:-';

/** Queue, schedule and engine names: 1–100 characters. */
export const NAME_SOURCE = `[${NAME_CHARS}]{1,100}`;
export const NAME_PATTERN = `^${NAME_SOURCE}$`;
export const NAME_RULE = '1-100 characters of A-Z a-z 0-9 _ . : -';

/** A jobId the caller chooses: not all digits, since generated ids are decimal integers. */
const CHOSEN_ID_SOURCE = `(?![0-9]+$)[${NAME_CHARS}]{1,128}`;
/**
 * A generated id: `n`, or `i~n` from partition i > 0 (see redis/keys.ts idPrefix); partition 0
 * generates plain numbers, as an unpartitioned queue does. Group 1 is the partition.
 */
const GENERATED_ID_SOURCE = '(?:([0-9]{1,3})~)?[0-9]{1,20}';
/** Any job id: generated or chosen. */
export const JOB_ID_PATTERN = `^(?:${GENERATED_ID_SOURCE}|${CHOSEN_ID_SOURCE})$`;

export const GENERATED_ID = new RegExp(`^${GENERATED_ID_SOURCE}$`);

const NAME = new RegExp(NAME_PATTERN);
const CHOSEN_ID = new RegExp(`^${CHOSEN_ID_SOURCE}$`);

export function isName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

export function isChosenId(id: unknown): id is string {
  return typeof id === 'string' && CHOSEN_ID.test(id);
}

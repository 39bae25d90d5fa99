import { ErrorCode, SluiceError } from '../errors.js';
import type { StoredJobOptions } from './job-options.js';
import { decodeOptionHeader } from './job-options.js';

/**
 * A job record as stored in the jobs hash: "enqueuedAt|base|optionHeader|payloadJson".
 * The producer writes "optionHeader|payloadJson"; the enqueue script puts the Redis time and
 * base 0 in front. job/attempt.ts counts attempts from base (see lua/release.lua and
 * lua/dlq-retry.lua).
 * A traced add appends ";traceparent[;tracestate]" to the option header (tracing/carrier.ts).
 */
/** Opens the trace context at the end of an option header (tracing/carrier.ts writes it). */
export const TRACE_MARK = ';';

export interface DecodedRecord {
  enqueuedAt: number;
  base: number;
  options: StoredJobOptions;
  payloadJson: string;
  /** "traceparent[;tracestate]" of the producer's span, when the job was added under one. */
  trace?: string;
}

interface Unserialisable {
  /** Keys from the value up to the root: built only on the way back from a find. */
  keys: (string | number)[];
  why: string;
}

/**
 * Finds a value JSON.stringify would silently drop or turn into null (a function, symbol, NaN or
 * Infinity). Run after stringify succeeded, so there is no cycle. A walk in JS, not a stringify
 * replacer, which would cross from C++ to JS for every key; it builds no path string unless it
 * finds something.
 */
function findUnserialisable(value: unknown): Unserialisable | undefined {
  const type = typeof value;
  if (type === 'function' || type === 'symbol')
    return { keys: [], why: `is a ${type}, which JSON cannot carry` };
  if (type === 'number') {
    return Number.isFinite(value)
      ? undefined
      : { keys: [], why: `is ${String(value)}, which JSON cannot carry` };
  }
  if (type !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnserialisable(value[i]);
      if (found) {
        found.keys.push(i);
        return found;
      }
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = findUnserialisable((value as Record<string, unknown>)[key]);
    if (found) {
      found.keys.push(key);
      return found;
    }
  }
  return undefined;
}

function describeUnserialisable(field: string, found: Unserialisable): string {
  const path = found.keys.reduceRight<string>(
    (at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${key}`),
    field,
  );
  return `${path} ${found.why}`;
}

/** JSON-encodes a payload, refusing what JSON would silently drop or mangle, and oversized results. */
export function encodePayload(
  payload: unknown,
  maxBytes: number,
  field = 'payload',
  limitName = 'maxPayloadBytes',
): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new SluiceError(
      ErrorCode.INVALID_PAYLOAD,
      `${field}: not serialisable to JSON (${(error as Error).message})`,
    );
  }
  if (json === undefined) {
    throw new SluiceError(ErrorCode.INVALID_PAYLOAD, `${field} is ${String(payload)}, not a JSON value`);
  }
  const found = findUnserialisable(payload);
  if (found !== undefined)
    throw new SluiceError(ErrorCode.INVALID_PAYLOAD, describeUnserialisable(field, found));
  // Counting UTF-8 bytes is only needed when the string could be over the limit.
  if (json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes) {
      throw new SluiceError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `${field}: ${bytes} bytes of JSON is over ${limitName} (${maxBytes}); store large data elsewhere and pass a reference`,
      );
    }
  }
  return json;
}

/** `carried`: the trace context suffix of the header (tracing/carrier.ts), '' when untraced. */
export function recordBody(optionHeader: string, payloadJson: string, carried = ''): string {
  return `${optionHeader}${carried}|${payloadJson}`;
}

/** Parses a stored record; undefined when it is not one (a corrupt or foreign value). */
export function decodeRecord(record: string): DecodedRecord | undefined {
  const a = record.indexOf('|');
  const b = record.indexOf('|', a + 1);
  const c = record.indexOf('|', b + 1);
  if (a <= 0 || b < 0 || c < 0) return undefined;
  const enqueuedAt = Number(record.slice(0, a));
  const base = Number(record.slice(a + 1, b));
  const header = record.slice(b + 1, c);
  // Searched in the header alone: a payload can hold ';' and can be long.
  const mark = header.indexOf(TRACE_MARK);
  const options = decodeOptionHeader(mark < 0 ? header : header.slice(0, mark));
  if (!Number.isInteger(enqueuedAt) || !Number.isInteger(base) || options === undefined) return undefined;
  const decoded: DecodedRecord = { enqueuedAt, base, options, payloadJson: record.slice(c + 1) };
  if (mark >= 0) decoded.trace = header.slice(mark + 1);
  return decoded;
}

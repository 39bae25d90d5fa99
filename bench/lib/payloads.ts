import { randomUUID } from 'node:crypto';
import type { PayloadKind } from './protocol.js';

/**
 * bullmq-bench's sample job data at widthFactor 10, depthFactor 10: ten UUID keys, each opening
 * a chain of objects nested ten deep, every key a fresh UUID (100 UUIDs, about 4 KB of JSON).
 */
export function uuidPayload(width = 10, depth = 10): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < width; i++) {
    let object: Record<string, unknown> = {};
    result[randomUUID()] = object;
    for (let j = 1; j < depth; j++) {
      const inner: Record<string, unknown> = {};
      object[randomUUID()] = inner;
      object = inner;
    }
  }
  return result;
}

/** The tiny payload of the bulk and worker scenarios. */
export const TINY_PAYLOAD: Readonly<Record<string, number>> = Object.freeze({ x: 1 });

/** JSON bytes of the tiny payload, for "bytes per waiting job over the payload". */
export const TINY_PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(TINY_PAYLOAD));

/** `count` payloads of one kind: uuid and tiny share one object, task payloads differ per job. */
export function payloads(kind: PayloadKind, count: number): object[] {
  if (kind === 'task') return Array.from({ length: count }, (_, i) => ({ task: i }));
  const one = kind === 'uuid' ? uuidPayload() : TINY_PAYLOAD;
  return new Array<object>(count).fill(one);
}

import { createHash } from 'node:crypto';

const BLOCK = Buffer.alloc(1024, 7);

/** CPU-bound work: n SHA-256 digests of 1 KiB (the runner calibrates n to about 1 ms). */
export function hashWork(n: number): number {
  let last = 0;
  for (let i = 0; i < n; i++) last = createHash('sha256').update(BLOCK).digest()[0] as number;
  return last;
}

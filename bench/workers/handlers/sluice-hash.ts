import { hashWork } from './hash-work.js';

/** Sluice handler module: about 1 ms of hashing (payload.n digests). */
export default function hash(payload: { n: number }): void {
  hashWork(payload.n);
}

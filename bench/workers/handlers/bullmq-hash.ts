import { hashWork } from './hash-work.js';

/** BullMQ sandboxed processor (runs in BullMQ's worker threads): about 1 ms of hashing. */
export default async function hash(job: { data: { n: number } }): Promise<void> {
  hashWork(job.data.n);
}

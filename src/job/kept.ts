/** What is kept of a completed job with keepResult or uniqueFor (lua/settle.lua writes it). */
export interface Keep {
  /** "v" + the return value's JSON, or "e" + why it could not be kept; absent when keepResult is 0. */
  result?: string;
  /** ms to keep the result. */
  keepResult: number;
  /** ms the job's id stays taken. */
  uniqueFor: number;
}

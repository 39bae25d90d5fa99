/**
 * tinybench micro-benchmarks of Sluice's pure parts, imported from the build in dist/. Each
 * task calls the function INNER times so the timer's own cost (tens of ns) does not swamp it.
 */
import { Bench } from 'tinybench';
import { batchSizes, nextBlockSize } from '../../dist/engine/batching.js';
import { prepareJobOptions } from '../../dist/job/job-options.js';
import { decodeRecord, encodePayload } from '../../dist/job/record.js';
import { queueKeys } from '../../dist/redis/keys.js';
import { TINY_PAYLOAD, uuidPayload } from '../lib/payloads.js';

export interface MicroResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  /** Relative margin of error of the mean, %. */
  rme: number;
  samples: number;
}

const INNER = 1000;
const MAX_BYTES = 512 * 1024;

export async function runMicro(timeMs: number): Promise<MicroResult[]> {
  const uuid = uuidPayload();
  const tinyRecord = `1732752000123|0||${JSON.stringify(TINY_PAYLOAD)}`;
  const uuidRecord = `1732752000123|0|5,0,e,1000,0|${JSON.stringify(uuid)}`;
  const window = { maxInFlight: 8192, maxInFlightBytes: 64 * 1024 * 1024, maxBlock: 1000 };
  const options = {
    attempts: 5,
    backoff: { type: 'exponential' as const, delay: 1000, jitter: 0.2 },
    delay: 500,
  };
  let sink = 0;
  const tasks: [string, (i: number) => void, number][] = [
    ['encodePayload tiny', () => (sink += encodePayload(TINY_PAYLOAD, MAX_BYTES).length), INNER],
    ['encodePayload 10×10 UUIDs', () => (sink += encodePayload(uuid, MAX_BYTES).length), INNER / 10],
    ['decodeRecord tiny', () => (sink += decodeRecord(tinyRecord)?.enqueuedAt ?? 0), INNER],
    ['decodeRecord 10×10 UUIDs + options', () => (sink += decodeRecord(uuidRecord)?.base ?? 0), INNER],
    ['nextBlockSize', (i) => (sink += nextBlockSize(i & 8191, i * 100, window)), INNER],
    ['batchSizes 1,000 jobs / 2 threads', () => (sink += batchSizes(1000, 2, 1000).length), INNER],
    ['queueKeys', () => (sink += queueKeys('emails').pending.length), INNER],
    ['prepareJobOptions defaults', () => (sink += prepareJobOptions(undefined).header.length), INNER],
    ['prepareJobOptions with options', () => (sink += prepareJobOptions(options).header.length), INNER],
  ];
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(100, timeMs / 4) });
  for (const [name, fn, inner] of tasks) {
    bench.add(name, () => {
      for (let i = 0; i < inner; i++) fn(i);
    });
  }
  await bench.run();
  if (sink === Number.MIN_SAFE_INTEGER) process.stderr.write('unreachable\n');
  return bench.tasks.map((task, index) => {
    const inner = (tasks[index] as [string, unknown, number])[2];
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`micro ${task.name}: ${result.state}`);
    const nsPerOp = (result.latency.mean * 1e6) / inner;
    return {
      name: task.name,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      rme: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
}

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect } from 'vitest';
import { closeTracked } from './index.js';

/** Handles that betray a leak: Redis sockets and child processes left open by a test. */
const LEAKY = new Set(['TCPSocketWrap', 'ProcessWrap']);

function leaks(): string[] {
  return process.getActiveResourcesInfo().filter((r) => LEAKY.has(r));
}

/**
 * Fails a test that leaves an engine (pool, threads, janitor), queue connection or child process
 * open. Tracked objects still open are closed (so one leak does not cascade) and reported.
 */
afterEach(async () => {
  const unclosed = await closeTracked();
  for (let i = 0; i < 50 && leaks().length > 0; i++) await sleep(20);
  expect(unclosed, 'objects left open by the test').toEqual([]);
  expect(leaks(), 'sockets or child processes left open by the test').toEqual([]);
});

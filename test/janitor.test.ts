import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Janitor } from '../dist/janitor/janitor.js';
import { redisUrl, waitFor } from './helpers/index.js';

describe('janitor', () => {
  it('starts a new janitor thread when one dies, and stops cleanly', async () => {
    const lines: { msg: string }[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    // An invalid queue name makes every janitor thread throw as it starts.
    const janitor = new Janitor(
      { connection: redisUrl(), queue: 'not a queue name', partitions: 1, intervalMs: 50, batch: 100 },
      pino({ level: 'info' }, sink),
    );
    try {
      await waitFor(
        'two restarts',
        () => lines.filter((l) => l.msg === 'janitor thread exited; starting a new one').length >= 2,
        5000,
      );
    } finally {
      await janitor.stop();
    }
    const restarts = lines.filter((l) => l.msg === 'janitor thread exited; starting a new one').length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(lines.filter((l) => l.msg === 'janitor thread exited; starting a new one').length).toBe(restarts);
  });
});

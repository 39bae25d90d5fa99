// The monitor through a Redis outage, in a real headless Chromium: the test's own redis-server (never
// the shared one) is killed, the monitor says since when Redis is unreachable, and once the server
// is back on the same port the monitor recovers by itself, without a reload.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../dist/api/server.js';
import { Queue } from '../../dist/index.js';
import { queueName, silent } from '../helpers/index.js';
import { startRedisServer } from '../helpers/redis-server.js';
import {
  closeAfterEachTest,
  horizontalOverflow,
  LAPTOP,
  launchChromium,
  openMonitor,
  PHONE,
  SCREENSHOT_DIR,
  shownCount,
} from './browser.js';

const closeAfterTest = closeAfterEachTest();

describe('operator monitor: Redis outage', () => {
  it('says "Redis unreachable since <time>" while Redis is down and recovers by itself once it is back', async () => {
    const server = await startRedisServer();
    closeAfterTest(() => server.stop());
    const name = queueName('monitor-outage');
    // Closed before the outage: only the API's connections live through it.
    const queue = new Queue(name, { connection: server.url });
    await queue.addBulk([{ payload: { a: 1 } }, { payload: { a: 2 } }]);
    await queue.close();
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      queues: [name],
      connection: server.url,
      logger: silent,
    });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, errors, outside } = await openMonitor(browser, api.url);
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await expect.poll(() => shownCount(page, 'waiting')).toBe(2);
    const banner = page.getByTestId('redis-outage');
    expect(await banner.count()).toBe(0);

    await server.kill();
    const killedAt = Date.now();
    await banner.waitFor({ timeout: 10_000 });
    const text = (await banner.textContent()) ?? '';
    const [, hh, mm, ss] = /Redis unreachable since (\d\d):(\d\d):(\d\d)/.exec(text) ?? [];
    expect(hh, `banner: ${text}`).toBeDefined();
    const since = new Date(killedAt);
    since.setHours(Number(hh), Number(mm), Number(ss), 0);
    expect(Math.abs(since.getTime() - killedAt), 'the time the outage began').toBeLessThan(5000);
    expect(await banner.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The stream to the API stays open, but the header must not call the figures live.
    expect(await page.getByTestId('stream-status').textContent()).toBe('Redis down');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'outage-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'outage-390.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize(LAPTOP);

    // Back on the same port (empty: no AOF): the banner goes, the stream is live, counts are read again.
    await server.restart();
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByTestId('stream-status').getByText('live').waitFor({ timeout: 15_000 });
    const added = await fetch(`${api.url}/api/queues/${name}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: { after: true } }),
    });
    expect(added.status).toBe(201);
    await expect.poll(() => shownCount(page, 'waiting'), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'outage-recovered-1280.png'), fullPage: true });
    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(outside).toEqual([]);
  });
});

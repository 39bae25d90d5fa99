// The monitor's queue selector and Redis panel in a real headless Chromium: a monitor served for
// queue A (with A's engine running) lists queue B, which only lives in the same Redis, switches to
// it, shows its counts and dead letters, and keeps every admin button of B disabled, saying why.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../dist/api/server.js';
import { makeDead } from '../api/support.js';
import {
  handlerPath,
  openQueue,
  queueName,
  redisUrl,
  silent,
  startEngine,
  waitFor,
} from '../helpers/index.js';
import {
  closeAfterEachTest,
  horizontalOverflow,
  LAPTOP,
  launchChromium,
  openMonitor,
  PHONE,
  SCREENSHOT_DIR,
  shownCount,
  tab,
} from './browser.js';

const closeAfterTest = closeAfterEachTest();

async function shootBoth(page: Page, view: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${view}-laptop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${view}-phone.png`), fullPage: true });
  expect(await horizontalOverflow(page), `${view} at phone width scrolls sideways`).toBe(0);
  await page.setViewportSize(LAPTOP);
  await page.waitForTimeout(200);
}

describe('operator monitor: other queues of the Redis, and the Redis panel', () => {
  it('switches to a queue discovered in Redis, shows its counts, and disables its admin buttons with the reason', async () => {
    const served = queueName('mon-served');
    const other = openQueue(queueName('mon-other'));
    closeAfterTest(() => other.close());
    await makeDead(other, [{ message: 'card declined' }]);
    await other.addBulk([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const engine = await startEngine({ queue: served, handler: handlerPath('noop'), logger: silent });
    closeAfterTest(() => engine.stop());
    const api = await startApiServer({ queues: [served], connection: redisUrl(), logger: silent });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, outside, errors } = await openMonitor(browser, `${api.url}/`);

    // the served queue first: writable, its Redis panel filled in
    const picker = page.getByTestId('queue-picker');
    await expect.poll(() => picker.inputValue()).toBe(served);
    expect(await page.getByTestId('read-only-badge').count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isEnabled()).toBe(true);
    const panel = page.getByTestId('redis-panel');
    await expect.poll(() => panel.getByTestId('redis-version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await panel.getByTestId('redis-eviction').textContent()).toBe('off (noeviction)');
    expect(await panel.getByTestId('redis-persistence').textContent()).toBe('none');
    expect(await panel.getByTestId('redis-memory').textContent()).toMatch(/^[\d.]+ (B|KiB|MiB|GiB)$/);
    expect(await panel.getByTestId('redis-maxmemory').textContent()).toBe('no maxmemory set');
    expect(Number(await panel.getByTestId('redis-clients').textContent())).toBeGreaterThan(0);
    await shootBoth(page, 'queues-served');

    // B is listed, marked read-only
    const label = await picker.locator(`option[value="${other.name}"]`).textContent();
    expect(label).toBe(`${other.name} (read-only)`);
    await picker.selectOption(other.name);
    await waitFor('B counts', async () => (await shownCount(page, 'waiting')) === 3, 10_000);
    expect(await shownCount(page, 'dead')).toBe(1);
    expect(page.url()).toContain(`queue=${other.name}`);
    const badge = page.getByTestId('read-only-badge');
    expect(await badge.getAttribute('title')).toContain('no engine of it serves this monitor');
    const pause = page.getByRole('button', { name: 'Pause' });
    expect(await pause.isDisabled()).toBe(true);
    expect(await pause.getAttribute('title')).toMatch(/^Read-only: /);
    await shootBoth(page, 'queues-read-only');

    await tab(page, 'Dead letters');
    await expect.poll(() => page.getByText('card declined').count()).toBeGreaterThan(0);
    for (const name of ['Retry', 'Delete', 'Retry all matching', 'Purge…']) {
      const button = page.getByRole('button', { name, exact: true }).first();
      expect(await button.isDisabled(), `${name} disabled`).toBe(true);
      expect(await button.getAttribute('title'), `${name} says why`).toMatch(/^Read-only: /);
    }
    await shootBoth(page, 'queues-read-only-dead');

    // and back: A's admin buttons are on again
    await tab(page, 'Overview');
    await picker.selectOption(served);
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isEnabled()).toBe(true);
    expect(await page.getByTestId('read-only-badge').count()).toBe(0);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});

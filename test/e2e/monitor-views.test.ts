// The monitor's schedules, job pages, event feed, latency and levels views in a real headless
// Chromium, against the real API server, a real engine and the test Redis, with tokens set: the
// admin actions (Remove a schedule, Run now) go through the admin token.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../dist/api/server.js';
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
  signIn,
  tab,
} from './browser.js';

const ADMIN = 'admin-token-0123456789';
const READ = 'read-token-0123456789';

const closeAfterTest = closeAfterEachTest();

async function clearNotices(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0)
    await buttons
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
}

async function shoot(page: Page, file: string): Promise<void> {
  await clearNotices(page);
  await page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true });
}

/** Both widths: a screenshot each, and nothing scrolls sideways on the phone. */
async function shootBoth(page: Page, view: string): Promise<void> {
  await shoot(page, `${view}-laptop.png`);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await shoot(page, `${view}-phone.png`);
  expect(await horizontalOverflow(page), `${view} at phone width scrolls sideways`).toBe(0);
  await page.setViewportSize(LAPTOP);
  await page.waitForTimeout(200);
}

describe('operator monitor: schedules, job pages, events, latency, levels', () => {
  it('shows each view live, and removes a schedule and runs a delayed job now with the admin token', async () => {
    const name = queueName('monitor-views');
    const queue = openQueue(name);
    closeAfterTest(() => queue.close());
    await queue.setEvents(true);
    await queue.setRateLimit({ max: 1000, duration: 60_000 });
    await queue.setRetention({ completed: { count: 100 } });
    await queue.upsertSchedule(
      'nightly-report',
      { cron: '0 3 * * *', tz: 'Europe/Paris' },
      { payload: { ms: 1 } },
    );
    await queue.upsertSchedule('hourly-tick', { every: 3_600_000 }, { payload: { ms: 1 } });
    // Paused: the levels panel sees jobs wait at their priority before any runs.
    await queue.pause();
    await queue.addBulk([
      ...Array.from({ length: 3 }, () => ({ payload: { ms: 40 }, opts: { priority: 1 } })),
      ...Array.from({ length: 2 }, () => ({ payload: { ms: 40 } })),
      { payload: { ms: 40 }, opts: { priority: 5 } },
    ]);
    const engine = await startEngine({ queue: name, handler: handlerPath('slow'), threadBatch: 1 });
    closeAfterTest(() => engine.stop());
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      queues: [name],
      connection: redisUrl(),
      tokens: { read: READ, admin: ADMIN },
      logger: silent,
      metrics: [engine.metrics.registry],
    });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, outside, errors } = await openMonitor(browser, api.url);
    await signIn(page, ADMIN);

    // Overview: levels and the rate limit; latency says it has nothing yet rather than stay blank.
    const levels = page.getByTestId('levels');
    await expect.poll(() => levels.getByTestId('level-1').textContent()).toBe('3');
    expect(await levels.getByTestId('level-3').textContent()).toBe('2');
    expect(await levels.getByTestId('level-5').textContent()).toBe('1');
    await page.getByTestId('rate-limit').getByText('this window').waitFor();
    expect(await page.getByTestId('rate-used').textContent()).toBe('0');
    await page.getByText('No job started in the last 15 minutes: no latency to chart').waitFor();

    // Resumed: the jobs run; the rate window counts them, the latency chart has figures.
    await queue.resume();
    await queue.addBulk(Array.from({ length: 24 }, () => ({ payload: { ms: 40 } })));
    const completed: number[] = [];
    await waitFor('30 completions on screen', async () => {
      const value = await shownCount(page, 'completed');
      if (!Number.isNaN(value)) completed.push(value);
      return value === 30;
    });
    expect(completed, 'the completed count never goes back').toEqual([...completed].sort((a, b) => a - b));
    await expect.poll(() => page.getByTestId('rate-used').textContent(), { timeout: 10_000 }).toBe('30');
    await page.getByTestId('latency-now').waitFor({ timeout: 15_000 });
    const figures = (await page.getByTestId('latency-now').textContent()) ?? '';
    expect(figures).toMatch(/wait p50 .+ms · p99/);
    expect(figures).toMatch(/run p50 (2[5-9]|[34]\d|50) ms · p99 \d+ ms \(30 jobs\)/);
    expect(await page.getByTestId('latency-empty').count()).toBe(0);
    await shootBoth(page, 'views-overview');

    // Schedules: name, spec, zone, next and last fire; Remove asks, then the row goes.
    await tab(page, 'Schedules');
    const rows = page.getByTestId('schedule-row');
    await expect.poll(() => rows.count()).toBe(2);
    const nightly = rows.filter({ hasText: 'nightly-report' });
    expect(await nightly.textContent()).toContain('0 3 * * *');
    expect(await nightly.textContent()).toContain('Europe/Paris');
    expect(await nightly.textContent()).toContain('never');
    expect(await rows.filter({ hasText: 'hourly-tick' }).textContent()).toContain('every 1 h 0 min');
    await shootBoth(page, 'views-schedules');
    await rows.filter({ hasText: 'hourly-tick' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove schedule' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect((await queue.listSchedules()).map((s) => s.name)).toEqual(['nightly-report']);

    // Job pages: a delayed job shows when it is due; Run now runs it.
    const later = await queue.add({ ms: 1 }, { delay: 3_600_000 });
    await tab(page, 'Job pages');
    await page.getByRole('group', { name: 'State' }).getByRole('button', { name: 'Delayed' }).click();
    const jobRows = page.getByTestId('job-row');
    await expect.poll(() => jobRows.count()).toBe(1);
    expect(await jobRows.first().textContent()).toMatch(/in (59 min|1 h 0 min)/);
    await shootBoth(page, 'views-delayed');
    await jobRows.first().getByRole('button', { name: 'Run now' }).click();
    await page.getByText(`Job ${later} moved to the head of the waiting list`).waitFor();
    await waitFor('the delayed job to complete', async () => (await queue.counts()).completed === 31);
    await page.getByText('No delayed job.').waitFor();

    // Running jobs name their engine; completed jobs page.
    await queue.addBulk(Array.from({ length: 3 }, () => ({ payload: { ms: 4000 } })));
    await page.getByRole('group', { name: 'State' }).getByRole('button', { name: 'Running' }).click();
    await expect.poll(() => jobRows.count(), { timeout: 10_000 }).toBe(3);
    await expect
      .poll(() => page.getByTestId('holder').allTextContents())
      .toEqual(Array(3).fill(expect.stringContaining(`pid ${process.pid}`)));
    await shootBoth(page, 'views-running');
    await page.getByRole('group', { name: 'State' }).getByRole('button', { name: 'Completed' }).click();
    await expect.poll(() => page.getByTestId('job-range').textContent()).toBe('1–20 of 31');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByTestId('job-range').textContent()).toBe('21–31 of 31');
    // Newest first: the delayed job that ran last is on the first page, and the filter finds it there.
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => page.getByTestId('job-range').textContent()).toBe('1–20 of 31');
    await page.getByLabel('Filter this page').fill(later);
    await expect.poll(() => jobRows.allTextContents()).toEqual([expect.stringContaining(later)]);

    // Events: the feed shows events live; while the pointer is on it, new ones are held and counted.
    await tab(page, 'Events');
    const feedState = page.getByTestId('feed-state');
    await page.getByTestId('feed-event').first().waitFor();
    expect(await feedState.textContent()).toBe('live');
    await page.getByTestId('feed').hover();
    await expect.poll(() => feedState.textContent()).toBe('paused, 0 new');
    const before = await page.getByTestId('feed-event').count();
    const marked = await queue.add({ ms: 1 });
    await expect.poll(() => feedState.textContent(), { timeout: 10_000 }).toMatch(/^paused, [1-9]\d* new$/);
    expect(await page.getByTestId('feed-event').count(), 'nothing moves under the pointer').toBe(before);
    await shootBoth(page, 'views-events');
    await page.getByTestId('feed').hover();
    await page.mouse.move(0, 0);
    await expect.poll(() => feedState.textContent()).toBe('live');
    await page.getByTestId('feed').getByText(marked).first().waitFor();

    await sleep(100);
    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(outside, 'requests outside the API origin').toEqual([]);
  });
});

// The defects an operator met in the monitor, each checked in a real headless Chromium against the
// real API server and the test Redis: the throughput chart's axes and legend, the job view, the
// dead letters' order and dates, a read-only token's disabled actions, and the phone width.
// A browser per test: the leak guard fails a test that leaves a child process running.
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../dist/api/server.js';
import type { Queue } from '../../dist/index.js';
import { deadGroupKey, queueKeys } from '../../dist/redis/keys.js';
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
const NEEDS_ADMIN = 'needs an admin token';

const closeAfterTest = closeAfterEachTest();

interface World {
  name: string;
  queue: Queue;
  url: string;
  browser: Browser;
}

/** A queue with an engine running `handler`, the API (with tokens) and a browser. */
async function world(label: string, handler: string): Promise<World> {
  const name = queueName(label);
  const queue = openQueue(name);
  closeAfterTest(() => queue.close());
  const engine = await startEngine({ queue: name, handler: handlerPath(handler) });
  closeAfterTest(() => engine.stop());
  const api = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    queues: [name],
    connection: redisUrl(),
    tokens: { read: READ, admin: ADMIN },
    logger: silent,
  });
  closeAfterTest(() => api.close());
  const browser = await launchChromium();
  closeAfterTest(() => browser.close());
  return { name, queue, url: api.url, browser };
}

async function shoot(page: Page, file: string): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0)
    await buttons
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
  await page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true });
}

async function atPhone(page: Page): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(250);
}

async function atLaptop(page: Page): Promise<void> {
  await page.setViewportSize(LAPTOP);
  await page.waitForTimeout(250);
}

/** The tick labels the chart drew, as its accessible description lists them. */
async function axisLabels(chart: Locator): Promise<{ y: string[]; x: string[] }> {
  const text = (await chart.getAttribute('aria-label')) ?? '';
  const list = (name: string) =>
    (new RegExp(`${name} axis: ([^.]*)\\.`).exec(text)?.[1] ?? '').split(', ').filter((s) => s !== '');
  return { y: list('Vertical'), x: list('Horizontal') };
}

/** Whether a chart's canvas has ink in its outer 2 px columns on `side` (a label cut at the edge). */
async function inkAtEdge(page: Page, chart: string, side: 'left' | 'right'): Promise<boolean> {
  // A string: the tests are compiled without the DOM's types.
  return (await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="${chart}"] canvas');
    const x = ${side === 'left' ? '0' : 'canvas.width - 2'};
    const { data } = canvas.getContext('2d').getImageData(x, 0, 2, canvas.height);
    return data.some((value, i) => i % 4 === 3 && value > 0);
  })()`)) as boolean;
}

/** Every visible button of `scope` lies within the phone's width. */
async function buttonsWithinPhone(scope: Locator): Promise<string[]> {
  const outside: string[] = [];
  const buttons = scope.getByRole('button');
  for (let i = 0; i < (await buttons.count()); i++) {
    const button = buttons.nth(i);
    if (!(await button.isVisible())) continue;
    const box = await button.boundingBox();
    const name = (await button.textContent())?.trim() ?? '?';
    if (!box || box.x < 0 || box.x + box.width > PHONE.width)
      outside.push(`${name} at ${JSON.stringify(box)}`);
  }
  return outside;
}

/** No table of the page scrolls (sideways, or hides rows) inside its card. */
async function tablesFit(page: Page): Promise<boolean> {
  return (await page.evaluate(
    `[...document.querySelectorAll('.table-wrap')].every(
      (wrap) => wrap.scrollWidth <= wrap.clientWidth && wrap.scrollHeight <= wrap.clientHeight,
    )`,
  )) as boolean;
}

/** `count` jobs that die on their first attempt (the handler throws), at the same millisecond. */
async function deadAtOneMs(queue: Queue, count: number, at: number): Promise<string[]> {
  const ids = await queue.addBulk(
    Array.from({ length: count }, (_, n) => ({ payload: { n }, opts: { attempts: 1 } })),
  );
  await waitFor(`${count} dead letters`, async () => (await queue.counts()).dead === count);
  const keys = queueKeys(queue.name);
  const groups = await queue.deadGroups();
  const multi = queue.redis.multi();
  for (const id of ids) multi.zadd(keys.dead, 'XX', at, id);
  for (const group of groups) {
    for (const id of ids) multi.zadd(deadGroupKey(keys, group.id), 'XX', at, id);
  }
  await multi.exec();
  return ids;
}

describe('operator monitor: the defects an operator found', () => {
  it('charts 100,000/s with whole compact labels, shows the latest values unhovered, and several times at 390 px', async () => {
    const { url, browser } = await world('monitor-chart', 'noop');
    const { page, errors } = await openMonitor(browser, url);
    // A busy queue's last 15 minutes: 100,000 completed/s and 1,200 failed/s.
    await page.route('**/history?*', (route) => {
      const end = Date.now() - 2000;
      const points = Array.from({ length: 900 }, (_, i) => ({
        t: end - (899 - i) * 1000,
        completed: 100_000,
        failed: 1200,
      }));
      return route.fulfill({ json: { points } });
    });
    await signIn(page, ADMIN);
    const chart = page.getByTestId('throughput-chart');

    for (const viewport of [LAPTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await expect.poll(async () => (await axisLabels(chart)).y).toContain('100k/s');
      const { x, y } = await axisLabels(chart);
      expect(
        y.every((label) => /^\d/.test(label)),
        `y labels ${y.join(' ')}`,
      ).toBe(true);
      expect(await inkAtEdge(page, 'throughput-chart', 'left'), 'a y label is cut at the left edge').toBe(
        false,
      );
      // The latency chart's two y axes (wait left, run right) label 0.50 ms and the like.
      for (const side of ['left', 'right'] as const) {
        expect(
          await inkAtEdge(page, 'latency-chart', side),
          `a latency label is cut at the ${side} edge`,
        ).toBe(false);
      }
      expect(x.length, `x labels at ${viewport.width} px: ${x.join(' ')}`).toBeGreaterThanOrEqual(3);
      await page.mouse.move(0, 0);
      const legend = (await page.locator('.u-legend').textContent()) ?? '';
      expect(legend, 'the legend unhovered').not.toContain('–');
      expect(legend).toMatch(/Completed\s*\d/);
      await shoot(page, `chart-${viewport.width}.png`);
      expect(await horizontalOverflow(page)).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('shows a job’s priority, finish time, progress and kept result, completed in green, and the API’s 404', async () => {
    const { name, queue, url, browser } = await world('monitor-job', 'reports-progress');
    await queue.setRetention({ completed: { count: 100 } });
    const [done] = await queue.addBulk([
      { payload: { steps: 1, ms: 1 }, opts: { priority: 1, keepResult: 600_000 } },
    ]);
    await waitFor('the job completed', async () => (await queue.counts()).completed === 1);
    const { page, errors } = await openMonitor(browser, url);
    await signIn(page, ADMIN);
    await tab(page, 'Jobs');
    const find = async (id: string) => {
      await page.getByLabel('Job id', { exact: true }).fill(id);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
    };

    await find(done as string);
    const job = page.getByTestId('job');
    await job.getByTestId('job-result').waitFor({ timeout: 5000 });
    expect(await job.getByTestId('job-priority').textContent()).toBe('1');
    expect(await job.getByTestId('job-finished').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await job.getByTestId('job-result').textContent()).toBe('null');
    const badge = job.locator('.state');
    expect(await badge.textContent()).toBe('completed');
    const color = await page.evaluate(
      `getComputedStyle(document.querySelector('[data-testid="job"] .state')).backgroundColor`,
    );
    expect(color, 'the completed badge is not red').not.toBe('rgb(253, 236, 236)');
    await shoot(page, 'job-completed-1280.png');
    await atPhone(page);
    await shoot(page, 'job-completed-390.png');
    expect(await horizontalOverflow(page)).toBe(0);
    await atLaptop(page);

    const running = await queue.add({ steps: 30, ms: 100 });
    await waitFor('the job running', async () => (await queue.getJob(running))?.progress);
    await find(running);
    await expect.poll(() => job.getByTestId('job-progress').textContent()).toMatch(/"step": \d+/);
    expect(await job.getByTestId('job-priority').textContent()).toBe('3 (default)');

    // Retention keeps completed jobs here: the message is the API's, not "(completed jobs are not kept)".
    await find('987654');
    const api = await fetch(`${url}/api/queues/${name}/jobs/987654`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const { error } = (await api.json()) as { error: { message: string } };
    await page.getByTestId('job-missing').waitFor();
    expect(await page.getByTestId('job-missing').textContent()).toContain(error.message);
    expect(await page.getByTestId('job-missing').textContent()).not.toContain('completed jobs are not kept');
    expect(errors).toEqual([]);
  });

  it('orders letters dead in the same millisecond by numeric id, and dates times that are not today', async () => {
    const { queue, url, browser } = await world('monitor-order', 'throws');
    const yesterday = Date.now() - 24 * 3600 * 1000;
    await deadAtOneMs(queue, 110, yesterday);
    const { page, errors } = await openMonitor(browser, url);
    await signIn(page, ADMIN);
    await tab(page, 'Dead letters');
    const rows = page.getByTestId('dead-row');
    await expect.poll(() => rows.count()).toBe(50);
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => String(110 - i)));

    const d = new Date(yesterday);
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const deadAt = rows.first().locator('time');
    expect(await deadAt.textContent()).toMatch(new RegExp(`^${day} \\d\\d:\\d\\d:\\d\\d$`));
    expect(await deadAt.getAttribute('title')).toBe(new Date(yesterday).toISOString());
    await shoot(page, 'dead-order-1280.png');
    await atPhone(page);
    await shoot(page, 'dead-order-390.png');
    await atLaptop(page);

    await tab(page, 'Groups');
    const last = page.getByTestId('group-row').first().locator('time');
    expect(await last.textContent()).toMatch(new RegExp(`^${day} `));
    expect(await last.getAttribute('title')).toBe(new Date(yesterday).toISOString());
    await tab(page, 'Overview');
    const started = page.getByTestId('engines').locator('time').first();
    expect(await started.textContent(), 'today: the time alone').toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await started.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(errors).toEqual([]);
  });

  it('disables every admin action for a read-only token, with the reason on hover', async () => {
    const { queue, url, browser } = await world('monitor-readonly', 'throws');
    await deadAtOneMs(queue, 2, Date.now());
    await queue.upsertSchedule('nightly', { cron: '0 3 * * *' }, { payload: {} });
    await queue.add({ later: true }, { delay: 3_600_000 });
    const { page, errors } = await openMonitor(browser, url);
    await signIn(page, READ);

    const disabled = async (button: Locator, what: string) => {
      await button.waitFor();
      expect(await button.isDisabled(), `${what} is disabled`).toBe(true);
      expect(await button.getAttribute('title'), `${what} says why`).toBe(NEEDS_ADMIN);
    };
    await disabled(page.getByRole('button', { name: 'Pause', exact: true }), 'Pause');
    await tab(page, 'Dead letters');
    const row = page.getByTestId('dead-row').first();
    for (const name of ['Retry', 'Edit', 'Delete']) {
      await disabled(row.getByRole('button', { name, exact: true }), `row ${name}`);
    }
    for (const name of ['Retry selected', 'Retry all matching', 'Purge…']) {
      await disabled(page.getByRole('button', { name, exact: true }), name);
    }
    await shoot(page, 'readonly-dead-1280.png');
    await atPhone(page);
    await row.getByRole('button', { name: 'Actions' }).click();
    await shoot(page, 'readonly-dead-390.png');
    await atLaptop(page);
    await tab(page, 'Groups');
    const group = page.getByTestId('group-row').first();
    await disabled(group.getByRole('button', { name: 'Retry group' }), 'Retry group');
    await disabled(group.getByRole('button', { name: 'Delete group' }), 'Delete group');
    await tab(page, 'Schedules');
    await disabled(page.getByRole('button', { name: 'Remove', exact: true }), 'schedule Remove');
    await tab(page, 'Job pages');
    await page.getByRole('button', { name: 'Delayed', exact: true }).click();
    await disabled(page.getByRole('button', { name: 'Run now' }), 'Run now');
    await tab(page, 'Events');
    await disabled(page.getByRole('button', { name: 'Turn events on' }), 'Turn events on');
    await tab(page, 'Jobs');
    await disabled(page.getByRole('button', { name: /^Enqueue/ }), 'Enqueue');
    await shoot(page, 'readonly-jobs-1280.png');
    expect((await queue.counts()).added, 'nothing was changed').toBe(3);

    // The admin token enables them again.
    await page.getByRole('button', { name: 'Forget token' }).click();
    await signIn(page, ADMIN);
    const pause = page.getByRole('button', { name: 'Pause', exact: true });
    await expect.poll(() => pause.isEnabled()).toBe(true);
    expect((await pause.getAttribute('title')) ?? '', 'no reason once allowed').toBe('');
    expect(errors).toEqual([]);
  });

  it('fits engines, dead-letter and group actions in 390 px: a row menu whose actions stay on screen', async () => {
    const { queue, url, browser } = await world('monitor-phone', 'throws');
    await deadAtOneMs(queue, 3, Date.now());
    const { page, errors } = await openMonitor(browser, url, PHONE);
    await signIn(page, ADMIN);

    const engines = page.getByTestId('engines');
    await engines.locator('time').first().waitFor();
    for (const label of ['Started', 'Last seen']) {
      const cell = engines.locator(`td[data-label="${label}"]`).first();
      const box = await cell.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${label} on screen`).toBe(true);
    }
    expect(await tablesFit(page), 'a table scrolls sideways').toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shoot(page, 'phone-overview-390.png');

    await tab(page, 'Dead letters');
    const row = page.getByTestId('dead-row').first();
    await row.getByRole('button', { name: 'Actions' }).click();
    for (const name of ['Retry', 'Edit', 'Delete']) {
      await row.getByRole('button', { name, exact: true }).waitFor();
    }
    expect(await buttonsWithinPhone(row)).toEqual([]);
    expect(await tablesFit(page), 'the dead letters scroll sideways').toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shoot(page, 'phone-dead-390.png');

    await tab(page, 'Groups');
    const group = page.getByTestId('group-row').first();
    await group.getByRole('button', { name: 'Actions' }).click();
    await group.getByRole('button', { name: 'Retry group' }).waitFor();
    expect(await buttonsWithinPhone(group)).toEqual([]);
    expect(await tablesFit(page), 'the groups scroll sideways').toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shoot(page, 'phone-groups-390.png');

    // The menu's actions work: Retry from the menu redrives the letter.
    await tab(page, 'Dead letters');
    await row.getByRole('button', { name: 'Actions' }).click();
    await row.getByRole('button', { name: 'Retry', exact: true }).click();
    await waitFor('the letter redriven', async () => (await queue.counts()).redriven === 1);

    await atLaptop(page);
    expect(await row.getByRole('button', { name: 'Actions' }).isVisible(), 'no menu at 1280 px').toBe(false);
    await shoot(page, 'phone-dead-1280.png');
    expect(Number.isNaN(await shownCount(page, 'dead'))).toBe(false);
    expect(errors).toEqual([]);
  });
});

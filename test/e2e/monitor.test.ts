// The operator monitor in a real headless Chromium, against the real API server (dist/api), a real
// engine and the test Redis. Every request the page makes outside the API's loopback origin is
// blocked and reported.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  tab,
} from './browser.js';

const UI_INDEX = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-monitor-'));
  if (!existsSync(UI_INDEX))
    throw new Error(`${UI_INDEX} is missing: build the monitor first (npm run build)`);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const closeAfterTest = closeAfterEachTest();

/** Fills the "enqueue test jobs" form (Jobs view) and submits it. */
async function enqueueFromForm(
  page: Page,
  count: number,
  payload: unknown,
  attempts?: number,
): Promise<void> {
  await tab(page, 'Jobs');
  await page.getByLabel('Count', { exact: true }).fill(String(count));
  await page.getByLabel('Attempts', { exact: true }).fill(attempts === undefined ? '' : String(attempts));
  await page.getByLabel(/^Payload/).fill(JSON.stringify(payload));
  await page.getByRole('button', { name: `Enqueue ${count} job${count === 1 ? '' : 's'}` }).click();
  await page
    .getByText(`Added ${count} job${count === 1 ? '' : 's'} to`)
    .first()
    .waitFor();
}

/** Dismisses the action notices, so a screenshot shows the page under them. */
async function clearNotices(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0)
    await buttons
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
}

async function untilShown(page: Page, name: string, expected: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `the ${name} count to show ${expected}`,
    async () => (await shownCount(page, name)) === expected,
    timeoutMs,
  );
}

describe('operator monitor', () => {
  it('shows counts moving live, pauses leasing, and redrives dead letters (also edited) from the browser', async () => {
    const name = queueName('monitor');
    const flag = join(scratch, 'flag');
    const queue = openQueue(name);
    closeAfterTest(() => queue.close());
    // A second queue in the Redis, so the header shows the queue picker.
    const other = openQueue(queueName('monitor-other'));
    closeAfterTest(() => other.close());
    await other.add({});
    // One job per thread batch, 8 at a time: a bulk completes over seconds, not in one settle.
    const engine = await startEngine({
      queue: name,
      handler: handlerPath('flag-fails'),
      threadBatch: 1,
      tasksPerThread: 4,
    });
    closeAfterTest(() => engine.stop());
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      queues: [name],
      connection: redisUrl(),
      logger: silent,
    });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, outside, errors } = await openMonitor(browser, api.url);
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await untilShown(page, 'completed', 0);

    // 40 jobs of up to 1 s each, 8 at a time: the displayed count climbs through several values.
    await enqueueFromForm(page, 40, { ms: 1000 });
    const shown = new Set<number>();
    await waitFor('40 completions on screen', async () => {
      const value = await shownCount(page, 'completed');
      shown.add(value);
      return value === 40;
    });
    const between = [...shown].filter((v) => v > 0 && v < 40);
    expect(between.length, `values shown on the way: ${[...shown].join(', ')}`).toBeGreaterThan(0);
    expect((await queue.counts()).completed).toBe(40);

    await tab(page, 'Overview');
    await page.getByTestId('rate-now').waitFor();
    await page
      .getByTestId('engines')
      .getByRole('cell', { name: String(process.pid) })
      .waitFor();
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'overview-laptop.png') });

    // Paused: jobs added meanwhile wait, none is leased; resumed: they run.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByTestId('paused-badge').waitFor();
    // The picker says so at once, not at its next read of the queue list.
    const picked = page.getByTestId('queue-picker').locator('option:checked');
    expect(await picked.textContent()).toBe(`${name} (paused)`);
    await enqueueFromForm(page, 5, { ms: 0 });
    await untilShown(page, 'waiting', 5);
    await sleep(1500);
    expect(await queue.counts()).toMatchObject({ waiting: 5, active: 0, completed: 40 });
    expect(await shownCount(page, 'completed')).toBe(40);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await untilShown(page, 'completed', 45);
    await untilShown(page, 'waiting', 0);
    expect(await page.getByTestId('paused-badge').count()).toBe(0);
    expect(await picked.textContent()).toBe(name);

    // A job whose flag file exists dies on its only attempt; the operator finds it and redrives it.
    writeFileSync(flag, '');
    await enqueueFromForm(page, 1, { flag, note: '<b>not markup</b>' }, 1);
    await untilShown(page, 'dead', 1);
    await tab(page, 'Dead letters');
    const row = page.getByTestId('dead-row');
    await expect.poll(() => row.count()).toBe(1);
    await row.getByText(`flag file ${flag} exists`).waitFor();
    await row.getByRole('button', { expanded: false }).click();
    const payload = page.getByTestId('payload');
    expect(await payload.textContent()).toContain('"note": "<b>not markup</b>"');
    expect(await payload.locator('b').count(), 'the payload is text, not HTML').toBe(0);
    await page
      .getByText(/at flagFails/)
      .first()
      .waitFor(); // the stack is shown
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dead-laptop.png'), fullPage: true });

    await page.setViewportSize(PHONE);
    await page.waitForTimeout(200);
    expect(await horizontalOverflow(page), 'dead letters at phone width scroll sideways').toBe(0);
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dead-phone.png'), fullPage: true });
    await tab(page, 'Overview');
    await page.waitForTimeout(200);
    expect(await horizontalOverflow(page), 'overview at phone width scrolls sideways').toBe(0);
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'overview-phone.png'), fullPage: true });
    await page.setViewportSize(LAPTOP);
    await tab(page, 'Dead letters');

    rmSync(flag);
    await row.getByRole('button', { name: 'Retry', exact: true }).click();
    await untilShown(page, 'dead', 0);
    await untilShown(page, 'completed', 46);
    await page.getByText('No dead letters').waitFor();

    // Edit then retry: the stored payload would fail again (its flag exists); the edited one runs.
    writeFileSync(flag, '');
    await enqueueFromForm(page, 1, { flag }, 1);
    await untilShown(page, 'dead', 1);
    await tab(page, 'Dead letters');
    await row.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = page.getByLabel('Edit the payload (JSON), then retry');
    const send = page.getByRole('button', { name: 'Retry with this payload' });
    await editor.fill('{"flag": ');
    await page.getByText('Not valid JSON').waitFor();
    expect(await send.isDisabled()).toBe(true);
    await editor.fill('{"edited": true}');
    await send.click();
    await untilShown(page, 'dead', 0);
    await untilShown(page, 'completed', 47);
    expect(existsSync(flag)).toBe(true);

    // Purge asks for the queue name before it deletes anything.
    await enqueueFromForm(page, 2, { flag }, 1);
    await untilShown(page, 'dead', 2);
    await tab(page, 'Dead letters');
    await expect.poll(() => row.count()).toBe(2);
    await page.getByRole('button', { name: 'Purge…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Purge' });
    await dialog.getByRole('textbox').fill(`${name}x`);
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill(name);
    await confirm.click();
    await untilShown(page, 'dead', 0);
    expect((await queue.counts()).dead).toBe(0);

    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(outside, 'requests outside the API origin').toEqual([]);
  });

  it('groups dead letters by error fingerprint, and retries and deletes a whole group from the browser', async () => {
    const name = queueName('monitor-groups');
    const flag = join(scratch, 'groups-flag');
    writeFileSync(flag, '');
    const queue = openQueue(name);
    closeAfterTest(() => queue.close());
    const engine = await startEngine({ queue: name, handler: handlerPath('two-errors') });
    closeAfterTest(() => engine.stop());
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      queues: [name],
      connection: redisUrl(),
      logger: silent,
    });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, outside, errors } = await openMonitor(browser, api.url);
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await queue.addBulk([
      ...[1, 2, 3].map((n) => ({ payload: { kind: 'type', n, flag }, opts: { attempts: 1 } })),
      ...[4, 5].map((n) => ({ payload: { kind: 'range', n, flag }, opts: { attempts: 1 } })),
    ]);
    await untilShown(page, 'dead', 5);

    await tab(page, 'Groups');
    const rows = page.getByTestId('group-row');
    await expect.poll(() => rows.count()).toBe(2);
    const typeRow = rows.filter({ hasText: 'TypeError at two-errors.js:12' });
    const rangeRow = rows.filter({ hasText: 'RangeError at two-errors.js:14' });
    expect(await typeRow.getByTestId('group-count').textContent()).toBe('3');
    expect(await rangeRow.getByTestId('group-count').textContent()).toBe('2');
    expect(await rows.first().textContent(), 'largest group first').toContain('TypeError');

    // Opening a group lists its letters.
    await typeRow.getByRole('button', { expanded: false }).click();
    const members = page.getByTestId('group-members');
    await expect.poll(() => members.locator('li').count()).toBe(3);
    await members.getByText('no handler for job 2').waitFor();
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'groups-laptop.png'), fullPage: true });

    // The fix is deployed (the flag is gone): retrying the group runs its three jobs, and it empties.
    rmSync(flag);
    await typeRow.getByRole('button', { name: 'Retry group' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry group' }).click();
    await untilShown(page, 'completed', 3);
    await untilShown(page, 'dead', 2);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await typeRow.count()).toBe(0);
    expect(await rangeRow.getByTestId('group-count').textContent()).toBe('2');
    expect((await queue.deadGroups()).map((g) => [g.label, g.count])).toEqual([
      ['RangeError at two-errors.js:14', 2],
    ]);

    await page.setViewportSize(PHONE);
    await page.waitForTimeout(200);
    expect(await horizontalOverflow(page), 'groups at phone width scroll sideways').toBe(0);
    await clearNotices(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'groups-phone.png'), fullPage: true });
    await page.setViewportSize(LAPTOP);

    // Deleting a group asks first, then removes its letters.
    await rangeRow.getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete group' }).click();
    await untilShown(page, 'dead', 0);
    await page.getByText('No dead-letter groups').waitFor();
    expect(await queue.counts()).toMatchObject({ dead: 0, completed: 3, waiting: 0 });

    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(outside, 'requests outside the API origin').toEqual([]);
  });

  it('asks for a token on 401, disables changes for the read token, and works once each is entered', async () => {
    const name = queueName('monitor-auth');
    const queue = openQueue(name);
    closeAfterTest(() => queue.close());
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      queues: [name],
      connection: redisUrl(),
      tokens: { read: 'read-token-0123456789', admin: 'admin-token-0123456789' },
      logger: silent,
    });
    closeAfterTest(() => api.close());
    const browser = await launchChromium();
    closeAfterTest(() => browser.close());
    const { page, outside, errors } = await openMonitor(browser, api.url);
    const prompt = page.getByRole('heading', { name: 'This server needs an access token' });
    await prompt.waitFor();
    expect(await page.getByTestId('count-waiting').count(), 'nothing is shown without a token').toBe(0);

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'token-laptop.png') });

    await page.getByLabel('Token', { exact: true }).fill('wrong-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('The server refused the token this tab holds.').waitFor();

    // A read token shows everything but cannot change anything: a change is disabled, saying why.
    await page.getByLabel('Token', { exact: true }).fill('read-token-0123456789');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await untilShown(page, 'waiting', 0);
    expect(await prompt.count()).toBe(0);
    await tab(page, 'Jobs');
    await page.getByLabel('Count', { exact: true }).fill('3');
    const enqueue = page.getByRole('button', { name: 'Enqueue 3 jobs' });
    await expect.poll(() => enqueue.isDisabled()).toBe(true);
    expect(await enqueue.getAttribute('title')).toBe('needs an admin token');
    await enqueue.click({ force: true });
    expect((await queue.counts()).added).toBe(0);
    await page.getByRole('button', { name: 'Forget token' }).click();
    await prompt.waitFor();

    await page.getByLabel('Token', { exact: true }).fill('admin-token-0123456789');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByTestId('stream-status').getByText('live').waitFor();
    await enqueueFromForm(page, 3, { hello: 'world' });
    await untilShown(page, 'waiting', 3);
    expect((await queue.counts()).waiting).toBe(3);

    // The token lives in sessionStorage: a reload does not ask again.
    await page.reload();
    await untilShown(page, 'waiting', 3);
    expect(await prompt.count()).toBe(0);

    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(outside, 'requests outside the API origin').toEqual([]);
  });
});

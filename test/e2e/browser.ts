// Headless Chromium for the monitor's end-to-end tests, driven by playwright-core. The browser is
// the system's (scripts/chromium.mjs says where; `npm test` installs Debian's); nothing is downloaded.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterEach, beforeAll } from 'vitest';
import { CHROMIUM } from '../../scripts/chromium.mjs';

/** Where the tests save their screenshots (outside the repository). */
export const SCREENSHOT_DIR = join(tmpdir(), 'sluice-monitor-screenshots');

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The hooks every monitor test file shares. Before the file's tests, Chromium is started once, so
 * a Chromium that cannot start is one failure before any queue is opened. After each test, what
 * it registered is closed, last first, also when it threw half-way; vitest runs after-hooks
 * last-registered first, so this runs before the leak guard looks. Returns the register.
 */
export function closeAfterEachTest(): (close: () => Promise<unknown>) => void {
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    await (await launchChromium()).close();
  });
  afterEach(async () => {
    for (let close = closers.pop(); close !== undefined; close = closers.pop()) await close();
  });
  return (close) => closers.push(close);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install Debian's chromium (npm test does, run as root) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Monitor {
  context: BrowserContext;
  page: Page;
  /** Requests the page attempted to anywhere but the API's origin (all of them were aborted). */
  outside: string[];
  /** Uncaught errors of the page. */
  errors: string[];
}

/** A fresh context on the monitor at `url` that may talk to the API's loopback origin only. */
export async function openMonitor(browser: Browser, url: string, viewport = LAPTOP): Promise<Monitor> {
  const origin = new URL(url).origin;
  const context = await browser.newContext({ viewport });
  const outside: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || new URL(target).origin === origin) return route.continue();
    outside.push(target);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { context, page, outside, errors };
}

/** The number a count card shows (NaN while it shows none). */
export async function shownCount(page: Page, name: string): Promise<number> {
  const text = (await page.getByTestId(`count-${name}`).textContent()) ?? '';
  return text.trim() === '' || text.includes('–') ? Number.NaN : Number(text.replace(/,/g, ''));
}

/** The page's width beyond its viewport (0 when nothing makes the page scroll sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  const [scroll, client] = (await page.evaluate(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  )) as [number, number];
  return scroll - client;
}

/** Opens a view by its tab, whose name may be followed by a count ("Dead letters 3"). */
export async function tab(page: Page, name: string): Promise<void> {
  const start = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: start }).click();
}

/** Uses `token` at the monitor's prompt and waits until the stream is live. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByTestId('stream-status').getByText('live').waitFor();
}

/**
 * A real browser for the browser tests: Debian's Chromium driven by
 * playwright-core. One browser per test file, a fresh context (cookies,
 * storage) per test, and a screenshot in the OS temp folder when a test fails.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** How long any one wait on the page may take: well inside mocha's 20 s, so Playwright's message names what was awaited. */
const ACTION_TIMEOUT_MS = 8_000;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches headless Chromium; without it the suite fails (never skips) and says how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH}, which does not exist. Install it with \`apt-get install -y chromium\` (CI does this in .ci/run).`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/**
 * One test's browser state: call `open()` in `beforeEach` and `close(this.currentTest)`
 * in `afterEach`. Uncaught errors in any page or frame are kept for `pageErrors`.
 */
export class BrowserTestSession {
  readonly #browser: Browser;
  #context: BrowserContext | null = null;
  #page: Page | null = null;
  #errors: string[] = [];

  constructor(browser: Browser) {
    this.#browser = browser;
  }

  get page(): Page {
    if (!this.#page) throw new Error('No page: call open() in beforeEach first');
    return this.#page;
  }

  /** Uncaught script errors seen so far, in any page or frame of this test. */
  get pageErrors(): readonly string[] {
    return this.#errors;
  }

  async open(): Promise<Page> {
    this.#errors = [];
    this.#context = await this.#browser.newContext({ viewport: { width: 1280, height: 800 } });
    this.#context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    this.#context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    this.#page = await this.#context.newPage();
    this.#page.on('pageerror', (error) => this.#errors.push(error.message));
    return this.#page;
  }

  /** Keeps a screenshot of a failed test (its path printed), then drops the context. */
  async close(test: Mocha.Test | undefined): Promise<void> {
    const page = this.#page;
    const context = this.#context;
    this.#page = null;
    this.#context = null;
    try {
      if (page && test?.state === 'failed') {
        const file = path.join(mkdtempSync(path.join(tmpdir(), 'live-rooms-browser-')), `${slug(test.fullTitle())}.png`);
        await page.screenshot({ path: file, fullPage: true, timeout: ACTION_TIMEOUT_MS }).then(
          () => console.error(`    screenshot of the failed test: ${file} (at ${page.url()})`),
          (error: unknown) => console.error(`    could not take a screenshot of the failed test: ${(error as Error).message}`),
        );
      }
    } finally {
      await context?.close();
    }
  }
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}

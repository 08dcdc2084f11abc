/**
 * A real browser for the browser tests: Debian's Chromium driven by
 * playwright-core. One browser per test file, a fresh context (cookies,
 * storage) per test, and a screenshot in the OS temp folder when a test fails.
 * `useBrowserSuite` sets all of it up for a describe block, with the test server.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';

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
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH}, which does not exist. Install it with \`apt-get install -y chromium\` (CI does this in .ci/run).`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 20_000 });
}

/**
 * One test's browser state: call `open()` in `beforeEach` and `close(this.currentTest)`
 * in `afterEach`. Uncaught errors in any page or frame are kept for `pageErrors`.
 */
export class BrowserTestSession {
  readonly #browser: () => Browser;
  #context: BrowserContext | null = null;
  #page: Page | null = null;
  #errors: string[] = [];

  /** `browser` may be a getter, for a session made before the browser is launched. */
  constructor(browser: Browser | (() => Browser)) {
    this.#browser = typeof browser === 'function' ? browser : () => browser;
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
    this.#context = await this.#browser().newContext({ viewport: { width: 1280, height: 800 } });
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

export interface BrowserSuiteOptions<Name extends string> {
  /** The test server's options; a function when they are known only once an earlier `before` has run. */
  server?: TestServerOptions | (() => TestServerOptions);
  /** One session per name, each with its own cookies; one named `session` when none are given. */
  sessions?: readonly Name[];
  /** More Chromium switches (fake cameras and microphones for the media tests). */
  chromiumArgs?: readonly string[];
}

export interface BrowserSuite<Name extends string> {
  readonly browser: Browser;
  readonly server: TestServer;
  readonly sessions: Readonly<Record<Name, BrowserTestSession>>;
  /** Console errors (CSP refusals among them) of every page of the current test. */
  readonly consoleErrors: readonly string[];
}

/**
 * Sets up a describe block's browser tests: Chromium and the test server start together in
 * `before` and stop in `after`; every session opens a page before each test and closes it after
 * (with a screenshot when the test failed). Call it inside `describe`; its hooks run before those
 * the block registers after it, so a block's own `beforeEach` finds the pages open.
 */
export function useBrowserSuite<const Name extends string = 'session'>(options: BrowserSuiteOptions<Name> = {}): BrowserSuite<Name> {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  const consoleErrors: string[] = [];
  const suite: BrowserSuite<Name> = {
    get browser() {
      if (!browser) throw new Error('No browser: the suite has not started');
      return browser;
    },
    get server() {
      if (!server) throw new Error('No test server: the suite has not started');
      return server;
    },
    sessions: Object.fromEntries((options.sessions ?? ['session']).map((name) => [name, new BrowserTestSession(() => suite.browser)])) as Record<Name, BrowserTestSession>,
    consoleErrors,
  };
  const sessions = (): BrowserTestSession[] => Object.values(suite.sessions);

  before(async function () {
    this.timeout(30_000);
    const serverOptions = typeof options.server === 'function' ? options.server() : options.server;
    // Both settle before a failure is reported, so that `after` stops whichever one did start.
    const [launched, started] = await Promise.allSettled([launchBrowser(options.chromiumArgs), startTestServer(serverOptions)]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
  });

  after(async () => {
    await Promise.all([browser?.close(), server?.stop()]);
  });

  beforeEach(async () => {
    consoleErrors.length = 0;
    for (const session of sessions()) {
      const page = await session.open();
      page.on('console', (message) => {
        // The service has no favicon; the browser asks for one anyway.
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) consoleErrors.push(`${message.text()} (${message.location().url})`);
      });
    }
  });

  afterEach(async function () {
    await Promise.all(sessions().map((session) => session.close(this.currentTest)));
  });

  return suite;
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}

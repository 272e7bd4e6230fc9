/**
 * Debian's chromium for the browser tests, driven by playwright-core (never a downloaded browser). The flags keep
 * it off the network (this machine's closed network refuses Chromium's background connections) and headless.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Skip only on a developer machine without chromium; in CI (.ci/run installs it) a missing browser fails. */
export const canRunBrowser = existsSync(CHROMIUM) || process.env.CI !== undefined;

/** A fresh headless chromium with a temporary profile of its own (removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/**
 * The chromium of a browser test's describe block, its start and its end said once: `around(setUp, stop)` registers
 * the beforeAll (`setUp`: the app started, the register seeded; then chromium launched) and the afterAll (chromium
 * closed, then `stop`: the app, whatever setUp got to start). Declared at the top of the file, so that the file's
 * helpers open pages with `browser.newContext(...)`; `around` is called in the describe block, whose skipIf then
 * skips its start too.
 */
export class TestBrowser {
  #browser: Browser | undefined;

  around(setUp: () => Promise<void>, stop: () => Promise<void> | undefined, timeoutMs = 120_000): void {
    beforeAll(async () => {
      await setUp();
      this.#browser = await launchChromium();
    }, timeoutMs);
    afterAll(async () => {
      await this.#browser?.close();
      this.#browser = undefined;
      await stop();
    });
  }

  /** A new context (its own cookies: a person) in the launched chromium. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext> {
    if (this.#browser === undefined) throw new Error('chromium is not running: TestBrowser.around() starts it');
    return this.#browser.newContext(options);
  }
}

export interface PanelLogIn {
  /** Where the page goes first: '/login' (default), a page that must send it to the login, or null: it is there. */
  from?: string | null;
  /** Types the password into the field that has the focus (autofocus, checked) and presses Enter, instead of a click. */
  keyboard?: boolean;
  /** Where it must land: the dashboard ('/') by default, or any page but the login's. */
  landsOn?: '/' | 'any';
}

/** Logs `page` in to `panel` (a harness: its url()) with `password` as a person does; waits for the page it lands on. */
export async function logIn(
  page: Page,
  panel: { url(path: string): string },
  password: string,
  opts: PanelLogIn = {},
): Promise<void> {
  const url = (path: string): string => panel.url(path);
  const from = opts.from === undefined ? '/login' : opts.from;
  if (from !== null) await page.goto(url(from));
  if (from !== null && from !== '/login') await expect.poll(() => page.url()).toMatch(/\/login$/);
  const landed = (): Promise<void> =>
    opts.landsOn === 'any' ? page.waitForURL((u) => u.pathname !== '/login') : page.waitForURL(url('/'));
  if (opts.keyboard === true) {
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.name')).toBe('password');
    await page.keyboard.type(password);
    await Promise.all([landed(), page.keyboard.press('Enter')]);
  } else {
    await page.fill('input[name=password]', password);
    await Promise.all([landed(), page.click('button[type=submit]')]);
  }
}

/**
 * A person's page at a window `width` px wide (a phone's 844 px tall, a laptop's 768 above 1000 px) in `locale`,
 * logged in to `panel` with `password`, then at `path`: the width tests' way in.
 */
export async function openLoggedIn(
  browser: TestBrowser,
  panel: { url(path: string): string },
  password: string,
  at: { path: string; width: number; locale: string },
): Promise<Page> {
  const { width, locale } = at;
  const context = await browser.newContext({ locale, viewport: { width, height: width > 1000 ? 768 : 844 } });
  const page = await context.newPage();
  await logIn(page, panel, password);
  await page.goto(panel.url(at.path));
  return page;
}

/**
 * The text of `page` under `root` that a person cannot read where it stands: each text node's own boxes (a shrunk flex
 * item's text overflows while the item stays inside) past the window's edges or cut by an ancestor that clips or
 * scrolls (a table's box that scrolls sideways), as "text left-right (room left-right)". Screen-reader-only text
 * (.sr-only) and closed <details> are left out.
 */
export function textOutOfSight(page: Page, root = 'main'): Promise<string[]> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const doc = document.documentElement;
    const out = [];
    const walker = document.createTreeWalker(document.querySelector(${JSON.stringify(root)}), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || el.closest('.sr-only, details:not([open]) > :not(summary), option, select')) continue;
      let room = { left: 0, right: doc.clientWidth };
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        const b = a.getBoundingClientRect();
        room = { left: Math.max(room.left, b.left), right: Math.min(room.right, b.right) };
      }
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width === 0 || (r.left >= room.left - 0.5 && r.right <= room.right + 0.5)) continue;
        out.push(n.textContent.trim().slice(0, 40) + ' ' + Math.round(r.left) + '-' + Math.round(r.right) +
          ' (' + Math.round(room.left) + '-' + Math.round(room.right) + ')');
        break;
      }
    }
    return out;
  })()`);
}

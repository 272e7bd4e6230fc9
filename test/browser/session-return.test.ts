/**
 * The office's session ends under it (sessions live in memory: crocetta restarted, or the panel was left open past
 * its idle hours). In a real browser (Debian's chromium, playwright-core) against the real app: a mark posted at that
 * moment is not saved, and the login form says so (before: the dashboard, no word, the mark silently lost); the login
 * goes back to the page the office was on, or to the page it asked for; never to another site.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { pickPorts } from '../support/real-sip-tools.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const CALLER = '+390298765432';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

/** Logs in with the keyboard only (the password field has the focus), and waits for the page it lands on. */
const keyIn = (page: Page): Promise<void> => logIn(page, h, PASSWORD, { from: null, keyboard: true, landsOn: 'any' });

describe.skipIf(!canRunBrowser)('the login after a session ended, in a browser', () => {
  browser.around(
    async () => {
      // One port for both runs (a free one in 26100-26999, or E2E_PORTS): the page open in the browser must reach the
      // restarted app.
      const [port = 0] = await pickPorts(1, ['127.0.0.1'], 26_100, 27_000);
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD, PANEL_PORT: String(port) });
    },
    () => h?.stop(),
  );

  it('says a mark posted after a restart was not saved, and goes back to the number page to do it again', async () => {
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const numberPage = h.url(`/numbers/${encodeURIComponent(CALLER)}`);
    await page.goto(h.url('/login'));
    await keyIn(page);
    await page.goto(numberPage); // its mark form is open
    await page.fill('details.mark input[name=company]', 'Example Energia');
    await page.fill('details.mark input[name=category]', 'energy');

    await h.restartApp(); // the sessions are gone; the page still shows the form
    await Promise.all([
      page.waitForURL(h.url('/login')),
      page.locator('details.mark button[value=nuisance]').first().click(),
    ]);
    const notice = page.locator('[data-dropped]');
    expect(await notice.count()).toBe(1);
    expect(await notice.textContent()).toMatch(/^La sessione era scaduta .* NON è stato salvato\. Accedi/);
    expect(await page.locator('[role=alert]').count()).toBe(1);
    await saveScreenshot(page, join(ARTIFACTS, 'session-dropped-it-390.png'));
    expect(h.app.register.evidenceFor(CALLER).mark).toBeNull();

    // The password field has the focus: type, Enter, and the number page is back (still not marked).
    await keyIn(page);
    expect(page.url()).toBe(numberPage);
    expect(await page.locator('main').textContent()).toContain('non segnato');
    await page.fill('details.mark input[name=company]', 'Example Energia');
    await Promise.all([
      page.waitForLoadState('load'),
      page.locator('details.mark button[value=nuisance]').first().click(),
    ]);
    expect(h.app.register.evidenceFor(CALLER).mark?.label).toBe('nuisance');

    // Remembered once: the next login (after logging out) starts from the dashboard, without the notice.
    await Promise.all([page.waitForURL(h.url('/login')), page.click('header form button[type=submit]')]);
    expect(await notice.count()).toBe(0);
    await keyIn(page);
    expect(page.url()).toBe(h.url('/'));
    await context.close();
  });

  it('an upload sent after the session ended (JavaScript on) shows the login form and its notice, then the import page', async () => {
    const list = join(mkdtempSync(join(tmpdir(), 'crocetta-list-')), 'numeri.txt');
    writeFileSync(list, '+39 02 9876 5499\n');
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(h.url('/import'));
    await keyIn(page);
    expect(page.url()).toBe(h.url('/import'));
    await page.selectOption('select[name=format]', 'list');
    await page.setInputFiles('input[name=file]', list);

    await h.restartApp();
    await Promise.all([page.waitForURL(h.url('/login')), page.click('form[data-import] button[type=submit]')]);
    expect(await page.locator('[data-dropped]').count()).toBe(1);
    expect(h.app.register.evidenceFor('+390298765499').mark).toBeNull();
    await keyIn(page);
    expect(page.url()).toBe(h.url('/import'));
    await context.close();
  });

  it('after the login opens the page that was asked for, filters included (English)', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const asked = h.url('/register?verdict=nuisance&q=0298');
    await page.goto(asked);
    expect(page.url()).toBe(h.url('/login'));
    expect(await page.locator('[data-dropped]').count()).toBe(0); // nothing was posted: nothing to apologise for
    await keyIn(page);
    expect(page.url()).toBe(asked);
    expect(await page.locator('select[name=verdict]').inputValue()).toBe('nuisance');
    await context.close();
  });

  it('never sends the office to another site after the login', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    for (const value of ['page://evil.example/', 'page:/\\evil.example', 'page:https://evil.example/', 'page:/login']) {
      await context.addCookies([{ name: 'crocetta_return', value: encodeURIComponent(value), url: h.url('/') }]);
      await page.goto(h.url('/login'));
      await keyIn(page);
      expect(page.url(), value).toBe(h.url('/'));
      await page.click('header form button[type=submit]');
      await page.waitForURL(h.url('/login'));
    }
    await context.close();
  });
});

/**
 * The settings page's policies in a real browser (Debian's chromium, playwright-core) against the real app and the
 * drachtio double: add rules, reorder them, change the business hours, see a refused edit explained, and the next
 * INVITE follow the edited rules; the number page says what each line would do now. Screenshots go to
 * test-artifacts/browser/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const SUPPORT = '+390212345670';
const SALES = '+390212345671';
/** Suspect by the office's prefix rule. */
const CALLER = '+390451234567';
/** Suspect by the same rule, and never called before the end. */
const FRESH = '+390451234568';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

function invite(did: string, caller = CALLER) {
  return h.double.injectRequest(
    buildInvite({ from: `<sip:${caller}@203.0.113.10>`, to: did, requestUri: `sip:${did}@127.0.0.1` }),
  );
}

async function login(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await logIn(page, h, PASSWORD, { from: '/' });
  return page;
}

/** Fills the blank rule at the end of the list and adds it. */
async function addRule(
  page: Page,
  rule: { name: string; dids: string; verdicts: string[]; action: string; hours?: string },
): Promise<void> {
  const form = page.locator('#rule-new');
  await form.locator('input[name=name]').fill(rule.name);
  await form.locator('input[name=dids]').fill(rule.dids);
  await form.locator('select[name=hours]').selectOption(rule.hours ?? '');
  for (const v of rule.verdicts) await form.locator(`input[name=verdicts][value=${v}]`).check();
  await form.locator('select[name=action]').selectOption(rule.action);
  await Promise.all([page.waitForURL(/\/settings\?saved=1$/), form.locator('button[value=add]').click()]);
}

async function ruleNames(page: Page): Promise<string[]> {
  const inputs = await page.locator('form.rule:not(#rule-new) input[name=name]').all();
  return Promise.all(inputs.map((input) => input.inputValue()));
}

describe.skipIf(!canRunBrowser)('policies on the settings page, in a browser', () => {
  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      h = await startHarness(
        { ADMIN_PASSWORD: PASSWORD },
        {
          configure: (c) =>
            void (c.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'test range' }]),
        },
      );
      h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    },
    () => h?.stop(),
  );

  it('adds, reorders and removes rules, edits the business hours, and the next call follows them', async () => {
    const page = await login('en-GB');
    await page.goto(h.url('/settings'));
    await expect.poll(() => page.locator('#no-rules').count()).toBe(1);

    // Before any rule, a suspect on the sales line is tagged (actions.suspect).
    expect((await invite(SALES).waitForFinal()).status).toBe(200);

    await addRule(page, {
      name: 'support line',
      dids: '02 1234 5670',
      verdicts: ['suspect', 'nuisance', 'withheld'],
      action: 'tag',
    });
    await addRule(page, {
      name: 'sales line',
      dids: '02 1234 5671',
      verdicts: ['suspect', 'withheld'],
      action: 'reject',
    });
    await addRule(page, { name: 'after hours', hours: 'closed', dids: '', verdicts: ['unknown'], action: 'tag' });
    expect(await ruleNames(page)).toEqual(['support line', 'sales line', 'after hours']);
    await expect.poll(() => page.locator('p.notice').textContent()).toMatch(/Saved/i);

    // The sales line now refuses the same caller the support line lets through.
    expect((await invite(SALES).waitForFinal()).status).toBe(607);
    expect((await invite(SUPPORT).waitForFinal()).status).toBe(200);

    // Move "sales line" up: it becomes rule 1; the checkboxes and action came back as saved.
    await Promise.all([page.waitForURL(/saved=1/), page.locator('#rule-2 button[value=up]').click()]);
    expect(await ruleNames(page)).toEqual(['sales line', 'support line', 'after hours']);
    expect(await page.locator('#rule-1 input[name=verdicts][value=suspect]').isChecked()).toBe(true);
    expect(await page.locator('#rule-1 input[name=verdicts][value=trusted]').isChecked()).toBe(false);
    expect(await page.locator('#rule-1 select[name=action]').inputValue()).toBe('reject');

    // A rule the configuration would refuse is explained and not saved.
    await page.locator('#rule-new input[name=dids]').fill('the support line');
    await page.locator('#rule-new select[name=action]').selectOption('reject');
    await page.locator('#rule-new button[value=add]').click();
    await expect
      .poll(() => page.locator('p.notice.error').textContent())
      .toMatch(/Rule 4, Our numbers: expected one of our numbers/);
    await page.goto(h.url('/settings'));
    expect(await ruleNames(page)).toEqual(['sales line', 'support line', 'after hours']);

    // Business hours: open on Saturday mornings too, closed on Christmas Eve; a bad interval is refused.
    const hours = page.locator('#business-hours form');
    await hours.locator('input[name=sat]').fill('09:00 - 12:00');
    await hours.locator('textarea[name=closed]').fill('24/12, 2026-08-10..2026-08-21, 31-12-2026');
    await Promise.all([page.waitForURL(/saved=1/), hours.locator('button[type=submit]').click()]);
    expect(await page.locator('#business-hours input[name=sat]').inputValue()).toBe('09:00-12:00');
    // Typed day first (31-12-2026 was refused) or in the file's forms; shown day first, as the panel writes dates.
    expect(await page.locator('#business-hours textarea[name=closed]').inputValue()).toBe(
      '24/12, 10/08/2026..21/08/2026, 31/12/2026',
    );
    await page.locator('#business-hours input[name=mon]').fill('13:00-08:30');
    await page.locator('#business-hours button[type=submit]').click();
    await expect
      .poll(() => page.locator('p.notice.error').textContent())
      .toMatch(/Business hours, Monday: the opening must come before the closing/);
    await page.goto(h.url('/settings'));
    await shot(page, 'settings-policies');

    // The number page: what each line would do now (Thursday 09:30, open) with a suspect that never called (the
    // caller above is nuisance by now: refused, then calling again).
    await page.goto(h.url(`/numbers/${encodeURIComponent(FRESH)}`));
    const rows = await page.locator('#lines-now tbody tr').allInnerTexts();
    expect(rows[0]).toMatch(/02 1234 5671 \(sales line\)\s+suspect\s+refused \(607 unwanted\)\s+rule 1 "sales line"/);
    expect(rows[1]).toMatch(
      /02 1234 5670 \(support line\)\s+suspect\s+let through, tagged suspect\s+rule 2 "support line"/,
    );
    expect(rows.at(-1)).toMatch(/any other number\s+suspect\s+let through, tagged suspect\s+action per verdict/);
    expect(await page.locator('#lines-now-at').textContent()).toMatch(/09:30 \(open\)/);
    await shot(page, 'number-lines-now');

    // Remove the sales rule: the next suspect on the sales line is tagged again.
    await page.goto(h.url('/settings'));
    await Promise.all([page.waitForURL(/saved=1/), page.locator('#rule-1 button[value=remove]').click()]);
    expect(await ruleNames(page)).toEqual(['support line', 'after hours']);
    expect((await invite(SALES, FRESH).waitForFinal()).status).toBe(200);
    await page.context().close();
  }, 120_000);

  it('speaks Italian', async () => {
    const page = await login('it-IT');
    await page.goto(h.url('/settings'));
    expect(await page.locator('#policies h2').textContent()).toBe('Regole per linea e orario');
    expect(await page.locator('#business-hours h2').textContent()).toBe('Orario di apertura');
    expect(await page.locator('#rule-new button[value=add]').textContent()).toBe('Aggiungi regola');
    await page.context().close();
  }, 60_000);
});

async function shot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, join(ARTIFACTS, `${name}.png`));
}

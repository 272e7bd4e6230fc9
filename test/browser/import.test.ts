/**
 * The import page in a real browser (Debian's chromium, playwright-core) against the real app and register: a
 * plain list uploaded through the page runs as a job whose progress the page polls, ends with its report (a bad
 * line listed, escaped), and the imported number is nuisance at once; without JavaScript the same form posts
 * and answers with the final report (a refused FRITZ!Box file names its line). Screenshots in test-artifacts/browser/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
const LISTED = '+390287176900';
const HOSTILE = '<img src=x onerror=alert(1)>';

const canRun = canRunBrowser;

let h: Harness;
const browser = new TestBrowser();
let files: string;
const dialogs: string[] = [];

async function login(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  await logIn(page, h, PASSWORD);
  return page;
}

describe.skipIf(!canRun)('the import page in a browser', () => {
  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      files = mkdtempSync(join(tmpdir(), 'crocetta-import-'));
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    },
    () => h?.stop(),
  );

  it('imports a plain list through the page with a progress bar, lists the bad line escaped, and the number is nuisance', async () => {
    const list = join(files, 'nuisance.txt');
    // Thousands of rows, so the job still runs when the page it redirects to loads: that page polls only a running
    // job (a four-line file was sometimes done by then, and the poll this test waits for never came).
    const more = Array.from({ length: 5_000 }, (_, i) => `+39 02 9${String(i).padStart(7, '0')}`);
    writeFileSync(list, `# call centres\n02 8717 6900\n${HOSTILE}\n+39 06 1122 3344\n${more.join('\n')}\n`);
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await login(context);
    await page.goto(h.url('/rules'));
    await Promise.all([page.waitForURL(/\/import$/), page.click('#import-link')]);
    expect(await page.locator('h1').textContent()).toBe('Import a list');
    await page.selectOption('select[name=format]', 'list');
    await page.fill('input[name=category]', 'energy');
    await page.check('input[name=lenient]');
    await page.setInputFiles('input[name=file]', list);
    const polled = page.waitForResponse((r) => r.url().includes('/api/import/jobs/'));
    await page.click('form[data-import] button[type=submit]');
    expect((await polled).status()).toBe(200); // panel.js polled the job with the session
    await page.waitForURL(/\/import\?job=/);
    await expect
      .poll(() => page.locator('#import-status').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('done');
    expect(await page.locator('#import-progress').getAttribute('value')).toBe('1.000');
    expect(await page.locator('[data-field=imported]').textContent()).toBe('5002');
    expect(await page.locator('[data-field=skipped]').textContent()).toBe('1');
    const error = await page.locator('#import-errors li').textContent();
    expect(error).toContain('line 3');
    expect(error).toContain(HOSTILE.slice(0, 20)); // shown as text...
    expect(await page.locator('#import-errors img').count()).toBe(0); // ...never as markup
    await saveScreenshot(page, join(ARTIFACTS, 'import.png'));

    await page.goto(h.url(`/numbers/${encodeURIComponent(LISTED)}`));
    expect(await page.locator('main .badge').first().textContent()).toMatch(/nuisance/i);
    expect(await page.locator('main').textContent()).toContain('energy');
    await saveScreenshot(page, join(ARTIFACTS, 'import-number.png'));
    expect(h.app.register.evidenceFor(LISTED).mark?.label).toBe('nuisance');
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('without JavaScript posts the form and answers with the final report: a refused FRITZ!Box file names its line', async () => {
    const xml = join(files, 'phonebook.xml');
    writeFileSync(
      xml,
      '<?xml version="1.0"?>\n<phonebooks><phonebook>\n<contact><telephony><number>0299887766</number></telephony>\n</phonebook></phonebooks>\n',
    );
    const context = await browser.newContext({
      locale: 'it-IT',
      javaScriptEnabled: false,
      viewport: { width: 1280, height: 900 },
    });
    const page = await login(context);
    await page.goto(h.url('/import'));
    expect(await page.locator('h1').textContent()).toBe('Importa un elenco');
    await page.selectOption('select[name=format]', 'fritzbox');
    await page.setInputFiles('input[name=file]', xml);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/import') && r.request().method() === 'POST'),
      page.click('form[data-import] button[type=submit]'),
    ]);
    expect(answer.status()).toBe(422);
    expect(await page.locator('#import-status').getAttribute('data-state')).toBe('refused');
    expect(await page.locator('#import-status h2').first().textContent()).toContain('File rifiutato');
    expect(await page.locator('#import-errors li').textContent()).toMatch(
      /^riga \d+: XML non ben formato \(colonna \d+\): [^«]+$/,
    );
    expect(await page.locator('select[name=format]').inputValue()).toBe('fritzbox'); // kept for the next try
    await saveScreenshot(page, join(ARTIFACTS, 'import-refused-nojs.png'));
    expect(h.app.register.evidenceFor('+390299887766').mark).toBeNull();

    // A form without its CSRF field is refused before the file is read.
    const forged = await context.request.post(h.url('/import'), {
      multipart: {
        format: 'list',
        file: { name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('0299887766\n') },
      },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(h.app.register.evidenceFor('+390299887766').mark).toBeNull();
    await context.close();
  });

  it('tells a vCard and a FRITZ!Box phonebook from the file when the format is left as it is; asks for a plain list’s', async () => {
    // Before, the list started at FRITZ!Box: a .vcf sent without choosing was refused as "XML non ben formato".
    const vcf = join(files, 'rubrica.vcf');
    writeFileSync(vcf, 'BEGIN:VCARD\nVERSION:3.0\nFN:Bianchi Idraulica\nTEL:+39 02 1234 5611\nEND:VCARD\n');
    const xml = join(files, 'fritz.xml');
    writeFileSync(
      xml,
      '<?xml version="1.0"?>\n<phonebooks><phonebook><contact><person><realName>Verdi</realName></person><telephony><number>0212345612</number></telephony></contact></phonebook></phonebooks>\n',
    );
    const list = join(files, 'elenco.txt');
    writeFileSync(list, '02 1234 5613\n');
    const empty = join(files, 'vuoto.txt');
    writeFileSync(empty, '');
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 390, height: 844 } });
    const page = await login(context);
    const send = async (file: string, state: string) => {
      await page.goto(h.url('/import'));
      await page.setInputFiles('input[name=file]', file);
      await Promise.all([page.waitForURL(/\/import\?job=/), page.click('form[data-import] button[type=submit]')]);
      await expect.poll(() => page.locator('#import-status').getAttribute('data-state')).toBe(state);
      // What was left to the file is left to it again for the next file.
      expect(await page.locator('select[name=format]').inputValue()).toBe('');
    };
    await send(vcf, 'done');
    expect(h.app.register.evidenceFor('+390212345611').mark?.label).toBe('trusted');
    await send(xml, 'done'); // a FRITZ!Box phonebook is a block list (as crocetta exports it)
    expect(h.app.register.evidenceFor('+390212345612').mark?.label).toBe('nuisance');

    // A plain list says nothing about itself: the page asks for the format, in the page's words.
    await send(list, 'refused');
    expect(await page.locator('#import-errors li').textContent()).toBe(
      'non si capisce il formato del file: sceglilo dall’elenco «Formato» e riprova',
    );
    expect(h.app.register.evidenceFor('+390212345613').mark).toBeNull();
    await saveScreenshot(page, join(ARTIFACTS, 'import-auto-it-390.png'));
    await page.goto(h.url('/import?lang=en'));
    await send(empty, 'refused');
    expect(await page.locator('#import-errors li').textContent()).toBe('the file is empty');
    await send(list, 'refused');
    expect(await page.locator('#import-errors li').textContent()).toBe(
      'crocetta cannot tell this file’s format by itself: choose it in the Format list and try again',
    );
    await context.close();
  });

  it('a refused file keeps what the user chose for the next try, and says why in Italian', async () => {
    const vcf = join(files, 'fornitori.vcf');
    writeFileSync(vcf, 'BEGIN:VCARD\nVERSION:3.0\nFN:Rossi Forniture\nTEL:+39 02 1234 5699\n'); // END:VCARD missing
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 390, height: 844 } });
    const page = await login(context);
    await page.goto(h.url('/import'));
    await page.selectOption('select[name=format]', 'vcard');
    await page.selectOption('select[name=as]', 'trusted');
    await page.fill('input[name=category]', 'fornitori');
    await page.setInputFiles('input[name=file]', vcf);
    await Promise.all([page.waitForURL(/\/import\?job=/), page.click('form[data-import] button[type=submit]')]);
    await expect.poll(() => page.locator('#import-status').getAttribute('data-state')).toBe('refused');
    expect(await page.locator('#import-status h2').first().textContent()).toContain('File rifiutato');
    expect(await page.locator('#import-errors li').textContent()).toBe(
      'riga 1: il file finisce dentro una scheda (troncato?)',
    );
    expect(await page.locator('select[name=format]').inputValue()).toBe('vcard');
    expect(await page.locator('select[name=as]').inputValue()).toBe('trusted');
    expect(await page.locator('input[name=category]').inputValue()).toBe('fornitori');
    expect(await page.locator('input[name=lenient]').isChecked()).toBe(false);
    await saveScreenshot(page, join(ARTIFACTS, 'import-refused-it-390.png'));

    // Fixed and sent again, with nothing to choose again: the contact is trusted, in its category.
    writeFileSync(vcf, 'BEGIN:VCARD\nVERSION:3.0\nFN:Rossi Forniture\nTEL:+39 02 1234 5699\nEND:VCARD\n');
    await page.setInputFiles('input[name=file]', vcf);
    await Promise.all([page.waitForURL(/\/import\?job=/), page.click('form[data-import] button[type=submit]')]);
    await expect.poll(() => page.locator('#import-status').getAttribute('data-state')).toBe('done');
    expect(h.app.register.evidenceFor('+390212345699').mark).toMatchObject({ label: 'trusted', category: 'fornitori' });
    await context.close();
  });
});

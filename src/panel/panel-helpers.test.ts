import { describe, expect, it } from 'vitest';
import { LoginLimiter, hashPassword, parseCookies, verifyPassword } from './auth.js';
import { csvField } from './csv.js';
import { escapeHtml, html, raw } from './html.js';
import { localeFor, pickLang } from './i18n.js';
import { leastBothering } from './pages/rankings.js';
import { outcomeText } from './pages/number.js';

describe('panel helpers', () => {
  it('escape every interpolated value, once', () => {
    const name = '<img src=x onerror=alert(1)>';
    expect(html`<td title="${'"x" & \'y\''}">${name}</td>`.value).toBe(
      '<td title="&quot;x&quot; &amp; &#39;y&#39;">&lt;img src=x onerror=alert(1)&gt;</td>',
    );
    expect(html`<p>${html`<b>${'&'}</b>`}${raw('<br>')}${[1, '<', null, false]}</p>`.value).toBe(
      '<p><b>&amp;</b><br>1&lt;</p>',
    );
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('write CSV fields that a spreadsheet will not run as formulas', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+390212345678')).toBe('+390212345678');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(null)).toBe('');
  });

  it('choose the language from the cookie, then Accept-Language, else Italian', () => {
    expect(pickLang('en', 'it-IT')).toBe('en');
    expect(pickLang(undefined, 'de-DE,en;q=0.8,it;q=0.5')).toBe('en');
    expect(pickLang(undefined, 'it-IT,it;q=0.9,en;q=0.8')).toBe('it');
    expect(pickLang('xx', 'fr')).toBe('it');
    const it = localeFor('it', 'Europe/Rome');
    expect(it.dateTime(Date.parse('2026-11-04T23:30:00Z'))).toBe('05/11/26, 00:30');
    expect(it.t('leastAdviceAll', { company: 'X', n: 2 })).toMatch(/X ti ha disturbato meno \(tentativi: 2\)/);
  });

  it('hash the admin password with scrypt and verify it in constant time', async () => {
    const hash = await hashPassword('s3cret pass');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret pass', hash)).toBe(true);
    expect(await verifyPassword('s3cret pasS', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('limit failed logins per client within a window', () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 1000, () => now);
    for (let i = 0; i < 3; i++) limiter.fail('a');
    expect(limiter.blocked('a')).toBe(true);
    expect(limiter.blocked('b')).toBe(false);
    now = 1001;
    expect(limiter.blocked('a')).toBe(false);
  });

  it('parse cookies, ignoring malformed values', () => {
    expect([...parseCookies('a=1; b=%E0%A4%A; c=x%20y; a=2').entries()]).toEqual([
      ['a', '1'],
      ['c', 'x y'],
    ]);
  });

  it('find the company that bothered least in each category', () => {
    const least = leastBothering([
      { company: 'A', category: 'energy', attempts: 9, stopped: 0, numbers: 1 },
      { company: 'C', category: 'energy', attempts: 1, stopped: 0, numbers: 1 },
      { company: 'B', category: 'energy', attempts: 1, stopped: 0, numbers: 1 },
      { company: 'T', category: 'telecom', attempts: 4, stopped: 0, numbers: 1 },
    ]);
    expect(least.get('energy')?.company).toBe('B');
    expect(least.get('telecom')?.company).toBe('T');
  });

  it('show how long the office talked, or how much of the message the caller heard', () => {
    const { t } = localeFor('it', 'Europe/Rome');
    const en = localeFor('en', 'Europe/Rome').t;
    expect(outcomeText(t, { outcome: 'answered', finalStatus: 200, talkMs: 240_400 })).toBe(
      'risposta 200 · parlato 4:00',
    );
    expect(outcomeText(en, { outcome: 'rejected', finalStatus: 607, playedMs: 6_360 })).toBe(
      'rejected 607 · message played 0:06',
    );
    expect(outcomeText(t, { outcome: 'declined', finalStatus: 603 })).toBe('non accettata 603');
    // A forwarded call the PBX never answered in time: drachtio's own 408, or nothing at all.
    expect(outcomeText(t, { outcome: 'timeout', finalStatus: 408 })).toBe('nessuna risposta in tempo 408');
    expect(outcomeText(en, { outcome: 'timeout', finalStatus: null })).toBe('no answer in time');
    // The human check: its result and how long it took.
    expect(outcomeText(en, { outcome: 'answered', finalStatus: 200, check: 'passed', checkMs: 2_430 })).toBe(
      'answered 200 · check passed (2.4 s)',
    );
    expect(
      outcomeText(t, { outcome: 'rejected', finalStatus: 200, check: 'no-digit', checkMs: 13_800, playedMs: 6_400 }),
    ).toBe('respinta 200 · verifica: nessun tasto (13.8 s) · messaggio ascoltato 0:06');
  });
});

/**
 * The panel's Lists and rules page links the exports an office asks for (user37, session 37: they were API and CLI
 * only): the nuisance numbers as a FRITZ!Box phonebook, the list to give a friend, whose crocetta imports it as
 * nuisance marks with their companies and nothing else of ours; the list for Kamailio; the whole register as a
 * backup. Each link opens with the panel's session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { panelSession } from '../support/panel-session.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Panel-export-37';
const CALL_CENTRE = '+390287176900';
const CUSTOMER = '+390612340001';
let ours: Harness;
let friend: Harness;
let cookie = '';

async function get(path: string, lang: 'it' | 'en' = 'it'): Promise<Response> {
  return fetch(ours.url(path), { headers: { cookie: `${cookie}; crocetta_lang=${lang}` } });
}

beforeAll(async () => {
  ours = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  friend = await startHarness();
  cookie = (await panelSession((p) => ours.url(p), PASSWORD)).cookie;
  await ours.app.register.record(newAttempt(CALL_CENTRE, ours.clock.now() - 3600_000));
  await ours.app.register.record(newAttempt(CUSTOMER, ours.clock.now() - 1800_000));
  const marks = [
    [CALL_CENTRE, { label: 'nuisance', company: 'Energia Facile', category: 'energy' }],
    [CUSTOMER, { label: 'trusted' }],
  ] as const;
  for (const [number, body] of marks) {
    expect((await ours.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, body)).status).toBe(200);
  }
});
afterAll(async () => {
  await ours?.stop();
  await friend?.stop();
});

describe('exports from the panel', () => {
  it('Lists and rules links the three exports, in both languages', async () => {
    for (const [lang, friendText, backupHint] of [
      ['it', 'I numeri molesti, per un amico o un FRITZ!Box (rubrica, XML)', 'non per un amico'],
      ['en', 'The nuisance numbers, for a friend or a FRITZ!Box (phonebook, XML)', 'not for a friend'],
    ] as const) {
      const res = await get('/rules', lang);
      expect(res.status).toBe(200);
      const section = /<section class="panel" id="export">[\s\S]*?<\/section>/.exec(await res.text())?.[0] ?? '';
      expect(section).toContain(`<a href="/api/export?format=fritzbox" download>${friendText}</a>`);
      expect(section).toContain('<a href="/api/export?format=kamailio-htable" download>');
      expect(section).toContain('<a href="/api/export?format=csv" download>');
      expect(section).toContain(backupHint);
    }
  });

  it("the friend's list holds our nuisance numbers only, and the friend's crocetta imports them as nuisance", async () => {
    const res = await get('/api/export?format=fritzbox');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=crocetta-nuisance-phonebook.xml');
    const phonebook = await res.text();
    expect(phonebook).toContain(`<number type="home" prio="1" id="0">${CALL_CENTRE}</number>`);
    expect(phonebook).toContain('<realName>Energia Facile</realName>');
    expect(phonebook).not.toContain(CUSTOMER);

    const imported = await fetch(friend.url('/api/import'), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/xml' },
      body: phonebook,
    });
    expect(imported.status).toBe(200);
    const theirs = await friend.api('GET', `/api/numbers/${encodeURIComponent(CALL_CENTRE)}`);
    expect(theirs.json).toMatchObject({ verdict: 'nuisance', mark: { label: 'nuisance', company: 'Energia Facile' } });
    const customer = await friend.api('GET', `/api/numbers/${encodeURIComponent(CUSTOMER)}`);
    expect(customer.json).toMatchObject({ mark: null, attempts: 0 });
    const attempts = await friend.api('GET', '/api/attempts?limit=10');
    expect(attempts.json).toMatchObject({ attempts: [] });
  });

  it('the Kamailio list and the backup open with the session', async () => {
    const htable = await get('/api/export?format=kamailio-htable');
    expect(htable.status).toBe(200);
    const rows = (await htable.text()).trim().split('\n');
    expect(rows.slice(1)).toEqual([`${CALL_CENTRE}:0:0:Energia Facile:0`]);
    const backup = await get('/api/export?format=csv');
    expect(backup.status).toBe(200);
    const csv = await backup.text();
    expect(csv).toContain(`'${CUSTOMER}`);
    expect(csv.split(/\r?\n/).filter((l) => l.startsWith('attempt,'))).toHaveLength(2);
  });

  it("names the backup apart from the register view's CSV, each with the office's day (past midnight in Rome, not UTC's)", async () => {
    // 00:30 in Rome on 6 November is still 5 November in UTC (panel45, session 45: the backup was crocetta-register.csv,
    // undated, beside the view's crocetta-register-<UTC day>.csv).
    ours.clock.advance(Date.parse('2026-11-06T00:30:00+01:00') - ours.clock.now());
    const names = [];
    for (const path of ['/api/export?format=csv', '/api/export?format=json', '/register.csv']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      names.push(res.headers.get('content-disposition'));
    }
    expect(names).toEqual([
      'attachment; filename=crocetta-backup-2026-11-06.csv',
      'attachment; filename=crocetta-backup-2026-11-06.jsonl',
      'attachment; filename=crocetta-register-2026-11-06.csv',
    ]);
  });
});

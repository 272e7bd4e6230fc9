/**
 * The start after an upgrade that rebuilds the dashboard's aggregates (migration 10, a change of timeZone): crocetta
 * connects to drachtio and screens and records calls while the rebuild runs in the background; the panel's
 * dashboard and rankings, a number's page (its ticks per day) and the register (the ticks beside each number) say
 * (Italian and English) that what they show from the aggregates is being rebuilt, the rankings API says so
 * in a field; stopped half-way, the next start goes on and ends it, every attempt counted once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { buildInvite } from '../support/drachtio-double.js';
import { panelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';
const PASSWORD = 'rebuild-password';
const ATTEMPTS = 40_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

interface Aggregates {
  state: string;
  done?: number;
  total?: number;
  percent?: number;
}

async function aggregates(harness: Harness): Promise<Aggregates> {
  const res = await harness.api('GET', '/api/rankings/numbers?since=2026-01-01');
  expect(res.status).toBe(200);
  return (res.json as { aggregates: Aggregates }).aggregates;
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the aggregates rebuilt at start', () => {
  it('do not hold up SIP: calls are answered and recorded meanwhile, the panel says the figures are being rebuilt', async () => {
    let config: Config | undefined;
    h = await startHarness(
      { ADMIN_PASSWORD: PASSWORD },
      {
        configure: (c) => {
          config = c;
        },
      },
    );
    const harness = h;
    expect(
      (await harness.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, { label: 'nuisance' })).status,
    ).toBe(200);
    expect(await aggregates(harness)).toEqual({ state: 'ready' }); // a new register: counted at its first start
    // A register with history (written straight into the file, through the trigger), then forget which zone its
    // aggregates are in, as migration 10 does.
    const db = await Connection.open(`${harness.dir}/register.sqlite`);
    db.setBusyTimeout(5000);
    await db.exec(`
      INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
                            action, fail_open, call_id, outcome)
      WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${ATTEMPTS - 1})
      SELECT 1764547200000 + i * 60000, 'call', CASE WHEN i % 11 = 0 THEN NULL ELSE '+39333' || (1000000 + i % 300) END,
             'from', 0, '${DID}', 'unknown', 0.1, '[]', CASE WHEN i % 4 = 0 THEN 'reject:607' ELSE 'allow' END, 0,
             'old-' || i, 'answered'
        FROM seq;
      DELETE FROM settings WHERE key = 'aggregates.timeZone';`);
    await db.close();

    // The next start pauses a minute after its first chunk: the rebuild is under way for the rest of the test.
    if (config === undefined) throw new Error('no config');
    config.store.aggregatesRebuildPauseMs = 60_000;
    await harness.restartApp(); // resolves once crocetta is connected and has its routes
    const during = await until(
      () => aggregates(harness),
      (a) => (a.done ?? 0) > 0,
    );
    expect(during).toMatchObject({ state: 'rebuilding', total: ATTEMPTS + 0 });
    expect(during.percent).toBeGreaterThan(0);
    expect(during.percent).toBeLessThan(100);

    // A marked caller is refused at once, and its attempt recorded.
    const call = harness.double.injectRequest(
      buildInvite({
        from: NUISANCE,
        to: DID,
        requestUri: `sip:${DID}@127.0.0.1`,
        callId: 'during-rebuild@198.51.100.7',
      }),
    );
    expect((await call.waitForFinal()).status).toBe(607);
    await harness.app.register.flush();
    const recorded = await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`);
    expect((recorded.json as { attempts: Array<{ callId: string }> }).attempts.map((a) => a.callId)).toContain(
      'during-rebuild@198.51.100.7',
    );
    expect((await aggregates(harness)).state).toBe('rebuilding');
    // Ready all along: calls are screened and recorded; only the panel's figures wait for the rebuild.
    const readyz = await fetch(harness.url('/readyz'));
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ status: 'ready' });

    // The pages say so, in Italian and in English, with how far it is: the dashboard's and the rankings' figures, a
    // number's ticks per day (caller_daily), the ticks beside the register's numbers.
    const NUMBER_PAGE = `/numbers/${encodeURIComponent('+393331000001')}`;
    const noticeOf = (page: string) =>
      /<p class="notice warning" role="status" data-aggregates="rebuilding">([^<]*)<\/p>/.exec(page)?.[1];
    for (const [lang, figures, days, ticks] of [
      [
        'it',
        'Le cifre di questa pagina sono in ricostruzione',
        'Le crocette per giorno qui sotto sono in ricostruzione',
        'Le crocette accanto a ogni numero sono in ricostruzione',
      ],
      [
        'en',
        'The figures on this page are being rebuilt',
        'The ticks per day below are being rebuilt',
        'The ticks beside each number are being rebuilt',
      ],
    ] as const) {
      const session = await panelSession((path) => harness.url(path), PASSWORD, lang);
      for (const [path, words] of [
        ['/', figures],
        ['/rankings', figures],
        [NUMBER_PAGE, days],
        ['/register', ticks],
      ] as const) {
        const res = await fetch(harness.url(path), { headers: { cookie: session.cookie } });
        expect(res.status).toBe(200);
        const notice = noticeOf(await res.text());
        expect(notice, `${lang} ${path}`).toContain(words);
        expect(notice).toMatch(/\(\d{1,2}%\)/);
      }
    }
    expect(harness.logs.some((l) => String(l.msg).startsWith('register aggregates: rebuild started'))).toBe(true);

    // Stopped half-way (the mark stays); the next start goes on from there and ends it.
    config.store.aggregatesRebuildPauseMs = 0;
    await harness.restartApp();
    const after = await until(
      () => aggregates(harness),
      (a) => a.state === 'ready',
    );
    expect(after).toEqual({ state: 'ready' });
    expect(harness.logs.some((l) => String(l.msg).startsWith('register aggregates: rebuild resumed'))).toBe(true);
    expect(harness.logs.some((l) => String(l.msg).startsWith('register aggregates rebuilt'))).toBe(true);
    const check = await Connection.open(`${harness.dir}/register.sqlite`);
    const counts = await check.get<{ counted: number; attempts: number }>(
      'SELECT (SELECT SUM(attempts) FROM daily_totals) AS counted, (SELECT COUNT(*) FROM attempts) AS attempts',
    );
    await check.close();
    expect(counts?.attempts).toBeGreaterThan(ATTEMPTS);
    expect(counts?.counted).toBe(counts?.attempts);
    const session = await panelSession((path) => harness.url(path), PASSWORD, 'en');
    for (const path of ['/', '/rankings', NUMBER_PAGE, '/register']) {
      const page = await (await fetch(harness.url(path), { headers: { cookie: session.cookie } })).text();
      expect(page, path).toContain('<h1');
      expect(page, path).not.toContain('data-aggregates="rebuilding"');
    }
  });
});

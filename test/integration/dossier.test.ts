/**
 * The evidence dossier end to end: a French caller's INVITEs go through the real app (drachtio double, real
 * SQLite) across days and hours on the harness clock, the office marks its two numbers with one company, then
 * the dossier (JSON, CSV, the panel's page, the CLI) names the breaches of décret 2022-1313 with their Call-IDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { runCli } from '../support/cli-process.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const A = '+33140000001';
const B = '+33140000002';
const COMPANY = 'Exemple & Fils <Énergie>';
const PASSWORD = 'dossier-test-password';
const HOUR = 3_600_000;

interface BreachJson {
  rule: string;
  text: string;
  callId: string;
  time: string;
  caller: string;
  did: string;
  evidence: Array<{
    callId: string;
    time: string;
    caller: string;
    did: string;
    refusedAt: string | null;
    refusedFor: string | null;
  }>;
}

let h: Harness;

/** One call from `from` now; the PBX answers with `status`. */
async function callFrom(from: string, callId: string, status = 200): Promise<void> {
  h.double.onProxy(() => (status === 200 ? [{ status: 180 }, { status: 200 }] : [{ status: 180 }, { status }]));
  const call = h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId }));
  const final = await call.waitForFinal();
  expect(final.status).toBe(status);
  // the outcome (and a refusal's time, from the clock) is written back after the commit: wait for it before time moves
  await eventually(async () => {
    await h.app.register.flush();
    const [a] = await h.app.register.attempts({ callerKey: from, limit: 1 });
    return a?.callId === callId && a.outcome !== 'pending' && a.outcome !== 'forwarded' ? true : undefined;
  });
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  // The harness clock starts on Thursday 5 Nov 2026, 09:30 in Rome (the same wall time as Paris).
  await callFrom(A, 'c1@dossier'); // Thu 09:30: before 10:00
  h.clock.advance(1 * HOUR);
  await callFrom(A, 'c2@dossier'); // Thu 10:30
  h.clock.advance(27 * HOUR);
  await callFrom(A, 'c3@dossier'); // Fri 13:30: lunch break
  h.clock.advance(69.5 * HOUR);
  await callFrom(B, 'c4@dossier'); // Mon 9 Nov 11:00
  h.clock.advance(24 * HOUR);
  await callFrom(B, 'c5@dossier', 603); // Tue 10 Nov 11:00: 5th attempt of the company, declined by the office
  h.clock.advance(48 * HOUR);
  await callFrom(A, 'c6@dossier'); // Thu 12 Nov 11:00: 6th attempt, 2 days after the refusal
  for (const n of [A, B]) {
    const res = await h.api('POST', `/api/numbers/${encodeURIComponent(n)}/mark`, {
      label: 'nuisance',
      company: COMPANY,
      category: 'energy',
    });
    expect(res.status).toBe(200);
  }
  await h.app.register.flush();
}, 30_000);
afterAll(async () => {
  await h.stop();
});

describe('evidence dossier', () => {
  it('names each breach of the French rules for the company, with the Call-IDs and times it rests on', async () => {
    const res = await h.api('GET', `/api/dossier?company=${encodeURIComponent(COMPANY)}`);
    expect(res.status).toBe(200);
    const d = res.json as { attempts: number; numbers: Array<{ callerKey: string }>; breaches: BreachJson[] };
    expect(d.attempts).toBe(6);
    expect(d.numbers.map((n) => n.callerKey).sort()).toEqual([A, B]);
    expect(d.breaches.map((b) => [b.rule, b.callId])).toEqual([
      ['fr-hours', 'c1@dossier'],
      ['fr-hours', 'c3@dossier'],
      ['fr-frequency', 'c5@dossier'],
      ['fr-frequency', 'c6@dossier'],
      ['fr-refusal', 'c6@dossier'],
    ]);
    const [early, lunch, fifth, sixth, refusal] = d.breaches;
    expect(early).toMatchObject({
      time: '2026-11-05T09:30:00+01:00',
      caller: A,
      did: DID,
      text: expect.stringMatching(
        /^call at 09:30 Europe\/Paris time, outside Mon–Fri 10:00–13:00 and 14:00–20:00/,
      ) as unknown,
    });
    expect(lunch?.text).toMatch(/at 13:30/);
    expect(fifth?.text).toBe('5th attempt in 30 days (FR décret 2022-1313, max 4)');
    expect(fifth?.evidence.map((a) => a.callId)).toEqual([
      'c1@dossier',
      'c2@dossier',
      'c3@dossier',
      'c4@dossier',
      'c5@dossier',
    ]);
    expect(sixth?.text).toMatch(/^6th attempt in 30 days/);
    expect(refusal?.text).toBe("call 2 days after a refusal on 2026-11-10 (FR décret 2022-1313: 60 days' wait)");
    expect(refusal?.evidence).toEqual([
      {
        callId: 'c5@dossier',
        time: '2026-11-10T11:00:00+01:00',
        caller: B,
        did: DID,
        refusedAt: '2026-11-10T11:00:00+01:00',
        refusedFor: 'number',
      },
      {
        callId: 'c6@dossier',
        time: '2026-11-12T11:00:00+01:00',
        caller: A,
        did: DID,
        refusedAt: null,
        refusedFor: null,
      },
    ]);
  });

  it("a number's dossier keeps its own breaches, resting on its company's other calls", async () => {
    const res = await h.api('GET', `/api/dossier?number=${encodeURIComponent(B)}&since=2026-11-10&until=2026-11-10`);
    expect(res.status).toBe(200);
    const d = res.json as { attempts: number; breaches: BreachJson[] };
    expect(d.attempts).toBe(1);
    expect(d.breaches.map((b) => [b.rule, b.callId])).toEqual([['fr-frequency', 'c5@dossier']]);
    expect((await h.api('GET', '/api/dossier')).status).toBe(400);
    expect((await h.api('GET', '/api/dossier?company=x&since=yesterday')).status).toBe(400);
    expect((await h.api('GET', '/api/dossier?company=x&since=2026-13-01')).status).toBe(400);
    expect((await h.api('GET', `/api/dossier?company=x`, undefined, null)).status).toBe(401);
  });

  it('gives the CSV with one row per attempt a breach rests on', async () => {
    const res = await fetch(h.url(`/api/dossier?company=${encodeURIComponent(COMPANY)}&format=csv`), {
      headers: { authorization: 'Bearer test-token-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('breach,rule,country,text,role,call_id,time,caller,did,refused_at,refused_for');
    expect(lines).toHaveLength(1 + 1 + 1 + 5 + 6 + 2);
    expect(lines).toContain(
      "5,fr-refusal,FR,call 2 days after a refusal on 2026-11-10 (FR décret 2022-1313: 60 days' wait),breach,c6@dossier,2026-11-12T11:00:00+01:00,'+33140000001,'+390612345678,,",
    );
    expect(lines).toContain(
      "5,fr-refusal,FR,call 2 days after a refusal on 2026-11-10 (FR décret 2022-1313: 60 days' wait),evidence,c5@dossier,2026-11-10T11:00:00+01:00,'+33140000002,'+390612345678,2026-11-10T11:00:00+01:00,number",
    );
  });

  it('shows the printable page to a logged-in user only, escaped, linked from the rankings and the number page', async () => {
    const path = `/dossier?company=${encodeURIComponent(COMPANY)}`;
    const anon = await fetch(h.url(path), { redirect: 'manual' });
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/login');

    const form = await fetch(h.url('/login'));
    const anonCookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const login = await fetch(h.url('/login'), {
      method: 'POST',
      headers: { cookie: anonCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, password: PASSWORD }).toString(),
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const get = async (p: string) => {
      const r = await fetch(h.url(p), { headers: { cookie, 'accept-language': 'en' } });
      expect(r.status, p).toBe(200);
      return r.text();
    };
    const page = await get(path);
    expect(page).toContain('Exemple &amp; Fils &lt;Énergie&gt;');
    expect(page).not.toContain(COMPANY);
    expect(page.match(/<section class="breach"/g)).toHaveLength(5);
    expect(page).toContain('c6@dossier');
    expect(page).toContain('5th attempt in 30 days (FR décret 2022-1313, max 4)');
    expect(page).toContain('format=csv');
    expect(await get('/rankings?period=30')).toContain(`href="/dossier?company=Exemple+%26+Fils+%3C%C3%89nergie%3E"`);
    expect(await get(`/numbers/${encodeURIComponent(A)}`)).toContain(`href="/dossier?number=%2B33140000001"`);
  });

  it('crocetta dossier writes the HTML, CSV or JSON dossier from the register file', async () => {
    const out = join(h.dir, 'dossier.html');
    const run = (args: string[]) => runCli(args, { CROCETTA_DB: join(h.dir, 'register.sqlite'), LOG_LEVEL: 'silent' });
    const html = await run(['dossier', '--company', COMPANY, '--lang', 'en', '--out', out]);
    expect(html.stderr).toContain('5 breaches in 6 calls');
    expect(html.code).toBe(0);
    const file = readFileSync(out, 'utf8');
    expect(file).toContain('<style>');
    expect(file).toContain('c5@dossier');
    const byE164 = await run(['dossier', '--number', A, '--format', 'json', '--since', '2026-11-12']);
    expect(byE164.code).toBe(0);
    expect((JSON.parse(byE164.stdout) as { breaches: BreachJson[] }).breaches.map((b) => b.rule)).toEqual([
      'fr-frequency',
      'fr-refusal',
    ]);
    const usage = await run(['dossier', '--format', 'pdf', '--company', 'x']);
    expect(usage.code).toBe(64);
  }, 60_000);
});

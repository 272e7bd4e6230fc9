/**
 * The PBX registers to crocetta (crocetta as its provider): digest challenge, bindings kept in the register,
 * allowed calls sent to the registered PBX (behind NAT: to the address its REGISTER came from), and every refusal
 * a proper SIP answer. Through the drachtio double, a real SQLite file and the real HTTP port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, pbxCallsOut, startHarness, type Harness } from '../support/crocetta-harness.js';
import { dashboardCards } from '../support/panel-session.js';
import {
  PBX_NAT_SOURCE,
  PBX_PASSWORD,
  PBX_PRIVATE_CONTACT,
  PBX_USER,
  answerChallenge,
  registerText,
  registerWithDigest,
} from '../support/pbx-registration.js';

const DID = '+390612345678';
const REGISTERING = { PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD };
let h: Harness;

async function start(env: Record<string, string> = {}): Promise<Harness> {
  h = await startHarness({ ...REGISTERING, ...env });
  await h.double.waitForRoutes(['register'], 5000);
  h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  return h;
}

function call(from: string) {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
}

afterEach(async () => {
  await h?.stop();
});

/** The dashboard, as the office reads it in `lang` (logged in with ADMIN_PASSWORD). */
async function dashboard(lang: 'it' | 'en'): Promise<string> {
  const form = await fetch(h.url('/login'));
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const login = await fetch(h.url('/login'), {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, password: 'office-pw' }).toString(),
    redirect: 'manual',
  });
  const session = (login.headers.get('set-cookie') ?? cookie).split(';')[0] ?? '';
  return (await fetch(h.url('/'), { headers: { cookie: `${session}; crocetta_lang=${lang}` } })).text();
}

/** The dashboard's PBX line, as the office reads it in `lang`. */
async function pbxLine(lang: 'it' | 'en'): Promise<string> {
  const page = await dashboard(lang);
  return /<p class="notice[^"]*pbx"[^>]*>([^<]*)<\/p>/.exec(page)?.[1] ?? '(no PBX line)';
}

/** The dashboard's cards, "label: count", in `lang`. */
async function cards(lang: 'it' | 'en'): Promise<string[]> {
  return dashboardCards(await dashboard(lang));
}

describe('the PBX registers to crocetta', () => {
  it('with digest: 401 first, then 200 listing its contact with the expiry granted; calls go to it with the DID as user', async () => {
    await start();
    const { challenge, final } = await registerWithDigest(h.double, { callId: 'reg-1@192.168.178.1' });
    expect(challenge.headers['www-authenticate']?.[0]).toMatch(
      /^Digest realm="crocetta", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
    );
    expect(final.status).toBe(200);
    expect(final.headers.contact?.[0]).toBe(`<${PBX_PRIVATE_CONTACT}>;expires=600`);
    expect(h.logs.some((l) => l.msg === 'PBX registered' && (l.contacts as string[])[0] === PBX_PRIVATE_CONTACT)).toBe(
      true,
    );

    const ok = call('+393331234567');
    expect((await ok.waitForFinal()).status).toBe(200);
    // The contact is private (192.168.178.1) and the REGISTER came from the office router: the call goes there.
    expect(ok.proxy?.destinations).toEqual([`sip:${DID}@${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`]);
    expect((await h.api('GET', '/readyz', undefined, null)).json).toMatchObject({
      status: 'ready',
      checks: { pbx: true },
    });
  });

  it('the dashboard says whether the PBX is registered, from where and until when, or that allowed calls get 480', async () => {
    await start({ ADMIN_PASSWORD: 'office-pw' });
    expect(await pbxLine('it')).toBe(
      'Nessun centralino registrato a crocetta: le chiamate che lascia passare non arrivano in ufficio (il chiamante sente “non raggiungibile”, 480) finché il centralino non si registra.',
    );
    expect(await pbxLine('en')).toMatch(/^No PBX registered to crocetta: the calls it lets through cannot reach/);
    await registerWithDigest(h.double, { callId: 'dash-1@192.168.178.1' });
    expect(await pbxLine('it')).toMatch(
      /^Centralino registrato a crocetta da 198\.51\.100\.7:40123 \(AVM FRITZ!Box 7590 154\.07\.57\), rinnovato il \d\d\/\d\d\/\d\d, \d\d:\d\d, valido fino al \d\d\/\d\d\/\d\d, \d\d:\d\d\.$/,
    );
    expect(await pbxLine('en')).toMatch(/^PBX registered to crocetta from 198\.51\.100\.7:40123 \(AVM FRITZ!Box/);
    // A FRITZ!Box registers each of its numbers: the line counts the contacts and names the latest.
    await registerWithDigest(h.double, {
      callId: 'dash-2@192.168.178.1',
      aorUser: '0612345679',
      contact: '<sip:0612345679@192.168.178.1:5060>',
    });
    expect(await pbxLine('en')).toMatch(
      /^PBX registered to crocetta: 2 contacts, the latest from 198\.51\.100\.7:40123/,
    );
  });

  it('the dashboard has no PBX line when calls go to PBX_URI and none is registered', async () => {
    await start({ ADMIN_PASSWORD: 'office-pw', PBX_URI: 'sip:192.0.2.10:5060' });
    expect(await pbxLine('en')).toBe('(no PBX line)');
  });

  it('a marked caller still gets 607 and never reaches the PBX', async () => {
    await start();
    await registerWithDigest(h.double, { callId: 'reg-2@192.168.178.1' });
    await h.api('POST', `/api/numbers/${encodeURIComponent('+390287176901')}/mark`, { label: 'nuisance' });
    const nuisance = call('+390287176901');
    expect((await nuisance.waitForFinal()).status).toBe(607);
    expect(nuisance.proxy).toBeUndefined();
  });

  it('with no PBX registered an allowed call gets 480 Temporarily Unavailable, logged, and /readyz says so', async () => {
    await start();
    const ready = await h.api('GET', '/readyz', undefined, null);
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ checks: { store: true, drachtio: true, pbx: false } });
    const c = call('+393331234567');
    expect((await c.waitForFinal()).status).toBe(480);
    expect(c.proxy).toBeUndefined();
    expect(h.logs.some((l) => l.msg === 'no PBX registered to crocetta: answered 480 Temporarily Unavailable')).toBe(
      true,
    );
    // The register keeps the attempt with what the caller got.
    const row = await eventually(async () => {
      await h.app.register.flush();
      const r = (await h.api('GET', '/api/attempts?number=%2B393331234567')).json as {
        attempts: Array<{ outcome: string; finalStatus: number }>;
      };
      return r.attempts[0]?.finalStatus === 480 ? r.attempts[0] : undefined;
    });
    expect(row.outcome).toBe('failed');
    expect((await h.api('GET', '/metrics', undefined, null)).json).toMatch(/crocetta_pbx_unavailable_total 1/);
  });

  it('a call let through that got 480 for want of a PBX is counted apart on the dashboard, not as passed', async () => {
    await start({ ADMIN_PASSWORD: 'office-pw' });
    expect((await call('+393331234567').waitForFinal()).status).toBe(480);
    await registerWithDigest(h.double, { callId: 'count-1@192.168.178.1' });
    expect((await call('+393331234568').waitForFinal()).status).toBe(200);
    await h.app.register.flush();
    expect(await cards('it')).toEqual([
      'Oggi: tentativi: 2',
      'Oggi: fermati: 0',
      'Oggi: passati: 1',
      'Oggi: non recapitati: 1',
      'Questa settimana: tentativi: 2',
      'Questa settimana: fermati: 0',
      'Questa settimana: passati: 1',
      'Questa settimana: non recapitati: 1',
    ]);
    expect((await cards('en')).filter((c) => c.startsWith('Today'))).toEqual([
      'Today: attempts: 2',
      'Today: stopped: 0',
      'Today: passed: 1',
      'Today: undelivered: 1',
    ]);
    const rows = (await h.api('GET', '/api/attempts')).json as {
      attempts: Array<{ callerE164: string; action: string; outcome: string; finalStatus: number | null }>;
    };
    expect(rows.attempts.map((a) => [a.callerE164, a.action, a.outcome, a.finalStatus])).toEqual([
      ['+393331234568', 'allow', 'answered', 200],
      ['+393331234567', 'no-pbx', 'failed', 480],
    ]);
    // The rankings count it as any attempt of its caller, not stopped.
    const ranked = (await h.api('GET', '/api/rankings/numbers')).json as {
      numbers: Array<{ callerKey: string; attempts: number; stopped: number }>;
    };
    expect(ranked.numbers.find((n) => n.callerKey === '+393331234567')).toMatchObject({ attempts: 1, stopped: 0 });
  });

  it('un-registers with * and Expires: 0; calls then get 480', async () => {
    await start();
    await registerWithDigest(h.double, { callId: 'reg-3@192.168.178.1' });
    const { final } = await registerWithDigest(h.double, {
      callId: 'reg-3@192.168.178.1',
      cseq: 10,
      contact: '*',
      expires: '0',
    });
    expect(final.status).toBe(200);
    expect(final.headers.contact).toBeUndefined();
    expect(h.logs.some((l) => l.msg === 'PBX un-registered')).toBe(true);
    expect((await call('+393331234567').waitForFinal()).status).toBe(480);
  });

  it('keeps the binding across a restart of crocetta, and lets it lapse when it expires', async () => {
    await start();
    await registerWithDigest(h.double, { callId: 'reg-4@192.168.178.1', expires: '120' });
    await h.restartApp();
    await h.double.waitForRoutes(['register'], 5000);
    const after = call('+393331234567');
    await after.waitForFinal();
    expect(after.proxy?.destinations).toEqual([`sip:${DID}@${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`]);

    h.clock.advance(121_000);
    expect((await call('+393331234568').waitForFinal()).status).toBe(480);
  });

  it('refuses a wrong password with 403, logged without the password, and locks the address out after 10', async () => {
    await start();
    const wrong = await registerWithDigest(h.double, { callId: 'brute@x', password: 'password123' });
    expect(wrong.final.status).toBe(403);
    const line = h.logs.find((l) => l.msg === 'REGISTER refused: wrong user name or password');
    expect(line).toMatchObject({
      why: 'wrong password',
      username: PBX_USER,
      source: `${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`,
    });
    expect(JSON.stringify(h.logs)).not.toContain('password123');
    expect(JSON.stringify(h.logs)).not.toContain(PBX_PASSWORD);

    for (let i = 2; i <= 10; i++) {
      expect(
        (await registerWithDigest(h.double, { callId: `brute-${i}@x`, password: `guess-${i}` })).final.status,
      ).toBe(403);
    }
    expect(
      h.logs.some((l) => l.msg === 'too many failed REGISTERs from this address: refused for the next 15 minutes'),
    ).toBe(true);
    // Locked out: even the right password gets 403 now, without a challenge, from that address only.
    const locked = h.double.injectRequest(registerText({ callId: 'late@x', cseq: 1 }), { source: PBX_NAT_SOURCE });
    expect((await locked.waitForFinal()).status).toBe(403);
    const elsewhere = { address: '198.51.100.8', port: 5060 };
    expect((await registerWithDigest(h.double, { callId: 'other@x', source: elsewhere })).final.status).toBe(200);
    // After the window the PBX registers again.
    h.clock.advance(15 * 60_000 + 1);
    expect((await registerWithDigest(h.double, { callId: 'after@x' })).final.status).toBe(200);
  });

  it('answers a replayed REGISTER with a new challenge (stale), not a registration', async () => {
    await start();
    const { second } = await registerWithDigest(h.double, { callId: 'replay@x' });
    const authorization = second.request.headers.authorization?.[0] ?? '';
    const replay = h.double.injectRequest(registerText({ callId: 'replay@x', cseq: 3, authorization }), {
      source: PBX_NAT_SOURCE,
    });
    const answer = await replay.waitForFinal();
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']?.[0]).toMatch(/stale=true/);
  });

  it.each([
    ['garbage Expires', { expires: 'tomorrow' }, 400],
    ['a too brief Expires', { expires: '10' }, 423],
    [
      'a huge Contact list',
      { contact: Array.from({ length: 2000 }, (_, i) => `<sip:p${i}@10.0.0.1>`).join(', ') },
      403,
    ],
    ['a tel: contact', { contact: '<tel:+390612345678>' }, 400],
  ])('answers a REGISTER with %s properly', async (_what, change, status) => {
    await start();
    const { final } = await registerWithDigest(h.double, { callId: `hostile-${status}@x`, ...change });
    expect(final.status).toBe(status);
    if (status === 423) expect(final.headers['min-expires']?.[0]).toBe('60');
    // Still serving: the PBX registers properly right after.
    expect((await registerWithDigest(h.double, { callId: `fine-${status}@x` })).final.status).toBe(200);
  });

  it('answers Authorization headers with missing fields 400, without crashing', async () => {
    await start();
    for (const authorization of [
      'Digest username="fritzbox", realm="crocetta"',
      'Digest realm="crocetta", nonce="x", uri="sip:a", response="zz"',
      'Digest ,,,=',
    ]) {
      const r = h.double.injectRequest(
        registerText({ callId: `m-${authorization.length}@x`, cseq: 1, authorization }),
        { source: { address: '203.0.113.50', port: 5060 } },
      );
      expect((await r.waitForFinal()).status).toBe(400);
    }
    expect((await registerWithDigest(h.double, { callId: 'fine@x' })).final.status).toBe(200);
  });

  it("outbound: with TRUNK_URI, INVITEs from the registered PBX's address go to the carrier unscreened", async () => {
    await start({ TRUNK_URI: 'sip:127.0.0.1:5090' });
    await registerWithDigest(h.double, { callId: 'out@x' });
    const out = pbxCallsOut(h, { from: '<sip:201@192.168.178.1>', source: PBX_NAT_SOURCE });
    expect((await out.waitForFinal()).status).toBe(200);
    expect(out.proxy?.destinations).toEqual(['sip:0298765409@127.0.0.1:5090']);
  });

  it("outbound without any outbound trunk: the registered PBX's INVITE gets 403, never sent back to it as a call", async () => {
    await start({ MARK_REFUSALS: 'true' });
    await registerWithDigest(h.double, { callId: 'no-trunk@x' });
    const out = pbxCallsOut(h, { from: '<sip:201@192.168.178.1>', source: PBX_NAT_SOURCE });
    const answer = await out.waitForFinal();
    expect([answer.status, answer.reason]).toEqual([403, 'Outbound Calls Not Configured']);
    expect(answer.headers['x-crocetta-refusal']?.[0], "crocetta's mark on its own refusal").toBe('403');
    expect(out.proxy).toBeUndefined();
    await h.app.register.flush();
    expect(((await h.api('GET', '/api/attempts?number=0298765409')).json as { attempts: unknown[] }).attempts).toEqual(
      [],
    );
  });

  it('with requestUser: contact, calls go to the registered contact with its own user, the DID left in To', async () => {
    const overlay = join(mkdtempSync(join(tmpdir(), 'crocetta-pbxreg-')), 'overlay.yaml');
    writeFileSync(overlay, 'pbx:\n  register:\n    requestUser: contact\n');
    await start({ CROCETTA_CONFIG: overlay });
    await registerWithDigest(h.double, { callId: 'contact-mode@x' });
    const c = call('+393331234567');
    await c.waitForFinal();
    expect(c.proxy?.destinations).toEqual([`sip:fritzbox@${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`]);
    expect(c.proxy?.targets[0]?.request.headers.to?.[0]).toContain(DID);

    // A FRITZ!Box registers each number apart: a call to a number goes to that number's own registration.
    await registerWithDigest(h.double, {
      callId: 'line-1@x',
      aorUser: '0612345678',
      contact: '<sip:0612345678@192.168.178.1:5060>',
    });
    await registerWithDigest(h.double, {
      callId: 'line-2@x',
      aorUser: '0698765432',
      contact: '<sip:0698765432@192.168.178.1:5060>',
    });
    const first = call('+393331234568');
    await first.waitForFinal();
    expect(first.proxy?.destinations).toEqual([`sip:0612345678@${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`]);
    rmSync(dirname(overlay), { recursive: true, force: true });
  });

  it('with PBX_URI set as well, calls go to PBX_URI and the registration is only kept', async () => {
    await start({ PBX_URI: 'sip:10.0.0.5:5060' });
    await registerWithDigest(h.double, { callId: 'both@x' });
    const c = call('+393331234567');
    await c.waitForFinal();
    expect(c.proxy?.destinations).toEqual([`sip:${DID}@10.0.0.5:5060`]);
    expect(
      ((await h.api('GET', '/readyz', undefined, null)).json as { checks: Record<string, boolean> }).checks.pbx,
    ).toBeUndefined();
  });

  it("answers the PBX's credentials with a second REGISTER on the same nonce (nc=2) without a new challenge", async () => {
    await start();
    const { challenge } = await registerWithDigest(h.double, { callId: 'nc@x' });
    const refresh = h.double.injectRequest(
      registerText({ callId: 'nc@x', cseq: 3, authorization: answerChallenge(challenge, { nc: 2 }) }),
      { source: PBX_NAT_SOURCE },
    );
    expect((await refresh.waitForFinal()).status).toBe(200);
  });
});

describe('without PBX_REGISTER_USERNAME', () => {
  it('REGISTER is not routed to crocetta (drachtio-server keeps its default answer)', async () => {
    h = await startHarness();
    expect(h.double.connections.flatMap((c) => c.routes)).not.toContain('register');
    expect(() => h.double.injectRequest(registerText({ callId: 'x@y', cseq: 1 }))).toThrow(
      /no connected app has registered a route for register/,
    );
  });
});

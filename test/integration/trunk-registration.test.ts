/**
 * crocetta registers to the carrier (registration trunk), through the drachtio double: the REGISTERs on the wire,
 * the challenge, the grant of our own binding, the refresh, 423, failures and backoff, OPTIONS, un-register.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness, type HarnessOptions } from '../support/crocetta-harness.js';
import type { AppRequest } from '../support/drachtio-double.js';
import { headerOf } from '../support/drachtio-double.js';
import { authParams, FakeRegistrar } from '../support/fake-registrar.js';

const USER = '0612345678';
const REGISTRAR = 'sip:127.0.0.1:5090';
const TRUNK_ENV = {
  TRUNK_REGISTRAR: REGISTRAR,
  TRUNK_USERNAME: USER,
  TRUNK_PASSWORD: 'pa55-word',
  TRUNK_DOMAIN: 'voip.carrier.example',
  ADMIN_PASSWORD: 'office-pw',
};

let h: Harness | undefined;
let carrier: FakeRegistrar;

async function start(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  carrier = new FakeRegistrar({ username: env.TRUNK_AUTH_USERNAME ?? USER, password: 'pa55-word' });
  h = await startHarness({ ...TRUNK_ENV, ...env }, { onAppRequest: carrier.handle, ...options });
  return h;
}

function registers(harness: Harness): AppRequest[] {
  return harness.double.appRequests.filter((r) => r.method === 'REGISTER');
}

async function readyz(harness: Harness): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await fetch(harness.url('/readyz'));
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, boolean> }).checks };
}

/** The dashboard's trunk line, as the office sees it in `lang` after logging in. */
async function trunkLine(harness: Harness, lang: 'it' | 'en'): Promise<string> {
  const form = await fetch(harness.url('/login'));
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const login = await fetch(harness.url('/login'), {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, password: 'office-pw' }).toString(),
    redirect: 'manual',
  });
  const session = (login.headers.get('set-cookie') ?? cookie).split(';')[0] ?? '';
  const page = await (
    await fetch(harness.url('/'), { headers: { cookie: `${session}; crocetta_lang=${lang}` } })
  ).text();
  return /<p class="notice[^"]*trunk"[^>]*>([^<]*)<\/p>/.exec(page)?.[1] ?? '(no trunk line)';
}

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('registration to the carrier', () => {
  it('REGISTERs, answers the 401, and takes the shorter expiry the carrier gives our contact among several bindings', async () => {
    // immediateAnswers: the registrar's answers arrive with drachtio's acknowledgement, as Kamailio's did on loopback.
    const harness = await start(
      {},
      { double: { hostports: 'udp/192.0.2.10:5080,tcp/192.0.2.10:5081', immediateAnswers: true } },
    );
    carrier.grant = 45;
    carrier.otherBindings = [`<sip:${USER}@10.9.8.7:5060>;expires=3500`];
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);

    const [first, second] = registers(harness);
    expect(first?.request.uri).toBe(REGISTRAR);
    expect(headerOf(first!.request, 'from')).toMatch(new RegExp(`^<sip:${USER}@voip\\.carrier\\.example>;tag=`));
    expect(headerOf(first!.request, 'to')).toBe(`<sip:${USER}@voip.carrier.example>`);
    // drachtio-server's own address and port for UDP, as it reported on connect (not 5060).
    expect(headerOf(first!.request, 'contact')).toBe(`<sip:${USER}@192.0.2.10:5080>`);
    expect(headerOf(first!.request, 'expires')).toBe('600');
    expect(headerOf(first!.request, 'authorization')).toBeUndefined();
    expect(headerOf(second!.request, 'call-id')).toBe(headerOf(first!.request, 'call-id'));
    expect(headerOf(second!.request, 'cseq')).toBe('2 REGISTER');
    const auth = authParams(headerOf(second!.request, 'authorization') ?? '');
    expect(auth.get('username')).toBe(USER);
    expect(auth.get('uri')).toBe(REGISTRAR);
    expect(carrier.log.map((l) => l.status)).toEqual([401, 200]);

    expect(harness.app.trunk?.status.grantedSeconds).toBe(45);
    expect(await readyz(harness)).toEqual({ status: 200, checks: { store: true, drachtio: true, trunk: true } });
    const metrics = (await harness.api('GET', '/metrics')).json as string;
    expect(metrics).toMatch(/^crocetta_trunk_registered 1$/m);
    expect(metrics).toMatch(/^crocetta_trunk_registrations_total 1$/m);
    expect(await trunkLine(harness, 'en')).toMatch(
      /^Carrier trunk registered since \d\d\/\d\d\/\d{4}, \d\d:\d\d \(200 OK, 45 s\)\.$/,
    );
    const lines = harness.logs.filter((l) => l.msg === 'trunk registered');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(harness.logs)).not.toContain('pa55-word');
  });

  it('refreshes before the grant runs out: same Call-ID, next CSeq, half-way', async () => {
    const harness = await start();
    carrier.grant = 4;
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    const registeredAt = Date.now();
    const refresh = await harness.double.waitForAppRequest('REGISTER', 5000, 2);
    const waited = Date.now() - registeredAt;
    expect(waited).toBeGreaterThan(1500);
    expect(waited).toBeLessThan(3500);
    expect(headerOf(refresh.request, 'call-id')).toBe(headerOf(registers(harness)[0]!.request, 'call-id'));
    expect(headerOf(refresh.request, 'cseq')).toBe('3 REGISTER');
    await harness.double.waitForAppRequest('REGISTER', 5000, 3);
    await eventually(() => (carrier.log.filter((l) => l.status === 200).length >= 2 ? true : undefined));
    expect(harness.app.trunk?.status.state).toBe('registered');
    expect(harness.logs.filter((l) => l.msg === 'trunk registered')).toHaveLength(1);
  });

  it('retries a 423 Interval Too Brief with the Min-Expires the carrier asks', async () => {
    const harness = await start({ TRUNK_EXPIRES: '60' });
    carrier.minExpires = 900;
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    expect(carrier.log.map((l) => l.status)).toEqual([401, 423, 401, 200]);
    const sent = registers(harness).map((r) => headerOf(r.request, 'expires'));
    expect(sent).toEqual(['60', '60', '900', '900']);
    expect(harness.app.trunk?.status.grantedSeconds).toBe(900);
  });

  it('takes a second 401 as a wrong password: logs it once, backs off, never loops; /readyz says 503', async () => {
    const harness = await start({}, { configure: (c) => (c.trunk.retry = { minSeconds: 2, maxSeconds: 2 }) });
    carrier.password = 'the-carrier-changed-it';
    await harness.double.waitForAppRequest('REGISTER', 5000, 1);
    await eventually(() => (harness.app.trunk?.status.problem === 'auth' ? true : undefined));
    const twoSent = Date.now();
    const third = await harness.double.waitForAppRequest('REGISTER', 5000, 2);
    expect(Date.now() - twoSent).toBeGreaterThanOrEqual(1800);
    expect(headerOf(third.request, 'authorization')).toBeUndefined();
    await harness.double.waitForAppRequest('REGISTER', 5000, 4);
    expect(registers(harness).length).toBeLessThanOrEqual(6);
    const errors = harness.logs.filter((l) => l.msg === 'trunk not registered' && l.level === 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.reason)).toContain('TRUNK_PASSWORD');
    const ready = await readyz(harness);
    expect(ready.status).toBe(503);
    expect(ready.checks.trunk).toBe(false);
    const metrics = (await harness.api('GET', '/metrics')).json as string;
    expect(metrics).toMatch(/^crocetta_trunk_registration_failures_total\{problem="auth"\} [2-9]$/m);
    expect(metrics).toMatch(/^crocetta_trunk_registered 0$/m);
    const line = await trunkLine(harness, 'it');
    expect(line).toContain('Linea del gestore NON registrata dal ');
    expect(line).toContain('il gestore rifiuta nome utente o password (401 Unauthorized to our credentials');
    // The office fixes the password at the carrier's side: the next attempt registers.
    carrier.password = 'pa55-word';
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 6000);
  });

  it('backs off when the carrier does not answer, and registers as soon as its OPTIONS are answered again', async () => {
    const harness = await start(
      {},
      {
        double: { timerFMs: 300 },
        configure: (c) => Object.assign(c.trunk, { keepaliveSeconds: 1, retry: { minSeconds: 30, maxSeconds: 60 } }),
      },
    );
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    await harness.double.waitForAppRequest('OPTIONS', 3000);
    carrier.up = false;
    await eventually(() => (harness.app.trunk?.status.state === 'not-registered' ? true : undefined), 5000);
    expect(harness.app.trunk?.status).toMatchObject({
      problem: 'unreachable',
      reason: 'the registrar stopped answering OPTIONS',
    });
    expect((await readyz(harness)).status).toBe(503);
    const sentWhileDown = registers(harness).length;
    carrier.up = true;
    // The backoff says 30 s or more; the first answered OPTIONS brings the REGISTER at once.
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    expect(registers(harness).length).toBeGreaterThan(sentWhileDown);
    const states = harness.logs
      .filter((l) => typeof l.msg === 'string' && /^trunk (not )?registered$/.test(l.msg))
      .map((l) => l.msg);
    expect(states).toEqual(['trunk not registered', 'trunk registered', 'trunk not registered', 'trunk registered']);
    // Waiting for drachtio-server at start is news (info); the carrier gone silent is a warning the admin can grep.
    const notRegistered = harness.logs.filter((l) => l.msg === 'trunk not registered');
    expect(notRegistered.map((l) => [l.reason, l.level])).toEqual([
      ['waiting for drachtio-server', 30],
      ['the registrar stopped answering OPTIONS', 40],
    ]);
  });

  it("takes drachtio-server's own 503 (the carrier's port closed) as no answer, and registers again as soon as the carrier is back", async () => {
    const harness = await start(
      {},
      { configure: (c) => Object.assign(c.trunk, { keepaliveSeconds: 1, retry: { minSeconds: 30, maxSeconds: 60 } }) },
    );
    carrier.grant = 3; // a refresh every 1.5 s
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    carrier.portClosed = true; // the carrier restarts: ICMP port unreachable, drachtio answers 503 itself
    await eventually(() => (harness.app.trunk?.status.state === 'not-registered' ? true : undefined), 6000);
    expect(harness.app.trunk?.status).toMatchObject({
      problem: 'unreachable',
      reason: 'no answer from the registrar (drachtio-server: 503 Service Unavailable)',
    });
    carrier.portClosed = false;
    // The next OPTIONS is answered: the REGISTER goes at once, not after the 30 s backoff.
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
  });

  it('un-registers (Expires: 0, same Call-ID, next CSeq) before leaving drachtio-server on stop', async () => {
    const harness = await start();
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    expect(carrier.bindings.size).toBe(1);
    const callId = harness.app.trunk?.callId;
    await harness.app.stop();
    const sent = registers(harness).slice(-2);
    expect(sent.map((r) => headerOf(r.request, 'expires'))).toEqual(['0', '0']);
    expect(headerOf(sent[1]!.request, 'contact')).toBe(`<sip:${USER}@127.0.0.1:5060>;expires=0`);
    expect(headerOf(sent[1]!.request, 'call-id')).toBe(callId);
    expect(headerOf(sent[1]!.request, 'cseq')).toBe('4 REGISTER');
    expect(carrier.bindings.size).toBe(0);
    expect(harness.logs.some((l) => l.msg === 'un-registered from the carrier')).toBe(true);
    await harness.double.waitForNoConnections();
    await harness.restartApp(); // so afterEach's stop has something to stop
  });

  it("skips an address in drachtio-server's list that does not read, says so once, and takes the next", async () => {
    // Empty brackets were read as the host '' and taken first: the Contact was sip:USER@:5080.
    const harness = await start({}, { double: { hostports: 'udp/[]:5080,udp/192.0.2.10:5082,tcp/192.0.2.10:5081' } });
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    expect(headerOf(registers(harness)[0]!.request, 'contact')).toBe(`<sip:${USER}@192.0.2.10:5082>`);
    expect(
      harness.logs
        .filter((l) => l.level === 40 && String(l.msg).startsWith('skipped an address'))
        .map((l) => [l.msg, l.item]),
    ).toEqual([
      ["skipped an address in drachtio-server's list that does not read: the brackets are empty", 'udp/[]:5080'],
    ]);
  });

  it('uses the transport and port of the registrar URI, and TRUNK_CONTACT_HOST behind NAT', async () => {
    const harness = await start(
      { TRUNK_REGISTRAR: `${REGISTRAR};transport=tcp`, TRUNK_CONTACT_HOST: '203.0.113.50' },
      { double: { hostports: 'udp/192.0.2.10:5080,tcp/192.0.2.10:5081' } },
    );
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    expect(headerOf(registers(harness)[0]!.request, 'contact')).toBe(`<sip:${USER}@203.0.113.50:5081;transport=tcp>`);
    // drachtio-server does not know 203.0.113.50 as its own: its proxy would not put the DID in the request line.
    expect(
      harness.logs.filter((l) => l.level === 40 && String(l.msg).includes('does not report TRUNK_CONTACT_HOST')),
    ).toHaveLength(1);
  });
});

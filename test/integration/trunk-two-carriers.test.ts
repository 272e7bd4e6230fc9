/**
 * A business with lines at two carriers: the main number registered at one (TRUNK_*), the fax line at another
 * (TRUNK_2_REGISTRAR with its own credentials, number and carrier addresses). Each registers at its own registrar,
 * each carrier's calls are taken from that carrier's addresses only and attributed to its line, the PBX's call from
 * each line leaves through that line's carrier with its credentials, and the counters say which line fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { attemptsOf, eventually, pbxCallsOut, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, headerOf, type AppRequest } from '../support/drachtio-double.js';
import { authParams, FakeRegistrar } from '../support/fake-registrar.js';
import { panelSession } from '../support/panel-session.js';
import { startRegistered } from '../support/trunk-harness.js';
import { CarrierRoutes } from '../support/two-carriers.js';

/** The main line, at carrier A: the DID comes in P-Called-Party-ID. */
const MAIN = { user: '0612345678', password: 'pw-a', registrar: 'sip:127.0.0.1:5090', sbc: '203.0.113.10' };
/** The fax line, at carrier B: its own registrar, user name, number and SBC address. */
const FAX = {
  user: 'fax0612345679',
  password: 'pw-b',
  number: '+390612345679',
  registrar: 'sip:127.0.0.2:5070',
  sbc: '198.51.100.20',
};
const CALLER = '+393331234567';
/** Carrier B's outbound proxy (an SBC apart from its registrar), for TRUNK_2_URI. */
const FAX_OUTBOUND_HOSTPORT = '127.0.0.7:5072';

let h: Harness;
let carrierA: FakeRegistrar;
let carrierB: FakeRegistrar;
let routes: CarrierRoutes;

/** The requests the app sent to `carrier`'s address (a request in a call goes where its INVITE went). */
function sentTo(carrier: FakeRegistrar, method: string): AppRequest[] {
  return routes.sentTo(h.double.appRequests, carrier, method);
}

function stateOf(user: string): string | undefined {
  return h.app.trunk?.accounts.find((a) => a.username === user)?.status.state;
}

function inviteTo(user: string, source: { address: string; port: number }, extra: Record<string, string> = {}) {
  return h.double.injectRequest(
    buildInvite({
      from: CALLER,
      to: `<sip:${user}@carrier.example>`,
      requestUri: `sip:${user}@127.0.0.1:5060`,
      source,
      extraHeaders: extra,
    }),
    { source },
  );
}

async function metrics(): Promise<string> {
  return (await h.api('GET', '/metrics')).json as string;
}

/** The main line's TRUNK_* and the fax line's TRUNK_2_*, as an operator sets them. */
const ENV: Record<string, string> = {
  TRUNK_REGISTRAR: MAIN.registrar,
  TRUNK_USERNAME: MAIN.user,
  TRUNK_PASSWORD: MAIN.password,
  TRUNK_DOMAIN: 'carrier-a.example',
  TRUNK_INBOUND_FROM: MAIN.sbc,
  TRUNK_2_REGISTRAR: FAX.registrar,
  TRUNK_2_USERNAME: FAX.user,
  TRUNK_2_PASSWORD: FAX.password,
  TRUNK_2_NUMBER: FAX.number,
  TRUNK_2_INBOUND_FROM: FAX.sbc,
  ADMIN_PASSWORD: 'office-pw',
};
const OPTIONS = {
  onAppRequest: (req: AppRequest) => routes.handle(req),
  // A carrier that stops answering is noticed within a second or so (OPTIONS every second, timer F 300 ms).
  double: { timerFMs: 300 },
  configure: (c: Config) => Object.assign(c.trunk, { keepaliveSeconds: 1, retry: { minSeconds: 2, maxSeconds: 2 } }),
};

describe('lines at two carriers', () => {
  beforeEach(async () => {
    carrierA = new FakeRegistrar({ username: MAIN.user, password: MAIN.password, realm: 'carrier-a.example' });
    carrierB = new FakeRegistrar({ username: FAX.user, password: FAX.password, realm: 'carrier-b.example' });
    // Carrier B's registrar, and its SBC where its outbound calls go (TRUNK_2_URI, when a test sets it).
    routes = new CarrierRoutes(
      new Map([
        ['127.0.0.1:5090', carrierA],
        ['127.0.0.2:5070', carrierB],
        [FAX_OUTBOUND_HOSTPORT, carrierB],
      ]),
    );
    h = await startRegistered(ENV, OPTIONS);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('register each line at its own carrier, with its own credentials; readyz and the dashboard name each carrier', async () => {
    const [toA, toB] = [sentTo(carrierA, 'REGISTER'), sentTo(carrierB, 'REGISTER')];
    expect(new Set(toA.map((r) => uriOfFrom(r)))).toEqual(new Set([`sip:${MAIN.user}@carrier-a.example`]));
    // The fax line's AOR is at its registrar's host (trunk.domain is the first carrier's).
    expect(new Set(toB.map((r) => uriOfFrom(r)))).toEqual(new Set([`sip:${FAX.user}@127.0.0.2`]));
    expect(toB.every((r) => r.request.uri === FAX.registrar)).toBe(true);
    expect(authParams(headerOf(toB.at(-1)!.request, 'authorization') ?? '').get('realm')).toBe('carrier-b.example');
    expect(carrierA.bindings.size).toBe(1);
    expect(carrierB.bindings.size).toBe(1);

    // With the API token, and with the panel's session: each line's user name and carrier.
    const detail = [
      { account: MAIN.user, name: MAIN.user, carrier: MAIN.registrar, state: 'registered', problem: null },
      { account: FAX.user, name: FAX.number, carrier: FAX.registrar, state: 'registered', problem: null },
    ];
    const ready = await h.api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', trunk: detail });
    const { cookie } = await panelSession((path) => h.url(path), 'office-pw', 'en');
    const seen = await fetch(h.url('/readyz'), { headers: { cookie } });
    expect(((await seen.json()) as { trunk: unknown }).trunk).toEqual(detail);
    // To a stranger (a load balancer's probe, anyone who reaches the port; a wrong token too): ready or not, and
    // each line's state, no user name, number or carrier's address.
    for (const token of [null, 'not-the-token']) {
      const probe = await h.api('GET', '/readyz', undefined, token);
      expect(probe.status).toBe(200);
      expect(probe.json).toEqual({
        status: 'ready',
        checks: { store: true, drachtio: true, trunk: true },
        trunk: [
          { line: 1, state: 'registered', problem: null },
          { line: 2, state: 'registered', problem: null },
        ],
      });
      for (const secret of [MAIN.user, FAX.user, FAX.number, '127.0.0.1:5090', '127.0.0.2'])
        expect(JSON.stringify(probe.json)).not.toContain(secret);
    }
    const page = await (await fetch(h.url('/'), { headers: { cookie } })).text();
    const lines = [...page.matchAll(/<p class="notice[^"]*trunk"[^>]*>([^<]*)<\/p>/g)].map((m) => m[1] ?? '');
    expect(lines).toEqual([
      expect.stringMatching(/^0612345678 \(127\.0\.0\.1:5090\): Carrier trunk registered since /),
      expect.stringMatching(/^06 1234 5679 \(127\.0\.0\.2:5070\): Carrier trunk registered since /), // as the office writes it
    ]);
    const m = await metrics();
    expect(m).toContain(
      `crocetta_trunk_account_info{account="${FAX.user}",number="${FAX.number}",carrier="${FAX.registrar}"} 1`,
    );
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_registrations_total\\{account="${FAX.user}"\\} 1$`, 'm'));
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_registrations_total\\{account="${MAIN.user}"\\} 1$`, 'm'));
    // The total is kept for what reads it.
    expect(m).toMatch(/^crocetta_trunk_registrations_total 2$/m);
  });

  it("take each carrier's calls from its own addresses only, each attributed to its line", async () => {
    const fax = inviteTo(FAX.user, { address: FAX.sbc, port: 5060 });
    expect((await fax.waitForFinal()).status).toBe(200);
    expect(fax.proxy?.destinations).toEqual([`sip:${FAX.number}@127.0.0.1:5080`]);
    const main = inviteTo(
      MAIN.user,
      { address: MAIN.sbc, port: 5060 },
      {
        'P-Called-Party-ID': '<sip:+390612345699@carrier-a.example>',
      },
    );
    expect((await main.waitForFinal()).status).toBe(200);
    expect(main.proxy?.destinations).toEqual(['sip:+390612345699@127.0.0.1:5080']);
    expect((await attemptsOf(h, CALLER)).map((r) => r.calledNumber).sort()).toEqual(['+390612345679', '+390612345699']);

    // Carrier A's address calling the fax line's contact, and B's calling the main line's: neither carrier's line.
    const crossed = [
      inviteTo(FAX.user, { address: MAIN.sbc, port: 5060 }),
      inviteTo(MAIN.user, { address: FAX.sbc, port: 5060 }),
    ];
    for (const call of crossed) expect((await call.waitForFinal()).status).toBe(403);
    const faxAgain = inviteTo(FAX.user, { address: MAIN.sbc, port: 5060 });
    expect((await faxAgain.waitForFinal()).status).toBe(403);
    const m = await metrics();
    expect(m).toMatch(/^crocetta_trunk_inbound_refused_total 3$/m);
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_inbound_refused_total\\{account="${FAX.user}"\\} 2$`, 'm'));
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_inbound_refused_total\\{account="${MAIN.user}"\\} 1$`, 'm'));
    const refusals = h.logs.filter((l) => String(l.msg).startsWith('request to the registered contact from outside'));
    expect(refusals.map((l) => [l.account, l.msg])).toEqual([
      [FAX.user, 'request to the registered contact from outside trunk.accounts.0.inboundFrom refused (403)'],
      [MAIN.user, 'request to the registered contact from outside TRUNK_INBOUND_FROM refused (403)'],
    ]);
  });

  it("send the PBX's call from each line out through that line's carrier, with its credentials", async () => {
    const out = async (from: string): Promise<AppRequest> => {
      const call = pbxCallsOut(h, { from });
      expect((await call.waitForFinal(5000)).status).toBe(200);
      call.ack();
      expect((await call.bye().waitForFinal(5000)).status).toBe(200);
      return h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '').at(-1)!;
    };
    const viaFax = await out('"Fax" <sip:0612345679@127.0.0.1>');
    expect(viaFax.request.uri).toBe('sip:0298765409@127.0.0.2:5070');
    expect(headerOf(viaFax.request, 'from')).toMatch(new RegExp(`^<sip:${FAX.user}@127\\.0\\.0\\.2>;tag=`));
    const faxAuth = authParams(headerOf(viaFax.request, 'proxy-authorization') ?? '');
    expect([faxAuth.get('username'), faxAuth.get('realm')]).toEqual([FAX.user, 'carrier-b.example']);

    const viaMain = await out('"Reception" <sip:201@127.0.0.1>');
    expect(viaMain.request.uri).toBe('sip:0298765409@127.0.0.1:5090');
    const mainAuth = authParams(headerOf(viaMain.request, 'proxy-authorization') ?? '');
    expect([mainAuth.get('username'), mainAuth.get('realm')]).toEqual([MAIN.user, 'carrier-a.example']);
    // Each carrier saw only its own line's call (two INVITEs each: the 407, then the credentials).
    expect(sentTo(carrierB, 'INVITE')).toHaveLength(2);
    expect(sentTo(carrierA, 'INVITE')).toHaveLength(2);
    expect(h.logs.filter((l) => l.msg === 'outbound call: carrier account').map((l) => l.carrier)).toEqual([
      FAX.registrar,
      MAIN.registrar,
    ]);
  });

  it("send the PBX's call from the second carrier's line to that carrier's outbound proxy when TRUNK_2_URI names one", async () => {
    await h.stop();
    h = await startRegistered({ ...ENV, TRUNK_2_URI: `sip:${FAX_OUTBOUND_HOSTPORT}` }, OPTIONS);
    const call = pbxCallsOut(h, { from: '"Fax" <sip:0612345679@127.0.0.1>' });
    expect((await call.waitForFinal(5000)).status).toBe(200);
    const invites = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '');
    // Both INVITEs (the 407, then the credentials) to the outbound proxy, none to carrier B's registrar.
    expect(invites.map((r) => r.request.uri)).toEqual([
      `sip:0298765409@${FAX_OUTBOUND_HOSTPORT}`,
      `sip:0298765409@${FAX_OUTBOUND_HOSTPORT}`,
    ]);
    const auth = authParams(headerOf(invites[1]!.request, 'proxy-authorization') ?? '');
    expect([auth.get('username'), auth.get('realm')]).toEqual([FAX.user, 'carrier-b.example']);
    expect(h.logs.find((l) => l.msg === 'outbound call: carrier account')?.carrier).toBe(
      `sip:${FAX_OUTBOUND_HOSTPORT}`,
    );
    // The main line's calls are not moved: TRUNK_URI's default, carrier A's registrar.
    expect(sentTo(carrierA, 'INVITE')).toEqual([]);
  });

  it("keep each line's registration alive at its own carrier: one carrier gone leaves the other's line registered", async () => {
    await eventually(() => (sentTo(carrierB, 'OPTIONS').length > 0 ? true : undefined), 3000);
    // Each line's keepalive asks its own carrier, as its line.
    expect(new Set(sentTo(carrierB, 'OPTIONS').map((r) => r.request.uri))).toEqual(new Set([FAX.registrar]));
    expect(new Set(sentTo(carrierB, 'OPTIONS').map(uriOfFrom))).toEqual(new Set([`sip:${FAX.user}@127.0.0.2`]));
    const registersToA = sentTo(carrierA, 'REGISTER').length;
    carrierB.up = false;
    await eventually(() => (stateOf(FAX.user) === 'not-registered' ? true : undefined), 5000);
    expect(h.app.trunk?.accounts[1]?.status).toMatchObject({
      problem: 'unreachable',
      reason: 'the registrar stopped answering OPTIONS',
    });
    expect(stateOf(MAIN.user)).toBe('registered');
    const down = await metrics();
    expect(down).toMatch(
      new RegExp(
        `^crocetta_trunk_account_registration_failures_total\\{account="${FAX.user}",problem="unreachable"\\} [1-9]$`,
        'm',
      ),
    );
    expect(down).toMatch(
      new RegExp(
        `^crocetta_trunk_account_registration_failures_total\\{account="${MAIN.user}",problem="unreachable"\\} 0$`,
        'm',
      ),
    );
    expect(down).toMatch(new RegExp(`^crocetta_trunk_account_registered\\{account="${MAIN.user}"\\} 1$`, 'm'));
    // Carrier B answers again: the fax line registers again on its own; carrier A heard nothing of it.
    carrierB.up = true;
    await eventually(() => (stateOf(FAX.user) === 'registered' ? true : undefined), 5000);
    expect(sentTo(carrierA, 'REGISTER')).toHaveLength(registersToA);
    const warned = h.logs.filter((l) => l.msg === 'trunk not registered' && l.level === 40);
    expect(warned.map((l) => [l.aor, l.registrar])).toEqual([[`sip:${FAX.user}@127.0.0.2`, FAX.registrar]]);
  });

  it('say which line fails: the other carrier refusing its password leaves the main line registered', async () => {
    // Carrier B changed the fax line's password; crocetta restarts (the next refresh would find the same).
    carrierB.password = 'changed-at-carrier-b';
    await h.restartApp();
    await eventually(
      () => (stateOf(FAX.user) === 'not-registered' && stateOf(MAIN.user) === 'registered' ? true : undefined),
      8000,
    );
    const ready = await h.api('GET', '/readyz');
    expect(ready.status).toBe(503);
    const body = ready.json as { checks: Record<string, boolean>; trunk: unknown[] };
    expect(body.checks).toMatchObject({ trunk: false, [`trunk:${MAIN.user}`]: true, [`trunk:${FAX.user}`]: false });
    expect(body.trunk[1]).toEqual({
      account: FAX.user,
      name: FAX.number,
      carrier: FAX.registrar,
      state: 'not-registered',
      problem: 'auth',
    });
    // A stranger's probe learns which line is down and why, in a word, not whose it is.
    expect((await h.api('GET', '/readyz', undefined, null)).json).toEqual({
      status: 'not ready',
      checks: { store: true, drachtio: true, trunk: false },
      trunk: [
        { line: 1, state: 'registered', problem: null },
        { line: 2, state: 'not-registered', problem: 'auth' },
      ],
    });
    const m = await metrics();
    expect(m).toMatch(
      new RegExp(
        `^crocetta_trunk_account_registration_failures_total\\{account="${FAX.user}",problem="auth"\\} [1-9]$`,
        'm',
      ),
    );
    expect(m).toMatch(
      new RegExp(
        `^crocetta_trunk_account_registration_failures_total\\{account="${MAIN.user}",problem="auth"\\} 0$`,
        'm',
      ),
    );
    const refused = h.logs.filter((l) => l.msg === 'trunk not registered' && l.level === 50);
    expect(refused.map((l) => [l.aor, l.registrar])).toEqual([[`sip:${FAX.user}@127.0.0.2`, FAX.registrar]]);
  });
});

function uriOfFrom(r: AppRequest): string {
  return /<([^>]*)>/.exec(headerOf(r.request, 'from') ?? '')?.[1] ?? '';
}

/**
 * Several accounts of one carrier on the registration trunk (trunk.accounts, TRUNK_2_*, TRUNK_3_*), as Italian
 * business lines give one SIP account per number: each registers on its own, one refused leaves the others
 * registered and taking calls, a call to an account's contact is to that account's number, and the PBX's call goes
 * out through the account whose number it presents.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptsOf, eventually, pbxCallsOut, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, headerOf, type AppRequest, type InjectedRequest } from '../support/drachtio-double.js';
import { authParams, FakeRegistrar } from '../support/fake-registrar.js';
import { panelSession } from '../support/panel-session.js';
import { startRegistered, TRUNK_PASSWORD, trunkEnv } from '../support/trunk-harness.js';

/** The first account (TRUNK_*): a numeric user name, no number configured (the DID comes in P-Called-Party-ID). */
const FIRST = '0612345678';
/** The second (TRUNK_2_*): a user name that is no number, and the account's number configured. */
const SECOND = 'ufficio2';
const SECOND_NUMBER = '+390612345670';
/** The third (TRUNK_3_*): its password is not the one the carrier has. */
const THIRD = '0612345671';
const CALLER = '+393331234567';
let h: Harness;
let carrier: FakeRegistrar;

function registersOf(user: string): AppRequest[] {
  return h.double.appRequests.filter(
    (r) => r.method === 'REGISTER' && (headerOf(r.request, 'from') ?? '').startsWith(`<sip:${user}@`),
  );
}

function stateOf(user: string): string | undefined {
  return h.app.trunk?.accounts.find((a) => a.username === user)?.status.state;
}

/** An answered outbound call from the PBX with caller ID `from`, and the carrier leg's credentialled INVITE. */
async function outbound(
  from: string,
  extraHeaders: Record<string, string> = {},
): Promise<{ out: InjectedRequest; carrierLeg: AppRequest }> {
  const out = pbxCallsOut(h, { from, extraHeaders });
  expect((await out.waitForFinal(5000)).status).toBe(200);
  const carrierLeg = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '').at(-1)!;
  return { out, carrierLeg };
}

/** The digest user name a request to the carrier answered its challenge with. */
function digestUser(req: AppRequest): string | undefined {
  return authParams(headerOf(req.request, 'proxy-authorization') ?? '').get('username');
}

/** The dashboard's trunk lines, in English, as the office sees them after logging in. */
async function trunkLines(): Promise<string[]> {
  const { cookie } = await panelSession((path) => h.url(path), 'office-pw', 'en');
  const page = await (await fetch(h.url('/'), { headers: { cookie } })).text();
  return [...page.matchAll(/<p class="notice[^"]*trunk"[^>]*>([^<]*)<\/p>/g)].map((m) => m[1] ?? '');
}

/** /readyz as the API token reads it (each account's check by its user name). */
async function readyz(): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await h.api('GET', '/readyz');
  return { status: res.status, checks: (res.json as { checks: Record<string, boolean> }).checks };
}

describe('several carrier accounts', () => {
  beforeEach(async () => {
    carrier = new FakeRegistrar({
      username: FIRST,
      password: TRUNK_PASSWORD,
      accounts: { [SECOND]: 'pw-2', [THIRD]: 'pw-3' },
    });
    h = await startRegistered(
      {
        ...trunkEnv(FIRST),
        TRUNK_2_USERNAME: SECOND,
        TRUNK_2_PASSWORD: 'pw-2',
        TRUNK_2_NUMBER: SECOND_NUMBER,
        TRUNK_3_USERNAME: THIRD,
        TRUNK_3_PASSWORD: 'not-pw-3',
        ADMIN_PASSWORD: 'office-pw',
      },
      {
        onAppRequest: carrier.handle,
        configure: (c) => (c.trunk.retry = { minSeconds: 2, maxSeconds: 2 }),
      },
      (trunk) =>
        trunk?.accounts.length === 3 &&
        trunk.accounts.filter((a) => a.status.state === 'registered').length === 2 &&
        trunk.accounts[2]?.status.problem === 'auth',
    );
  });
  afterEach(async () => {
    await h.stop();
  });

  it('register each on its own, and the one the carrier refuses leaves the others registered; it says which', async () => {
    expect([FIRST, SECOND, THIRD].map(stateOf)).toEqual(['registered', 'registered', 'not-registered']);
    // Its own Call-ID, AOR, Contact (its user name: calls to it are told apart) and digest user each.
    const callIds = new Set<string>();
    for (const user of [FIRST, SECOND, THIRD]) {
      const [first, second] = registersOf(user);
      callIds.add(headerOf(first!.request, 'call-id') ?? '');
      expect(headerOf(first!.request, 'to')).toBe(`<sip:${user}@voip.carrier.example>`);
      expect(headerOf(first!.request, 'contact')).toBe(`<sip:${user}@127.0.0.1:5060>`);
      expect(authParams(headerOf(second!.request, 'authorization') ?? '').get('username')).toBe(user);
    }
    expect(callIds.size).toBe(3);

    expect(await readyz()).toEqual({
      status: 503,
      checks: {
        store: true,
        drachtio: true,
        trunk: false,
        [`trunk:${FIRST}`]: true,
        [`trunk:${SECOND}`]: true,
        [`trunk:${THIRD}`]: false,
      },
    });
    const metrics = (await h.api('GET', '/metrics')).json as string;
    expect(metrics).toMatch(/^crocetta_trunk_registered 0$/m);
    expect(metrics).toMatch(new RegExp(`^crocetta_trunk_account_registered\\{account="${SECOND}"\\} 1$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^crocetta_trunk_account_registered\\{account="${THIRD}"\\} 0$`, 'm'));
    // One error line, naming the account (its AOR) and the variables to check.
    const refused = h.logs.filter((l) => l.msg === 'trunk not registered' && l.level === 50);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.aor).toBe(`sip:${THIRD}@voip.carrier.example`);
    expect(String(refused[0]?.reason)).toContain('TRUNK_3_PASSWORD');
    expect(JSON.stringify(h.logs)).not.toMatch(/pw-2|not-pw-3/);
    // The dashboard: a line per account, named by its number as the office writes it (else its user name) and its
    // carrier, the refused one saying why.
    expect(await trunkLines()).toEqual([
      expect.stringMatching(
        new RegExp(`^${FIRST} \\(127\\.0\\.0\\.1:5090\\): Carrier trunk registered since .*\\(200 OK, 600 s\\)\\.$`),
      ),
      expect.stringMatching(/^06 1234 5670 \(127\.0\.0\.1:5090\): Carrier trunk registered since /),
      expect.stringMatching(
        new RegExp(
          `^${THIRD} \\(127\\.0\\.0\\.1:5090\\): Carrier trunk NOT registered since .*the carrier refused the user name or password`,
        ),
      ),
    ]);

    // The carrier takes its password now: it registers at its next try (2 s), the others untouched.
    const othersSent = registersOf(FIRST).length + registersOf(SECOND).length;
    carrier.passwords.set(THIRD, 'not-pw-3');
    await eventually(() => (stateOf(THIRD) === 'registered' ? true : undefined), 5000);
    expect((await readyz()).status).toBe(200);
    expect(registersOf(FIRST).length + registersOf(SECOND).length).toBe(othersSent);
  });

  it('take calls: each reaches the PBX with the number called on it, and the register says which of ours it was', async () => {
    // The second account: the carrier writes its AOR in To (no number), the account's number is configured.
    const second = h.double.injectRequest(
      buildInvite({
        from: CALLER,
        to: `<sip:${SECOND}@voip.carrier.example>`,
        requestUri: `sip:${SECOND}@127.0.0.1:5060`,
      }),
    );
    expect((await second.waitForFinal()).status).toBe(200);
    expect(second.proxy?.destinations).toEqual([`sip:${SECOND_NUMBER}@127.0.0.1:5080`]);
    // The first account, as with one account: the DID from P-Called-Party-ID.
    const first = h.double.injectRequest(
      buildInvite({
        from: CALLER,
        to: `<sip:${FIRST}@voip.carrier.example>`,
        requestUri: `sip:${FIRST}@127.0.0.1:5060`,
        extraHeaders: { 'P-Called-Party-ID': '<sip:+390612345699@voip.carrier.example>' },
      }),
    );
    expect((await first.waitForFinal()).status).toBe(200);
    expect(first.proxy?.destinations).toEqual(['sip:+390612345699@127.0.0.1:5080']);
    const rows = await attemptsOf(h, CALLER);
    expect(rows.map((r) => r.calledNumber).sort()).toEqual(['+390612345670', '+390612345699']);
    // The dashboard: the line with a number of its own says today's calls on it; the first has none (its calls'
    // number is the carrier's P-Called-Party-ID), the third none either: no counts said for them.
    await h.app.register.flush();
    const lines = await trunkLines();
    expect(lines[1]).toMatch(/^06 1234 5670 \(127\.0\.0\.1:5090\): .*\. Today, attempts: 1, stopped: 0\.$/);
    expect(lines[0]).not.toContain('Today');
    expect(lines[2]).not.toContain('Today');
  });

  it("send the PBX's call out through the account whose number it presents, with that account's credentials, in the call too", async () => {
    carrier.challengeInDialog = true;
    // From: the second account's number, national form.
    const viaSecond = await outbound('"Ufficio 2" <sip:0612345670@127.0.0.1>');
    expect(headerOf(viaSecond.carrierLeg.request, 'from')).toMatch(/^<sip:ufficio2@voip\.carrier\.example>;tag=/);
    expect(digestUser(viaSecond.carrierLeg)).toBe(SECOND);
    viaSecond.out.ack();
    expect((await viaSecond.out.bye().waitForFinal(5000)).status).toBe(200);
    const byes = () => h.double.appRequests.filter((r) => r.method === 'BYE' && r.dialogId !== '');
    const answered = (): Array<number | undefined> =>
      byes().map((b) => b.responses.find((x) => x.status >= 200)?.status);
    await eventually(() => (answered().length === 2 && answered()[1] !== undefined ? true : undefined), 5000);
    expect(answered()).toEqual([407, 200]);
    expect(digestUser(byes()[1]!)).toBe(SECOND);

    // P-Asserted-Identity before From; a caller ID no account has: the first account.
    const viaPai = await outbound(`<sip:${FIRST}@127.0.0.1>`, {
      'P-Asserted-Identity': `<sip:${SECOND_NUMBER}@127.0.0.1>`,
    });
    expect(digestUser(viaPai.carrierLeg)).toBe(SECOND);
    const viaFirst = await outbound('"Reception" <sip:201@127.0.0.1>');
    expect(headerOf(viaFirst.carrierLeg.request, 'from')).toMatch(
      new RegExp(`^<sip:${FIRST}@voip\\.carrier\\.example>;tag=`),
    );
    expect(digestUser(viaFirst.carrierLeg)).toBe(FIRST);
    expect(h.logs.filter((l) => l.msg === 'outbound call: carrier account').map((l) => l.account)).toEqual([
      SECOND,
      SECOND,
      FIRST,
    ]);
  });

  it('un-register every registered account on stop', async () => {
    expect(carrier.bindings.size).toBe(2);
    await h.app.stop();
    for (const user of [FIRST, SECOND]) {
      const last = registersOf(user).at(-1);
      expect(headerOf(last!.request, 'contact')).toBe(`<sip:${user}@127.0.0.1:5060>;expires=0`);
    }
    expect(carrier.bindings.size).toBe(0);
    await h.double.waitForNoConnections();
    await h.restartApp(); // so afterEach's stop has something to stop
  });
});

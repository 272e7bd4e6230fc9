/**
 * Lines at two carriers with the same user name (carriers that name the account after the customer, `ufficio`, or a
 * number registered at two carriers): both carriers would send their calls to `sip:ufficio@<crocetta>`, and calls
 * are told apart by the Request-URI user. The second carrier's account registers the Contact user `ufficio-2`
 * instead: its carrier's calls come to that user, each line's calls are its own (number, carrier's addresses), and
 * its metrics, /readyz key and log lines are `ufficio-2`. The AOR, the digest user and the outbound calls keep the
 * user name the carrier gave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptsOf, pbxCallsOut, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, headerOf, type AppRequest } from '../support/drachtio-double.js';
import { authParams, type FakeRegistrar } from '../support/fake-registrar.js';
import {
  BRANCH,
  MAIN,
  SHARED_USER as USER,
  startSharedUserLines,
  type CarrierRoutes,
} from '../support/two-carriers.js';

const CALLER = '+393331234567';

let h: Harness;
let carrierA: FakeRegistrar;
let carrierB: FakeRegistrar;
let routes: CarrierRoutes;

function sentTo(carrier: FakeRegistrar, method: string): AppRequest[] {
  return routes.sentTo(h.double.appRequests, carrier, method);
}

/** A carrier's call to the contact user `user`, from `source`. */
function inviteTo(user: string, source: { address: string; port: number }) {
  return h.double.injectRequest(
    buildInvite({
      from: CALLER,
      to: `<sip:${USER}@carrier.example>`,
      requestUri: `sip:${user}@127.0.0.1:5060`,
      source,
    }),
    { source },
  );
}

describe('the same user name at two carriers', () => {
  beforeEach(async () => {
    ({ h, carrierA, carrierB, routes } = await startSharedUserLines({
      TRUNK_INBOUND_FROM: MAIN.sbc,
      TRUNK_2_INBOUND_FROM: BRANCH.sbc,
    }));
  });
  afterEach(async () => {
    await h.stop();
  });

  it('registers at each carrier as the account it gave, the second with its own Contact user', async () => {
    const [toA, toB] = [sentTo(carrierA, 'REGISTER').at(-1)!, sentTo(carrierB, 'REGISTER').at(-1)!];
    expect(headerOf(toA.request, 'contact')).toMatch(new RegExp(`^<sip:${USER}@127\\.0\\.0\\.1:\\d+>`));
    expect(headerOf(toB.request, 'contact')).toMatch(new RegExp(`^<sip:${USER}-2@127\\.0\\.0\\.1:\\d+>`));
    // The AOR and the digest user are the user name the carrier gave.
    expect(headerOf(toB.request, 'to')).toBe(`<sip:${USER}@127.0.0.2>`);
    expect(authParams(headerOf(toB.request, 'authorization') ?? '').get('username')).toBe(USER);
    expect([...carrierB.bindings.keys()]).toEqual([expect.stringMatching(new RegExp(`^sip:${USER}-2@`))]);

    const ready = await h.api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({
      checks: { trunk: true, [`trunk:${USER}`]: true, [`trunk:${USER}-2`]: true },
      trunk: [
        { account: USER, name: MAIN.number, carrier: MAIN.registrar, state: 'registered' },
        { account: `${USER}-2`, name: BRANCH.number, carrier: BRANCH.registrar, state: 'registered' },
      ],
    });
    const m = (await h.api('GET', '/metrics')).json as string;
    expect(m).toContain(
      `crocetta_trunk_account_info{account="${USER}",number="${MAIN.number}",carrier="${MAIN.registrar}"} 1`,
    );
    expect(m).toContain(
      `crocetta_trunk_account_info{account="${USER}-2",number="${BRANCH.number}",carrier="${BRANCH.registrar}"} 1`,
    );
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_registered\\{account="${USER}-2"\\} 1$`, 'm'));
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_registered\\{account="${USER}"\\} 1$`, 'm'));
  });

  it("takes each carrier's calls as its own line's, from its own addresses only", async () => {
    const branch = inviteTo(`${USER}-2`, { address: BRANCH.sbc, port: 5060 });
    expect((await branch.waitForFinal()).status).toBe(200);
    expect(branch.proxy?.destinations).toEqual([`sip:${BRANCH.number}@127.0.0.1:5080`]);
    const main = inviteTo(USER, { address: MAIN.sbc, port: 5060 });
    expect((await main.waitForFinal()).status).toBe(200);
    expect(main.proxy?.destinations).toEqual([`sip:${MAIN.number}@127.0.0.1:5080`]);
    expect((await attemptsOf(h, CALLER)).map((r) => r.calledNumber).sort()).toEqual([MAIN.number, BRANCH.number]);

    // Each carrier's addresses are checked for its own line's contact. (A call to the plain user name from carrier B's
    // addresses is carrier B calling the AOR's user: the branch's, trunk-shared-user-aor.test.ts.)
    const crossed = [
      inviteTo(`${USER}-2`, { address: MAIN.sbc, port: 5060 }),
      inviteTo(USER, { address: '192.0.2.99', port: 5060 }),
    ];
    for (const call of crossed) expect((await call.waitForFinal()).status).toBe(403);
    const m = (await h.api('GET', '/metrics')).json as string;
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_inbound_refused_total\\{account="${USER}-2"\\} 1$`, 'm'));
    expect(m).toMatch(new RegExp(`^crocetta_trunk_account_inbound_refused_total\\{account="${USER}"\\} 1$`, 'm'));
  });

  it("sends the PBX's call from the second line through its carrier, as the user name that carrier gave", async () => {
    const call = pbxCallsOut(h, { from: `"Branch" <sip:${BRANCH.number}@127.0.0.1>` });
    expect((await call.waitForFinal(5000)).status).toBe(200);
    const out = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '').at(-1)!;
    expect(out.request.uri).toBe('sip:0298765409@127.0.0.2:5070');
    expect(headerOf(out.request, 'from')).toMatch(new RegExp(`^<sip:${USER}@127\\.0\\.0\\.2>;tag=`));
    const auth = authParams(headerOf(out.request, 'proxy-authorization') ?? '');
    expect([auth.get('username'), auth.get('realm')]).toEqual([USER, 'carrier-b.example']);
  });
});

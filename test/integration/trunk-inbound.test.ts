/**
 * Calls the registration trunk sends to crocetta's registered contact: the account name in the Request-URI, the
 * DID in P-Called-Party-ID or To. Screened as usual; allowed calls reach the PBX with the DID as user.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, DEFAULT_SOURCE } from '../support/drachtio-double.js';
import { FakeRegistrar } from '../support/fake-registrar.js';

/** A numeric account name, as Italian carriers give: it must never be taken for the DID. */
const USER = '0612345678';
const CONTACT_URI = `sip:${USER}@127.0.0.1:5060`;
const DID = '+390612345699';
const CALLER = '+393331234567';
let h: Harness;

function inviteToContact(from: string, extra: Record<string, string> = {}, source = DEFAULT_SOURCE): string {
  return buildInvite({
    from,
    to: `<sip:${USER}@voip.carrier.example>`,
    requestUri: CONTACT_URI,
    source,
    extraHeaders: { 'P-Called-Party-ID': `<sip:${DID}@voip.carrier.example>`, ...extra },
  });
}

describe('calls to the registered contact', () => {
  beforeEach(async () => {
    const carrier = new FakeRegistrar({ username: USER, password: 'pw' });
    h = await startHarness(
      {
        TRUNK_REGISTRAR: 'sip:127.0.0.1:5090',
        TRUNK_USERNAME: USER,
        TRUNK_PASSWORD: 'pw',
        TRUNK_INBOUND_FROM: `${DEFAULT_SOURCE.address}, 198.51.100.128/25`,
        // The mark on crocetta's own 403 (sip.markRefusals; off by default: refusal-mark.test.ts).
        MARK_REFUSALS: 'true',
      },
      { onAppRequest: carrier.handle },
    );
    await eventually(() => (h.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('reach the PBX with the DID from P-Called-Party-ID as user, and the register shows the DID', async () => {
    const call = h.double.injectRequest(inviteToContact(CALLER));
    expect((await call.waitForFinal()).status).toBe(200);
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    const [row] = await attemptsOf(h, CALLER);
    expect(row?.calledNumber).toBe(DID);
    expect(row?.calledNumber).not.toBe(`+39${USER}`);
  });

  it('take the DID from To when there is no P-Called-Party-ID', async () => {
    const call = h.double.injectRequest(
      buildInvite({ from: CALLER, to: '<sip:0612345677@voip.carrier.example>', requestUri: CONTACT_URI }),
    );
    await call.waitForFinal();
    expect(call.proxy?.destinations).toEqual(['sip:0612345677@127.0.0.1:5080']);
    expect((await attemptsOf(h, CALLER))[0]?.calledNumber).toBe('+390612345677');
  });

  it('refuse a caller the office marked as nuisance with 607, as any other call', async () => {
    await h.api('POST', `/api/numbers/${encodeURIComponent('+390287176900')}/mark`, {
      label: 'nuisance',
      company: 'Example Energia',
    });
    const call = h.double.injectRequest(inviteToContact('+390287176900'));
    const final = await call.waitForFinal();
    expect(final.status).toBe(607);
    expect(call.proxy).toBeUndefined();
    const [row] = await attemptsOf(h, '+390287176900');
    expect(row).toMatchObject({ calledNumber: DID, verdict: 'nuisance', outcome: 'rejected', finalStatus: 607 });
  });

  it('refuse with 403 a request to the contact from outside TRUNK_INBOUND_FROM, unscreened and unregistered', async () => {
    const stranger = { address: '198.51.100.66', port: 5060 };
    const call = h.double.injectRequest(inviteToContact(CALLER, {}, stranger), { source: stranger });
    const refusal = await call.waitForFinal();
    expect(refusal.status).toBe(403);
    expect(refusal.headers['x-crocetta-refusal']?.[0], "crocetta's mark on its own refusal").toBe('403');
    expect(call.proxy).toBeUndefined();
    expect(await attemptsOf(h, CALLER)).toEqual([]);
    const inRange = { address: '198.51.100.200', port: 5060 };
    const allowed = h.double.injectRequest(inviteToContact(CALLER, {}, inRange), { source: inRange });
    expect((await allowed.waitForFinal()).status).toBe(200);
    const metrics = (await h.api('GET', '/metrics')).json as string;
    expect(metrics).toMatch(/^crocetta_trunk_inbound_refused_total 1$/m);
    expect(h.logs.filter((l) => String(l.msg).includes('outside TRUNK_INBOUND_FROM'))).toHaveLength(1);
  });
});

/**
 * Both ends register, the small office's usual setup: crocetta registers to the carrier (registration trunk) and
 * the PBX (a FRITZ!Box, say) registers to crocetta. Calls the carrier sends to crocetta's contact reach the
 * registered PBX with the DID; the PBX's outbound calls get through the carrier's 407 with the trunk credentials.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, pbxCallsOut, startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, headerOf } from '../support/drachtio-double.js';
import { FakeRegistrar } from '../support/fake-registrar.js';
import { PBX_NAT_SOURCE, PBX_PASSWORD, PBX_USER, registerWithDigest } from '../support/pbx-registration.js';

const ACCOUNT = '0612345678';
const DID = '+390612345699';
let h: Harness;
let carrier: FakeRegistrar;

describe('a registration trunk in front and the PBX registered to crocetta', () => {
  beforeEach(async () => {
    carrier = new FakeRegistrar({ username: ACCOUNT, password: 'carrier-pw' });
    h = await startHarness(
      {
        PBX_URI: '',
        PBX_REGISTER_USERNAME: PBX_USER,
        PBX_REGISTER_PASSWORD: PBX_PASSWORD,
        TRUNK_REGISTRAR: 'sip:127.0.0.1:5090',
        TRUNK_USERNAME: ACCOUNT,
        TRUNK_PASSWORD: 'carrier-pw',
        TRUNK_DOMAIN: 'voip.carrier.example',
      },
      { onAppRequest: carrier.handle },
    );
    await h.double.waitForRoutes(['register'], 5000);
    await eventually(() => (h.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    expect((await registerWithDigest(h.double, { callId: 'fritz@192.168.178.1' })).final.status).toBe(200);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('an inbound call to the trunk contact reaches the registered PBX, at its NAT address, with the DID as user', async () => {
    const call = h.double.injectRequest(
      buildInvite({
        from: '+393331234567',
        to: `<sip:${ACCOUNT}@voip.carrier.example>`,
        requestUri: `sip:${ACCOUNT}@127.0.0.1:5060`,
        extraHeaders: { 'P-Called-Party-ID': `<sip:${DID}@voip.carrier.example>` },
      }),
    );
    expect((await call.waitForFinal()).status).toBe(200);
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@${PBX_NAT_SOURCE.address}:${PBX_NAT_SOURCE.port}`]);
    expect((await h.api('GET', '/readyz', undefined, null)).json).toMatchObject({
      status: 'ready',
      checks: { trunk: true, pbx: true },
    });
  });

  it("the registered PBX's outbound call goes through the carrier's 407 with the trunk credentials", async () => {
    const out = pbxCallsOut(h, { from: '<sip:201@192.168.178.1>', source: PBX_NAT_SOURCE });
    expect((await out.waitForFinal(5000)).status).toBe(200);
    out.ack();
    const invites = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '');
    expect(invites.map((r) => r.request.uri)).toEqual([
      'sip:0298765409@127.0.0.1:5090',
      'sip:0298765409@127.0.0.1:5090',
    ]);
    expect(headerOf(invites[1]!.request, 'proxy-authorization')).toContain(`username="${ACCOUNT}"`);
    expect(carrier.log.filter((l) => l.method === 'INVITE').map((l) => l.status)).toEqual([407, 200]);
    expect(out.responses.map((r) => r.status)).not.toContain(407);
  });
});

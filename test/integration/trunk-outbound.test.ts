/**
 * The PBX's outbound calls over a registration trunk: the carrier challenges the INVITE with 407, crocetta answers
 * it with the trunk's credentials (the PBX has none), and the call's dialog flows both ways through the B2BUA.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { errorLines, eventually, pbxCallsOut, type Harness } from '../support/crocetta-harness.js';
import {
  buildInvite,
  defaultSdp,
  headerOf,
  type AppRequest,
  type InjectedRequest,
  type ScriptedResponse,
} from '../support/drachtio-double.js';
import { authParams, FakeRegistrar } from '../support/fake-registrar.js';
import { startRegistered, TRUNK_PASSWORD, trunkEnv } from '../support/trunk-harness.js';

const USER = '0612345678';
let h: Harness;
let carrier: FakeRegistrar;
/** When set, the carrier rings but sends its 200 to an INVITE only once this settles (never, if it never does). */
let carrierAnswers: Promise<unknown> | null;

/** The carrier's script, its 200 to an INVITE held while `carrierAnswers` is set. */
function carrierScript(req: AppRequest): ScriptedResponse[] {
  const script = carrier.handle(req);
  const after = carrierAnswers;
  if (after === null || req.method !== 'INVITE') return script;
  return script.map((r) => (r.status >= 200 && r.status < 300 ? { ...r, after } : r));
}

/** The PBX's call out to 0298765409, its caller ID not withheld (Privacy: none). */
function callOut(): InjectedRequest {
  return pbxCallsOut(h, { extraHeaders: { Privacy: 'none' } });
}

function carrierInvites(): AppRequest[] {
  return h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '');
}

describe('outbound calls over a registration trunk', () => {
  beforeEach(async () => {
    carrier = new FakeRegistrar({ username: USER, password: TRUNK_PASSWORD });
    carrierAnswers = null;
    h = await startRegistered(trunkEnv(USER), { onAppRequest: carrierScript });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("get through the carrier's 407 with the trunk credentials, and the number called is learned", async () => {
    const out = callOut();
    const final = await out.waitForFinal(5000);
    expect(final.status).toBe(200);
    expect(final.body).toContain('198.51.100.30'); // the carrier's SDP, passed through
    out.ack();

    const [challenged, authorized] = carrierInvites();
    expect(challenged?.request.uri).toBe('sip:0298765409@127.0.0.1:5090');
    expect(headerOf(challenged!.request, 'from')).toMatch(new RegExp(`^<sip:${USER}@voip\\.carrier\\.example>;tag=`));
    expect(headerOf(challenged!.request, 'to')).toBe('<sip:0298765409@voip.carrier.example>');
    expect(headerOf(challenged!.request, 'privacy')).toBe('none');
    expect(headerOf(challenged!.request, 'proxy-authorization')).toBeUndefined();
    expect(headerOf(authorized!.request, 'call-id')).toBe(headerOf(challenged!.request, 'call-id'));
    expect(authParams(headerOf(authorized!.request, 'proxy-authorization') ?? '').get('username')).toBe(USER);
    expect(carrier.log.filter((l) => l.method === 'INVITE').map((l) => l.status)).toEqual([407, 200]);
    // The PBX saw neither the challenge nor the credentials.
    expect(out.responses.map((r) => r.status)).not.toContain(407);

    // The PBX hangs up: the carrier gets a BYE in its own dialog.
    const bye = out.bye();
    expect((await bye.waitForFinal()).status).toBe(200);
    const carrierBye = await h.double.waitForAppRequest('BYE');
    expect(headerOf(carrierBye.request, 'call-id')).toBe(headerOf(challenged!.request, 'call-id'));

    // The number the office called is trusted when it calls back.
    h.clock.advance(3_600_000);
    const back = h.double.injectRequest(
      buildInvite({ from: '+390298765409', to: '+390612345699', requestUri: 'sip:+390612345699@127.0.0.1' }),
    );
    await back.waitForFinal();
    await h.app.register.flush();
    const res = await h.api('GET', `/api/attempts?number=${encodeURIComponent('+390298765409')}&limit=1`);
    const [row] = (res.json as { attempts: Attempt[] }).attempts;
    expect(row?.verdict).toBe('trusted');
  });

  it('relay the carrier re-INVITE to the PBX and its BYE, both ways through the B2BUA', async () => {
    const out = callOut();
    expect((await out.waitForFinal(5000)).status).toBe(200);
    out.ack();
    const carrierLeg = carrierInvites()[1]!;
    const reinvite = h.double.farEndRequest(carrierLeg, 'INVITE', defaultSdp('198.51.100.30', 41234));
    expect((await reinvite.waitForFinal(5000)).status).toBe(200);
    const towardsPbx = h.double.appRequests.find((r) => r.method === 'INVITE' && r.dialogId !== '');
    expect(towardsPbx?.request.body).toContain('m=audio 41234');
    const bye = h.double.farEndRequest(carrierLeg, 'BYE');
    expect((await bye.waitForFinal()).status).toBe(200);
    const pbxBye = await h.double.waitForAppRequest('BYE');
    expect(headerOf(pbxBye.request, 'call-id')).toBe(out.request.headers['call-id']?.[0]);
  });

  it("relay the PBX's re-INVITE to the carrier, with the carrier's answer back", async () => {
    const out = callOut();
    expect((await out.waitForFinal(5000)).status).toBe(200);
    out.ack();
    const reinvite = out.reinvite(defaultSdp('127.0.0.1', 30010));
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    const towardsCarrier = h.double.appRequests.find((r) => r.method === 'INVITE' && r.dialogId !== '');
    expect(towardsCarrier?.request.body).toContain('m=audio 30010');
    expect(headerOf(towardsCarrier!.request, 'call-id')).toBe(headerOf(carrierInvites()[0]!.request, 'call-id'));
    expect(answer.body).toContain('198.51.100.30'); // the carrier's SDP from its answer to the re-INVITE
    reinvite.ack();
  });

  it('answer 403 to the PBX when the carrier refuses the trunk credentials, and say why', async () => {
    carrier.password = 'changed-at-the-carrier';
    const out = callOut();
    expect((await out.waitForFinal(5000)).status).toBe(403);
    expect(h.logs.some((l) => String(l.msg).includes('the carrier refused the trunk credentials'))).toBe(true);
    // One answer to the challenge, not a second with the same wrong password.
    expect(carrier.log.filter((l) => l.method === 'INVITE').map((l) => l.status)).toEqual([407, 407]);
  });

  /** The PBX's outbound call through the carrier's challenge; the carrier leg's INVITEs in order. */
  async function outboundThroughChallenge(): Promise<{ status: number; invites: AppRequest[] }> {
    const out = callOut();
    const final = await out.waitForFinal(5000);
    if (final.status === 200) out.ack();
    return { status: final.status, invites: carrierInvites() };
  }

  it('answer a SHA-256 challenge offering qop "auth,auth-int" with SHA-256 and qop=auth (RFC 8760, RFC 7616)', async () => {
    carrier.inviteAlgorithm = 'SHA-256';
    carrier.inviteQop = '"auth,auth-int"';
    const { status, invites } = await outboundThroughChallenge();
    expect(status).toBe(200);
    expect(carrier.log.filter((l) => l.method === 'INVITE').map((l) => l.status)).toEqual([407, 200]);
    const answer = authParams(headerOf(invites[1]!.request, 'proxy-authorization') ?? '');
    expect(answer.get('algorithm')).toBe('SHA-256');
    expect(answer.get('qop')).toBe('auth');
    expect(answer.get('nc')).toBe('00000001');
  });

  it('answer a challenge offering only qop "auth-int", the PBX\'s SDP hashed in', async () => {
    carrier.inviteQop = '"auth-int"';
    const { status, invites } = await outboundThroughChallenge();
    expect(status).toBe(200);
    expect(authParams(headerOf(invites[1]!.request, 'proxy-authorization') ?? '').get('qop')).toBe('auth-int');
    expect(invites[1]!.request.body).toContain('m=audio');
  });

  it('answer once more when the carrier says the nonce was stale: same Call-ID and From tag, CSeq one higher each time', async () => {
    carrier.staleInvites = 1;
    const { status, invites } = await outboundThroughChallenge();
    expect(status).toBe(200);
    expect(carrier.log.filter((l) => l.method === 'INVITE').map((l) => l.status)).toEqual([407, 407, 200]);
    expect(new Set(invites.map((i) => headerOf(i.request, 'call-id'))).size).toBe(1);
    expect(new Set(invites.map((i) => headerOf(i.request, 'from'))).size).toBe(1);
    const seqs = invites.map((i) => Number.parseInt(headerOf(i.request, 'cseq') ?? '', 10));
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
  });

  /** The carrier INVITEs each CANCEL crocetta sent was for (their index in carrierInvites(), by CSeq number). */
  function cancelledInvites(): number[] {
    const seq = (r: AppRequest): string => (headerOf(r.request, 'cseq') ?? '').split(' ')[0] ?? '';
    const invites = carrierInvites();
    return h.double.appRequests
      .filter((r) => r.method === 'CANCEL')
      .map((c) =>
        invites.findIndex((i) => seq(i) === seq(c) && headerOf(i.request, 'via') === headerOf(c.request, 'via')),
      );
  }

  /** The bridge's end: the final status it says the PBX got (passOutbound's 'outbound call done' line). */
  async function bridgeDone(): Promise<unknown> {
    const line = await eventually(() => h.logs.find((l) => l.msg === 'outbound call done'), 5000);
    return line.finalStatus;
  }

  function finalsToPbx(out: InjectedRequest): number[] {
    return out.responses.filter((r) => r.status >= 200).map((r) => r.status);
  }

  it('cancel only the credentialled INVITE when the PBX gives up while the carrier rings: one CANCEL, one 487', async () => {
    carrierAnswers = new Promise(() => undefined);
    const out = callOut();
    await out.waitForResponse(180, 5000); // the credentialled INVITE rings
    out.cancel();
    expect(await bridgeDone()).toBe(487);
    // Not a CANCEL for the first INVITE too (its 407 ended it): that attempt's listeners are gone.
    expect(cancelledInvites()).toEqual([1]);
    expect(carrierInvites()[1]!.cancelled).toBe(true);
    expect(finalsToPbx(out)).toEqual([487]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('cancel the credentialled INVITE when the PBX cancels as it goes out, between the 407 and its acknowledgement', async () => {
    carrierAnswers = new Promise(() => undefined);
    // Delivered to crocetta later (the double's network latency): the hook is on before its INVITEs go out.
    const out = callOut();
    h.double.onAppRequestSending((req) => {
      if (req.method !== 'INVITE' || headerOf(req.request, 'proxy-authorization') === undefined) return false;
      out.cancel(); // reaches crocetta before drachtio-server says the INVITE went out
      return true;
    });
    expect(await bridgeDone()).toBe(487);
    expect(cancelledInvites()).toEqual([1]);
    expect(finalsToPbx(out)).toEqual([487]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('send no credentialled INVITE when the PBX cancels before the challenge arrives', async () => {
    const out = callOut();
    h.double.onAppRequestSending((req) => {
      if (req.method !== 'INVITE' || req.dialogId !== '' || out.cancelled) return false;
      out.cancel(); // reaches crocetta before drachtio-server says the first INVITE went out
      return true;
    });
    expect(await bridgeDone()).toBe(487);
    expect(carrierInvites()).toHaveLength(1);
    expect(cancelledInvites()).toEqual([0]);
    expect(finalsToPbx(out)).toEqual([487]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("end the carrier's call with a BYE when its 200 crosses the PBX's CANCEL", async () => {
    let answer: () => void = () => undefined;
    carrierAnswers = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const out = callOut();
    await out.waitForResponse(180, 5000);
    out.cancel();
    answer(); // the carrier's 200 is on its way before crocetta's CANCEL reaches it
    expect(await bridgeDone()).toBe(487);
    const authorized = carrierInvites()[1]!;
    expect(authorized.responses.map((r) => r.status)).toContain(200);
    const bye = await h.double.waitForAppRequest('BYE', 5000);
    expect(headerOf(bye.request, 'call-id')).toBe(headerOf(authorized.request, 'call-id'));
    expect(bye.dialogId).not.toBe('');
    expect(h.double.appRequests.filter((r) => r.method === 'BYE')).toHaveLength(1);
    expect(cancelledInvites()).toEqual([1]);
    expect(finalsToPbx(out)).toEqual([487]);
    expect(errorLines(h.logs)).toEqual([]);
  });
});

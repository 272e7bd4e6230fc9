/**
 * A caller who passed the human check, bridged to the PBX (src/sip/pbx-bridge.ts): what either side sends in the
 * call afterwards goes across through the drachtio double, what reaches the caller carrying crocetta's o= line (the
 * caller's dialog has known crocetta's SDP since the check): a re-INVITE after one refused with 491 (glare), a
 * re-INVITE without SDP (the offer back in the 2xx, the answer in the ACK), hold from the caller, a keepalive OPTIONS
 * (relayed; a 481 from the PBX ends the call, its talk time recorded), a re-INVITE without SDP never ACKed (the call
 * ended on both legs after pbx.ackTimeout, here 1 s).
 */
import { parse } from 'sdp-transform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerOffer, pbxAnswer, shortWav } from '../support/check-calls.js';
import {
  buildInvite,
  defaultSdp,
  type AppRequest,
  type InjectedRequest,
  type ScriptedResponse,
} from '../support/drachtio-double.js';
import { attemptWhen, errorLines, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { pickBlock } from '../support/real-sip-tools.js';

const DID = '+390612345678';
const SUSPECT = '08431234567'; // AGCOM survey prefix 0843: suspect by the IT pack
const SUSPECT_E164 = '+3908431234567';

let h: Harness;
let call: InjectedRequest;
let callerSdp = '';
/** The caller's RTP port, as its offer says (nothing listens: crocetta's packets to it are dropped). */
let callerMedia = 0;
/** How the caller answers what crocetta sends in its dialog (default: its first offer's media). */
let callerScript: (req: AppRequest) => ScriptedResponse[];

const callerAnswers = (req: AppRequest): ScriptedResponse[] =>
  req.method === 'INVITE' ? [{ status: 200, body: callerSdp }] : [{ status: 200 }];

function inCallersDialog(req: AppRequest): boolean {
  return req.dialogId !== '' && req.request.headers['call-id']?.[0] === call.request.headers['call-id']?.[0];
}

function toCaller(method: string): AppRequest[] {
  return h.double.appRequests.filter((r) => r.method === method && inCallersDialog(r));
}

function toPbx(method: string): AppRequest[] {
  return h.double.appRequests.filter(
    (r) => r.method === method && r.request.headers['call-id']?.[0] !== call.request.headers['call-id']?.[0],
  );
}

/** The PBX's SDP, with this direction and port. */
function pbxSdp(direction: string, port: number): string {
  return defaultSdp('198.51.100.20', port).replace('a=sendrecv', `a=${direction}`);
}

/** A suspect caller passes the check with a key by INFO and is bridged; the PBX leg's INVITE. */
async function bridged(): Promise<AppRequest> {
  callerSdp = callerOffer(callerMedia);
  call = h.double.injectRequest(
    buildInvite({ from: SUSPECT, to: DID, requestUri: `sip:${DID}@127.0.0.1`, body: callerSdp }),
  );
  expect((await call.waitForFinal()).status).toBe(200);
  call.ack();
  expect((await call.info('application/dtmf-relay', 'Signal=1\r\nDuration=160\r\n').waitForFinal()).status).toBe(200);
  const pbxLeg = await h.double.waitForAppRequest('INVITE', 5000);
  await attemptWhen(h, SUSPECT_E164, (a) => a.outcome === 'answered' && a.check === 'passed');
  await eventually(() => (toCaller('ACK').length >= 1 ? true : undefined), 5000); // the caller moved onto the PBX
  return pbxLeg;
}

describe('a checked call bridged to the PBX', () => {
  beforeEach(async () => {
    callerScript = callerAnswers;
    // crocetta's RTP ports and, above them, the port the caller's offer names: free ones in 41000-48999 (or E2E_PORTS).
    const low = await pickBlock(52, ['127.0.0.1'], 41_000, 49_000);
    callerMedia = low + 50;
    h = await startHarness(
      { MEDIA_ADDRESS: '127.0.0.1', RTP_PORTS: `${low}-${low + 49}`, ACTION_SUSPECT: 'check' },
      {
        configure: (c) => {
          c.check.file = shortWav('prompt.wav', 0.6);
          c.check.waitSeconds = 1;
          c.announcements.files.default = shortWav('no.wav', 0.8);
          c.pbx.ackTimeout = '1s';
        },
        onAppRequest: (req) => (inCallersDialog(req) ? callerScript(req) : pbxAnswer(req)),
      },
    );
  });
  afterEach(async () => {
    await h.stop();
  });

  it("relays the PBX's next re-INVITE after the caller refused one with 491 (glare)", async () => {
    const pbxLeg = await bridged();
    const before = toCaller('INVITE').length; // the re-INVITE that moved the caller onto the PBX
    let refused = false;
    callerScript = (req) => {
      if (req.method !== 'INVITE' || refused) return callerAnswers(req);
      refused = true;
      return [{ status: 491 }];
    };
    const first = h.double.farEndRequest(pbxLeg, 'INVITE', pbxSdp('sendonly', 40002));
    expect((await first.waitForFinal(5000)).status).toBe(491);
    const again = h.double.farEndRequest(pbxLeg, 'INVITE', pbxSdp('sendonly', 40002));
    const answer = await again.waitForFinal(5000);
    expect(answer.status).toBe(200);
    h.double.farEndAck(pbxLeg, again);
    expect(toCaller('INVITE')).toHaveLength(before + 2);
    const offered = parse(toCaller('INVITE').at(-1)!.request.body);
    expect(offered.origin?.username).toBe('crocetta');
    expect(offered.media[0]?.port).toBe(40002);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("relays the PBX's re-INVITE without SDP: the caller's offer back in the 2xx, the PBX's answer in crocetta's ACK to the caller", async () => {
    const pbxLeg = await bridged();
    const before = toCaller('INVITE').length;
    const reinvite = h.double.farEndRequest(pbxLeg, 'INVITE');
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(toCaller('INVITE')).toHaveLength(before + 1);
    expect(toCaller('INVITE').at(-1)?.request.body).toBe('');
    expect(answer.body).toBe(callerSdp); // the caller's own offer, as the PBX saw it from the start
    h.double.farEndAck(pbxLeg, reinvite, pbxSdp('sendrecv', 40044));
    const ack = await eventually(() => toCaller('ACK').find((a) => a.request.body.includes('m=audio 40044')), 5000);
    const sdp = parse(ack.request.body);
    expect(sdp.origin?.username).toBe('crocetta');
    const versions = toCaller('INVITE')
      .map((r) => parse(r.request.body).origin?.sessionVersion)
      .filter((v) => v !== undefined);
    expect(Number(sdp.origin?.sessionVersion)).toBeGreaterThan(Number(versions.at(-1) ?? 0));
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("relays the caller's hold to the PBX, and the PBX's answer back with crocetta's o= line", async () => {
    await bridged();
    const hold = call.reinvite(callerSdp.replace('a=sendrecv', 'a=sendonly'));
    const answer = await hold.waitForFinal(5000);
    expect(answer.status).toBe(200);
    hold.ack();
    expect(toPbx('INVITE').at(-1)?.request.body).toContain('a=sendonly');
    expect(parse(answer.body).origin?.username).toBe('crocetta');
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the PBX answers the caller's OPTIONS with 481: the caller gets 481, both legs a BYE, the talk time is recorded", async () => {
    await bridged();
    let pbxOptions: AppRequest | undefined;
    h.double.onAppRequest((req) => {
      if (inCallersDialog(req)) return callerScript(req);
      if (req.method !== 'OPTIONS') return pbxAnswer(req);
      pbxOptions = req;
      return [{ status: 481 }];
    });
    expect((await call.options().waitForFinal(5000)).status).toBe(481);
    expect(pbxOptions?.dialogId).not.toBe('');
    await eventually(() => (toCaller('BYE').length === 1 && toPbx('BYE').length === 1 ? true : undefined), 5000);
    expect(toCaller('BYE')[0]?.request.headers.reason?.[0]).toMatch(/^SIP ;cause=481 ;text=".*PBX.*gone/);
    const talked = await attemptWhen(h, SUSPECT_E164, (a) => typeof a.talkMs === 'number');
    expect(talked.talkMs).toBeGreaterThanOrEqual(0);
    expect(talked.talkMs).toBeLessThan(5000);
    expect(h.logs.find((l) => l.msg === 'checked call ended')).toMatchObject({ by: 'crocetta' });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('ends the call on both legs when the PBX never ACKs its re-INVITE without SDP: a BYE with Reason to each, the talk time recorded', async () => {
    const pbxLeg = await bridged();
    const reinvite = h.double.farEndRequest(pbxLeg, 'INVITE');
    expect((await reinvite.waitForFinal(5000)).status).toBe(200);
    await eventually(() => (toCaller('BYE').length === 1 && toPbx('BYE').length === 1 ? true : undefined), 10_000);
    const reason = 'no ACK from the PBX to the 200 for its re-INVITE without SDP (1 s)';
    expect(toCaller('BYE')[0]?.request.headers.reason?.[0]).toBe(`SIP ;cause=200 ;text="${reason}"`);
    expect(toPbx('BYE')[0]?.request.headers.reason?.[0]).toBe(`SIP ;cause=200 ;text="${reason}"`);
    const talked = await attemptWhen(h, SUSPECT_E164, (a) => typeof a.talkMs === 'number');
    expect(talked.talkMs).toBeGreaterThanOrEqual(1000);
    expect(h.logs.find((l) => l.msg === 'checked call ended')).toMatchObject({ by: 'crocetta', reason });
    expect(errorLines(h.logs)).toEqual([]);
  });
});

/**
 * An UPDATE before the answer in the PBX's outbound call over a registration trunk (RFC 3311: a carrier's session
 * refresh or early-media change while the called party rings, a PBX's refresh). crocetta cannot carry it to the other
 * side before the answer (src/sip/early-update.ts says why), so it answers it as RFC 3311 §5.2 asks of a UAS: a
 * refresh without an offer 200 without a body, the same session again 200 with the SDP that side has, a new offer 488
 * with a Warning; and the call goes on to its answer. drachtio-srf answered every one 200 with an SDP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorLines, pbxCallsOut, PBX_SOURCE, type Harness } from '../support/crocetta-harness.js';
import {
  defaultSdp,
  headerOf,
  uriOf,
  type AppRequest,
  type InjectedRequest,
  type ScriptedResponse,
} from '../support/drachtio-double.js';
import { FakeRegistrar } from '../support/fake-registrar.js';
import { startRegistered, TRUNK_PASSWORD, trunkEnv } from '../support/trunk-harness.js';

const USER = '0612345678';
const CARRIER_SOURCE = { address: '127.0.0.1', port: 5090 };
/** The carrier's early media (its 183) and its answer. */
const EARLY_SDP = defaultSdp('198.51.100.30', 41500);
const ANSWER_SDP = defaultSdp('198.51.100.30', 41600);
let h: Harness;
let carrier: FakeRegistrar;
/** Lets the carrier's 200 go (the called party answers). */
let answerCall: () => void;

/** The carrier rings with early media (183 with SDP) and answers only when the test says. */
function script(req: AppRequest): ScriptedResponse[] {
  if (req.request.uri.includes(`@${PBX_SOURCE.address}:${PBX_SOURCE.port}`)) return [{ status: 200 }];
  const answers = carrier.handle(req);
  if (req.method !== 'INVITE' || req.dialogId !== '' || !answers.some((a) => a.status === 200)) return answers;
  const answered = new Promise<void>((resolve) => (answerCall = resolve));
  return [
    { status: 183, body: EARLY_SDP },
    { status: 200, body: ANSWER_SDP, after: answered },
  ];
}

/** This SDP with its session version moved on and its media on another port: a new offer. */
function changed(sdp: string): string {
  return sdp
    .replace(/^(o=\S+ \S+ )(\d+)/m, (_m, head: string, v: string) => `${head}${Number(v) + 1}`)
    .replace(/^m=audio \d+/m, 'm=audio 41700');
}

/** The PBX's outbound call, ringing with the carrier's early media: the PBX's transaction and the carrier leg. */
async function ringing(): Promise<{ out: InjectedRequest; carrierLeg: AppRequest }> {
  const out = pbxCallsOut(h);
  await out.waitForResponse(183, 5000);
  appConnection = out.connectionId;
  const carrierLeg = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '').at(-1)!;
  return { out, carrierLeg };
}

/** The first value of header `name` (the double's headerOf), '' when there is none. */
const first = (msg: Parameters<typeof headerOf>[0], name: string): string => headerOf(msg, name) ?? '';

let cseq = 10;
/** The app's connection to drachtio-server (one app: the PBX's INVITE and the carrier leg's are its). */
let appConnection = -1;

/** One side of an early dialog, as its UPDATE is written (uri: the other side's Contact; from/to: this side's). */
interface EarlySide {
  uri: string;
  from: string;
  to: string;
  callId: string;
  source: { address: string; port: number };
  contact: string;
  connectionId: number;
}

/** An UPDATE from `side` in its early dialog, with this body. */
function earlyUpdate(side: EarlySide, body: string): InjectedRequest {
  const lines = [
    `UPDATE ${side.uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${side.source.address}:${side.source.port};branch=z9hG4bK-early-${++cseq}`,
    'Max-Forwards: 70',
    `From: ${side.from}`,
    `To: ${side.to}`,
    `Call-ID: ${side.callId}`,
    `CSeq: ${cseq} UPDATE`,
    `Contact: <${side.contact}>`,
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    '',
    body,
  ];
  return h.double.injectRequest(lines.join('\r\n'), { source: side.source, connectionId: side.connectionId });
}

/** The carrier's UPDATE in its early dialog (To-tagged by its 183), with this body. */
function carrierUpdate(carrierLeg: AppRequest, body: string): InjectedRequest {
  const invite = carrierLeg.request;
  return earlyUpdate(
    {
      uri: uriOf(first(invite, 'contact')),
      from: first(
        carrierLeg.responses.find((r) => r.status === 183)!,
        'to',
      ),
      to: first(invite, 'from'),
      callId: first(invite, 'call-id'),
      source: CARRIER_SOURCE,
      contact: `sip:${CARRIER_SOURCE.address}:${CARRIER_SOURCE.port}`,
      connectionId: appConnection,
    },
    body,
  );
}

/** The PBX's UPDATE in its early dialog with crocetta (To-tagged by the 183 it got), with this body. */
function pbxUpdate(out: InjectedRequest, body: string): InjectedRequest {
  return earlyUpdate(
    {
      uri: out.request.uri,
      from: first(out.request, 'from'),
      to: first(
        out.responses.find((r) => r.status === 183)!,
        'to',
      ),
      callId: first(out.request, 'call-id'),
      source: PBX_SOURCE,
      contact: `sip:201@${PBX_SOURCE.address}:${PBX_SOURCE.port}`,
      connectionId: out.connectionId,
    },
    body,
  );
}

function updatesSent(): AppRequest[] {
  return h.double.appRequests.filter((r) => r.method === 'UPDATE');
}

describe('an UPDATE before the answer in an outbound call over a registration trunk', () => {
  beforeEach(async () => {
    carrier = new FakeRegistrar({ username: USER, password: TRUNK_PASSWORD });
    h = await startRegistered(trunkEnv(USER, `sip:${CARRIER_SOURCE.address}:${CARRIER_SOURCE.port}`), {
      onAppRequest: script,
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("answers the carrier's session refresh without an offer 200 without a body, and the call is answered after it", async () => {
    const { out, carrierLeg } = await ringing();
    const refresh = await carrierUpdate(carrierLeg, '').waitForFinal(5000);
    expect(refresh.status).toBe(200);
    expect(refresh.body).toBe(''); // drachtio-srf's 200 carried the PBX's offer: an answer to no offer
    answerCall();
    const answer = await out.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('m=audio 41600');
    expect(updatesSent()).toEqual([]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("refuses the carrier's new offer before the answer with 488 and a Warning (the PBX cannot hear of it yet), and the call goes on", async () => {
    const { out, carrierLeg } = await ringing();
    const offer = await carrierUpdate(carrierLeg, changed(EARLY_SDP)).waitForFinal(5000);
    expect(offer.status).toBe(488); // drachtio-srf: 200 with the PBX's old SDP, the change taken for done
    expect(offer.body).toBe('');
    expect(headerOf(offer, 'warning')).toBe(
      '399 crocetta "an offer in an UPDATE cannot be carried to the PBX before the call is answered"',
    );
    expect(updatesSent()).toEqual([]);
    // The same session again (its o= line unchanged: a refresh with SDP) is answered with what the carrier has.
    const again = await carrierUpdate(carrierLeg, EARLY_SDP).waitForFinal(5000);
    expect(again.status).toBe(200);
    expect(again.body).toBe(carrierLeg.request.body);
    answerCall();
    expect((await out.waitForFinal(5000)).status).toBe(200);
    expect(
      h.logs.find((l) => String(l.msg).startsWith('an offer in an UPDATE before the answer refused')),
    ).toMatchObject({
      by: 'carrier',
    });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("answers the PBX's UPDATEs before the answer: a refresh 200 without a body, the same offer with the carrier's early SDP, a new one 488", async () => {
    const { out } = await ringing();
    const refresh = await pbxUpdate(out, '').waitForFinal(5000);
    expect(refresh.status).toBe(200);
    expect(refresh.body).toBe(''); // drachtio-srf's carried the carrier's early SDP
    const same = await pbxUpdate(out, out.request.body).waitForFinal(5000);
    expect(same.status).toBe(200);
    expect(same.body).toBe(EARLY_SDP);
    const offer = await pbxUpdate(out, changed(out.request.body)).waitForFinal(5000);
    expect(offer.status).toBe(488); // drachtio-srf: 200 with the carrier's SDP, the carrier never told
    expect(headerOf(offer, 'warning')).toContain('cannot be carried to the carrier before the call is answered');
    expect(updatesSent()).toEqual([]);
    answerCall();
    const answer = await out.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('m=audio 41600');
    expect(errorLines(h.logs)).toEqual([]);
  });
});

/**
 * The PBX's outbound call over a registration trunk once it is answered: what a real call does in its two dialogs
 * (PBX ↔ crocetta, crocetta ↔ carrier) goes across the B2BUA: hold and resume both ways (re-INVITE with
 * a=sendonly / a=inactive), re-INVITE without SDP (RFC 3261 §14, RFC 3264: the 2xx brings the offer, the ACK the
 * answer), UPDATE (RFC 3311), DTMF by INFO, session refreshes, keepalives (OPTIONS relayed; a 481, a 408 or no answer
 * ends the call), a
 * carrier that challenges requests in the call as it challenges the INVITE, and the failures of a relayed request
 * (491 on glare, 408, 481).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  errorLines,
  eventually,
  pbxCallsOut,
  PBX_SOURCE,
  type Harness,
  type HarnessOptions,
} from '../support/crocetta-harness.js';
import {
  defaultSdp,
  headerOf,
  type AppRequest,
  type InjectedRequest,
  type ScriptedResponse,
} from '../support/drachtio-double.js';
import { authParams, FakeRegistrar } from '../support/fake-registrar.js';
import { startRegistered, TRUNK_PASSWORD, trunkEnv } from '../support/trunk-harness.js';

const USER = '0612345678';
/** Where the carrier's requests come from and its dialog's requests go (the trunk's registrar). */
const CARRIER_HOSTPORT = '127.0.0.1:5090';
let h: Harness;
let carrier: FakeRegistrar;
/** How the PBX answers what crocetta sends in its dialog. */
let pbxScript: (req: AppRequest) => ScriptedResponse[];
/** When set and it returns a script, the carrier answers a request in the call with it instead. */
let carrierInCall: ((req: AppRequest) => ScriptedResponse[] | undefined) | null;

/** The PBX's SDP, with this direction. */
function pbxSdp(direction: string, port = 30010): string {
  return defaultSdp('127.0.0.1', port).replace('a=sendrecv', `a=${direction}`);
}

/** The carrier's SDP, with this direction (its media gateway moved to port 41500). */
function carrierSdp(direction: string, port = 41500): string {
  return defaultSdp('198.51.100.30', port).replace('a=sendrecv', `a=${direction}`);
}

const ANSWERS: Record<string, string> = {
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
  sendrecv: 'sendrecv',
};

/** A phone's answer to an offer (its own offer when there is none). */
function pbxAnswerTo(offer: string): string {
  const direction = /^a=(sendonly|recvonly|inactive|sendrecv)\s*$/m.exec(offer)?.[1] ?? 'sendrecv';
  return pbxSdp(ANSWERS[direction] ?? 'sendrecv', 30012);
}

function defaultPbxScript(req: AppRequest): ScriptedResponse[] {
  if (req.method === 'INVITE') return [{ status: 200, body: pbxAnswerTo(req.request.body) }];
  if (req.method === 'UPDATE' && req.request.body !== '') return [{ status: 200, body: pbxAnswerTo(req.request.body) }];
  return [{ status: 200 }];
}

function script(req: AppRequest): ScriptedResponse[] {
  if (req.request.uri.includes(`@${PBX_SOURCE.address}:${PBX_SOURCE.port}`)) return pbxScript(req);
  const instead = req.dialogId !== '' ? carrierInCall?.(req) : undefined;
  return instead ?? carrier.handle(req);
}

/** What crocetta sent in the carrier's dialog / the PBX's dialog (not the carrier leg's INVITEs). */
function toCarrier(method: string): AppRequest[] {
  return h.double.appRequests.filter(
    (r) => r.method === method && r.dialogId !== '' && r.request.uri.includes(CARRIER_HOSTPORT),
  );
}
function toPbx(method: string): AppRequest[] {
  return h.double.appRequests.filter(
    (r) => r.method === method && r.request.uri.includes(`@${PBX_SOURCE.address}:${PBX_SOURCE.port}`),
  );
}

/** The carrier's statuses to requests with this method in the call (not the INVITE that set it up). */
function carrierAnswered(method: string): number[] {
  return toCarrier(method).map((r) => r.responses.find((x) => x.status >= 200)?.status ?? 0);
}

/** An answered outbound call: the PBX's transaction and the carrier leg's (credentialled) INVITE. */
async function call(): Promise<{ out: InjectedRequest; carrierLeg: AppRequest }> {
  const out = pbxCallsOut(h);
  expect((await out.waitForFinal(5000)).status).toBe(200);
  out.ack();
  const carrierLeg = h.double.appRequests.filter((r) => r.method === 'INVITE' && r.dialogId === '').at(-1)!;
  return { out, carrierLeg };
}

/** crocetta registered at the carrier, the PBX and the carrier scripted as above; `options`: the double's, the config. */
function start(options: Omit<HarnessOptions, 'onAppRequest'> = {}): Promise<Harness> {
  return startRegistered(trunkEnv(USER, `sip:${CARRIER_HOSTPORT}`), { onAppRequest: script, ...options });
}

/** A new carrier, the PBX's default answers, the carrier answering in the call itself, and crocetta started. */
async function startAfresh(options: Omit<HarnessOptions, 'onAppRequest'> = {}): Promise<void> {
  carrier = new FakeRegistrar({ username: USER, password: TRUNK_PASSWORD });
  pbxScript = defaultPbxScript;
  carrierInCall = null;
  h = await start(options);
}

/** The first BYE crocetta sent in each dialog, once both are sent: the carrier's, the PBX's. */
function byesToBothLegs(timeoutMs: number): Promise<Array<AppRequest | undefined>> {
  return eventually(() => {
    const byes = [toCarrier('BYE')[0], toPbx('BYE')[0]];
    return byes.every((b) => b !== undefined) ? byes : undefined;
  }, timeoutMs);
}

/** An answered call whose PBX answers the carrier's OPTIONS with `status`: the carrier's answer, then both BYEs. */
async function pbxAnswersKeepalive(status: number) {
  const { carrierLeg } = await call();
  pbxScript = (req) => (req.method === 'OPTIONS' ? [{ status }] : defaultPbxScript(req));
  const answered = (await h.double.farEndRequest(carrierLeg, 'OPTIONS').waitForFinal(5000)).status;
  const [toTheCarrier, toThePbx] = await byesToBothLegs(5000);
  return { answered, toTheCarrier, toThePbx };
}

/** An answered call the carrier has hung up, crocetta's BYE to the PBX not answered yet: the PBX's transaction. */
async function carrierHungUp(): Promise<InjectedRequest> {
  const { out, carrierLeg } = await call();
  pbxScript = (req) => (req.method === 'BYE' ? [{ status: 200, after: new Promise(() => undefined) }] : []);
  expect((await h.double.farEndRequest(carrierLeg, 'BYE').waitForFinal(5000)).status).toBe(200);
  await eventually(() => toPbx('BYE')[0], 5000);
  return out;
}

describe('an answered outbound call over a registration trunk', () => {
  beforeEach(async () => {
    await startAfresh();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('goes on hold and back when the PBX asks (a=sendonly, a=inactive, a=sendrecv): each offer reaches the carrier, its answer the PBX', async () => {
    const { out } = await call();
    const acks = toCarrier('ACK').length; // the ACK of the carrier's 200 to the call's INVITE
    for (const direction of ['sendonly', 'sendrecv', 'inactive', 'sendrecv']) {
      const reinvite = out.reinvite(pbxSdp(direction));
      const answer = await reinvite.waitForFinal(5000);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(`a=${ANSWERS[direction]}`);
      expect(answer.body).toContain('198.51.100.30');
      reinvite.ack();
      expect(toCarrier('INVITE').at(-1)?.request.body).toContain(`a=${direction}`);
    }
    expect(toCarrier('INVITE')).toHaveLength(4);
    expect(toCarrier('ACK')).toHaveLength(acks + 4);
  });

  it("goes on hold and back when the carrier asks: its offers reach the PBX, the PBX's answers the carrier", async () => {
    const { carrierLeg } = await call();
    for (const direction of ['inactive', 'sendrecv', 'sendonly', 'sendrecv']) {
      const reinvite = h.double.farEndRequest(carrierLeg, 'INVITE', carrierSdp(direction));
      const answer = await reinvite.waitForFinal(5000);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(`a=${ANSWERS[direction]}`);
      expect(answer.body).toContain('m=audio 30012');
      h.double.farEndAck(carrierLeg, reinvite);
      expect(toPbx('INVITE').at(-1)?.request.body).toContain(`a=${direction}`);
    }
    expect(toPbx('INVITE')).toHaveLength(4);
  });

  it("answers the carrier's 407 to a re-INVITE (hold) with the trunk's credentials: the PBX gets the carrier's answer", async () => {
    const { out, carrierLeg } = await call();
    const acks = toCarrier('ACK').length;
    carrier.challengeInDialog = true;
    const reinvite = out.reinvite(pbxSdp('sendonly'));
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('a=recvonly');
    reinvite.ack();
    expect(carrierAnswered('INVITE')).toEqual([407, 200]);
    const [challenged, again] = toCarrier('INVITE');
    expect(headerOf(challenged!.request, 'proxy-authorization')).toBeUndefined();
    const params = authParams(headerOf(again!.request, 'proxy-authorization') ?? '');
    expect(params.get('username')).toBe(USER);
    expect(params.get('uri')).toBe(again!.request.uri);
    expect(again!.request.body).toContain('a=sendonly');
    expect(headerOf(again!.request, 'call-id')).toBe(headerOf(carrierLeg.request, 'call-id'));
    const seq = (r: AppRequest): number => Number.parseInt(headerOf(r.request, 'cseq') ?? '', 10);
    expect(seq(again!)).toBeGreaterThan(seq(challenged!));
    // The 2xx is ACKed; the 407 was ACKed by the stack, not by crocetta.
    expect(toCarrier('ACK')).toHaveLength(acks + 1);
    expect(out.responses.map((r) => r.status)).not.toContain(407);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("sends its BYE again with the trunk's credentials when the carrier challenges it: the carrier's leg ends too", async () => {
    const { out } = await call();
    carrier.challengeInDialog = true;
    expect((await out.bye().waitForFinal()).status).toBe(200);
    await eventually(() => (carrierAnswered('BYE').length === 2 ? true : undefined), 5000);
    expect(carrierAnswered('BYE')).toEqual([407, 200]);
    expect(authParams(headerOf(toCarrier('BYE')[1]!.request, 'proxy-authorization') ?? '').get('username')).toBe(USER);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('answers a 401 in the call with Authorization, once more on stale=true, and gives the PBX 403 when the carrier keeps refusing', async () => {
    const { out } = await call();
    const challenge = (stale: boolean): ScriptedResponse[] => [
      {
        status: 401,
        headers: {
          'WWW-Authenticate': `Digest realm="carrier.example", nonce="n${Math.random()}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`,
        },
      },
    ];
    let infos = 0;
    carrierInCall = (req) => {
      if (req.method !== 'INFO') return undefined;
      infos++;
      return infos === 1 ? challenge(false) : infos === 2 ? challenge(true) : [{ status: 200 }];
    };
    expect((await out.info('application/dtmf-relay', 'Signal=2\r\n').waitForFinal(5000)).status).toBe(200);
    expect(carrierAnswered('INFO')).toEqual([401, 401, 200]);
    const [first, second, third] = toCarrier('INFO').map((r) => headerOf(r.request, 'authorization'));
    expect(first).toBeUndefined();
    expect(authParams(second ?? '').get('username')).toBe(USER);
    expect(authParams(third ?? '').get('username')).toBe(USER);
    // A carrier that refuses the credentials: one answer, then 403 to the PBX (not a 401 it cannot answer).
    carrierInCall = (req) => (req.method === 'INFO' ? challenge(false) : undefined);
    expect((await out.info('application/dtmf-relay', 'Signal=3\r\n').waitForFinal(5000)).status).toBe(403);
    expect(carrierAnswered('INFO')).toEqual([401, 401, 200, 401, 401]);
  });

  it('relays DTMF by INFO both ways, with its body and type', async () => {
    const { out, carrierLeg } = await call();
    const info = out.info('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n');
    expect((await info.waitForFinal(5000)).status).toBe(200);
    expect(toCarrier('INFO')[0]?.request.body).toContain('Signal=5');
    expect(headerOf(toCarrier('INFO')[0]!.request, 'content-type')).toBe('application/dtmf-relay');
    const back = h.double.farEndRequest(carrierLeg, 'INFO', 'Signal=#\r\nDuration=160\r\n', 'application/dtmf-relay');
    expect((await back.waitForFinal(5000)).status).toBe(200);
    expect(toPbx('INFO')[0]?.request.body).toContain('Signal=#');
  });

  it("answers the carrier's 407 to a DTMF INFO with the trunk's credentials", async () => {
    const { out } = await call();
    carrier.challengeInDialog = true;
    const info = out.info('application/dtmf-relay', 'Signal=1\r\nDuration=160\r\n');
    expect((await info.waitForFinal(5000)).status).toBe(200);
    expect(carrierAnswered('INFO')).toEqual([407, 200]);
    expect(toCarrier('INFO')[1]?.request.body).toContain('Signal=1');
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("relays the PBX's re-INVITE without SDP: the carrier's offer goes to the PBX, the answer in the PBX's ACK to the carrier", async () => {
    const { out } = await call();
    const reinvite = out.reinvite('');
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(toCarrier('INVITE')).toHaveLength(1);
    expect(toCarrier('INVITE')[0]?.request.body).toBe('');
    expect(answer.body).toContain('198.51.100.30'); // the carrier's offer, from its 200
    // The PBX answers in its ACK (its phone moved to port 30044): that answer is the carrier's, in crocetta's ACK.
    reinvite.ack(pbxSdp('sendrecv', 30044));
    const ack = await eventually(() => toCarrier('ACK').find((a) => a.request.body !== ''), 5000);
    expect(ack.request.body).toContain('m=audio 30044');
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("relays the carrier's re-INVITE without SDP: the PBX's offer goes to the carrier, the answer in the carrier's ACK to the PBX", async () => {
    const { carrierLeg } = await call();
    pbxScript = (req) =>
      req.method === 'INVITE' && req.request.body === ''
        ? [{ status: 200, body: pbxSdp('sendrecv', 30050) }]
        : defaultPbxScript(req);
    const reinvite = h.double.farEndRequest(carrierLeg, 'INVITE');
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(toPbx('INVITE')).toHaveLength(1);
    expect(toPbx('INVITE')[0]?.request.body).toBe('');
    expect(answer.body).toContain('m=audio 30050'); // the PBX's offer
    h.double.farEndAck(carrierLeg, reinvite, carrierSdp('sendrecv', 41700));
    const ack = await eventually(() => toPbx('ACK').find((a) => a.request.body !== ''), 5000);
    expect(ack.request.body).toContain('m=audio 41700');
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("relays an UPDATE with a new SDP both ways (the carrier's media moves, then the PBX's)", async () => {
    const { out, carrierLeg } = await call();
    const moved = h.double.farEndRequest(carrierLeg, 'UPDATE', carrierSdp('sendrecv', 41900));
    const answer = await moved.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(toPbx('UPDATE')[0]?.request.body).toContain('m=audio 41900');
    expect(answer.body).toContain('m=audio 30012'); // the PBX's answer, not crocetta's own old SDP
    const update = out.update(pbxSdp('sendonly', 30070));
    const back = await update.waitForFinal(5000);
    expect(back.status).toBe(200);
    expect(toCarrier('UPDATE')[0]?.request.body).toContain('m=audio 30070');
    expect(back.body).toContain('a=recvonly');
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('answers a session refresh by UPDATE without SDP itself, 200 without body', async () => {
    const { out, carrierLeg } = await call();
    const refresh = out.update('');
    const refreshed = await refresh.waitForFinal(5000);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toBe('');
    const fromCarrier = h.double.farEndRequest(carrierLeg, 'UPDATE');
    expect((await fromCarrier.waitForFinal(5000)).status).toBe(200);
    expect([...toCarrier('UPDATE'), ...toPbx('UPDATE')]).toEqual([]);
  });

  it("relays an OPTIONS keepalive in the call both ways: each side gets the other's answer, not crocetta's", async () => {
    const { out, carrierLeg } = await call();
    // The PBX knows the call (200) but, like many, does not implement OPTIONS in a dialog the first time (405).
    let pbxOptions = 0;
    pbxScript = (req) =>
      req.method === 'OPTIONS' ? [{ status: ++pbxOptions === 1 ? 405 : 200 }] : defaultPbxScript(req);
    const first = h.double.farEndRequest(carrierLeg, 'OPTIONS');
    expect((await first.waitForFinal(5000)).status).toBe(405);
    const second = h.double.farEndRequest(carrierLeg, 'OPTIONS');
    expect((await second.waitForFinal(5000)).status).toBe(200);
    expect(toPbx('OPTIONS')).toHaveLength(2);
    carrierInCall = (req) => (req.method === 'OPTIONS' ? [{ status: 200 }] : undefined);
    const fromPbx = out.options();
    expect((await fromPbx.waitForFinal(5000)).status).toBe(200);
    expect(toCarrier('OPTIONS')).toHaveLength(1);
    expect(headerOf(toCarrier('OPTIONS')[0]!.request, 'call-id')).toBe(headerOf(carrierLeg.request, 'call-id'));
    // The call goes on: no BYE either way.
    expect([...toCarrier('BYE'), ...toPbx('BYE')]).toEqual([]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the PBX answers the carrier's OPTIONS with 481 (it lost the call): the carrier gets 481, both legs a BYE", async () => {
    const { answered, toTheCarrier, toThePbx } = await pbxAnswersKeepalive(481);
    expect(answered).toBe(481);
    expect(headerOf(toTheCarrier!.request, 'reason')).toMatch(/^SIP ;cause=481 ;text=".*PBX.*gone/);
    expect(headerOf(toThePbx!.request, 'reason')).toMatch(/^SIP ;cause=481 /);
    const ended = await eventually(() => h.logs.find((l) => l.msg === 'outbound call ended'), 5000);
    expect(ended).toMatchObject({ by: 'crocetta' });
    expect(String(ended.reason)).toContain('481');
    // Once: a later request in either dialog finds no call.
    expect(h.logs.filter((l) => l.msg === 'outbound call ended')).toHaveLength(1);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the carrier answers the PBX's OPTIONS with 481, and a challenged BYE goes again with credentials", async () => {
    const { out } = await call();
    carrierInCall = (req) => (req.method === 'OPTIONS' ? [{ status: 481 }] : undefined);
    carrier.challengeInDialog = true;
    expect((await out.options().waitForFinal(5000)).status).toBe(481);
    await eventually(() => (carrierAnswered('BYE').length === 2 ? true : undefined), 5000);
    expect(carrierAnswered('BYE')).toEqual([407, 200]);
    expect(headerOf(toCarrier('BYE')[1]!.request, 'reason')).toMatch(/^SIP ;cause=481 ;text=".*carrier.*gone/);
    await eventually(() => toPbx('BYE')[0], 5000);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the PBX answers the carrier's OPTIONS with 408: the carrier gets 408, both legs a BYE", async () => {
    const { answered, toTheCarrier, toThePbx } = await pbxAnswersKeepalive(408);
    expect(answered).toBe(408);
    expect(headerOf(toTheCarrier!.request, 'reason')).toBe(
      'SIP ;cause=408 ;text="the PBX\'s leg is gone (408 to OPTIONS)"',
    );
    expect(headerOf(toThePbx!.request, 'reason')).toMatch(/^SIP ;cause=408 /);
    const ended = await eventually(() => h.logs.find((l) => l.msg === 'outbound call ended'), 5000);
    expect(ended).toMatchObject({ by: 'crocetta', leg: 'PBX' });
    expect(h.logs.filter((l) => l.msg === 'outbound call ended')).toHaveLength(1);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the PBX never answers the carrier's OPTIONS (the PBX vanished): drachtio-server's 408 after timer F", async () => {
    await h.stop();
    h = await start({ double: { timerFMs: 300 } });
    const { carrierLeg } = await call();
    pbxScript = (req) => (req.method === 'OPTIONS' || req.method === 'BYE' ? [] : defaultPbxScript(req));
    const keepalive = h.double.farEndRequest(carrierLeg, 'OPTIONS');
    expect((await keepalive.waitForFinal(5000)).status).toBe(408);
    const toTheCarrier = await eventually(() => toCarrier('BYE')[0], 5000);
    expect(headerOf(toTheCarrier.request, 'reason')).toBe(
      'SIP ;cause=408 ;text="no answer from the PBX to OPTIONS (408)"',
    );
    expect(carrierAnswered('BYE')).toEqual([200]);
    expect(toPbx('BYE')).toHaveLength(1);
    const ended = await eventually(() => h.logs.find((l) => l.msg === 'outbound call ended'), 5000);
    expect(ended).toMatchObject({ by: 'crocetta', leg: 'PBX', reason: 'no answer from the PBX to OPTIONS (408)' });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the carrier cannot be reached with the PBX's OPTIONS (drachtio-server's own 503), not on the carrier's own 503", async () => {
    const first = await call();
    carrierInCall = (req) => (req.method === 'OPTIONS' ? [{ status: 503 }] : undefined);
    expect((await first.out.options().waitForFinal(5000)).status).toBe(503);
    expect([...toCarrier('BYE'), ...toPbx('BYE')]).toEqual([]);
    // The carrier's port is closed: drachtio-server's own 503 (ICMP "port unreachable"); the PBX is told 408, no answer.
    carrierInCall = (req) => (req.method === 'OPTIONS' ? [{ status: 503, byServer: true }] : undefined);
    expect((await first.out.options().waitForFinal(5000)).status).toBe(408);
    const [, toThePbx] = await byesToBothLegs(5000);
    expect(headerOf(toThePbx!.request, 'reason')).toBe(
      'SIP ;cause=503 ;text="no answer from the carrier to OPTIONS (503)"',
    );
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("answers 481 to an OPTIONS that crosses the other side's hang-up, without a second end", async () => {
    // The PBX has not answered crocetta's BYE yet when its OPTIONS arrives.
    const out = await carrierHungUp();
    expect((await out.options().waitForFinal(5000)).status).toBe(481);
    expect(toCarrier('OPTIONS')).toEqual([]);
    expect(toPbx('BYE')).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === 'outbound call ended').map((l) => l.by)).toEqual(['carrier']);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the carrier's leg when the PBX never ACKs the call's 200: drachtio-server's own BYE (timer H) is passed on with its Reason", async () => {
    const out = pbxCallsOut(h);
    expect((await out.waitForFinal(5000)).status).toBe(200);
    carrier.challengeInDialog = true;
    h.double.ackTimeout(out); // no ACK from the PBX: drachtio-server BYEs it and tells crocetta
    await eventually(() => (carrierAnswered('BYE').length === 2 ? true : undefined), 5000);
    expect(carrierAnswered('BYE')).toEqual([407, 200]);
    expect(headerOf(toCarrier('BYE')[1]!.request, 'reason')).toBe('SIP ;cause=200 ;text="ACK timeout"');
    expect(toPbx('BYE')).toEqual([]); // drachtio-server's own BYE reached the PBX, not a second one from crocetta
    const ended = h.logs.filter((l) => l.msg === 'outbound call ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ by: 'crocetta', reason: 'ACK timeout', leg: 'PBX' });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("gives the PBX the carrier's 491 (glare at the carrier), and its next re-INVITE goes through", async () => {
    const { out } = await call();
    let glare = true;
    carrierInCall = (req) => {
      if (req.method !== 'INVITE' || !glare) return undefined;
      glare = false;
      return [{ status: 491 }];
    };
    const first = out.reinvite(pbxSdp('sendonly'));
    expect((await first.waitForFinal(5000)).status).toBe(491);
    const retry = out.reinvite(pbxSdp('sendonly'));
    expect((await retry.waitForFinal(5000)).status).toBe(200);
    retry.ack();
  });

  it("answers 491 to the carrier's re-INVITE that crosses the PBX's (glare here), and relays the PBX's", async () => {
    const { out, carrierLeg } = await call();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    carrierInCall = (req) =>
      req.method === 'INVITE' ? [{ status: 200, body: carrierSdp('recvonly'), after: held }] : undefined;
    const mine = out.reinvite(pbxSdp('sendonly'));
    await eventually(() => toCarrier('INVITE')[0], 5000);
    const theirs = h.double.farEndRequest(carrierLeg, 'INVITE', carrierSdp('sendonly'));
    expect((await theirs.waitForFinal(5000)).status).toBe(491);
    expect(toPbx('INVITE')).toEqual([]);
    release();
    const answer = await mine.waitForFinal(5000);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('a=recvonly');
    mine.ack();
    carrierInCall = null;
    const retry = h.double.farEndRequest(carrierLeg, 'INVITE', carrierSdp('sendonly'));
    expect((await retry.waitForFinal(5000)).status).toBe(200);
    expect(toPbx('INVITE')).toHaveLength(1);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('answers 500 with Retry-After to a second offer from the side whose first is still being relayed, and relays the first', async () => {
    const { out } = await call();
    for (const method of ['INVITE', 'UPDATE'] as const) {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      carrierInCall = (req) =>
        req.method === method ? [{ status: 200, body: carrierSdp('recvonly'), after: held }] : undefined;
      const send = (sdp: string): InjectedRequest => (method === 'INVITE' ? out.reinvite(sdp) : out.update(sdp));
      const first = send(pbxSdp('sendonly'));
      await eventually(() => toCarrier(method)[0], 5000);
      const second = await send(pbxSdp('inactive')).waitForFinal(5000);
      expect(second.status, method).toBe(500);
      const retryAfter = headerOf(second, 'Retry-After');
      expect(retryAfter, method).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeLessThanOrEqual(10);
      expect(toCarrier(method), method).toHaveLength(1);
      release();
      const answer = await first.waitForFinal(5000);
      expect(answer.status, method).toBe(200);
      expect(answer.body).toContain('a=recvonly');
      if (method === 'INVITE') first.ack();
      carrierInCall = null;
    }
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the carrier answers the PBX's re-INVITE with 408 (RFC 3261 §14.1): the PBX gets 408, both legs a BYE", async () => {
    const { out } = await call();
    carrierInCall = (req) => (req.method === 'INVITE' ? [{ status: 408 }] : undefined);
    expect((await out.reinvite(pbxSdp('sendonly')).waitForFinal(5000)).status).toBe(408);
    const [, toThePbx] = await byesToBothLegs(5000);
    expect(headerOf(toThePbx!.request, 'reason')).toBe(
      'SIP ;cause=408 ;text="the carrier\'s leg is gone (408 to INVITE)"',
    );
    const ended = await eventually(() => h.logs.find((l) => l.msg === 'outbound call ended'), 5000);
    expect(ended).toMatchObject({ by: 'crocetta', leg: 'carrier', method: 'INVITE' });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("ends the call when the PBX answers the carrier's DTMF INFO with 481; a re-INVITE refused otherwise (488) keeps it", async () => {
    const { carrierLeg } = await call();
    pbxScript = (req) => (req.method === 'INVITE' ? [{ status: 488 }] : defaultPbxScript(req));
    const refused = h.double.farEndRequest(carrierLeg, 'INVITE', carrierSdp('sendonly'));
    expect((await refused.waitForFinal(5000)).status).toBe(488);
    expect([...toCarrier('BYE'), ...toPbx('BYE')]).toEqual([]);
    pbxScript = (req) => (req.method === 'INFO' ? [{ status: 481 }] : defaultPbxScript(req));
    const key = h.double.farEndRequest(carrierLeg, 'INFO', 'Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay');
    expect((await key.waitForFinal(5000)).status).toBe(481);
    const [toTheCarrier] = await byesToBothLegs(5000);
    expect(headerOf(toTheCarrier!.request, 'reason')).toBe(
      'SIP ;cause=481 ;text="the PBX\'s leg is gone (481 to INFO)"',
    );
    expect(errorLines(h.logs)).toEqual([]);
  });

  it("answers 481 to the PBX's re-INVITE that crosses the carrier's hang-up", async () => {
    // The PBX has not answered crocetta's BYE yet when its re-INVITE arrives.
    const out = await carrierHungUp();
    const reinvite = out.reinvite(pbxSdp('sendonly'));
    expect((await reinvite.waitForFinal(5000)).status).toBe(481);
    expect(toCarrier('INVITE')).toEqual([]);
    expect(errorLines(h.logs)).toEqual([]);
  });
});

describe('an answered outbound call whose re-INVITE without SDP is never ACKed (RFC 3261 §13.3.1.4)', () => {
  /** pbx.ackTimeout here (32 s in production). */
  const ACK_TIMEOUT_MS = 1500;
  beforeEach(async () => {
    await startAfresh({
      configure: (c) => {
        c.pbx.ackTimeout = `${ACK_TIMEOUT_MS}ms`;
      },
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  /** The index of each of these requests in what crocetta sent, in order. */
  const order = (...reqs: AppRequest[]): number[] => reqs.map((r) => h.double.appRequests.indexOf(r));

  it("ends the call on both legs when the PBX never ACKs: the carrier's offer ACKed with crocetta's last SDP, then a BYE with Reason to each", async () => {
    const { out, carrierLeg } = await call();
    const acks = toCarrier('ACK').length;
    const reinvite = out.reinvite('');
    const answer = await reinvite.waitForFinal(5000);
    expect(answer.status).toBe(200);
    const answeredAt = Date.now();
    // Meanwhile the exchange is held, as RFC 3261 §14.2 wants: the PBX's next offer waits (500 with Retry-After).
    expect((await out.reinvite(pbxSdp('sendonly')).waitForFinal(5000)).status).toBe(500);
    const [byeCarrier, byePbx] = await byesToBothLegs(10_000);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 100);
    const reason = `no ACK from the PBX to the 200 for its re-INVITE without SDP (${ACK_TIMEOUT_MS / 1000} s)`;
    for (const bye of [byeCarrier!, byePbx!])
      expect(headerOf(bye.request, 'reason')).toBe(`SIP ;cause=200 ;text="${reason}"`);
    // RFC 3261 §13.2.2.4: the carrier's 2xx (its offer) is ACKed with an answer before the BYE: the SDP crocetta last
    // gave the carrier (the PBX's, from the call's INVITE).
    const ack = toCarrier('ACK')[acks]!;
    expect(ack.request.body).not.toBe('');
    expect(ack.request.body).toBe(carrierLeg.request.body);
    expect(order(ack, byeCarrier!)[0]).toBeLessThan(order(ack, byeCarrier!)[1]!);
    const ended = h.logs.filter((l) => l.msg === 'outbound call ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ by: 'crocetta', reason, leg: 'PBX', method: 'INVITE' });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('ends the call on both legs when the carrier never ACKs its re-INVITE without SDP: the PBX gets an ACK, then both a BYE', async () => {
    const { carrierLeg } = await call();
    pbxScript = (req) =>
      req.method === 'INVITE' && req.request.body === ''
        ? [{ status: 200, body: pbxSdp('sendrecv', 30050) }]
        : defaultPbxScript(req);
    const reinvite = h.double.farEndRequest(carrierLeg, 'INVITE');
    expect((await reinvite.waitForFinal(5000)).status).toBe(200);
    await eventually(() => (toCarrier('BYE').length === 1 && toPbx('BYE').length === 1 ? true : undefined), 10_000);
    const ackToPbx = toPbx('ACK').find((a) => a.request.body !== '');
    expect(ackToPbx?.request.body).toContain('198.51.100.30'); // the carrier's SDP, as the PBX last had it
    expect(order(ackToPbx!, toPbx('BYE')[0]!)[0]).toBeLessThan(order(ackToPbx!, toPbx('BYE')[0]!)[1]!);
    const reason = `no ACK from the carrier to the 200 for its re-INVITE without SDP (${ACK_TIMEOUT_MS / 1000} s)`;
    expect(headerOf(toPbx('BYE')[0]!.request, 'reason')).toBe(`SIP ;cause=200 ;text="${reason}"`);
    expect(h.logs.find((l) => l.msg === 'outbound call ended')).toMatchObject({
      by: 'crocetta',
      leg: 'carrier',
      reason,
    });
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('keeps the call when the ACK comes in time: no BYE after the timeout, and the next offer goes through', async () => {
    const { out } = await call();
    const reinvite = out.reinvite('');
    expect((await reinvite.waitForFinal(5000)).status).toBe(200);
    reinvite.ack(pbxSdp('sendrecv', 30044));
    await eventually(() => toCarrier('ACK').find((a) => a.request.body.includes('m=audio 30044')), 5000);
    await new Promise((resolve) => setTimeout(resolve, ACK_TIMEOUT_MS + 500));
    expect([...toCarrier('BYE'), ...toPbx('BYE')]).toEqual([]);
    const hold = out.reinvite(pbxSdp('sendonly'));
    expect((await hold.waitForFinal(5000)).status).toBe(200);
    hold.ack();
    expect(h.logs.filter((l) => l.msg === 'outbound call ended')).toEqual([]);
    expect(errorLines(h.logs)).toEqual([]);
  });

  it('lets the timer go when the call ends first (the PBX hangs up while its ACK is missing): one end, no BYE from crocetta to the PBX', async () => {
    const { out } = await call();
    expect((await out.reinvite('').waitForFinal(5000)).status).toBe(200);
    expect((await out.bye().waitForFinal(5000)).status).toBe(200);
    await eventually(() => toCarrier('BYE')[0], 5000);
    await new Promise((resolve) => setTimeout(resolve, ACK_TIMEOUT_MS + 500));
    expect(toCarrier('BYE')).toHaveLength(1);
    expect(toPbx('BYE')).toEqual([]);
    expect(h.logs.filter((l) => l.msg === 'outbound call ended').map((l) => l.by)).toEqual(['pbx']);
    expect(errorLines(h.logs)).toEqual([]);
  });
});

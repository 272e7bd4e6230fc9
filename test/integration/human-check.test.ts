/**
 * The human check (action `check`), end to end through the drachtio double: the real app, real RTP on 127.0.0.1
 * (the prompt, the NO, the caller's RFC 4733 keys), SIP INFO keys, the PBX leg crocetta sets up (3PCC) and the
 * real SQLite register. One test per outcome a user sees.
 */
import { performance } from 'node:perf_hooks';
import { parse } from 'sdp-transform';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { callerOffer, PBX_SDP_ADDRESS, pbxAnswer, pressInRtp, shortWav } from '../support/check-calls.js';
import { buildInvite, buildMessage, type InjectedRequest } from '../support/drachtio-double.js';
import { attemptWhen, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { cardsOf } from '../support/panel-session.js';
import { pickBlock } from '../support/real-sip-tools.js';
import { RtpSinks } from '../support/rtp-sink.js';

const DID = '+390612345678';
const SUSPECT = '08431234567'; // AGCOM survey prefix 0843: suspect by the IT pack
const SUSPECT_E164 = '+3908431234567';

let h: Harness | undefined;
const sinks = new RtpSinks();

afterEach(async () => {
  await h?.stop();
  h = undefined;
  await sinks.closeAll();
});

interface Started {
  promptMs: number;
  noMs: number;
}

/** The app with ACTION_SUSPECT=check (or `env`), a 0.6 s prompt, a 0.8 s NO and a 1 s wait. */
async function start(
  env: Record<string, string> = {},
  rememberDays = 30,
  more: (c: Config) => void = () => {},
): Promise<Started> {
  const prompt = shortWav('prompt.wav', 0.6);
  const no = shortWav('no.wav', 0.8);
  const low = await pickBlock(50, ['127.0.0.1'], 41_000, 49_000); // crocetta's RTP ports (or in E2E_PORTS)
  h = await startHarness(
    { MEDIA_ADDRESS: '127.0.0.1', RTP_PORTS: `${low}-${low + 49}`, ACTION_SUSPECT: 'check', ...env },
    {
      configure: (c) => {
        c.check.file = prompt;
        c.check.waitSeconds = 1;
        c.check.rememberDays = rememberDays;
        c.announcements.files.default = no;
        more(c);
      },
      // The caller answers our re-INVITE with the media it offered at first; the PBX answers 180, 200 with its SDP.
      onAppRequest: (req) =>
        (req.method === 'INVITE' && req.dialogId !== '' ? [{ status: 200, body: callerSdp }] : undefined) ??
        pbxAnswer(req),
    },
  );
  return { promptMs: 600, noMs: 800 };
}

let callerSdp = '';

function invite(from: string, body: string): InjectedRequest {
  callerSdp = body;
  return (h as Harness).double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, body }));
}

async function answered(call: InjectedRequest): Promise<{ port: number; answer: ReturnType<typeof parse> }> {
  const ok = await call.waitForFinal();
  expect(ok.status).toBe(200);
  call.ack();
  const answer = parse(ok.body);
  return { port: answer.media[0]?.port ?? 0, answer };
}

describe('the human check through drachtio', () => {
  it("press 1 in RTP: the PBX gets the caller's SDP, the caller is re-INVITEd onto the PBX's media, a BYE ends both legs", async () => {
    await start();
    const rtp = await sinks.add();
    const call = invite(SUSPECT, callerOffer(rtp.port));
    const { port, answer } = await answered(call);
    // Our answer keeps the caller's telephone-event payload type, so its keys come in RTP.
    expect(answer.media[0]?.rtp).toEqual([
      { payload: 8, codec: 'PCMA', rate: 8000 },
      { payload: 96, codec: 'telephone-event', rate: 8000 },
    ]);
    expect(answer.media[0]?.fmtp).toEqual([{ payload: 96, config: '0-16' }]);
    await rtp.waitForPackets(5); // the prompt is playing
    await pressInRtp(rtp, port, '1');

    const toPbx = await (h as Harness).double.waitForAppRequest('INVITE', 5000);
    expect(toPbx.request.uri).toBe(`sip:${DID}@127.0.0.1:5080`);
    expect(toPbx.request.body).toBe(call.request.body);
    expect(toPbx.request.headers.from?.[0]).toContain(SUSPECT);
    expect(toPbx.request.headers['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=\d\.\d\d; check=passed$/);
    const reinvite = await (h as Harness).double.waitForAppRequest('INVITE', 5000, 1);
    expect(reinvite.dialogId).not.toBe('');
    expect(reinvite.request.headers['call-id']).toEqual(call.request.headers['call-id']);
    const offered = parse(reinvite.request.body);
    expect(offered.connection?.ip).toBe(PBX_SDP_ADDRESS);
    expect(offered.media[0]?.port).toBe(40000);
    // Our o= line, next version (RFC 3264 §8): the caller sees one party changing its media.
    expect(offered.origin).toMatchObject({
      username: 'crocetta',
      sessionId: answer.origin?.sessionId,
      sessionVersion: 2,
    });
    const acks = await eventually(() =>
      Promise.resolve(
        (h as Harness).double.appRequests.filter((r) => r.method === 'ACK').length >= 2 ? true : undefined,
      ),
    );
    expect(acks).toBe(true);

    const attempt = await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.outcome === 'answered');
    expect(attempt).toMatchObject({ action: 'check', check: 'passed', finalStatus: 200 });
    expect(attempt.checkMs).toBeGreaterThan(0);
    expect(attempt.checkMs).toBeLessThan(3000);

    // The caller hangs up: crocetta BYEs the PBX.
    const bye = call.bye();
    expect((await bye.waitForFinal()).status).toBe(200);
    const byeToPbx = await (h as Harness).double.waitForAppRequest('BYE', 5000);
    expect(byeToPbx.request.headers['call-id']).toEqual(toPbx.request.headers['call-id']);
    // The talk time, from the PBX's answer to the BYE, as drachtio's CDRs give it for a forwarded call.
    const talked = await attemptWhen(h as Harness, SUSPECT_E164, (a) => typeof a.talkMs === 'number');
    expect(talked.talkMs).toBeGreaterThan(0);
    expect(talked.talkMs).toBeLessThan(5000);
  });

  it('DTMF as SIP INFO (application/dtmf-relay) passes too; the PBX hanging up BYEs the caller', async () => {
    await start();
    const rtp = await sinks.add();
    const call = invite(SUSPECT, callerOffer(rtp.port));
    await answered(call);
    const info = call.info('application/dtmf-relay', 'Signal=1\r\nDuration=160\r\n');
    expect((await info.waitForFinal()).status).toBe(200);
    const toPbx = await (h as Harness).double.waitForAppRequest('INVITE', 5000);
    await (h as Harness).double.waitForAppRequest('INVITE', 5000, 1);
    await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.outcome === 'answered' && a.check === 'passed');

    const pbxBye = (h as Harness).double.farEndRequest(toPbx, 'BYE');
    expect((await pbxBye.waitForFinal()).status).toBe(200);
    const byeToCaller = await (h as Harness).double.waitForAppRequest('BYE', 5000);
    expect(byeToCaller.request.headers['call-id']).toEqual(call.request.headers['call-id']);
  });

  it('no key: the NO, then BYE within 2 s of its end; refused in the register', async () => {
    await start();
    const rtp = await sinks.add();
    const call = invite(SUSPECT, callerOffer(rtp.port));
    await answered(call);
    const bye = await (h as Harness).double.waitForAppRequest('BYE', 8000);
    const byeAt = performance.now();
    const last = rtp.packets.at(-1)?.at ?? 0;
    expect(byeAt - last).toBeLessThan(2000);
    // Prompt (0.6 s) and NO (0.8 s) both went out: 30 + 40 packets of 20 ms, and nothing to the PBX.
    expect(rtp.packets.length).toBeGreaterThanOrEqual(68);
    expect(bye.request.headers['call-id']).toEqual(call.request.headers['call-id']);
    expect((h as Harness).double.appRequests.filter((r) => r.method === 'INVITE')).toHaveLength(0);
    const attempt = await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.hungUpBy === 'crocetta');
    expect(attempt).toMatchObject({ action: 'check', check: 'no-digit', outcome: 'rejected', finalStatus: 200 });
    expect(attempt.refusedAt).not.toBeNull();
    expect(attempt.playedMs).toBe(800);
  });

  it('a wrong key as INFO application/dtmf: the NO and BYE, check wrong-digit; the dashboard counts it undelivered', async () => {
    await start({ ADMIN_PASSWORD: 'office-pw' });
    const rtp = await sinks.add();
    const call = invite(SUSPECT, callerOffer(rtp.port));
    await answered(call);
    await rtp.waitForPackets(3);
    call.info('application/dtmf', '5');
    await (h as Harness).double.waitForAppRequest('BYE', 8000);
    const attempt = await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.hungUpBy === 'crocetta');
    expect(attempt).toMatchObject({ check: 'wrong-digit', outcome: 'rejected' });
    // Nobody in the office heard it: not passed, nor stopped (crocetta let it through to the check).
    const cards = await cardsOf((path) => (h as Harness).url(path), 'office-pw', 'en');
    expect(cards.filter((c) => c.startsWith('Today'))).toEqual([
      'Today: attempts: 1',
      'Today: stopped: 0',
      'Today: passed: 0',
      'Today: undelivered: 1',
    ]);
  });

  it('a CANCEL crossing the answer during the prompt: drachtio answers 481 and BYEs the caller, the prompt stops at once, hung-up', async () => {
    await start();
    const rtp = await sinks.add();
    const call = invite(SUSPECT, callerOffer(rtp.port));
    const ok = await call.waitForFinal();
    expect(ok.status).toBe(200);
    await rtp.waitForPackets(3);
    const cancelAt = performance.now();
    expect(call.cancel().status).toBe(481);
    expect((h as Harness).double.serverByes[0]?.headers['call-id']).toEqual(call.request.headers['call-id']);
    await new Promise((r) => setTimeout(r, 200));
    expect(rtp.packets.filter((p) => p.at > cancelAt + 60).length).toBe(0);
    const attempt = await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.check !== null);
    expect(attempt).toMatchObject({ check: 'hung-up', outcome: 'answered', hungUpBy: 'caller' });
    expect((h as Harness).double.appRequests.filter((r) => r.method === 'INVITE' || r.method === 'BYE')).toHaveLength(
      0,
    );
  });

  it('a MESSAGE, and an INVITE offering only G.729, are forwarded tagged instead of checked, the reason in the register', async () => {
    await start();
    const sms = (h as Harness).double.injectRequest(buildMessage({ from: SUSPECT, to: DID, body: 'Offerta' }));
    const proxiedSms = await sms.waitForProxy();
    expect(proxiedSms.headers?.['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=\d\.\d\d$/);
    // The row is committed first, its outcome with a later commit (within 50 ms under load, register.ts): wait for
    // the outcome, whatever it is, then say what it must be.
    const message = await attemptWhen(
      h as Harness,
      SUSPECT_E164,
      (a) => a.kind === 'message' && a.outcome !== 'forwarded',
    );
    expect(message).toMatchObject({ action: 'tag', check: null, outcome: 'answered' });
    expect(message.reasons.at(-1)?.text).toBe(
      'human check not possible (a SIP MESSAGE cannot press a key): tagged instead',
    );

    const other = '08431234568';
    const rtp = await sinks.add();
    const g729 = callerOffer(rtp.port).replace('RTP/AVP 8 96', 'RTP/AVP 18 96').replace('8 PCMA/8000', '18 G729/8000');
    const call = invite(other, g729);
    expect((await call.waitForFinal()).status).toBe(200);
    const proxied = await call.waitForProxy();
    expect(proxied.headers?.['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=\d\.\d\d$/);
    const attempt = await attemptWhen(h as Harness, '+3908431234568', (a) => a.outcome === 'answered');
    expect(attempt).toMatchObject({ action: 'tag', check: null });
    expect(attempt.reasons.at(-1)?.text).toBe('human check not possible (its offer has no G.711): tagged instead');
    // Nothing was answered by crocetta itself: no RTP, no INVITE of its own.
    expect(rtp.packets).toHaveLength(0);
    expect((h as Harness).double.appRequests.filter((r) => r.method === 'INVITE')).toHaveLength(0);
  });

  it('a passer is let through for rememberDays; marked nuisance afterwards, no second chance', async () => {
    // One policy, so the number page lists what each line would do with this caller now.
    await start({ ACTION_NUISANCE: 'check' }, 30, (c) => {
      c.policies = configSchema.shape.policies.parse([{ name: 'sales', dids: ['+390212345670'], action: 'check' }]);
    });
    const linesNow = async () =>
      (
        (await (h as Harness).api('GET', `/api/numbers/${encodeURIComponent(SUSPECT_E164)}`)).json as {
          lines: { did: string | null; action: string; note: string | null }[];
        }
      ).lines;
    expect((await linesNow())[0]).toMatchObject({ did: '+390212345670', action: 'check', note: null });
    const rtp = await sinks.add();
    const first = invite(SUSPECT, callerOffer(rtp.port));
    await answered(first);
    first.info('application/dtmf', '1');
    await attemptWhen(h as Harness, SUSPECT_E164, (a) => a.check === 'passed' && a.outcome === 'answered');
    first.bye();

    const second = invite(SUSPECT, callerOffer(rtp.port));
    const proxied = await second.waitForProxy();
    expect(proxied.headers?.['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=\d\.\d\d$/);
    const remembered = await attemptWhen(
      h as Harness,
      SUSPECT_E164,
      (a) => a.callId === second.request.headers['call-id']?.[0],
    );
    expect(remembered).toMatchObject({ action: 'tag', check: null });
    expect(remembered.reasons.map((r) => r.code)).toContain('check-remembered');
    // The number page says the same of the next call: tagged, not checked, and why.
    expect((await linesNow())[0]).toMatchObject({
      action: 'tag',
      note: expect.stringMatching(/^passed the check on .*: let through without one for 30 days$/) as unknown,
    });

    (h as Harness).clock.advance(60_000);
    const mark = await (h as Harness).api('POST', `/api/numbers/${encodeURIComponent(SUSPECT_E164)}/mark`, {
      label: 'nuisance',
    });
    expect(mark.status).toBe(200);
    (h as Harness).clock.advance(60_000);
    const third = invite(SUSPECT, callerOffer(rtp.port));
    await answered(third);
    await (h as Harness).double.waitForAppRequest('BYE', 8000, 1);
    const refused = await attemptWhen(
      h as Harness,
      SUSPECT_E164,
      (a) => a.callId === third.request.headers['call-id']?.[0] && a.hungUpBy === 'crocetta',
    );
    expect(refused).toMatchObject({ verdict: 'nuisance', action: 'announce-answer', check: null });
    expect(refused.reasons.map((r) => r.code)).toContain('check-no-second-chance');
    expect((await linesNow())[0]).toMatchObject({
      action: 'announce-answer',
      note: expect.stringMatching(/no second chance$/) as unknown,
    });
  });
});

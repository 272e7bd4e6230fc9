/**
 * The recorded "NO" and the other refusing answers, end to end: the real app, drachtio-srf speaking the wire
 * protocol to the double, real RTP over UDP on 127.0.0.1, the real SQLite register. One test per outcome.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'sdp-transform';
import wavefile from 'wavefile';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeG711, loadRecording, type Recording } from '../../src/media/index.js';
import { buildInvite, type InjectedRequest } from '../support/drachtio-double.js';
import { attemptWhen, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { pickBlock } from '../support/real-sip-tools.js';
import { audioOffer, correlation, RtpSinks, testSignal, type RtpSink } from '../support/rtp-sink.js';

const DID = '+390612345678';
const NUISANCE = '08441234567'; // AGCOM telemarketing prefix: nuisance by the IT pack
const NUISANCE_E164 = '+3908441234567';

let h: Harness | undefined;
const sinks = new RtpSinks();

afterEach(async () => {
  await h?.stop();
  h = undefined;
  await sinks.closeAll();
});

/** A short recording (1 s, 16 kHz stereo: converted at start) so tests do not wait for the built-in 13 s. */
function recordingFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-ann-'));
  const w = new wavefile.WaveFile();
  const samples = Float64Array.from(testSignal(16_000), (v) => Math.round(v * 32767));
  w.fromScratch(2, 16_000, '16', [samples, samples]);
  const file = join(dir, 'no-grazie.wav');
  writeFileSync(file, w.toBuffer());
  return file;
}

/** Starts the app with the short recording, `overlay` YAML, and `announcements` lines (indented by 2). */
async function start(
  overlay: string,
  env: Record<string, string> = {},
  announcements = '',
): Promise<{ file: string; recording: Recording }> {
  const file = recordingFile();
  const yaml = join(mkdtempSync(join(tmpdir(), 'crocetta-cfg-')), 'overlay.yaml');
  writeFileSync(yaml, `announcements:\n${announcements}  files:\n    default: ${file}\n${overlay}`);
  const low = await pickBlock(50, ['127.0.0.1'], 40_000, 50_000); // crocetta's RTP ports (or in E2E_PORTS)
  h = await startHarness({
    CROCETTA_CONFIG: yaml,
    MEDIA_ADDRESS: '127.0.0.1',
    RTP_PORTS: `${low}-${low + 49}`,
    ...env,
  });
  return { file, recording: loadRecording(file, 'expected', 30) };
}

function offer(
  port: number,
  payloads = '8 0 101',
  extra: string[] = ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000'],
): string {
  return audioOffer(port, payloads, extra);
}

function invite(from: string, body: string): InjectedRequest {
  return (h as Harness).double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, body }));
}

/** The announcement fallback counters in /metrics, one line per reason. */
async function fallbacks(): Promise<string[]> {
  const res = await (h as Harness).api('GET', '/metrics');
  return String(res.json)
    .split('\n')
    .filter((l) => l.startsWith('crocetta_announcement_fallbacks_total{'))
    .sort();
}

/** True when the RTP port can be bound again, i.e. crocetta closed its socket. */
async function portIsFree(port: number): Promise<boolean> {
  const dgram = await import('node:dgram');
  const probe = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.bind(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

/**
 * The stream's frames up to its last, counted from the marked first packet: nothing may carry a frame past what
 * crocetta says it sent (`playedMs`, frames skipped after a stall included) when it stopped the stream. Counted by
 * sequence number, not by arrival time: on a loaded machine the sink's own event loop stamps packets late.
 */
function framesThroughLast(rtp: RtpSink): number {
  const first = rtp.packets.find((p) => p.marker)?.sequence;
  if (first === undefined) throw new Error('no marked first RTP packet arrived');
  return Math.max(...rtp.packets.map((p) => (p.sequence - first) & 0xffff)) + 1;
}

/** The stream stopped for the caller: after its port is closed, nothing past its played frames, well before its end. */
async function expectStoppedAt(rtp: RtpSink, playedMs: number | null | undefined, fullFrames: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 100)); // anything still in the sink's socket is read
  const played = (playedMs ?? 0) / 20;
  expect(played).toBeGreaterThan(0);
  expect(framesThroughLast(rtp)).toBeLessThanOrEqual(played);
  expect(played).toBeLessThan(fullFrames);
}

describe('announcements and refusals through drachtio', () => {
  it('announces in early media: 183 with an SDP answer, the recording over RTP, then 607; a category picks the action', async () => {
    const again = await start('actions:\n  byCategory:\n    energy: announce-early\n', {
      ACTION_NUISANCE: 'reject:608',
    });
    const mark = await (h as Harness).api('POST', `/api/numbers/${encodeURIComponent('+390298765432')}/mark`, {
      label: 'nuisance',
      category: 'Energy',
    });
    expect(mark.status).toBe(200);

    const rtp = await sinks.add();
    const call = invite('0298765432', offer(rtp.port));
    const progress = await call.waitForResponse(183);
    expect(progress.reason).toBe('Session Progress');
    expect(progress.headers.contact?.[0]).toMatch(/^<sip:\+390612345678@127\.0\.0\.1:5060>$/);
    const answer = parse(progress.body);
    expect(answer.connection?.ip).toBe('127.0.0.1');
    const [audio] = answer.media;
    expect(audio?.rtp).toEqual([{ payload: 8, codec: 'PCMA', rate: 8000 }]);

    const final = await call.waitForFinal(10_000);
    expect(final.status).toBe(607);
    expect(final.reason).toBe('Unwanted');
    const frames = Math.ceil(again.recording.samples.length / 160);
    expect(rtp.packets.length).toBe(frames);
    expect(rtp.packets[0]?.from.port).toBe(audio?.port);
    expect(rtp.packets[0]?.marker).toBe(true);
    // Decoded back to linear PCM, what arrived is the configured recording, sample for sample.
    const heard = rtp.decode('PCMA');
    const expected = decodeG711('PCMA', again.recording.encoded.PCMA);
    expect(correlation(heard.subarray(0, expected.length), expected)).toBeGreaterThan(0.99);
    expect([...heard.subarray(expected.length)].every((v) => Math.abs(v) <= 8)).toBe(true); // padding is silence

    expect(await portIsFree(audio?.port ?? 0)).toBe(true);
    const attempt = await attemptWhen(h as Harness, '+390298765432', (a) => Boolean(a.playedMs), 3000);
    expect(attempt).toMatchObject({
      action: 'announce-early',
      outcome: 'rejected',
      finalStatus: 607,
      hungUpBy: 'crocetta',
    });
    expect(attempt.playedMs).toBe(frames * 20);
  });

  it('announces in an answered call: 200 with SDP, the message, then BYE', async () => {
    await start('', { ACTION_NUISANCE: 'announce-answer' });
    const rtp = await sinks.add();
    const call = invite(NUISANCE, offer(rtp.port, '0 8'));
    const ok = await call.waitForFinal();
    expect(ok.status).toBe(200);
    expect(parse(ok.body).media[0]?.rtp[0]?.codec).toBe('PCMU');
    call.ack();
    const bye = await (h as Harness).double.waitForAppRequest('BYE', 10_000);
    expect(bye.request.headers['call-id']).toEqual(call.request.headers['call-id']);
    expect(rtp.packets.length).toBeGreaterThan(45);
    expect(rtp.packets.every((p) => p.payloadType === 0)).toBe(true);
    const attempt = await attemptWhen(h as Harness, NUISANCE_E164, (a) => Boolean(a.hungUpBy), 3000);
    expect(attempt).toMatchObject({
      action: 'announce-answer',
      outcome: 'rejected',
      finalStatus: 200,
      hungUpBy: 'crocetta',
    });
  });

  it('stops the early-media stream when the caller cancels, sends nothing after its stop, and frees the port', async () => {
    const { recording } = await start('', { ACTION_NUISANCE: 'announce-early' }, '  repeat: 5\n');
    const rtp = await sinks.add();
    const call = invite(NUISANCE, offer(rtp.port));
    const progress = await call.waitForResponse(183);
    await rtp.waitForPackets(10);
    call.cancel();
    expect((await call.waitForFinal()).status).toBe(487);
    expect(call.responses.filter((r) => r.status >= 200).map((r) => r.status)).toEqual([487]);
    await eventually(async () => ((await portIsFree(parse(progress.body).media[0]?.port ?? 0)) ? true : undefined));
    const attempt = await attemptWhen(h as Harness, NUISANCE_E164, (a) => a.outcome === 'cancelled', 3000);
    expect(attempt).toMatchObject({ outcome: 'cancelled', finalStatus: 487, hungUpBy: 'caller' });
    await expectStoppedAt(rtp, attempt?.playedMs, 5 * Math.ceil(recording.samples.length / 160));
  });

  it('stops the answered announcement when the caller hangs up, sends nothing after its stop, and frees the port', async () => {
    const { recording } = await start('', { ACTION_NUISANCE: 'announce-answer' }, '  repeat: 5\n');
    const rtp = await sinks.add();
    const call = invite(NUISANCE, offer(rtp.port));
    const ok = await call.waitForFinal();
    call.ack();
    await rtp.waitForPackets(10);
    const bye = call.bye();
    expect((await bye.waitForFinal()).status).toBe(200);
    await eventually(async () => ((await portIsFree(parse(ok.body).media[0]?.port ?? 0)) ? true : undefined));
    expect((h as Harness).double.appRequests.filter((r) => r.method === 'BYE')).toHaveLength(0);
    const attempt = await attemptWhen(h as Harness, NUISANCE_E164, (a) => Boolean(a.hungUpBy), 3000);
    expect(attempt).toMatchObject({ outcome: 'rejected', finalStatus: 200, hungUpBy: 'caller' });
    await expectStoppedAt(rtp, attempt?.playedMs, 5 * Math.ceil(recording.samples.length / 160));
  });

  it('refuses with the fallback 607 an offer with only G.729 and opus (and a late offer), without early media', async () => {
    await start('', { ACTION_NUISANCE: 'announce-early' });
    const g729 = invite(NUISANCE, offer(4000, '18 111', ['a=rtpmap:18 G729/8000', 'a=rtpmap:111 opus/48000/2']));
    expect((await g729.waitForFinal()).status).toBe(607);
    const late = invite(NUISANCE, '');
    expect((await late.waitForFinal()).status).toBe(607);
    expect([...g729.responses, ...late.responses].some((r) => r.status === 183)).toBe(false);
    expect(await fallbacks()).toEqual([
      'crocetta_announcement_fallbacks_total{reason="no-g711",use="announcement"} 1',
      'crocetta_announcement_fallbacks_total{reason="no-sdp",use="announcement"} 1',
    ]);
  });

  it('refuses with the plain 607 a call that finds no RTP port free, and counts it (no-port)', async () => {
    const low = await pickBlock(2, ['127.0.0.1'], 34_000, 35_000); // one even port: one announcement at a time
    await start('', { ACTION_NUISANCE: 'announce-early', RTP_PORTS: `${low}-${low + 1}` }, '  repeat: 5\n');
    const rtp = await sinks.add();
    const first = invite(NUISANCE, offer(rtp.port));
    await first.waitForResponse(183);
    const second = invite(NUISANCE, offer(rtp.port));
    expect((await second.waitForFinal()).status).toBe(607);
    expect(second.responses.some((r) => r.status === 183)).toBe(false);
    first.cancel();
    expect((await first.waitForFinal()).status).toBe(487);
    expect(await fallbacks()).toEqual(['crocetta_announcement_fallbacks_total{reason="no-port",use="announcement"} 1']);
  });

  it('sends 608 Rejected with a Call-Info jCard naming whom wrongly blocked callers can contact', async () => {
    await start(
      'reject608:\n  name: Ufficio Rossi\n  url: https://rossi.example/contatti\n  email: centralino@rossi.example\n  tel: +39 06 1234567\n',
      { ACTION_NUISANCE: 'reject:608' },
    );
    const final = await invite(NUISANCE, offer(4000)).waitForFinal();
    expect(final.status).toBe(608);
    expect(final.reason).toBe('Rejected');
    const callInfo = final.headers['call-info']?.[0] ?? '';
    const m = /^<data:application\/json;base64,([A-Za-z0-9+/=]+)>;purpose=jwscard$/.exec(callInfo);
    expect(m).not.toBeNull();
    const jcard = JSON.parse(Buffer.from(m?.[1] ?? '', 'base64').toString('utf8')) as [
      string,
      Array<[string, object, string, string]>,
    ];
    expect(jcard[0]).toBe('vcard');
    const props = Object.fromEntries(jcard[1].map(([name, , , value]) => [name, value]));
    expect(props).toMatchObject({
      version: '4.0',
      fn: 'Ufficio Rossi',
      url: 'https://rossi.example/contatti',
      email: 'centralino@rossi.example',
      tel: 'tel:+39061234567',
    });
  });

  it('answers and hangs up at once for hangup, and rings before a 404 with a ring delay', async () => {
    await start('actions:\n  ringDelayMs: 300\n', { ACTION_NUISANCE: 'hangup', ACTION_WITHHELD: 'reject:404' });
    const call = invite(NUISANCE, offer(4000));
    const ok = await call.waitForFinal(5000);
    expect(ok.status).toBe(200);
    expect(call.responses[0]?.status).toBe(180);
    expect(parse(ok.body).media[0]?.direction).toBe('inactive');
    call.ack();
    await (h as Harness).double.waitForAppRequest('BYE');

    const withheld = (h as Harness).double.injectRequest(
      buildInvite({
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
        privacy: 'id',
        to: DID,
        requestUri: `sip:${DID}@127.0.0.1`,
      }),
    );
    const final = await withheld.waitForFinal(5000);
    expect(withheld.responses.map((r) => r.status)).toEqual([180, 404]);
    expect(final.reason).toBe('Not Found');
  });
});

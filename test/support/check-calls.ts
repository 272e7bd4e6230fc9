/**
 * The caller's and the PBX's side of a human check (action `check`) through the drachtio double, shared by the
 * integration test of the check and the browser tests that seed the register with real checks: short recordings,
 * SDP offers and answers, and the caller's key as RFC 4733 telephone-events.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { telephoneEventPacket } from '../../src/media/index.js';
import type { AppRequest } from './drachtio-double.js';
import type { RtpSink } from './rtp-sink.js';
import { audioOffer, testSignal } from './rtp-sink.js';

export const PBX_SDP_ADDRESS = '198.51.100.20';

/** A short WAV (seconds of the test signal, 8 kHz mono) so tests do not wait for the built-in prompt and NO. */
export function shortWav(name: string, seconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-check-'));
  const w = new wavefile.WaveFile();
  w.fromScratch(
    1,
    8000,
    '16',
    Float64Array.from(testSignal(8000, seconds), (v) => Math.round(v * 32767)),
  );
  const file = join(dir, name);
  writeFileSync(file, w.toBuffer());
  return file;
}

/** The PBX's SDP answer: PCMA and telephone-events at PBX_SDP_ADDRESS:40000. */
export function pbxSdp(): string {
  return [
    'v=0',
    'o=pbx 7 7 IN IP4 198.51.100.20',
    's=-',
    `c=IN IP4 ${PBX_SDP_ADDRESS}`,
    't=0 0',
    'm=audio 40000 RTP/AVP 8 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** What the far ends answer to the app's requests: the PBX 180 then 200 with its SDP to an INVITE, 200 otherwise. */
export function pbxAnswer(req: AppRequest): Array<{ status: number; body?: string }> {
  if (req.method !== 'INVITE') return [{ status: 200 }];
  return [{ status: 180 }, { status: 200, body: pbxSdp() }];
}

/** The caller's offer: PCMA, and telephone-event with the dynamic type 96 (as in sipp's dtmf_2833 pcaps). */
export function callerOffer(port: number): string {
  return audioOffer(port, '8 96', ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-16']);
}

/** The caller presses `key` in RTP: an RFC 4733 event (three packets, the last with E), from its media socket. */
export async function pressInRtp(rtp: RtpSink, to: number, key: string): Promise<void> {
  const ts = 160_000;
  for (const [i, end] of [false, false, true, true, true].entries()) {
    const p = telephoneEventPacket({
      key,
      payloadType: 96,
      sequence: 100 + i,
      timestamp: ts,
      ssrc: 0x1234,
      end,
      durationSamples: 400 * (i + 1),
      marker: i === 0,
    });
    await new Promise<void>((resolve) => rtp.socket.send(p, to, '127.0.0.1', () => resolve()));
  }
}

import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { asOurOffer, readOffer, writeAnswer } from './sdp.js';

function offer(lines: string[], session = 'c=IN IP4 203.0.113.5'): string {
  return ['v=0', 'o=- 1 1 IN IP4 203.0.113.5', 's=-', session, 't=0 0', ...lines, ''].join('\r\n');
}

describe('readOffer', () => {
  it("picks the first G.711 codec in the caller's order, with session-level c= and the offered ptime", () => {
    const r = readOffer(offer(['m=audio 30000 RTP/AVP 18 0 8 101', 'a=rtpmap:18 G729/8000', 'a=ptime:30']));
    expect(r).toEqual({
      ok: true,
      offer: {
        address: '203.0.113.5',
        ipVersion: 4,
        port: 30000,
        codec: 'PCMU',
        payloadType: 0,
        ptimeMs: 30,
        direction: 'sendrecv',
        telephoneEvent: null,
      },
    });
  });

  it("reads the telephone-event the caller offered (its payload type and fmtp); the check's answer keeps it", () => {
    const r = readOffer(
      offer([
        'm=audio 30000 RTP/AVP 8 96',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-16',
      ]),
    );
    expect(r.ok && r.offer.telephoneEvent).toEqual({ payloadType: 96, fmtp: '0-16' });
    if (!r.ok) return;
    const plain = parse(writeAnswer(r.offer, { address: '192.0.2.1', port: 20000, sessionId: 5 }));
    expect(String(plain.media[0]?.payloads)).toBe('8');
    const check = parse(writeAnswer(r.offer, { address: '192.0.2.1', port: 20000, sessionId: 5, events: true }));
    expect(check.media[0]?.payloads).toBe('8 96');
    expect(check.media[0]?.rtp).toContainEqual({ payload: 96, codec: 'telephone-event', rate: 8000 });
    expect(check.media[0]?.fmtp).toEqual([{ payload: 96, config: '0-16' }]);
  });

  it('ignores a telephone-event at another rate or not listed on the m= line', () => {
    const wide = readOffer(offer(['m=audio 30000 RTP/AVP 8 97', 'a=rtpmap:97 telephone-event/48000']));
    expect(wide.ok && wide.offer.telephoneEvent).toBeNull();
    const unlisted = readOffer(offer(['m=audio 30000 RTP/AVP 8', 'a=rtpmap:101 telephone-event/8000']));
    expect(unlisted.ok && unlisted.offer.telephoneEvent).toBeNull();
  });

  it('prefers the media-level c= and accepts a dynamic payload type mapped to PCMA', () => {
    const r = readOffer(
      offer(['m=audio 4000 RTP/AVP 96 0', 'c=IN IP4 198.51.100.7', 'a=rtpmap:96 PCMA/8000', 'a=recvonly']),
    );
    expect(r.ok && r.offer).toMatchObject({
      address: '198.51.100.7',
      codec: 'PCMA',
      payloadType: 96,
      direction: 'recvonly',
      ptimeMs: 20,
    });
  });

  it('falls back to 20 ms for a ptime outside 10-60 ms', () => {
    const r = readOffer(offer(['m=audio 4000 RTP/AVP 8', 'a=ptime:120']));
    expect(r.ok && r.offer.ptimeMs).toBe(20);
  });

  it.each([
    ['late offer (no SDP)', '', 'no-sdp'],
    ['garbage', 'hello', 'unparsable'],
    ['video only', offer(['m=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000']), 'no-audio'],
    ['rejected audio stream', offer(['m=audio 0 RTP/AVP 8']), 'no-audio'],
    [
      'only G.729 and opus',
      offer(['m=audio 4000 RTP/AVP 18 111', 'a=rtpmap:18 G729/8000', 'a=rtpmap:111 opus/48000/2']),
      'no-g711',
    ],
    ['PCMA at the wrong rate', offer(['m=audio 4000 RTP/AVP 96', 'a=rtpmap:96 PCMA/16000']), 'no-g711'],
    ['hold address', offer(['m=audio 4000 RTP/AVP 8'], 'c=IN IP4 0.0.0.0'), 'no-address'],
    ['caller will not receive', offer(['m=audio 4000 RTP/AVP 8', 'a=sendonly']), 'not-receiving'],
  ])('refuses %s', (_name, body, problem) => {
    expect(readOffer(body)).toEqual({ ok: false, problem });
  });
});

describe('writeAnswer', () => {
  it('answers with our media address and port, the chosen codec only, the ptime and a mirrored direction', () => {
    const r = readOffer(
      offer(['m=audio 30000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=ptime:20', 'a=recvonly']),
    );
    if (!r.ok) throw new Error('offer refused');
    const sdp = writeAnswer(r.offer, { address: '192.0.2.44', port: 20002, sessionId: 77 });
    expect(sdp).toContain('\r\n');
    const parsed = parse(sdp);
    expect(parsed.connection?.ip).toBe('192.0.2.44');
    expect(parsed.origin?.address).toBe('192.0.2.44');
    const [audio] = parsed.media;
    // sdp-transform parses a single payload type as a number
    expect(audio).toMatchObject({ type: 'audio', port: 20002, protocol: 'RTP/AVP', ptime: 20, direction: 'sendonly' });
    expect(String(audio?.payloads)).toBe('8');
    expect(audio?.rtp).toEqual([{ payload: 8, codec: 'PCMA', rate: 8000 }]);
  });
});

describe('readOffer with a single payload type', () => {
  it('reads "m=audio … RTP/AVP 8" (sdp-transform gives a number there)', () => {
    const r = readOffer(offer(['m=audio 4000 RTP/AVP 8']));
    expect(r.ok && r.offer).toMatchObject({ codec: 'PCMA', payloadType: 8 });
  });
});

describe('asOurOffer', () => {
  it("puts our o= line (same session, next version) on the PBX's SDP and keeps the rest", () => {
    const pbx = [
      'v=0',
      'o=pbx 77 3 IN IP4 198.51.100.20',
      's=-',
      'c=IN IP4 198.51.100.20',
      't=0 0',
      'm=audio 40000 RTP/AVP 8',
      '',
    ].join('\r\n');
    const ours = asOurOffer(pbx, { sessionId: 1234, version: 2, address: '192.0.2.1' });
    expect(ours).toBe(pbx.replace('o=pbx 77 3 IN IP4 198.51.100.20', 'o=crocetta 1234 2 IN IP4 192.0.2.1'));
  });
});

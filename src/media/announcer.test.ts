import dgram from 'node:dgram';
import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { RtpSink } from '../../test/support/rtp-sink.js';
import { Announcer } from './announcer.js';
import { PortPool } from './port-pool.js';
import { LocalRtp } from './rtp-engine.js';
import { encodeRecording } from './recording.js';

const RECORDING = encodeRecording(
  'tone',
  Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin(i / 5))),
);

function offerTo(port: number, codecs = '8 0'): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${codecs}`,
    '',
  ].join('\r\n');
}

function freePortBase(): number {
  return 30_000 + 2 * Math.floor(Math.random() * 10_000);
}

describe('Announcer', () => {
  it('answers with MEDIA_ADDRESS and a port of the range, caps concurrency, and returns every port in every path', async () => {
    const low = freePortBase();
    const ports = new PortPool({ low, high: low + 9 }, '127.0.0.1');
    const announcer = new Announcer({
      mediaAddress: '192.0.2.10',
      ports: new LocalRtp(ports),
      maxConcurrent: 3,
      repeat: 1,
      gapMs: 0,
      maxSeconds: 5,
    });
    const caller = await RtpSink.open();
    try {
      const a = await announcer.prepare(offerTo(caller.port), RECORDING);
      const b = await announcer.prepare(offerTo(caller.port), RECORDING);
      const c = await announcer.prepare(offerTo(caller.port), RECORDING);
      expect(await announcer.prepare(offerTo(caller.port), RECORDING)).toEqual({ ok: false, problem: 'busy' });
      if (!a.ok || !b.ok || !c.ok) throw new Error('prepare failed');
      const sdp = parse(a.announcement.answerSdp);
      expect(sdp.connection?.ip).toBe('192.0.2.10');
      expect(sdp.media[0]?.port).toBe(a.announcement.port);
      expect(a.announcement.port % 2).toBe(0);
      expect(a.announcement.port).toBeGreaterThanOrEqual(low);
      expect(ports.inUse).toBe(3);

      // a: played to the end; b: stopped by the caller mid-way; c: never started (e.g. the 183 failed).
      const played = a.announcement.play();
      const stopped = b.announcement.play();
      await caller.waitForPackets(4);
      b.announcement.stop('caller');
      c.announcement.close();
      expect((await stopped).endedBy).toBe('caller');
      expect((await played).endedBy).toBe('completed');
      expect(ports.inUse).toBe(0);
      expect(announcer.active).toBe(0);

      // The freed port can be bound again by anyone.
      const probe = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(a.announcement.port, '127.0.0.1', resolve);
      });
      probe.close();
    } finally {
      await caller.close();
    }
  });

  it('refuses offers it cannot serve without taking a port', async () => {
    const low = freePortBase();
    const ports = new PortPool({ low, high: low + 3 }, '127.0.0.1');
    const announcer = new Announcer({
      mediaAddress: '127.0.0.1',
      ports: new LocalRtp(ports),
      maxConcurrent: 5,
      repeat: 1,
      gapMs: 0,
      maxSeconds: 5,
    });
    expect(await announcer.prepare(offerTo(4000, '18 111'), RECORDING)).toEqual({ ok: false, problem: 'no-g711' });
    expect(await announcer.prepare('', RECORDING)).toEqual({ ok: false, problem: 'no-sdp' });
    expect(ports.inUse).toBe(0);
    expect(announcer.active).toBe(0);
  });

  it('skips ports taken by someone else and says when the range is exhausted', async () => {
    const low = freePortBase();
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(low, '127.0.0.1', r));
    const ports = new PortPool({ low, high: low + 3 }, '127.0.0.1');
    try {
      const first = await ports.acquire();
      expect(first?.port).toBe(low + 2);
      expect(await ports.acquire()).toBeNull();
      first?.release();
      first?.release();
      expect(ports.inUse).toBe(0);
    } finally {
      squatter.close();
    }
  });
});

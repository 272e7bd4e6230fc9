/**
 * A caller's media endpoint for tests and benches: a UDP socket on 127.0.0.1 that records every RTP packet it
 * receives with its arrival time, and can decode the stream back to linear PCM.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { decodeG711, readRtpHeader, type G711, type PlaySpec, type RtpHeader } from '../../src/media/index.js';

export interface ReceivedPacket extends RtpHeader {
  at: number;
  payload: Buffer;
  from: { address: string; port: number };
}

export class RtpSink {
  readonly packets: ReceivedPacket[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      const h = readRtpHeader(msg);
      if (h)
        this.packets.push({
          ...h,
          at: performance.now(),
          payload: msg.subarray(h.payloadOffset),
          from: { address: rinfo.address, port: rinfo.port },
        });
    });
  }

  static async open(): Promise<RtpSink> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpSink(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Linear PCM of the stream, packets in sequence order (16-bit wrap handled from the first packet). */
  decode(codec: G711): Int16Array {
    const first = this.packets[0]?.sequence ?? 0;
    const ordered = [...this.packets].sort((a, b) => ((a.sequence - first) & 0xffff) - ((b.sequence - first) & 0xffff));
    return decodeG711(codec, Buffer.concat(ordered.map((p) => p.payload)));
  }

  /** Sends one RTP packet to `to` from this socket (the caller's own media, for latching). */
  sendTo(to: { address: string; port: number }): Promise<void> {
    const pkt = Buffer.alloc(172, 0xd5);
    pkt[0] = 0x80;
    pkt[1] = 8;
    return new Promise((resolve) => this.socket.send(pkt, to.port, to.address, () => resolve()));
  }

  waitForPackets(n: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.packets.length >= n) resolve();
        else if (Date.now() > until) reject(new Error(`only ${this.packets.length} of ${n} RTP packets arrived`));
        else setTimeout(check, 5);
      };
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * A caller's SDP offer of audio received at 127.0.0.1:`port`: the payload types of the m= line, their attribute
 * lines (rtpmap, fmtp), then 20 ms packets, send and receive.
 */
export function audioOffer(port: number, payloads: string, attributes: readonly string[]): string {
  return [
    'v=0',
    'o=carrier 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`,
    ...attributes,
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** Sinks opened by a test file, closed together after each test. */
export class RtpSinks {
  private readonly open: RtpSink[] = [];

  async add(): Promise<RtpSink> {
    const s = await RtpSink.open();
    this.open.push(s);
    return s;
  }

  async closeAll(): Promise<void> {
    for (const s of this.open.splice(0)) await s.close();
  }
}

/**
 * A stream to `to` for the RTP tests: 1,000 bytes of a known pattern (byte i is i % 251) as PCMA in 20 ms frames
 * (7 packets, the last padded with A-law silence), played once, at most 10 s.
 */
export function testStream(to: RtpSink, over: Partial<PlaySpec> = {}): PlaySpec {
  return {
    remote: { address: '127.0.0.1', port: to.port },
    payloadType: 8,
    audio: Uint8Array.from({ length: 1000 }, (_, i) => i % 251),
    silenceByte: 0xd5,
    ptimeMs: 20,
    repeat: 1,
    gapMs: 0,
    maxMs: 10_000,
    ...over,
  };
}

/** Normalised cross-correlation of `a` and `b` at lag 0 over their common length, in [-1, 1]. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** A short test signal: a 1 s speech-like mix (two tones with a syllable envelope) at `rate` Hz, in [-1, 1]. */
export function testSignal(rate: number, seconds = 1): Float64Array {
  const out = new Float64Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    out[i] = 0.6 * envelope * (0.6 * Math.sin(2 * Math.PI * 440 * t) + 0.4 * Math.sin(2 * Math.PI * 1230 * t + 0.3));
  }
  return out;
}

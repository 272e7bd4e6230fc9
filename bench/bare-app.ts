/**
 * bench/bare-app.ts: the baseline of bench/sip.ts, a drachtio-srf application that does the same SIP actions as
 * crocetta with nothing around them: no caller-ID parsing beyond the From user part, no classification, no
 * register, no logging, no metrics.
 *  - a caller in the refuse set: 607 Unwanted;
 *  - a caller in the announce set: 183 with an SDP answer (PCMA, 20 ms), RTP from a socket of its own for
 *    ANNOUNCE_MS (one setInterval per call, the simple way), then 607;
 *  - anyone else: proxied to PBX_URI with Record-Route, the Request-URI user kept.
 *
 *   node --import tsx bench/bare-app.ts     (started by bench/sip.ts with its environment)
 * Environment: DRACHTIO_HOST, DRACHTIO_PORT, DRACHTIO_SECRET, PBX_URI, REFUSE_FILE and ANNOUNCE_FILE (one number
 * per line, as sent in From), MEDIA_ADDRESS, RTP_PORTS (low-high), ANNOUNCE_MS.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import Srf from 'drachtio-srf';
import { installSipStatusCodes } from '../src/sip/sip-status-codes.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const numbers = (file: string | undefined): Set<string> =>
  new Set(
    file
      ? readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
      : [],
  );

const refuse = numbers(process.env.REFUSE_FILE);
const announce = numbers(process.env.ANNOUNCE_FILE);
const pbx = env('PBX_URI');
const mediaAddress = env('MEDIA_ADDRESS', '127.0.0.1');
const announceMs = Number(env('ANNOUNCE_MS', '10000'));
const [low, high] = env('RTP_PORTS', '31200-31399').split('-').map(Number) as [number, number];
const freePorts: number[] = [];
for (let p = low; p <= high; p++) freePorts.push(p);

type Req = Srf.SrfRequest & {
  proxy(opts: { destination: string; remainInDialog: boolean }): Promise<unknown>;
  on(event: 'cancel', fn: () => void): void;
  body: string;
  uri: string;
};

const fromUser = (from: string): string => /(?:sips?|tel):([^@;>]*)/.exec(from)?.[1] ?? '';
const uriUser = (uri: string): string => /^(?:sips?|tel):([^@;]*)@/.exec(uri)?.[1] ?? '';
const withUser = (uri: string, user: string): string => uri.replace(/^(sips?:)/, `$1${user}@`);

installSipStatusCodes();
const srf = new Srf();
void srf.connect({
  host: env('DRACHTIO_HOST', '127.0.0.1'),
  port: Number(env('DRACHTIO_PORT')),
  secret: env('DRACHTIO_SECRET'),
});
srf.on('connect', (err: Error | null) => {
  if (err) console.error(`bare-app: ${err.message}`);
  else process.send?.('connected');
});
srf.on('error', (err: Error) => console.error(`bare-app: ${err.message}`));

srf.invite((request, res) => {
  const req = request as Req;
  const caller = fromUser(req.get('From') ?? '');
  if (refuse.has(caller)) {
    res.send(607);
    return;
  }
  if (announce.has(caller)) {
    announceEarly(req, res);
    return;
  }
  req
    .proxy({ destination: withUser(pbx, uriUser(req.uri)), remainInDialog: true })
    .catch((err: unknown) => console.error(`bare-app: proxy ${String(err)}`));
});

/** 183 + RTP (PCMA silence, 20 ms) to the offer's address, then 607; a CANCEL stops it. */
function announceEarly(req: Req, res: Srf.SrfResponse): void {
  const remote = /c=IN IP4 (\S+)/.exec(req.body)?.[1];
  const port = Number(/m=audio (\d+)/.exec(req.body)?.[1]);
  if (!remote || !port) {
    res.send(607);
    return;
  }
  void bindFreePort().then((bound) => {
    if (bound === null) res.send(607);
    else play(req, res, remote, port, bound.socket, bound.local);
  });
}

/** A socket on the next free port of the range; a port someone else holds goes to the back of the list. */
async function bindFreePort(): Promise<{ socket: dgram.Socket; local: number } | null> {
  for (let tries = freePorts.length; tries > 0; tries--) {
    const local = freePorts.shift();
    if (local === undefined) return null;
    const socket = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(local, mediaAddress, () => resolve(true));
    });
    if (ok) return { socket, local };
    socket.close();
    freePorts.push(local);
  }
  return null;
}

function play(req: Req, res: Srf.SrfResponse, remote: string, port: number, socket: dgram.Socket, local: number): void {
  const end = (): void => {
    clearInterval(timer);
    socket.close();
    freePorts.push(local);
  };
  socket.on('error', () => undefined);
  const sdp = [
    'v=0',
    `o=- ${local} 1 IN IP4 ${mediaAddress}`,
    's=-',
    `c=IN IP4 ${mediaAddress}`,
    't=0 0',
    `m=audio ${local} RTP/AVP 8`,
    'a=rtpmap:8 PCMA/8000',
    'a=ptime:20',
    'a=sendonly',
    '',
  ].join('\r\n');
  res.send(183, {
    headers: { Contact: `<sip:${uriUser(req.uri)}@${mediaAddress}>`, 'Content-Type': 'application/sdp' },
    body: sdp,
  });
  const packet = Buffer.alloc(172, 0xd5); // A-law silence
  packet[0] = 0x80;
  packet[1] = 8;
  packet.writeUInt32BE(local, 8);
  let seq = 0;
  let ts = 0;
  const stopAt = Date.now() + announceMs;
  let cancelled = false;
  req.on('cancel', () => {
    cancelled = true;
    end();
  });
  const timer = setInterval(() => {
    if (Date.now() >= stopAt) {
      end();
      if (!cancelled) res.send(607);
      return;
    }
    packet.writeUInt16BE(seq++ & 0xffff, 2);
    packet.writeUInt32BE(ts >>> 0, 4);
    ts += 160;
    socket.send(packet, port, remote);
  }, 20);
}

process.on('SIGTERM', () => {
  srf.disconnect();
  process.exit(0);
});

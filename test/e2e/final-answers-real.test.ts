/**
 * Issue 11's defects, against a real drachtio-server: a caller and a PBX made of raw UDP sockets (so a request can
 * be sent again byte for byte, and a Request-URI of any length), crocetta in this process. Needs `drachtio` on PATH;
 * CI has none, so there it is skipped (test/integration/{retransmissions,request-uri,final-answers}.test.ts cover the
 * same behaviours through the double). Ports: a block of 10 free ones in 30700-30799 (or E2E_PORTS), picked at each run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { pendingRequestCount } from '../../src/sip/srf-internals.js';
import type { Attempt } from '../../src/store/register/types.js';
import { startE2eCrocetta } from '../support/e2e-crocetta.js';
import { pickBlock, realTools } from '../support/real-sip-tools.js';

const TOOLS = realTools(['drachtio']);
const SECRET = 'e2e-robust';
const TOKEN = 'e2e-token-0123456789';
const HOST = '127.0.0.1';

interface Sip {
  start: string;
  status: number | null;
  method: string | null;
  get(name: string): string | undefined;
  all(name: string): string[];
}

function parse(raw: string): Sip {
  const head = raw.split('\r\n\r\n')[0] ?? '';
  const lines = head.split('\r\n');
  const start = lines[0] ?? '';
  const headers = lines
    .slice(1)
    .map((l): [string, string] => [
      l.slice(0, l.indexOf(':')).trim().toLowerCase(),
      l.slice(l.indexOf(':') + 1).trim(),
    ]);
  const status = /^SIP\/2\.0 (\d+)/.exec(start)?.[1];
  return {
    start,
    status: status ? Number(status) : null,
    method: status ? null : (start.split(' ')[0] ?? null),
    get: (name) => headers.find(([k]) => k === name)?.[1],
    all: (name) => headers.filter(([k]) => k === name).map(([, v]) => v),
  };
}

/** A UDP endpoint that keeps every SIP message it receives. */
class Endpoint {
  readonly received: Sip[] = [];
  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  static async open(
    port: number,
    onMessage?: (m: Sip, from: dgram.RemoteInfo, self: Endpoint) => void,
  ): Promise<Endpoint> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(port, HOST, () => r()));
    const endpoint = new Endpoint(socket, port);
    socket.on('message', (buf, from) => {
      const m = parse(buf.toString());
      endpoint.received.push(m);
      onMessage?.(m, from, endpoint);
    });
    return endpoint;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text), port, HOST);
  }

  close(): void {
    this.socket.close();
  }
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`e2e: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(TOOLS.missing.length > 0)(`issue 11 through a real drachtio-server${TOOLS.skipped}`, () => {
  let dir = '';
  let drachtio: ChildProcess | undefined;
  let app: Crocetta | undefined;
  let caller: Endpoint;
  let pbx: Endpoint;
  let sipPort = 0;
  let number = 0;

  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(`http://127.0.0.1:${app?.httpPort ?? 0}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return res.json();
  };
  const attempts = async (callerNumber: string): Promise<Attempt[]> => {
    await app?.register.flush();
    return ((await api(`/api/attempts?number=${encodeURIComponent(callerNumber)}`)) as { attempts: Attempt[] })
      .attempts;
  };

  /** A request from a fresh caller number, as raw text. */
  function request(
    method: 'INVITE' | 'MESSAGE',
    opts: { user: string; host?: string; to?: string },
  ): { text: string; callId: string; from: string } {
    const from = `+39347${String(5000000 + number++).padStart(7, '0')}`;
    const callId = `${randomBytes(8).toString('hex')}@e2e`;
    const body =
      method === 'INVITE'
        ? `v=0\r\no=c 1 1 IN IP4 ${HOST}\r\ns=-\r\nc=IN IP4 ${HOST}\r\nt=0 0\r\nm=audio ${caller.port + 1} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`
        : 'Ci richiami';
    const text = [
      `${method} sip:${opts.user}@${opts.host ?? `${HOST}:${sipPort}`} SIP/2.0`,
      `Via: SIP/2.0/UDP ${HOST}:${caller.port};branch=z9hG4bK${randomBytes(8).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${from}@${HOST}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${opts.to ?? opts.user}@${HOST}>`,
      `Call-ID: ${callId}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:${from}@${HOST}:${caller.port}>`,
      `Content-Type: ${method === 'INVITE' ? 'application/sdp' : 'text/plain'}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    return { text, callId, from };
  }

  const toCaller = (callId: string): Sip[] => caller.received.filter((m) => m.get('call-id') === callId);
  const atPbx = (callId: string, method: string): Sip[] =>
    pbx.received.filter((m) => m.method === method && m.get('call-id') === callId);

  beforeAll(async () => {
    // A block of 10 (the caller's SDP names the port above its own).
    const base = await pickBlock(10, [HOST], 30_700, 30_800);
    const [admin, sip, callerPort, pbxPort] = [base, base + 1, base + 2, base + 4];
    sipPort = sip;
    dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-robust-'));
    writeFileSync(
      join(dir, 'drachtio.conf.xml'),
      `<drachtio><admin port="${admin}" secret="${SECRET}">${HOST}</admin><cdrs>true</cdrs>
<sip><contacts><contact>sip:${HOST}:${sip};transport=udp</contact></contacts></sip>
<logging><file><name>${join(dir, 'drachtio.log')}</name><archive>${dir}</archive><size>10</size><maxFiles>1</maxFiles></file>
<sofia-loglevel>1</sofia-loglevel><loglevel>info</loglevel></logging></drachtio>`,
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_')));
    drachtio = spawn('drachtio', ['-f', join(dir, 'drachtio.conf.xml')], { env, stdio: 'ignore' });

    // The PBX: 100, 180 and 200 to an INVITE (ringing only, for a user ending in "ring"), 202 to a MESSAGE, 200
    // and 487 to a CANCEL, 200 to a BYE.
    pbx = await Endpoint.open(pbxPort, (m, from, self) => {
      if (m.method === null) return;
      const reply = (status: string, extra: string[] = []): string =>
        [
          `SIP/2.0 ${status}`,
          ...m.all('via').map((v) => `Via: ${v}`),
          `From: ${m.get('from')}`,
          `To: ${m.get('to')}${m.get('to')?.includes('tag=') ? '' : ';tag=pbx'}`,
          `Call-ID: ${m.get('call-id')}`,
          `CSeq: ${m.get('cseq')}`,
          ...m.all('record-route').map((r) => `Record-Route: ${r}`),
          ...extra,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      if (m.method === 'INVITE') {
        self.send(reply('100 Trying'), from.port);
        self.send(reply('180 Ringing', [`Contact: <sip:pbx@${HOST}:${pbxPort}>`]), from.port);
        if (!/^INVITE sip:[^@]*ring@/.test(m.start))
          self.send(reply('200 OK', [`Contact: <sip:pbx@${HOST}:${pbxPort}>`]), from.port);
      } else if (m.method === 'MESSAGE') self.send(reply('202 Accepted'), from.port);
      else if (m.method === 'CANCEL') {
        self.send(reply('200 OK'), from.port);
        const invite = self.received.find((x) => x.method === 'INVITE' && x.get('call-id') === m.get('call-id'));
        if (invite) {
          self.send(
            [
              `SIP/2.0 487 Request Terminated`,
              ...invite.all('via').map((v) => `Via: ${v}`),
              `From: ${invite.get('from')}`,
              `To: ${invite.get('to')};tag=pbx`,
              `Call-ID: ${invite.get('call-id')}`,
              `CSeq: ${invite.get('cseq')}`,
              'Content-Length: 0',
              '',
              '',
            ].join('\r\n'),
            from.port,
          );
        }
      } else if (m.method === 'BYE') self.send(reply('200 OK'), from.port);
    });
    caller = await Endpoint.open(callerPort);

    app = await startE2eCrocetta({
      dir,
      adminPort: admin,
      secret: SECRET,
      token: TOKEN,
      pbxUri: `sip:${HOST}:${pbxPort}`,
      host: HOST,
    });
  }, 30_000);

  afterAll(async () => {
    await app?.stop().catch(() => undefined);
    caller?.close();
    pbx?.close();
    if (drachtio && drachtio.exitCode === null) {
      drachtio.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (drachtio.exitCode === null) drachtio.kill('SIGKILL');
    }
    if (process.env.E2E_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('an INVITE sent again after the PBX answered 200 is absorbed: one INVITE to the PBX, one attempt', async () => {
    const invite = request('INVITE', { user: '0612345001' });
    caller.send(invite.text, sipPort);
    const ok = await until(() => toCaller(invite.callId).find((m) => m.status === 200));
    caller.send(invite.text, sipPort); // the 200 "was lost": the same bytes again
    await new Promise((r) => setTimeout(r, 1500));
    expect(atPbx(invite.callId, 'INVITE')).toHaveLength(1);
    // drachtio's own 100 Trying for the copy, then nothing: no second 180/200 from a second proxying.
    expect(toCaller(invite.callId).map((m) => m.status)).toEqual([100, 180, 200, 100]);
    expect(await attempts(invite.from)).toHaveLength(1);
    const contact = /<([^>]+)>/.exec(ok.get('contact') ?? '')?.[1] ?? '';
    const route = ok
      .all('record-route')
      .reverse()
      .map((r) => `Route: ${r}`);
    caller.send(
      [
        `ACK ${contact} SIP/2.0`,
        `Via: SIP/2.0/UDP ${HOST}:${caller.port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        'Max-Forwards: 70',
        `From: ${ok.get('from')}`,
        `To: ${ok.get('to')}`,
        `Call-ID: ${invite.callId}`,
        'CSeq: 1 ACK',
        ...route,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      sipPort,
    );
  });

  it('a MESSAGE sent again after drachtio forgot its proxy (Timer K, 5 s) gets the same 202, and reaches the PBX once', async () => {
    const message = request('MESSAGE', { user: '0612345001' });
    caller.send(message.text, sipPort);
    await until(() => toCaller(message.callId).find((m) => m.status === 202));
    await new Promise((r) => setTimeout(r, 6000));
    caller.send(message.text, sipPort);
    await until(() => (toCaller(message.callId).filter((m) => m.status === 202).length === 2 ? true : undefined));
    expect(atPbx(message.callId, 'MESSAGE')).toHaveLength(1);
    expect(await attempts(message.from)).toHaveLength(1);
  }, 15_000);

  it('a 300-character Request-URI is refused 414 at once; a junk user addressed to drachtio reaches the PBX as our DID', async () => {
    const long = request('INVITE', { user: `${'0'.repeat(37)}${'A'.repeat(263)}`, to: '0612345001' });
    caller.send(long.text, sipPort);
    expect((await until(() => toCaller(long.callId).find((m) => (m.status ?? 0) >= 200))).status).toBe(414);
    expect(atPbx(long.callId, 'INVITE')).toHaveLength(0);

    const junk = request('INVITE', { user: `${'%22x'.repeat(40)}`, to: '0612345001' });
    caller.send(junk.text, sipPort);
    await until(() => toCaller(junk.callId).find((m) => m.status === 200));
    expect(atPbx(junk.callId, 'INVITE')[0]?.start).toMatch(/^INVITE sip:\+390612345001@/);
  });

  it('a caller who cancels while the PBX rings ends as cancelled and holds no drachtio-srf callback', async () => {
    const invite = request('INVITE', { user: '0612345ring' });
    caller.send(invite.text, sipPort);
    await until(() => toCaller(invite.callId).find((m) => m.status === 180));
    const cancel = invite.text
      .split('\r\n\r\n')[0]
      ?.replace(/^INVITE/, 'CANCEL')
      .replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL')
      .replace(/Content-Type:[^\r]*\r\n/, '')
      .replace(/Content-Length: \d+/, 'Content-Length: 0');
    caller.send(`${cancel}\r\n\r\n`, sipPort);
    expect((await until(() => toCaller(invite.callId).find((m) => (m.status ?? 0) >= 300))).status).toBe(487);
    const row = await until(async () => (await attempts(invite.from)).find((a) => a.outcome === 'cancelled'));
    expect(row.finalStatus).toBe(487);
    if (!app) throw new Error('e2e: crocetta is not running');
    expect(pendingRequestCount(app.sip.srf)).toBe(0);
  });
});

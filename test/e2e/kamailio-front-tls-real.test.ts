/**
 * The Kamailio front recipe with the carrier over TLS, with real software: the real Kamailio
 * (docs/pbx/kamailio-front.cfg with LISTEN_TLS, its tls module reading a tls.cfg made from
 * docs/pbx/kamailio-front-tls.cfg with a certificate made here by `openssl`) on 127.0.0.3, in front of a real
 * drachtio-server on 127.0.0.2 (UDP and TCP) with crocetta, the PBX played by sipp on 127.0.0.4 (UDP), and the carrier
 * by a TLS client (test/support/tls-sip-client.ts: Debian's sipp has no TLS) on 127.0.0.1, which checks the front's
 * certificate. A caller on the front's own list gets Kamailio's 607 and never reaches crocetta; a caller crocetta has
 * marked but the front's list does not gets crocetta's 607, its mark removed; an unknown caller reaches the PBX, and
 * the ACK and BYE go back through the front's two Record-Routes (the TLS side, the pair's side) and drachtio-server;
 * the PBX's BYE reaches the carrier over its own TLS connection. The pair over UDP, and over TCP (a second front).
 * Skipped, with the reason, where Kamailio, its tls module, drachtio-server, sipp or openssl is not installed. Ports:
 * free ones in 29600-29799 (or E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { REFUSAL_MARK } from '../../src/sip/verdict-to-sip.js';
import { eventually } from '../support/crocetta-harness.js';
import { attemptsOf, stopE2e } from '../support/e2e-crocetta.js';
import {
  CARRIER,
  KAMAILIO,
  PAIR,
  PBX,
  TOKEN,
  startPairCrocetta,
  startPairDrachtio,
} from '../support/kamailio-front-pair.js';
import {
  REPO_ROOT,
  kamailioModule,
  pickPorts,
  realTools,
  startKamailioFront,
  type RealDrachtio,
  type RealKamailio,
} from '../support/real-sip-tools.js';
import { scenarioRunner } from '../support/scenario-runner.js';
import { header, headers, inDialog, okTo, TlsSipClient, type SipMessage } from '../support/tls-sip-client.js';

const TOOLS = realTools(['kamailio', 'kamcmd', 'drachtio', 'sipp', 'openssl']);
const TLS_MODULE = kamailioModule('tls');
const MISSING = [...TOOLS.missing, ...(TLS_MODULE === null ? ["Kamailio's tls module"] : [])];
const SKIPPED =
  TOOLS.missing.length > 0
    ? TOOLS.skipped
    : TLS_MODULE === null
      ? " (skipped: Kamailio's tls module not installed (Debian: apt install kamailio-tls-modules))"
      : '';

/** On the front's list (its htable) and on crocetta's: Kamailio refuses it. */
const LISTED = '+390298765501';
/** Marked on crocetta after the list was exported: the front lets it through, crocetta refuses it. */
const MARKED_LATER = '+390298765502';

describe.skipIf(MISSING.length > 0)(`the real Kamailio front with the carrier over TLS${SKIPPED}`, () => {
  let dir = '';
  let ca = '';
  let drachtio: RealDrachtio | undefined;
  let udpFront: RealKamailio | undefined;
  let tcpFront: RealKamailio | undefined;
  let app: Crocetta | undefined;
  let port = {
    udpFront: 0,
    udpFrontTls: 0,
    tcpFront: 0,
    tcpFrontTls: 0,
    pbx: 0,
    sip: 0,
    shortFront: 0,
    shortFrontTls: 0,
  };
  let seq = 0;
  const sipp = scenarioRunner(() => dir);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-kamailio-tls-'));
    const taken = new Set<number>();
    const [admin = 0, sip = 0, udpFrontPort = 0, udpFrontTls = 0, tcpFrontPort = 0, tcpFrontTls = 0, pbx = 0] =
      await pickPorts(7, [CARRIER, PAIR, KAMAILIO, PBX], 29_600, 29_800, taken);
    const [shortFront = 0, shortFrontTls = 0] = await pickPorts(2, [KAMAILIO], 29_600, 29_800, taken);
    port = {
      udpFront: udpFrontPort,
      udpFrontTls,
      tcpFront: tcpFrontPort,
      tcpFrontTls,
      pbx,
      sip,
      shortFront,
      shortFrontTls,
    };

    // The front's certificate, as an operator makes one before a CA signs it: self-signed, naming the address the
    // carrier dials. The carrier's client trusts it as its CA.
    const key = join(dir, 'front-key.pem');
    const cert = join(dir, 'front-cert.pem');
    const made = spawnSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=crocetta-front.test'],
        ...['-addext', `subjectAltName=DNS:crocetta-front.test,IP:${KAMAILIO}`, '-keyout', key, '-out', cert],
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
    ca = readFileSync(cert, 'utf8');
    // The recipe's tls.cfg, its certificate and key put where this test made them, the CAs its client side trusts too.
    const example = readFileSync(join(REPO_ROOT, 'docs/pbx/kamailio-front-tls.cfg'), 'utf8');
    const tlsCfg = join(dir, 'tls.cfg');
    writeFileSync(
      tlsCfg,
      example
        .replace('/etc/kamailio/tls/front-cert.pem', cert)
        .replace('/etc/kamailio/tls/front-key.pem', key)
        .replace('/etc/ssl/certs/ca-certificates.crt', cert),
    );
    expect(readFileSync(tlsCfg, 'utf8')).toContain(`certificate = ${cert}`);
    expect(readFileSync(tlsCfg, 'utf8')).toContain(`ca_list = ${cert}`);

    drachtio = await startPairDrachtio(dir, admin, [sip]);
    // The front's list, as exported before MARKED_LATER was marked: LISTED only.
    for (const name of ['udp-pair', 'tcp-pair']) {
      mkdirSync(join(dir, name, 'db'), { recursive: true });
      writeFileSync(
        join(dir, name, 'db', 'crocetta_nuisance'),
        `key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n${LISTED}:0:0:nuisance:0\n`,
      );
    }
    udpFront = await startKamailioFront(join(dir, 'udp-pair'), {
      listen: { host: KAMAILIO, port: port.udpFront },
      listenTls: { host: KAMAILIO, port: port.udpFrontTls },
      pairs: [`sip:${PAIR}:${sip}`],
      defines: { TLS_CFG: tlsCfg },
    });
    // Kamailio sends TCP only from a TCP socket of its own (LISTEN_TCP).
    tcpFront = await startKamailioFront(join(dir, 'tcp-pair'), {
      listen: { host: KAMAILIO, port: port.tcpFront },
      listenTcp: { host: KAMAILIO, port: port.tcpFront },
      listenTls: { host: KAMAILIO, port: port.tcpFrontTls },
      pairs: [`sip:${PAIR}:${sip};transport=tcp`],
      defines: { TLS_CFG: tlsCfg },
    });
    app = await startPairCrocetta(dir, admin, pbx, [LISTED, MARKED_LATER]);
  }, 30_000);

  afterAll(() => stopE2e({ dir, app, software: [udpFront, tcpFront, drachtio] }));

  /** A TLS connection from the carrier to a front's TLS port, the front's certificate checked. */
  const connectTo = (tlsPort: number): Promise<TlsSipClient> =>
    TlsSipClient.open({ host: KAMAILIO, port: tlsPort, localAddress: CARRIER, ca });

  /** `caller`'s INVITE to `did` on `carrier`'s connection, as a carrier over TLS sends it: its final answer. */
  const offer = async (
    carrier: TlsSipClient,
    tlsPort: number,
    did: string,
    caller: string,
    scheme: 'sip' | 'sips' = 'sip',
  ): Promise<{ final: SipMessage; callId: string; branch: string; ruri: string }> => {
    seq++;
    const callId = `kam-front-tls-${seq}-${Date.now()}@${CARRIER}`;
    const branch = `z9hG4bK-kftls-${seq}-${Date.now()}`;
    // A carrier over TLS names the transport (`;transport=tls`), or asks for TLS on every hop (`sips:`).
    const ruri =
      scheme === 'sips' ? `sips:${did}@${KAMAILIO}:${tlsPort}` : `sip:${did}@${KAMAILIO}:${tlsPort};transport=tls`;
    const sdp = [
      'v=0',
      `o=carrier 53655765 2353687637 IN IP4 ${CARRIER}`,
      's=-',
      `c=IN IP4 ${CARRIER}`,
      't=0 0',
      'm=audio 40000 RTP/AVP 8',
      'a=rtpmap:8 PCMA/8000',
      '',
    ].join('\r\n');
    carrier.send(
      [
        `INVITE ${ruri} SIP/2.0`,
        `Via: SIP/2.0/TLS ${CARRIER}:${carrier.localPort};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:${caller}@carrier.test>;tag=c${seq}`,
        `To: <sip:${did}@${KAMAILIO}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:${caller}@${CARRIER}:${carrier.localPort};transport=tls>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(sdp)}`,
        '',
        sdp,
      ].join('\r\n'),
    );
    const final = await carrier.take(
      (m) => header(m, 'call-id') === callId && (m.status ?? 0) >= 200,
      `final answer to ${caller}`,
    );
    return { final, callId, branch, ruri };
  };

  /** A refusal's ACK, hop by hop: the INVITE's Request-URI and branch, the refusal's To tag (RFC 3261 17.1.1.3). */
  const ackRefusal = (carrier: TlsSipClient, o: Awaited<ReturnType<typeof offer>>): void =>
    carrier.send(
      [
        `ACK ${o.ruri} SIP/2.0`,
        `Via: SIP/2.0/TLS ${CARRIER}:${carrier.localPort};branch=${o.branch};rport`,
        'Max-Forwards: 70',
        `From: ${header(o.final, 'from')}`,
        `To: ${header(o.final, 'to')}`,
        `Call-ID: ${o.callId}`,
        'CSeq: 1 ACK',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );

  /**
   * `caller` rings `did` over TLS through the front whose TLS port is `tlsPort`; the PBX (sipp) answers; the carrier
   * ACKs and hangs up through the route set the 200 gave. Returns the 200.
   */
  const wholeCall = async (
    front: RealKamailio,
    tlsPort: number,
    did: string,
    caller: string,
    scheme: 'sip' | 'sips' = 'sip',
  ): Promise<SipMessage> => {
    const pbx = await sipp.answerer({ scenario: 'pbx-answers-did.xml', at: { host: PBX, port: port.pbx } });
    const carrier = await connectTo(tlsPort);
    let answer: SipMessage;
    try {
      const o = await offer(carrier, tlsPort, did, caller, scheme);
      answer = o.final;
      expect(answer.first, front.log()).toBe('SIP/2.0 200 OK');
      carrier.send(inDialog('ACK', answer, carrier, 1, `${o.branch}-ack`));
      await new Promise((r) => setTimeout(r, 300));
      carrier.send(inDialog('BYE', answer, carrier, 2, `${o.branch}-bye`));
      const byeAnswer = await carrier.take(
        (m) => header(m, 'call-id') === o.callId && header(m, 'cseq') === '2 BYE',
        'answer to the BYE',
      );
      expect(byeAnswer.status, front.log()).toBe(200);
    } finally {
      carrier.close();
    }
    const answered = await pbx.done;
    expect(answered.code, `${answered.out}\n${front.log()}`).toBe(0); // its BYE came, through the same hops
    expect(answered.logs).toContain(`request-uri-user=${did}`);
    const row = await eventually(async () => {
      const rows = await attemptsOf(app, TOKEN, caller);
      return rows[0]?.outcome === 'answered' ? rows[0] : undefined;
    }, 10_000);
    expect(row).toMatchObject({ calledNumber: did, action: 'allow', finalStatus: 200 });
    return answer;
  };

  /** The Record-Routes the front put on an answer: the ones naming its address. */
  const frontRoutes = (answer: SipMessage): string[] =>
    headers(answer, 'record-route')
      .flatMap((v) => v.split(/,(?=\s*<)/))
      .map((v) => v.trim())
      .filter((r) => r.includes(`@${KAMAILIO}:`) || r.includes(`:${KAMAILIO}:`));

  it("a caller on the front's list gets Kamailio's 607 over TLS and never reaches crocetta", async () => {
    if (udpFront === undefined) throw new Error('the front did not start');
    const carrier = await connectTo(port.udpFrontTls);
    try {
      const o = await offer(carrier, port.udpFrontTls, '+390612345681', LISTED);
      expect(o.final.first, udpFront.log()).toBe('SIP/2.0 607 Unwanted');
      ackRefusal(carrier, o);
    } finally {
      carrier.close();
    }
    expect(udpFront.log()).toContain(`crocetta-front: 607 for ${LISTED} (nuisance) from ${CARRIER}`);
    // attemptsOf flushes the register first: a call crocetta had decided would be there.
    expect(await attemptsOf(app, TOKEN, LISTED)).toEqual([]);
  });

  it("a caller crocetta marked after the export (not on the front's list) gets crocetta's 607 over TLS, without the mark", async () => {
    if (udpFront === undefined) throw new Error('the front did not start');
    const carrier = await connectTo(port.udpFrontTls);
    try {
      const o = await offer(carrier, port.udpFrontTls, '+390612345682', MARKED_LATER);
      expect(o.final.first, udpFront.log()).toBe('SIP/2.0 607 Unwanted');
      // The mark is a word between crocetta and its front (onreply_route[CROCETTA_REPLY]).
      expect(header(o.final, REFUSAL_MARK.toLowerCase())).toBeUndefined();
      ackRefusal(carrier, o);
    } finally {
      carrier.close();
    }
    expect(udpFront.log()).not.toContain(`crocetta-front: 607 for ${MARKED_LATER}`);
    const rows = await attemptsOf(app, TOKEN, MARKED_LATER);
    expect(rows.map((r) => [r.calledNumber, r.verdict, r.finalStatus])).toContainEqual([
      '+390612345682',
      'nuisance',
      607,
    ]);
  });

  it("an unknown caller over TLS, the pair over UDP: answered by the PBX, the ACK and BYE through the front's TLS and UDP Record-Routes", async () => {
    if (udpFront === undefined) throw new Error('the front did not start');
    const answer = await wholeCall(udpFront, port.udpFrontTls, '+390612345683', '+390255566683');
    // Kamailio records both sides when it switches transport: the carrier's (TLS) and the pair's (UDP).
    const routes = frontRoutes(answer);
    expect(routes, headers(answer, 'record-route').join('\n')).toHaveLength(2);
    expect(routes.some((r) => r.includes(`${KAMAILIO}:${port.udpFrontTls};transport=tls`))).toBe(true);
    expect(routes.some((r) => r.includes(`${KAMAILIO}:${port.udpFront}`) && !r.includes('transport='))).toBe(true);
  });

  it("an unknown caller over TLS, the pair over TCP: answered by the PBX, the ACK and BYE through the front's TLS and TCP Record-Routes", async () => {
    if (tcpFront === undefined) throw new Error('the front did not start');
    const answer = await wholeCall(tcpFront, port.tcpFrontTls, '+390612345684', '+390255566684');
    const routes = frontRoutes(answer);
    expect(routes, headers(answer, 'record-route').join('\n')).toHaveLength(2);
    expect(routes.some((r) => r.includes(`${KAMAILIO}:${port.tcpFrontTls};transport=tls`))).toBe(true);
    expect(routes.some((r) => r.includes(`${KAMAILIO}:${port.tcpFront};transport=tcp`))).toBe(true);
  });

  it('a sips: Request-URI from the carrier, the pair over UDP: answered by the PBX, hung up', async () => {
    if (udpFront === undefined) throw new Error('the front did not start');
    await wholeCall(udpFront, port.udpFrontTls, '+390612345686', '+390255566686', 'sips');
  });

  it("the PBX hangs up first: its BYE reaches the carrier over the carrier's own TLS connection", async () => {
    if (udpFront === undefined) throw new Error('the front did not start');
    const pbx = await sipp.answerer({ scenario: 'pbx-hangs-up.xml', at: { host: PBX, port: port.pbx } });
    const carrier = await connectTo(port.udpFrontTls);
    try {
      const o = await offer(carrier, port.udpFrontTls, '+390612345685', '+390255566685');
      expect(o.final.first, udpFront.log()).toBe('SIP/2.0 200 OK');
      carrier.send(inDialog('ACK', o.final, carrier, 1, `${o.branch}-ack`));
      const bye = await carrier.take(
        (m) => m.first.startsWith('BYE ') && header(m, 'call-id') === o.callId,
        "the PBX's BYE",
      );
      expect(bye.first).toBe(`BYE sip:+390255566685@${CARRIER}:${carrier.localPort};transport=tls SIP/2.0`);
      carrier.send(okTo(bye));
    } finally {
      carrier.close();
    }
    const hungUp = await pbx.done;
    expect(hungUp.code, `${hungUp.out}\n${udpFront.log()}`).toBe(0); // its scenario ends on the 200 to its BYE
  });

  it("keeps a carrier's idle connection open 3605 s (TCP_LIFETIME), over TCP and over TLS, where Kamailio's own 120 s and 600 s would end it in a quiet call", () => {
    const rpc = (command: string) =>
      spawnSync('kamcmd', ['-s', `unix:${join(dir, 'tcp-pair', 'run', 'ctl')}`, command], { encoding: 'utf8' });
    const tcp = rpc('core.tcp_options');
    expect(tcp.stdout, tcp.stderr).toMatch(/^\s*connection_lifetime: 3605$/m);
    const tls = rpc('tls.options');
    expect(tls.stdout, tls.stderr).toMatch(/^\s*connection_timeout: 3605$/m);
  });

  it("with a connection lifetime shorter than a quiet call (TCP_LIFETIME=2 here, as Kamailio's own 600 s for a longer call), the front closes the carrier's TLS connection and the PBX's BYE never reaches the carrier", async () => {
    mkdirSync(join(dir, 'short', 'db'), { recursive: true });
    const front = await startKamailioFront(join(dir, 'short'), {
      listen: { host: KAMAILIO, port: port.shortFront },
      listenTls: { host: KAMAILIO, port: port.shortFrontTls },
      pairs: [`sip:${PAIR}:${port.sip}`],
      defines: { TLS_CFG: join(dir, 'tls.cfg'), TCP_LIFETIME: 2 },
    });
    try {
      const pbx = await sipp.answerer({
        scenario: 'pbx-hangs-up-after-20s.xml',
        at: { host: PBX, port: port.pbx },
        timeoutSeconds: 40,
      });
      const carrier = await connectTo(port.shortFrontTls);
      let closedAt = 0;
      carrier.socket.once('close', () => (closedAt = Date.now()));
      try {
        const o = await offer(carrier, port.shortFrontTls, '+390612345687', '+390255566687');
        expect(o.final.first, front.log()).toBe('SIP/2.0 200 OK');
        carrier.send(inDialog('ACK', o.final, carrier, 1, `${o.branch}-ack`));
        const acked = Date.now();
        // Closed by the front, the connection idle for TCP_LIFETIME (the timer's rounds: ~11 s for 2, 7 Dec 2026),
        // before the PBX hangs up, 20 s after its 200.
        await eventually(() => (closedAt > 0 ? true : undefined), 19_000).catch(() => undefined);
        expect(closedAt, `the front closes the idle connection\n${front.log()}`).toBeGreaterThan(0);
        expect(closedAt - acked).toBeLessThan(19_000);
        // The PBX's BYE: the front, with no connection to the carrier, connects to its Contact (the port the carrier
        // connected from, closed) and is refused; the PBX gets tm's 477, the carrier nothing.
        const hungUp = await pbx.done;
        expect(hungUp.code, hungUp.out).not.toBe(0);
        expect(hungUp.out).toContain('477 Unfortunately error on sending to next hop occurred');
        expect(front.log()).toMatch(new RegExp(`connect ${CARRIER}:${carrier.localPort} failed .*Connection refused`));
      } finally {
        carrier.close();
      }
    } finally {
      await front.stop();
    }
  });
});

/**
 * The carrier's calls over TLS (SIPS, RFC 3261 §26.2) with real SIP software: a real drachtio-server listening on a
 * TLS contact with a certificate (made here by `openssl`, self-signed, as an operator does before a carrier's CA
 * signs one), crocetta, and the carrier played by a TLS client (test/support/tls-sip-client.ts: Debian's sipp is
 * built without TLS). A marked caller gets 607 over the TLS connection; an unknown one is proxied to the PBX (sipp
 * over UDP), answered, then ACK and BYE travel crocetta's record-route back over TLS, and the register has the
 * answered call with its talk time. crocetta has no transport-specific code: this is what shows the README's claim
 * for TLS.
 * Needs `drachtio`, `sipp` and `openssl` on PATH: CI has no drachtio-server, so there it is skipped.
 * Ports: a block of 10 free ones in 28700-28799 (or E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import type { Attempt } from '../../src/store/register/types.js';
import { eventually } from '../support/crocetta-harness.js';
import { pickBlock, realTools, startDrachtio, type RealDrachtio } from '../support/real-sip-tools.js';
import { startE2eCrocetta, stopE2e } from '../support/e2e-crocetta.js';
import { scenarioRunner } from '../support/scenario-runner.js';
import { header, headers, inDialog, okTo, TlsSipClient, type SipMessage } from '../support/tls-sip-client.js';

const TOOLS = realTools(['drachtio', 'sipp', 'openssl']);

/** Where each one listens, laid out in a block of 10 free ports (pickBlock: in 28700-28799, or E2E_PORTS). */
const layout = (base: number) => ({
  admin: base,
  /** drachtio-server's TLS contact; its UDP contact (the PBX's side) is the port below. */
  tls: { host: '127.0.0.1', port: base + 2 },
  pbx: { host: '127.0.0.3', port: base + 3 },
  /** The carrier's RTP port, as its SDP offers it (nothing listens). */
  carrierMedia: base + 5,
});
let ADDR = layout(0);
const CARRIER_HOST = '127.0.0.5';
const SECRET = 'e2e-tls-trunk-secret';
const TOKEN = 'e2e-tls-trunk-token-0123';

/** The carrier's TLS connection to drachtio-server's TLS contact, from the carrier's own address (127.0.0.5). */
const openCarrier = (ca: string): Promise<TlsSipClient> =>
  TlsSipClient.open({
    host: ADDR.tls.host,
    port: ADDR.tls.port,
    localAddress: CARRIER_HOST,
    ca,
    servername: 'localhost',
  });

/** Offers a call on the carrier's connection (an INVITE: invite()); its final answer. */
function offer(carrier: TlsSipClient, o: Parameters<typeof invite>[1]): Promise<SipMessage> {
  carrier.send(invite(carrier, o));
  return carrier.take((m) => (m.status ?? 0) >= 200, 'final answer');
}

function invite(carrier: TlsSipClient, o: { did: string; caller: string; callId: string; branch: string }): string {
  const sdp = [
    'v=0',
    `o=carrier 53655765 2353687637 IN IP4 ${CARRIER_HOST}`,
    's=-',
    `c=IN IP4 ${CARRIER_HOST}`,
    't=0 0',
    `m=audio ${ADDR.carrierMedia} RTP/AVP 8`,
    'a=rtpmap:8 PCMA/8000',
    '',
  ].join('\r\n');
  return [
    `INVITE sips:${o.did}@${ADDR.tls.host}:${ADDR.tls.port} SIP/2.0`,
    `Via: SIP/2.0/TLS ${CARRIER_HOST}:${carrier.localPort};branch=${o.branch};rport`,
    'Max-Forwards: 70',
    `From: "Cliente" <sips:${o.caller}@carrier.test>;tag=carrier-${o.callId}`,
    `To: <sips:${o.did}@carrier.test>`,
    `Call-ID: ${o.callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sips:${o.caller}@${CARRIER_HOST}:${carrier.localPort};transport=tls>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

describe.skipIf(TOOLS.missing.length > 0)(
  `the carrier's calls over TLS through a real drachtio-server${TOOLS.skipped}`,
  () => {
    let dir = '';
    let ca = '';
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;
    const sipp = scenarioRunner(() => dir);

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${app?.httpPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return res.json() as Promise<Record<string, unknown>>;
    };

    /** The caller's latest attempt once its talk time (from drachtio-server's call record) is in the register. */
    const talked = (number: string) =>
      eventually(async () => {
        await app?.register.flush();
        const path = `/api/attempts?number=${encodeURIComponent(number)}`;
        const { attempts } = (await api('GET', path)) as { attempts: Attempt[] };
        return attempts[0]?.talkMs != null ? attempts[0] : undefined;
      }, 10_000);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-tls-'));
      ADDR = layout(await pickBlock(10, ['127.0.0.1', '127.0.0.3', CARRIER_HOST], 28_700, 28_800));
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      const files = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { encoding: 'utf8' },
      );
      if (files.status !== 0) throw new Error(`openssl req failed: ${files.stderr}`);
      ca = readFileSync(cert, 'utf8');
      drachtio = await startDrachtio(dir, { admin: ADDR.admin, sip: ADDR.tls.port }, SECRET, {
        cdrs: true,
        sip: `<contacts>
          <contact>sips:${ADDR.tls.host}:${ADDR.tls.port};transport=tls</contact>
          <contact>sip:${ADDR.tls.host}:${ADDR.tls.port - 1};transport=udp</contact>
        </contacts>
        <tls><key-file>${key}</key-file><cert-file>${cert}</cert-file><chain-file>${cert}</chain-file></tls>`,
      });
      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.admin,
        secret: SECRET,
        token: TOKEN,
        pbxUri: `sip:${ADDR.pbx.host}:${ADDR.pbx.port}`,
      });
    }, 30_000);

    afterAll(() => stopE2e({ dir, app, software: [drachtio] }), 30_000);

    it('refuses a caller marked nuisance with 607 over the TLS connection', async () => {
      await api('POST', '/api/numbers/%2B390287176900/mark', { label: 'nuisance', company: 'Example Energia' });
      const carrier = await openCarrier(ca);
      try {
        const branch = 'z9hG4bK-tls-refused';
        const final = await offer(carrier, {
          did: '0255550100',
          caller: '+390287176900',
          callId: 'tls-refused',
          branch,
        });
        expect(final.first).toBe('SIP/2.0 607 Unwanted');
        // The ACK of a refusal is hop by hop: the INVITE's Request-URI and branch, the refusal's To tag.
        carrier.send(
          [
            `ACK sips:0255550100@${ADDR.tls.host}:${ADDR.tls.port} SIP/2.0`,
            `Via: SIP/2.0/TLS ${CARRIER_HOST}:${carrier.localPort};branch=${branch};rport`,
            'Max-Forwards: 70',
            `From: ${header(final, 'from')}`,
            `To: ${header(final, 'to')}`,
            'Call-ID: tls-refused',
            'CSeq: 1 ACK',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        );
      } finally {
        carrier.close();
      }
      const { attempts } = (await api('GET', '/api/attempts?number=%2B390287176900')) as { attempts: Attempt[] };
      expect(attempts[0]).toMatchObject({ verdict: 'nuisance', action: 'reject:607', finalStatus: 607 });
    });

    it('forwards an unknown caller to the PBX; the ACK and BYE come back over TLS through the record-route; the register has the talk time', async () => {
      const pbx = await sipp.answerer({ scenario: 'pbx-answers-did.xml', at: ADDR.pbx });
      const carrier = await openCarrier(ca);
      try {
        const answer = await offer(carrier, {
          did: '0255550100',
          caller: '+393331234567',
          callId: 'tls-answered',
          branch: 'z9hG4bK-tls-a1',
        });
        expect(answer.first).toBe('SIP/2.0 200 OK');
        // drachtio-server record-routes with the PBX leg's transport only (one Record-Route, its UDP contact): the
        // ACK and BYE below keep to the TLS connection with that route, and drachtio-server takes them as its own.
        expect(headers(answer, 'record-route')).toEqual([`<sip:${ADDR.tls.host}:${ADDR.tls.port - 1};lr>`]);
        carrier.send(inDialog('ACK', answer, carrier, 1, 'z9hG4bK-tls-a2'));
        await new Promise((r) => setTimeout(r, 300));
        carrier.send(inDialog('BYE', answer, carrier, 2, 'z9hG4bK-tls-a3'));
        const byeAnswer = await carrier.take((m) => header(m, 'cseq') === '2 BYE', 'answer to the BYE');
        expect(byeAnswer.status).toBe(200);
      } finally {
        carrier.close();
      }
      const answered = await pbx.done;
      expect(answered.code, answered.out).toBe(0);
      expect(answered.logs).toContain('request-uri-user=0255550100');
      const row = await talked('+393331234567');
      expect(row).toMatchObject({
        calledNumber: '+390255550100',
        action: 'allow',
        outcome: 'answered',
        finalStatus: 200,
      });
      expect(row.talkMs).toBeGreaterThan(0);
    });

    it("hands the PBX's BYE to the carrier over the same TLS connection when the office hangs up first", async () => {
      const pbx = await sipp.answerer({ scenario: 'pbx-hangs-up.xml', at: ADDR.pbx });
      const carrier = await openCarrier(ca);
      try {
        const answer = await offer(carrier, {
          did: '0255550101',
          caller: '+393337654321',
          callId: 'tls-hangup',
          branch: 'z9hG4bK-tls-h1',
        });
        expect(answer.first).toBe('SIP/2.0 200 OK');
        carrier.send(inDialog('ACK', answer, carrier, 1, 'z9hG4bK-tls-h2'));
        const bye = await carrier.take((m) => m.first.startsWith('BYE '), "the PBX's BYE");
        expect(bye.first).toMatch(/^BYE sips:\+393337654321@127\.0\.0\.5:\d+;transport=tls SIP\/2\.0$/);
        carrier.send(okTo(bye));
      } finally {
        carrier.close();
      }
      const hungUp = await pbx.done;
      expect(hungUp.code, hungUp.out).toBe(0); // the PBX's scenario ends on the 200 to its BYE
      const row = await talked('+393337654321');
      expect(row).toMatchObject({ calledNumber: '+390255550101', action: 'allow', outcome: 'answered' });
      expect(row.talkMs).toBeGreaterThan(0);
    });
  },
);

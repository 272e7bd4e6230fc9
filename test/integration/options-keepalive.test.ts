/**
 * Carriers' keepalives and PBXs' qualify (Asterisk's `qualify_frequency`, 3CX, FRITZ!Box) send OPTIONS to crocetta's
 * address: crocetta answers 200 (drachtio-server alone answers 503, which SBCs take for a trunk that is down), and an
 * OPTIONS is not a call: nothing is registered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.double.waitForRoutes(['options']);
});
afterAll(async () => {
  await h.stop();
});

const options = (from: string) =>
  [
    'OPTIONS sip:127.0.0.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-qualify-1;rport',
    'Max-Forwards: 70',
    `From: <sip:${from}@192.168.1.10>;tag=q1`,
    'To: <sip:127.0.0.1:5060>',
    `Call-ID: qualify-${from}@192.168.1.10`,
    'CSeq: 1 OPTIONS',
    'User-Agent: Asterisk PBX 20.5.0',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('OPTIONS', () => {
  it('answers 200 with what crocetta accepts, and registers nothing', async () => {
    const q = h.double.injectRequest(options('asterisk'), { source: { address: '192.168.1.10', port: 5060 } });
    const res = await q.waitForFinal();
    expect(res.status).toBe(200);
    expect(res.headers.allow?.[0]).toContain('INVITE');
    await h.app.register.flush();
    expect(((await h.api('GET', '/api/attempts')).json as { attempts: unknown[] }).attempts).toEqual([]);
  });
});

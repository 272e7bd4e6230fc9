/**
 * Carriers' keepalives and PBXs' qualify (Asterisk's `qualify_frequency`, 3CX, FRITZ!Box) send OPTIONS to crocetta's
 * address: crocetta answers 200 (drachtio-server alone answers 503, which SBCs take for a trunk that is down), and an
 * OPTIONS is not a call: nothing is registered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { PBX_PASSWORD, PBX_USER } from '../support/pbx-registration.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
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
    h = await startHarness();
    await h.double.waitForRoutes(['options']);
    const q = h.double.injectRequest(options('asterisk'), { source: { address: '192.168.1.10', port: 5060 } });
    const res = await q.waitForFinal();
    expect(res.status).toBe(200);
    // UPDATE and INFO pass through a forwarded call (drachtio-server's proxy, the B2BUA's relay): allowed too.
    expect(res.headers.allow).toEqual(['INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, MESSAGE']);
    await h.app.register.flush();
    expect(((await h.api('GET', '/api/attempts')).json as { attempts: unknown[] }).attempts).toEqual([]);
  });

  it('says REGISTER when the PBX registers to crocetta, and not MESSAGE when messages are not screened', async () => {
    h = await startHarness(
      { PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD },
      { configure: (config) => void (config.messages.screen = false) },
    );
    await h.double.waitForRoutes(['options', 'register']);
    const q = h.double.injectRequest(options('fritzbox'), { source: { address: '192.168.1.10', port: 5060 } });
    const res = await q.waitForFinal();
    expect(res.status).toBe(200);
    expect(res.headers.allow).toEqual(['INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, REGISTER']);
  });
});

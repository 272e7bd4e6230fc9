/**
 * sendAnswer (src/sip/srf-internals.ts) with the real drachtio-srf against the drachtio double: a response is told
 * sent (OK) or refused (NOK, the caller's CANCEL came first) without drachtio-srf parsing the copy of the sent
 * response drachtio-server echoes back, and with no headers object when there are no headers.
 */
import { createRequire } from 'node:module';
import Srf from 'drachtio-srf';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installSipStatusCodes } from '../../src/sip/sip-status-codes.js';
import { sendAnswer } from '../../src/sip/srf-internals.js';
import { DrachtioDouble, buildInvite } from '../support/drachtio-double.js';

const SECRET = 'cymru';
const require = createRequire(import.meta.url);
// drachtio-srf's SIP parser, as its SipMessage calls it (a property read at each call: spied on below).
const parser = require('drachtio-srf/lib/sip-parser/parser.js') as { parseSipMessage: (raw: string) => unknown };
// The constructor DrachtioAgent#sendMessage copies a response with when a send has a headers object.
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as { prototype: { toString(): string } };

const apps: Srf[] = [];
const doubles: DrachtioDouble[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const srf of apps.splice(0)) {
    try {
      srf.disconnect();
    } catch {
      /* already disconnected */
    }
  }
  for (const double of doubles.splice(0)) await double.stop();
});

type Handler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

async function appWith(handler: Handler): Promise<DrachtioDouble> {
  const double = await DrachtioDouble.start({ secret: SECRET });
  doubles.push(double);
  installSipStatusCodes(); // 607 and 608, as crocetta's app does
  const srf = new Srf();
  srf.on('error', () => undefined);
  srf.invite(handler);
  void srf.connect({ host: '127.0.0.1', port: double.port, secret: SECRET });
  apps.push(srf);
  await double.waitForRoutes(['invite']);
  return double;
}

function invite(double: DrachtioDouble) {
  return double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
}

describe('sendAnswer', () => {
  it("resolves once drachtio-server sent the response, without parsing drachtio-server's echo of it", async () => {
    let told: Promise<string> | undefined;
    let parsedAfterSend = -1;
    const parse = vi.spyOn(parser, 'parseSipMessage');
    const double = await appWith((_req, res) => {
      const before = parse.mock.calls.length;
      told = sendAnswer(res, 607, 'Unwanted', { headers: {} }).then(
        () => {
          parsedAfterSend = parse.mock.calls.length - before;
          return 'sent';
        },
        (err: unknown) => `refused: ${String(err)}`,
      );
    });
    const call = invite(double);
    const final = await call.waitForFinal();
    expect(final).toMatchObject({ status: 607, reason: 'Unwanted', origin: 'app' });
    expect(await told).toBe('sent');
    // drachtio-srf's own send callback parses the echoed 607 (one parse) before it says OK.
    expect(parsedAfterSend).toBe(0);
  });

  it('sends the headers given, and copies the response only to add some', async () => {
    const strings = vi.spyOn(SipMessage.prototype, 'toString');
    const copied: boolean[] = [];
    const double = await appWith((req, res) => {
      const headers: Record<string, string> = req.get('X-With') === 'yes' ? { 'Call-Info': '<https://x.example>' } : {};
      const before = strings.mock.contexts.length;
      void sendAnswer(res, 608, 'Rejected', { headers });
      // DrachtioAgent#sendMessage writes res.msg itself, or a copy of it with the headers added.
      const own = (res as unknown as { msg: unknown }).msg;
      copied.push(strings.mock.contexts.slice(before).some((message) => message !== own));
    });
    const plain = invite(double);
    expect((await plain.waitForFinal()).headers['call-info']).toBeUndefined();
    const withInfo = double.injectRequest(
      buildInvite({ from: '+393331234567', to: '+390612345678', extraHeaders: { 'X-With': 'yes' } }),
    );
    expect((await withInfo.waitForFinal()).headers['call-info']).toEqual(['<https://x.example>']);
    expect(copied).toEqual([false, true]);
  });

  it('rejects with NOK when the caller cancelled before the response reached drachtio-server', async () => {
    let handed: (respond: () => Promise<void>) => void = () => undefined;
    const app = new Promise<() => Promise<void>>((resolve) => (handed = resolve));
    const double = await appWith((_req, res) => handed(() => sendAnswer(res, 607, 'Unwanted')));
    const call = invite(double);
    const respond = await app;
    expect(call.cancel().status).toBe(487);
    await expect(respond()).rejects.toThrow(/unknown transaction/);
  });
});

import { createRequire } from 'node:module';
import type Srf from 'drachtio-srf';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SrfRequest } from './srf-augment.js';
import { proxyReleasably, sendAnswer } from './srf-internals.js';

// drachtio-srf's own classes and parser (its SipMessage calls `parser.parseSipMessage` at each parse: spied on below).
const require = createRequire(import.meta.url);
const parser = require('drachtio-srf/lib/sip-parser/parser.js') as { parseSipMessage: (raw: string) => unknown };
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (raw: string) => object;
const Request = require('drachtio-srf/lib/request.js') as new (msg: object, meta: Record<string, unknown>) => object;

afterEach(() => {
  vi.restoreAllMocks();
});

type Filed = (...args: unknown[]) => void;

/** A response on a connection shaped as drachtio-srf 5.0.29 keeps it; send() files its callback as DrachtioAgent#sendResponse does. */
function fakeResponse() {
  const socket = {};
  const pendingRequests = new Map<string, Filed>();
  const agent = { mapServer: new Map([[socket, { pendingRequests, pendingNetworkInvites: new Map() }]]) };
  const parsed: string[] = [];
  const res = {
    agent,
    socket,
    send(_status: number, _reason: string, _opts: unknown, callback: (err: unknown, msg?: unknown) => void) {
      // drachtio-srf's own callback: parses the echoed response, then reports.
      pendingRequests.set('msg-1', (tokens: unknown, raw: unknown) => {
        parsed.push(String(raw));
        const t = tokens as string[];
        if (t[0] !== 'OK') callback(t[1]);
        else callback(null, { parsed: raw });
      });
    },
  };
  return { res: res as unknown as Srf.SrfResponse, pendingRequests, parsed };
}

describe('sendAnswer on drachtio-srf internals', () => {
  it("resolves on drachtio-server's OK without drachtio-srf's parse of the echo", async () => {
    const { res, pendingRequests, parsed } = fakeResponse();
    const sent = sendAnswer(res, 607, 'Unwanted');
    pendingRequests.get('msg-1')?.(['OK', 'udp', '127.0.0.1'], 'SIP/2.0 607 Unwanted\r\n\r\n', {});
    await expect(sent).resolves.toBeUndefined();
    expect(parsed).toEqual([]);
    // drachtio-srf's other filings on the connection (a proxy, a request) keep their own callbacks
    const other = (): void => undefined;
    pendingRequests.set('msg-2', other);
    expect(pendingRequests.get('msg-2')).toBe(other);
  });

  it('watches each send on the same connection, the map watched once for its life', async () => {
    const { res, pendingRequests, parsed } = fakeResponse();
    const watches: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = sendAnswer(res, 607, 'Unwanted');
      // redefining the map's `set` for each call and deleting it after was slower than drachtio-srf's whole send
      watches.push(Object.getOwnPropertyDescriptor(pendingRequests, 'set')?.value);
      pendingRequests.get('msg-1')?.(['OK'], 'SIP/2.0 607 Unwanted\r\n\r\n', {});
      await expect(sent).resolves.toBeUndefined();
    }
    expect(typeof watches[0]).toBe('function');
    expect(new Set(watches).size).toBe(1);
    expect(parsed).toEqual([]);
  });

  it('rejects on NOK, with or without a reason', async () => {
    for (const reason of ['Response not sent due to unknown transaction', '', undefined]) {
      const { res, pendingRequests } = fakeResponse();
      const sent = sendAnswer(res, 607, 'Unwanted');
      pendingRequests.get('msg-1')?.(reason === undefined ? ['NOK'] : ['NOK', reason], '', {});
      await expect(sent).rejects.toThrow(/refused the response/);
    }
  });

  it("without drachtio-srf's connection state, drachtio-srf's own callback reports", async () => {
    const { res, pendingRequests, parsed } = fakeResponse();
    (res as unknown as { agent: unknown }).agent = {};
    const sent = sendAnswer(res, 607, 'Unwanted');
    pendingRequests.get('msg-1')?.(['OK'], 'SIP/2.0 607 Unwanted\r\n\r\n', {});
    await expect(sent).resolves.toBeUndefined();
    expect(parsed).toHaveLength(1);
  });
});

/**
 * A request received from the network, drachtio-srf's own Request (its `proxy()`, as crocetta calls it), on a
 * connection whose agent files the proxy's callback as DrachtioAgent#proxy does.
 */
function networkRequest() {
  const socket = {};
  const pendingRequests = new Map<string, Filed>();
  const agent = {
    mapServer: new Map([[socket, { pendingRequests, pendingNetworkInvites: new Map() }]]),
    proxy(_req: unknown, _opts: unknown, callback: Filed) {
      pendingRequests.set('msg-9', callback);
    },
  };
  const invite = new SipMessage(
    [
      'INVITE sip:+390612345678@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-1',
      'From: <sip:+390298765432@127.0.0.1>;tag=f',
      'To: <sip:+390612345678@127.0.0.1>',
      'Call-ID: c-1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const req = new Request(invite, { source: 'network', address: '127.0.0.1', port: '5060', transactionId: 't-1' });
  Object.assign(req, { agent, socket });
  return { req: req as SrfRequest, pendingRequests };
}

/** The PBX's 200 OK as drachtio-server relays it to the proxying application: every header, and the SDP. */
const PBX_OK = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-1',
  'From: <sip:+390298765432@127.0.0.1>;tag=f',
  'To: <sip:+390612345678@127.0.0.1>;tag=pbx',
  'Call-ID: c-1',
  'CSeq: 1 INVITE',
  'Contact: <sip:pbx@127.0.0.1:5070>',
  'Content-Type: application/sdp',
  'Content-Length: 22',
  '',
  'v=0\r\no=- 1 1 IN IP4 x',
].join('\r\n');

describe('proxyReleasably on drachtio-srf internals', () => {
  it("lets drachtio-srf's proxy parse only the status lines of the PBX's answers; the result has their status", async () => {
    const { req, pendingRequests } = networkRequest();
    const proxy = proxyReleasably(req, { destination: 'sip:+390612345678@127.0.0.1:5070', remainInDialog: true });
    const parsed = vi.spyOn(parser, 'parseSipMessage');
    const filed = pendingRequests.get('msg-9');
    filed?.(['OK', 'application', 'udp', '127.0.0.1'], PBX_OK.replace('200 OK', '180 Ringing'), { port: '5070' });
    filed?.(['OK', 'application', 'udp', '127.0.0.1'], PBX_OK, { address: '127.0.0.1', port: '5070' });
    filed?.(['OK', 'done'], undefined, {});
    const result = await proxy.result;
    expect(result?.finalStatus).toBe(200);
    expect(result?.connected).toBe(true);
    expect(parsed.mock.calls.map((c) => c[0])).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
  });

  it("passes drachtio-server's refusal through, and a released proxy lets go of the callback", async () => {
    const refused = networkRequest();
    const proxy = proxyReleasably(refused.req, { destination: 'sip:pbx@127.0.0.1:5070' });
    refused.pendingRequests.get('msg-9')?.(['NOK', 'no route'], undefined, {});
    await expect(proxy.result).rejects.toBe('no route');

    const released = networkRequest();
    const held = proxyReleasably(released.req, { destination: 'sip:pbx@127.0.0.1:5070' });
    expect(released.pendingRequests.has('msg-9')).toBe(true);
    expect(held.release()).toBe(true);
    expect(released.pendingRequests.has('msg-9')).toBe(false);
    await expect(held.result).resolves.toBeNull();
  });
});

import type Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { sendAnswer } from './srf-internals.js';

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

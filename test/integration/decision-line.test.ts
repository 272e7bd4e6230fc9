/**
 * The decision line of a call that goes as planned: one JSON line with the call's fields (callId, kind, caller,
 * called) and the decision's, written without making a pino child logger for the call (handle-request.ts: a
 * child serializes its bindings when it is made); a call that logs more than its decision gets the child, and the
 * same fields on every line.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
/** drachtio-srf's Response: its send() is where an answer is handed to drachtio-srf (src/sip/srf-internals.ts). */
const Response = createRequire(import.meta.url)('drachtio-srf/lib/response.js') as {
  prototype: { send: (this: void, ...args: unknown[]) => unknown };
};
let h: Harness;

function invite(from: string) {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
}

describe('the decision line', () => {
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h.stop();
  });

  it("a refusal's decision line carries the call's fields, in the child's order, and no child logger is made", async () => {
    const marked = await h.api('POST', '/api/numbers/%2B390298765432/mark', { label: 'nuisance' });
    expect(marked.status).toBe(200);
    // Every logger the app uses is the harness's logger or a child of it (pino children inherit from their parent).
    const children = vi.spyOn(h.logger, 'child');
    const call = invite('+390298765432');
    expect((await call.waitForFinal()).status).toBe(607);
    const line = await eventually(() => h.logs.find((l) => l.msg === 'decision' && l.caller === '+390298765432'));
    expect(line).toMatchObject({
      kind: 'call',
      called: DID,
      verdict: 'nuisance',
      action: 'reject',
      sent: 'reject 607',
    });
    expect(line.callId).toBe(call.request.headers['call-id']?.[0]);
    const keys = Object.keys(line);
    expect(keys.slice(keys.indexOf('callId'), keys.indexOf('callId') + 5)).toEqual([
      'callId',
      'kind',
      'caller',
      'called',
      'verdict',
    ]);
    expect(children).not.toHaveBeenCalled();
  });

  it("a refusal's decision line is written after the answer's turn, once the loop has slept (after-answer.ts)", async () => {
    const marked = await h.api('POST', '/api/numbers/%2B390298765432/mark', { label: 'nuisance' });
    expect(marked.status).toBe(200);
    // When the 607 is handed to drachtio-srf, a setImmediate is queued: it runs before the loop sleeps, so a line
    // written in the answer's turn finds it not yet run.
    let answered = false;
    let immediateRan = false;
    const send = Response.prototype.send;
    vi.spyOn(Response.prototype, 'send').mockImplementation(function (this: void, ...args: unknown[]) {
      if (args[0] === 607 && !answered) {
        answered = true;
        setImmediate(() => (immediateRan = true));
      }
      return send.apply(this, args);
    });
    // Where the line is written: the logger's destination (pino's info() and log.ts' infoLine both write there).
    const seen: boolean[] = [];
    const stream = (h.logger as unknown as Record<symbol, Writable>)[pino.symbols.streamSym] as Writable;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    vi.spyOn(stream, 'write').mockImplementation((...args: unknown[]) => {
      if (String(args[0]).includes('"msg":"decision"')) seen.push(answered && immediateRan);
      return write(...args);
    });
    const call = invite('+390298765432');
    expect((await call.waitForFinal()).status).toBe(607);
    await eventually(() => h.logs.find((l) => l.msg === 'decision' && l.caller === '+390298765432'));
    expect(answered).toBe(true);
    expect(seen).toEqual([true]);
  });
});

/**
 * Hostile and broken caller IDs through the whole app: each INVITE still gets an answer, the register keeps a
 * clean row, and the service keeps serving the next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';

const HOSTILE: Array<[string, Parameters<typeof buildInvite>[0]]> = [
  ['a 10 kB display name', { from: `"${'A'.repeat(10_000)}" <sip:+393331230001@203.0.113.10>`, to: DID }],
  ['HTML in the display name', { from: '"<img src=x onerror=alert(1)>" <sip:+393331230002@203.0.113.10>', to: DID }],
  ['bidi overrides in the name', { from: '"\u202Eecnatsissa\u202C" <sip:+393331230003@203.0.113.10>', to: DID }],
  ['letters instead of a number', { from: '"Promo" <sip:PROMOZIONI@203.0.113.10>', to: DID }],
  ['an empty user part', { from: '<sip:@203.0.113.10>', to: DID }],
  ['a broken PAI', { from: '<sip:+393331230004@203.0.113.10>', to: DID, pai: '<sip:+39333' }],
  ['a junk Identity header', { from: '<sip:+393331230005@203.0.113.10>', to: DID, identity: 'not.a.jwt;info=<x>' }],
  ['a 40-digit number', { from: `<sip:+${'9'.repeat(40)}@203.0.113.10>`, to: DID }],
  ['unbalanced quotes', { from: '"Mario <sip:+393331230006@203.0.113.10>', to: DID }],
];

describe('hostile INVITEs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.double.onProxy(() => [{ status: 200 }]);
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each(HOSTILE)('answers an INVITE with %s and registers a clean row', async (_name, opts) => {
    const call = h.double.injectRequest(buildInvite({ requestUri: `sip:${DID}@127.0.0.1`, ...opts }));
    const final = await call.waitForFinal();
    expect(final.status).toBeGreaterThanOrEqual(200);
    await h.app.register.flush();
    const [row] = ((await h.api('GET', '/api/attempts?limit=1')).json as { attempts: Attempt[] }).attempts;
    expect(row).toBeDefined();
    // eslint-disable-next-line no-control-regex
    expect(row?.callerName ?? '').not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
    expect((row?.callerName ?? '').length).toBeLessThanOrEqual(128);
    expect((row?.callerRaw ?? '').length).toBeLessThanOrEqual(64);
    expect(row?.failOpen).toBe(false);
  });

  it('keeps serving after all of them', async () => {
    const call = h.double.injectRequest(
      buildInvite({ from: '+393331239999', to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
    );
    expect((await call.waitForFinal()).status).toBe(200);
    expect((await h.api('GET', '/healthz', undefined, null)).status).toBe(200);
  });
});

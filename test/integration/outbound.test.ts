/**
 * Outbound calls through crocetta: the PBX's outbound trunk points at drachtio, crocetta passes the call to the
 * carrier unscreened, and the number the office called is trusted when it calls back (the "we called them" net).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, pbxCallsOut, startHarness, type Harness } from '../support/crocetta-harness.js';

const TRUNK = 'sip:127.0.0.1:5090';
const DID = '+390612345678';
let h: Harness;

describe('outbound calls from the PBX', () => {
  beforeEach(async () => {
    h = await startHarness({ TRUNK_URI: TRUNK });
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('go to the carrier unscreened, and the number called is trusted when it calls back, also after a restart', async () => {
    // The office calls a number that sits in a block of marked call centres (which would make it a suspect).
    for (const n of ['+390298765401', '+390298765402', '+390298765403']) {
      await h.api('POST', `/api/numbers/${encodeURIComponent(n)}/mark`, { label: 'nuisance' });
    }
    const out = pbxCallsOut(h, { from: '<sip:201@127.0.0.1>' });
    expect((await out.waitForFinal()).status).toBe(200);
    expect(out.proxy?.destinations).toEqual(['sip:0298765409@127.0.0.1:5090']);
    expect(out.proxy?.headers['x-crocetta-verdict']).toBeUndefined();
    expect(await attemptsOf(h, '+390298765409')).toEqual([]); // not a screened attempt: the register's rankings stay inbound

    h.clock.advance(3_600_000);
    const back = h.double.injectRequest(
      buildInvite({ from: '+390298765409', to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
    );
    expect((await back.waitForFinal()).status).toBe(200);
    expect(back.proxy?.headers['x-crocetta-verdict']).toBeUndefined();
    const [row] = await attemptsOf(h, '+390298765409');
    expect(row?.verdict).toBe('trusted');
    expect(row?.reasons.map((r) => r.text)).toContain('you called this number on 5 Nov 2026');

    await h.restartApp();
    const again = h.double.injectRequest(
      buildInvite({ from: '+390298765409', to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
    );
    await again.waitForFinal();
    expect((await attemptsOf(h, '+390298765409'))[0]?.verdict).toBe('trusted');
  });

  it('only from the PBX: the same INVITE from the carrier side is screened and sent to the PBX', async () => {
    const call = h.double.injectRequest(
      buildInvite({ from: '+390298765409', to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
    );
    await call.waitForFinal();
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    expect(await attemptsOf(h, '+390298765409')).toHaveLength(1);
  });
});

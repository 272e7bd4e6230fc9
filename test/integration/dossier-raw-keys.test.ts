/**
 * The dossier of a caller ID that is no number (`raw:`), named in any case: calls from `Amazon` and from `AMAZON` are
 * one sender's (raw-key-case.ts), as its marks and pages already take them. Before texts50 the dossier took the key as
 * typed: `raw:amazon` had no calls, `raw:Amazon` only its own spelling's and not the mark made on `raw:AMAZON`, and
 * the company's dossier only the marked spelling's calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const HOUR = 3_600_000;
let h: Harness;

/** One call from the caller ID `from`; waits until the register has its outcome. */
async function callFrom(from: string, callId: string): Promise<void> {
  h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  const call = h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId }));
  await call.waitForFinal();
  await eventually(async () => {
    await h.app.register.flush();
    const [a] = await h.app.register.attempts({ callerKey: `raw:${from}`, limit: 1 });
    return a?.callId === callId && a.outcome !== 'pending' && a.outcome !== 'forwarded' ? true : undefined;
  });
}

interface DossierJson {
  subject: { number?: string; company?: string };
  numbers: Array<{ callerKey: string; company: string | null }>;
  attempts: number;
}

const dossier = async (query: string) => {
  const res = await h.api('GET', `/api/dossier?${query}`);
  expect(res.status).toBe(200);
  return res.json as DossierJson;
};

beforeAll(async () => {
  h = await startHarness();
  await callFrom('Amazon', 'r1@dossier-raw');
  h.clock.advance(2 * HOUR);
  await callFrom('Amazon', 'r2@dossier-raw');
  h.clock.advance(2 * HOUR);
  await callFrom('AMAZON', 'r3@dossier-raw');
  const res = await h.api('POST', `/api/numbers/${encodeURIComponent('raw:AMAZON')}/mark`, {
    label: 'nuisance',
    company: 'Fake Amazon',
  });
  expect(res.status).toBe(200);
  await h.app.register.flush();
}, 30_000);
afterAll(async () => {
  await h.stop();
});

describe('the dossier of a raw caller ID, whatever its case', () => {
  it('named in lower case: the sender the register has, with its mark and the calls of every spelling', async () => {
    const d = await dossier(`number=${encodeURIComponent('raw:amazon')}`);
    expect(d.subject.number).toBe('raw:AMAZON');
    expect(d.numbers).toEqual([expect.objectContaining({ callerKey: 'raw:AMAZON', company: 'Fake Amazon' })]);
    expect(d.attempts).toBe(3);
  });

  it('named as one of its spellings: that one, with the mark made on the other, and every spelling’s calls', async () => {
    const d = await dossier(`number=${encodeURIComponent('raw:Amazon')}`);
    expect(d.subject.number).toBe('raw:Amazon');
    expect(d.numbers).toEqual([expect.objectContaining({ callerKey: 'raw:Amazon', company: 'Fake Amazon' })]);
    expect(d.attempts).toBe(3);
  });

  it("the company's dossier counts the calls of every spelling of its marked sender", async () => {
    const d = await dossier(`company=${encodeURIComponent('Fake Amazon')}`);
    expect(d.numbers.map((n) => n.callerKey)).toEqual(['raw:AMAZON']);
    expect(d.attempts).toBe(3);
  });
});

/**
 * The evidence dossier tells apart a refusal of a number and one of its withholding (session 50): a French
 * professional that calls withheld and is refused for it (by the office's policy on withheld callers, or by the
 * receptionist at the PBX, who saw no number) was not refused itself. Before, its call the next day with the number
 * shown was a breach of décret 2022-1313's 60 days' wait ("call 1 day after a refusal"), claimed on a refusal the
 * professional could not have told from a busy office.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DID = '+390612345678';
const C = '+33140000003';
const HOUR = 3_600_000;
const PASSWORD = 'Dossier-withheld-50';
let h: Harness;

/** One call from C, withheld (Privacy: id, its number asserted) or shown; the PBX answers `status`. */
async function callFromC(withheld: boolean, callId: string, status: number): Promise<number> {
  h.double.onProxy(() => [{ status: 180 }, { status }]);
  const invite = buildInvite({
    ...(withheld
      ? { from: '"Anonymous" <sip:anonymous@anonymous.invalid>', pai: `tel:${C}`, privacy: 'id' }
      : { from: C }),
    to: DID,
    requestUri: `sip:${DID}@127.0.0.1`,
    callId,
  });
  const final = (await h.double.injectRequest(invite).waitForFinal()).status;
  // The outcome (a decline's refusal) is written back after the commit: wait for it before time moves.
  await eventually(async () => {
    await h.app.register.flush();
    const [a] = await h.app.register.attempts({ callerKey: C, limit: 1 });
    return a?.callId === callId && a.outcome !== 'pending' && a.outcome !== 'forwarded' ? true : undefined;
  });
  return final;
}

interface AttemptJson {
  callId: string;
  refusedAt: string | null;
  refusedFor: string | null;
}
type DossierJson = { attempts: number; breaches: (AttemptJson & { rule: string; evidence: AttemptJson[] })[] };

afterEach(async () => {
  await h.stop();
});

describe('a refusal for the withholding alone in the dossier', () => {
  it.each([
    ['declined by the receptionist at the PBX (603)', {}, 603],
    ['refused by the office’s policy on withheld callers (607)', { ACTION_WITHHELD: 'reject' }, 607],
  ])('%s: no 60 days’ wait runs from it, and it says so', async (_, env: Record<string, string>, status) => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD, SHOW_WITHHELD_NUMBERS: 'true', ...env });
    // Thursday 5 Nov 2026, 09:30 Paris: before 10:00, so the withheld call is itself a breach (fr-hours).
    expect(await callFromC(true, 'w1@dossier', status)).toBe(status);
    h.clock.advance(25 * HOUR); // Friday 10:30, the number shown
    expect(await callFromC(false, 'w2@dossier', 200)).toBe(200);
    const d = (await h.api('GET', `/api/dossier?number=${encodeURIComponent(C)}`)).json as DossierJson;
    expect(d.attempts).toBe(2);
    expect(d.breaches.map((b) => [b.rule, b.callId])).toEqual([['fr-hours', 'w1@dossier']]);
    expect(d.breaches[0]).toMatchObject({
      refusedFor: 'withholding',
      refusedAt: expect.stringMatching(/^2026-11-05/) as unknown,
    });
    const csv = await fetch(h.url(`/api/dossier?number=${encodeURIComponent(C)}&format=csv`), {
      headers: { authorization: 'Bearer test-token-0123456789' },
    });
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('breach,rule,country,text,role,call_id,time,caller,did,refused_at,refused_for');
    expect(lines[1]).toMatch(/,w1@dossier,.*,withholding$/);
    const { cookie } = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const page = await (
      await fetch(h.url(`/dossier?number=${encodeURIComponent(C)}`), {
        headers: { cookie: `${cookie}; crocetta_lang=it` },
      })
    ).text();
    expect(page).toContain('(rifiutata: numero nascosto)');
  });

  it('a decline of the number shown still starts the wait', async () => {
    h = await startHarness({});
    h.clock.advance(1 * HOUR); // Thursday 10:30
    expect(await callFromC(false, 's1@dossier', 603)).toBe(603);
    h.clock.advance(24 * HOUR);
    expect(await callFromC(false, 's2@dossier', 200)).toBe(200);
    const d = (await h.api('GET', `/api/dossier?number=${encodeURIComponent(C)}`)).json as DossierJson;
    expect(d.breaches.map((b) => [b.rule, b.callId])).toEqual([['fr-refusal', 's2@dossier']]);
    expect(d.breaches[0]?.evidence.map((a) => a.refusedFor)).toEqual(['number', null]);
  });
});

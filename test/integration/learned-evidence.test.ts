/**
 * Learned evidence in the live call path: what the register saw of earlier calls (and the DID of this one)
 * reaches the classifier without a query per call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { passportJws } from '../fixtures/callerid-invites.js';
import { attemptsOf, latestAttempt, startHarness, type Harness } from '../support/crocetta-harness.js';
import type { Attempt } from '../../src/store/register/types.js';

let h: Harness;

describe('learned evidence through drachtio', () => {
  beforeEach(async () => {
    h = await startHarness();
    h.double.onProxy(() => [{ status: 486 }]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('tags a caller that sweeps three of our numbers within minutes', async () => {
    const caller = '+393391112233';
    const dids = ['+390612345671', '+390612345672', '+390612345673'];
    const headers: Array<string | undefined> = [];
    for (const did of dids) {
      h.clock.advance(60_000);
      const call = h.double.injectRequest(buildInvite({ from: caller, to: did, requestUri: `sip:${did}@127.0.0.1` }));
      await call.waitForFinal();
      headers.push(call.proxy?.headers['x-crocetta-verdict']?.[0]);
    }
    expect(headers.slice(0, 2)).toEqual([undefined, undefined]);
    expect(headers[2]).toMatch(/^suspect; score=/);
    const row = await latestAttempt(h, caller);
    expect(row?.reasons.map((r) => r.text)).toContain('rang 3 of your numbers within 2 min (now)');
  });

  it('learns nothing of withheld callers behind a carrier placeholder: a school is not refused for a call centre', async () => {
    // Every caller this carrier passes withheld reads `"Anonymous" <sip:0000000000@…>`: a call centre the
    // receptionist declines (603), the same call centre twice more unanswered, then a school. Keyed by the
    // placeholder they were one caller, and the school's call was its "3rd attempt after a refusal" (session 49).
    const did = '+390612345678';
    const call = async (status: number): Promise<number> => {
      h.clock.advance(60_000);
      h.double.onProxy(() => [{ status }]);
      const placeholder = '"Anonymous" <sip:0000000000@carrier.example>';
      const invite = buildInvite({ from: placeholder, to: did, requestUri: `sip:${did}@127.0.0.1` });
      const final = (await h.double.injectRequest(invite).waitForFinal()).status;
      await h.app.register.flush();
      return final;
    };
    expect([await call(603), await call(480), await call(480)]).toEqual([603, 480, 480]);
    expect(await call(200)).toBe(200);
  });

  it.each([
    '<sip:0000000000@carrier.example>',
    '<sip:+39@carrier.example>',
    // A country code and zeros in full international form (session 50).
    '<sip:+390000000000@carrier.example>',
    '<sip:00390000000000@carrier.example>',
  ])(
    'learns nothing of callers behind a junk caller ID that is not withheld (%s): a school is not refused for a call centre',
    async (junk) => {
      // The carrier has no number for these callers and sends the same junk ID for all of them, no anonymous name:
      // a call centre the receptionist declines (603), twice more unanswered, then a school (session 49).
      const did = '+390612345678';
      const call = async (status: number): Promise<number> => {
        h.clock.advance(60_000);
        h.double.onProxy(() => [{ status }]);
        const invite = buildInvite({ from: junk, to: did, requestUri: `sip:${did}@127.0.0.1` });
        const final = (await h.double.injectRequest(invite).waitForFinal()).status;
        await h.app.register.flush();
        return final;
      };
      expect([await call(603), await call(480), await call(480)]).toEqual([603, 480, 480]);
      expect(await call(200)).toBe(200);
      // No caller's key, so nothing learned: keyed `+390000000000` (before session 50) the school's call was the
      // "2nd attempt after a refusal" with "4 attempts within 60 min", forwarded only because a 480 is no refusal.
      const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
      expect(rows.slice(0, 4).map((r) => r.callerKey)).toEqual([null, null, null, null]);
      const reasons = rows[0]?.reasons.map((r) => r.text).join(' | ');
      expect(reasons).not.toMatch(/refusal|attempts within/);
      expect(reasons).toMatch(/^caller ID is not a valid number/);
    },
  );

  it('never screens an emergency number, even when marked nuisance', async () => {
    await h.api('POST', '/api/numbers/raw%3A112/mark', { label: 'nuisance' });
    h.double.onProxy(() => [{ status: 200 }]);
    const call = h.double.injectRequest(buildInvite({ from: '112', to: '+390612345678' }));
    expect((await call.waitForFinal()).status).toBe(200);
    const row = await latestAttempt(h, 'raw:112');
    expect(row?.reasons.map((r) => r.text).join(' | ')).toMatch(/emergency or service number 112: never blocked/);
  });

  it('tags a caller whose STIR/SHAKEN token was signed for another number, and says which', async () => {
    const identity = `${passportJws({ attest: 'A', orig: { tn: '12025559999' }, dest: { tn: ['390612345678'] }, iat: 1_700_000_000 })};info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken`;
    const call = h.double.injectRequest(
      buildInvite({ from: '+12025550123', pai: '<sip:+12025550123@carrier.example>', to: '+390612345678', identity }),
    );
    await call.waitForFinal();
    expect(call.proxy?.headers['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=/);
    const row = await latestAttempt(h, '+12025550123');
    expect(row?.reasons.map((r) => r.text)).toContain(
      'caller ID +12025550123 does not match the number its STIR/SHAKEN token was signed for (+12025559999)',
    );
  });
});

describe('a refusal for the withholding alone is no refusal of the number (session 49)', () => {
  it('a hospital refused withheld by actions.withheld calls back with its number shown: put through, after a restart too', async () => {
    // The office refuses withheld callers (ACTION_WITHHELD=reject). The hospital's withheld call (Privacy: id, its
    // number asserted) is refused; counted as a refusal of its number, its calls with the number shown were "1st,
    // 2nd attempt after a refusal" and the 3rd was refused (session 49, through drachtio-server with sipp).
    const hospital = '+390255501000';
    const did = '+390612345678';
    const h2 = await startHarness({ ACTION_WITHHELD: 'reject', SHOW_WITHHELD_NUMBERS: 'true' });
    try {
      h2.double.onProxy(() => [{ status: 480 }]);
      const call = async (withheld: boolean): Promise<number> => {
        h2.clock.advance(25 * 60_000); // no burst: at most 3 calls within the hour
        const invite = buildInvite({
          ...(withheld
            ? { from: '"Anonymous" <sip:anonymous@anonymous.invalid>', pai: `tel:${hospital}`, privacy: 'id' }
            : { from: hospital }),
          to: did,
          requestUri: `sip:${did}@127.0.0.1`,
        });
        const status = (await h2.double.injectRequest(invite).waitForFinal()).status;
        await h2.app.register.flush();
        return status;
      };
      expect(await call(true)).toBe(607);
      expect([await call(false), await call(false), await call(false)]).toEqual([480, 480, 480]);
      await h2.restartApp();
      expect(await call(false)).toBe(480);
      const rows = await attemptsOf(h2, hospital);
      const refused = rows.find((a) => a.action === 'reject:607');
      expect(refused?.withheld).toBe(true);
      expect(refused?.reasons.find((r) => r.code === 'withheld-refusal')?.text).toBe(
        'refused only for withholding its number (with it shown: allow): not counted as a refusal of the number',
      );
      for (const a of rows) expect(a.reasons.map((r) => r.code)).not.toContain('attempt-after-refusal');
    } finally {
      await h2.stop();
    }
  });
  it('a withheld call the receptionist declines at the PBX (603) is no refusal of its number either, after a restart too', async () => {
    // The office lets withheld callers through; the PBX is handed the call with its Privacy, so the receptionist sees
    // no number and declines it (603). Counted as a refusal of the number (before session 50), the hospital's calls
    // with its number shown were "1st, 2nd attempt after a refusal" and the 3rd was refused 607.
    const hospital = '+390255501000';
    const did = '+390612345678';
    const h2 = await startHarness({ SHOW_WITHHELD_NUMBERS: 'true' });
    try {
      const call = async (withheld: boolean, status: number): Promise<number> => {
        h2.clock.advance(25 * 60_000); // no burst: at most 3 calls within the hour
        h2.double.onProxy(() => [{ status }]);
        const invite = buildInvite({
          ...(withheld
            ? { from: '"Anonymous" <sip:anonymous@anonymous.invalid>', pai: `tel:${hospital}`, privacy: 'id' }
            : { from: hospital }),
          to: did,
          requestUri: `sip:${did}@127.0.0.1`,
        });
        const final = (await h2.double.injectRequest(invite).waitForFinal()).status;
        await h2.app.register.flush();
        return final;
      };
      expect(await call(true, 603)).toBe(603);
      expect([await call(false, 480), await call(false, 480), await call(false, 480)]).toEqual([480, 480, 480]);
      await h2.restartApp();
      expect(await call(false, 480)).toBe(480);
      const rows = await attemptsOf(h2, hospital);
      const declined = rows.find((a) => a.finalStatus === 603);
      expect(declined).toMatchObject({ withheld: true });
      expect(declined?.refusedAt).not.toBeNull(); // still a refusal in the register
      for (const a of rows) expect(a.reasons.map((r) => r.code)).not.toContain('attempt-after-refusal');
    } finally {
      await h2.stop();
    }
  });

  it('the same decline of the number shown is a refusal of it: the repeat rule counts it', async () => {
    const caller = '+390255501001';
    const did = '+390612345678';
    const h2 = await startHarness({});
    try {
      h2.double.onProxy(() => [{ status: 603 }]);
      const first = buildInvite({ from: caller, to: did, requestUri: `sip:${did}@127.0.0.1` });
      expect((await h2.double.injectRequest(first).waitForFinal()).status).toBe(603);
      await h2.app.register.flush();
      h2.clock.advance(25 * 60_000);
      h2.double.onProxy(() => [{ status: 480 }]);
      const again = buildInvite({ from: caller, to: did, requestUri: `sip:${did}@127.0.0.1` });
      await h2.double.injectRequest(again).waitForFinal();
      await h2.app.register.flush();
      expect((await latestAttempt(h2, caller))?.reasons.map((r) => r.code)).toContain('attempt-after-refusal');
    } finally {
      await h2.stop();
    }
  });
});

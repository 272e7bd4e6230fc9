/**
 * One-time codes where the office refuses suspects (`ACTION_SUSPECT=reject`): docs/configuration.md promises a text is
 * never refused for its pace ("the burst, the sweep of your numbers and the hour may tag a text (suspect), never
 * refuse it"), but with suspects refused the bank's 4th code within a second got 607 and the 5th too, then as a repeat
 * after that refusal (userrun50, through a real drachtio-server with sipp: the sender got 200 200 200 607 607).
 * Calls are judged as before: a number ringing five times within a second is refused from its 4th call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness } from '../support/crocetta-harness.js';

let h: Harness;
const DIDS = ['+390255550100'];

describe('one-time codes where suspects are refused (ACTION_SUSPECT=reject)', () => {
  beforeEach(async () => {
    h = await startHarness({ ACTION_SUSPECT: 'reject' });
    h.double.onProxy(() => [{ status: 200 }]);
    h.clock.advance(12 * 3_600_000); // Thursday 5 Nov 2026, 21:30 in Rome: after hours
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a bank's five codes within a second all reach the PBX, the burst tags them, none is refused", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sms = h.double.injectRequest(buildMessage({ from: 'IntesaSP', to: DIDS[0]!, body: `Codice 48${i}17` }));
      statuses.push((await sms.waitForFinal()).status);
      h.clock.advance(200);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const attempts = (await attemptsOf(h, 'raw:IntesaSP')).reverse();
    expect(attempts.map((a) => `${a.verdict} ${a.action}`)).toEqual([
      'unknown allow',
      'unknown allow',
      'unknown allow',
      'suspect tag',
      'suspect tag',
    ]);
    expect(attempts.flatMap((a) => a.reasons.map((r) => r.code))).not.toContain('attempt-after-refusal');
  });

  it('a number calling five times within a second is refused from its 4th call on: calls are judged as before', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const call = h.double.injectRequest(
        buildInvite({ from: '0298765432', to: DIDS[0]!, requestUri: `sip:${DIDS[0]!}@127.0.0.1` }),
      );
      statuses.push((await call.waitForFinal()).status);
      h.clock.advance(200);
    }
    expect(statuses).toEqual([200, 200, 200, 607, 607]);
  });
});

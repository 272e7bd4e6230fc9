/**
 * A text's actions through the drachtio double (session 50, otp50): a bank's one-time codes that only their pace makes
 * suspect are delivered whatever the office set for suspect calls (`ACTION_SUSPECT`, a line's rule refusing
 * suspects); a text that other evidence makes suspect (the office's prefix rule) still gets the office's action.
 * Walked before through a real drachtio-server and sipp: IntesaSP's 4th and 5th codes within seconds got 607 with
 * `ACTION_SUSPECT=reject`, announce-early, announce-answer, hangup or a rule `verdicts: [suspect], action: reject`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { buildMessage } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness, type HarnessOptions } from '../support/crocetta-harness.js';

const LINE = '+390255550100';
const SEC = 1000;
let h: Harness | undefined;

async function start(env: Record<string, string>, options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(env, options);
  h.double.onProxy(() => [{ status: 200 }]);
  // Thursday 5 Nov 2026, 21:30 in Rome: outside business hours (off-hours counts), when codes still come.
  h.clock.advance(12 * 3_600_000);
  return h;
}

/** Texts from `from` to our line, `gapMs` apart on the app's clock: their final statuses. */
async function codes(harness: Harness, from: string, n: number, gapMs = SEC): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const sms = harness.double.injectRequest(buildMessage({ from, to: LINE, body: `Codice ${481700 + i}` }));
    statuses.push((await sms.waitForFinal()).status);
    harness.clock.advance(gapMs);
  }
  return statuses;
}

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("a bank's one-time codes whatever the office does with suspects", () => {
  it.each(['reject', 'reject:486', 'announce-early', 'announce-answer', 'hangup', 'check'])(
    'ACTION_SUSPECT=%s: five codes within seconds, five delivered, the 4th and 5th tagged for their pace',
    async (action) => {
      const harness = await start({ ACTION_SUSPECT: action });
      expect(await codes(harness, 'IntesaSP', 5)).toEqual([200, 200, 200, 200, 200]);
      const rows = (await attemptsOf(harness, 'raw:IntesaSP')).reverse();
      expect(rows.map((r) => `${r.verdict} ${r.action} ${r.outcome}`)).toEqual([
        'unknown allow answered',
        'unknown allow answered',
        'unknown allow answered',
        'suspect tag answered',
        'suspect tag answered',
      ]);
      for (const row of rows.slice(3)) {
        expect(row.reasons.map((r) => r.code)).toEqual(['burst', 'off-hours', 'text-pace']);
      }
    },
  );

  it("a line's rule refusing suspects: the codes are delivered, a sender in the office's suspect range is refused", async () => {
    const harness = await start(
      {},
      {
        configure: (c) => {
          c.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'test range' }];
          c.policies = configSchema.shape.policies.parse([
            { name: 'sales line', dids: ['02 5555 0100'], verdicts: ['suspect'], action: 'reject' },
          ]);
        },
      },
    );
    expect(await codes(harness, 'IntesaSP', 5)).toEqual([200, 200, 200, 200, 200]);
    // Evidence other than its pace (the office's prefix rule): the rule's action, on its first text.
    expect(await codes(harness, '+390451234567', 1)).toEqual([607]);
    const [refused] = await attemptsOf(harness, '+390451234567');
    expect(refused).toMatchObject({ kind: 'message', verdict: 'suspect', action: 'reject:607', outcome: 'rejected' });
    expect(refused?.reasons.map((r) => r.code)).toContain('policy-rule');
  });
});

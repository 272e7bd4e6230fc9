/**
 * A text's actions (session 50, otp50): a bank's one-time codes that only their pace makes suspect (a burst, the
 * hour, a sweep of our numbers) are never refused for it, whatever the office set for suspect calls; any other
 * evidence still gets the office's action. Walked before through drachtio-server and sipp: with
 * `ACTION_SUSPECT=reject` (or reject:486, announce-*, hangup, a per-line rule refusing suspects) IntesaSP's 4th and
 * 5th codes within seconds got 607 (486), the 5th also counted "after a refusal".
 */
import { describe, expect, it } from 'vitest';
import { actionPolicy } from '../config/derive.js';
import { loadConfig } from '../config/loader.js';
import { configSchema } from '../config/schema.js';
import type { CallerIdentity } from '../callerid/types.js';
import { classify } from '../screening/classify.js';
import { DEFAULT_LEARNING_RULES } from '../screening/learning.js';
import { formatAction, type ActionPolicy } from '../screening/policy.js';
import { at, caller, evidence, mark, rawCaller, rules, type EvidenceInput } from '../screening/test-fixtures.js';
import type { CallContext, Decision } from '../screening/types.js';
import { pickAction, policyReason } from './rules.js';

/** Tuesday 10 Nov 2026, 03:30 in Rome (closed: off-hours counts), when userrun50 saw the codes. */
const NIGHT = at('2026-11-10T02:30:00Z');
/** The same day at 11:00, in office hours. */
const MORNING = at('2026-11-10T10:00:00Z');
const SEC = 1000;
const LINE = '+390255550100';
const SALES = '+390255550101';
const R = rules({ learning: DEFAULT_LEARNING_RULES });
const BANK = rawCaller('IntesaSP', ['not-a-number', 'alphanumeric']);

function policyOf(env: Record<string, string>, policies: unknown[] = []): ActionPolicy {
  const c = loadConfig({ env });
  c.policies = configSchema.shape.policies.parse(policies);
  c.businessHours = configSchema.shape.businessHours.parse({
    timeZone: 'Europe/Rome',
    holidays: 'IT',
    week: { mon: [], tue: ['08:30-13:00', '14:30-18:30'], wed: [], thu: [], fri: [], sat: [], sun: [] },
    closed: [],
  });
  return actionPolicy(c);
}

/** The n-th of `count` requests from `identity`, `gapMs` apart from `start`, to `did`, with the earlier ones as evidence. */
function nth(
  identity: CallerIdentity,
  count: number,
  message: boolean,
  start = NIGHT,
  gapMs = SEC,
  did = LINE,
  more: EvidenceInput = {},
): { decision: Decision; now: number; context: CallContext } {
  const seen = Array.from({ length: count - 1 }, (_, i) => start + i * gapMs);
  const now = start + (count - 1) * gapMs;
  const context: CallContext = message ? { did, message } : { did };
  const ev = evidence({ attempts: seen, calls: seen.map((t) => ({ at: t, did })), ...more });
  return { decision: classify({ identity, evidence: ev, now, rules: R, context }), now, context };
}

function actionFor(
  policy: ActionPolicy,
  identity: CallerIdentity,
  r: { decision: Decision; now: number; context: CallContext },
) {
  return pickAction(r.decision, identity, policy, {
    did: r.context.did ?? null,
    time: r.now,
    message: r.context.message === true,
  });
}

describe("a text's pace never refuses it, whatever the office set for suspects", () => {
  const SUSPECT_ACTIONS = ['reject', 'reject:486', 'announce-early', 'announce-answer', 'hangup', 'check', 'check:10'];

  it.each(SUSPECT_ACTIONS)("ACTION_SUSPECT=%s: the bank's 4th and 5th codes within seconds are tagged", (a) => {
    const policy = policyOf({ ACTION_SUSPECT: a });
    for (const n of [4, 5]) {
      const text = nth(BANK, n, true);
      expect(text.decision.verdict).toBe('suspect');
      expect(text.decision.reasons.map((r) => r.code)).toContain('text-pace');
      const choice = actionFor(policy, BANK, text);
      expect(formatAction(choice.action)).toBe('tag');
      expect(policyReason(choice)).toBeNull();
    }
  });

  it('a shop texting from a mobile, a sweep of our numbers in office hours: tagged too', () => {
    const policy = policyOf({ ACTION_SUSPECT: 'reject' });
    const shop = caller('+393351234567');
    expect(formatAction(actionFor(policy, shop, nth(shop, 5, true)).action)).toBe('tag');
    const twoFa = rawCaller('Microsoft', ['not-a-number', 'alphanumeric']);
    const seen = Array.from({ length: 7 }, (_, i) => ({ at: MORNING + i * 7 * SEC, did: `+39025555010${i}` }));
    const now = MORNING + 7 * 7 * SEC;
    const context: CallContext = { did: '+390255550107', message: true };
    const ev = evidence({ attempts: seen.map((s) => s.at), calls: seen });
    const decision = classify({ identity: twoFa, evidence: ev, now, rules: R, context });
    expect(decision.verdict).toBe('suspect');
    const choice = pickAction(decision, twoFa, policy, { did: context.did!, time: now, message: true });
    expect(formatAction(choice.action)).toBe('tag');
  });

  it("a line's rule refusing suspects (verdicts [suspect]) does not refuse the codes; the rule's other callers still are", () => {
    const rule = { name: 'sales line', dids: ['02 5555 0101'], verdicts: ['suspect'], action: 'reject' };
    const policy = policyOf({}, [rule]);
    const text = nth(BANK, 4, true, NIGHT, SEC, SALES);
    expect(formatAction(actionFor(policy, BANK, text).action)).toBe('tag');
    // The same pace as calls: refused by the rule (calls are judged as before).
    const dialler = caller('+390245781236');
    const calls = nth(dialler, 4, false, NIGHT, SEC, SALES);
    expect(calls.decision.verdict).not.toBe('unknown');
    const choice = actionFor(policy, dialler, calls);
    expect(choice.rule?.name).toBe('sales line');
    expect(formatAction(choice.action)).toBe('reject:607');
  });

  it('a text refused as it would be without its pace (a rule refusing unknown senders) stays refused: not for its pace', () => {
    const rule = { name: 'closed', hours: 'closed', verdicts: ['unknown', 'suspect'], action: 'reject:486' };
    const policy = policyOf({}, [rule]);
    const choice = actionFor(policy, BANK, nth(BANK, 4, true));
    expect(formatAction(choice.action)).toBe('reject:486');
    expect(choice.rule?.name).toBe('closed');
  });

  it("a faint other reason that alone tags nothing (one friend's light report) does not make the pace refuse", () => {
    const policy = policyOf({ ACTION_SUSPECT: 'reject' });
    const faint: EvidenceInput = {
      friends: { reports: [{ friend: 'Studio Bianchi', weight: 0.15, company: null, category: null }], consensus: 1 },
    };
    const shop = caller('+393351234567');
    const alone = nth(shop, 1, true, MORNING, SEC, LINE, faint);
    expect(alone.decision.verdict).toBe('unknown');
    const text = nth(shop, 5, true, NIGHT, SEC, LINE, faint);
    expect(text.decision.verdict).toBe('suspect');
    expect(text.decision.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['burst', 'friend-reports', 'text-pace']),
    );
    expect(formatAction(actionFor(policy, shop, text).action)).toBe('tag');
  });

  it('allow and tag for suspects are kept as they are', () => {
    for (const a of ['allow', 'tag']) {
      expect(formatAction(actionFor(policyOf({ ACTION_SUSPECT: a }), BANK, nth(BANK, 5, true)).action)).toBe(a);
    }
  });
});

describe('evidence other than pace still gets the office action on a text', () => {
  const policy = policyOf({ ACTION_SUSPECT: 'reject' });

  it("friends' reports (suspect without the pace): refused", () => {
    const reported: EvidenceInput = {
      friends: {
        reports: [
          { friend: 'Studio Bianchi', weight: 0.4, company: null, category: null },
          { friend: 'Ferramenta Neri', weight: 0.4, company: null, category: null },
        ],
        consensus: 2,
      },
    };
    const shop = caller('+393351234567');
    const text = nth(shop, 4, true, NIGHT, SEC, LINE, reported);
    expect(text.decision.verdict).toBe('suspect');
    expect(text.decision.reasons.map((r) => r.code)).not.toContain('text-pace');
    expect(formatAction(actionFor(policy, shop, text).action)).toBe('reject:607');
  });

  it('a repeat after a refusal: refused', () => {
    const text = nth(BANK, 2, true, MORNING, 60 * SEC, LINE, { refusals: [MORNING - 3_600_000] });
    expect(text.decision.verdict).toBe('suspect');
    expect(text.decision.reasons.map((r) => r.code)).not.toContain('text-pace');
    expect(formatAction(actionFor(policy, BANK, text).action)).toBe('reject:607');
  });

  it("the office's nuisance mark: the nuisance action", () => {
    const marked = nth(BANK, 5, true, NIGHT, SEC, LINE, { mark: mark('nuisance', NIGHT - 3_600_000) });
    expect(marked.decision.verdict).toBe('nuisance');
    expect(formatAction(actionFor(policy, BANK, marked).action)).toBe('reject:607');
  });
});

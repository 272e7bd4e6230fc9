/**
 * screenToAnswer (answering first): for a caller marked nuisance whose action is a refusal, the action is chosen
 * before the reasons are built, and complete() gives what screen() gives. Checked here against screen() over
 * generated settings (policy rules by number, hours and verdict, actions by category, rangeRepeat, the withheld
 * action, the human check's memory, prefix rules, safety nets, trap numbers) and evidence (marks of both labels and
 * any category, let-through-once, refusals and attempts, calls, friends' reports). For a caller nothing is known of
 * whose action is a forward untagged or a refusal, the same, over generated rules (thresholds, behaviour weights,
 * business hours, prefix rules, country packs, display-name patterns, safety nets, trap numbers), identities
 * (display names, withholding, STIR/SHAKEN, numbers that are not E.164) and evidence empty or all but empty.
 */
import { describe, expect, it } from 'vitest';
import type { CallerSlot, SipHeaderSource } from '../callerid/types.js';
import { createClassifier, type Classifier } from '../screening/classify.js';
import { DEFAULT_LEARNING_RULES, type LearningRules } from '../screening/learning.js';
import type { Action, ActionPolicy } from '../screening/policy.js';
import type { PolicyRule, PolicyVerdict } from '../policy/rules.js';
import type { CallerEvidence, Mark } from '../screening/types.js';
import { CallRecord, TalkRecord } from '../screening/call-list.js';
import { dayFormatter } from '../screening/dates.js';
import { rules as screeningRules } from '../screening/test-fixtures.js';
import { EvidenceIndex } from '../store/memory/evidence-index.js';
import { mulberry32 } from '../../test/support/prng.js';
import { screen, screenToAnswer, type Screening, type ScreeningSteps } from './screen.js';

const NOW = Date.parse('2026-12-03T16:00:00Z');
const DAY = 86_400_000;
const DIDS = ['+390612345678', '+390612345679', '+390612345670'];
const CALLERS = ['+390298765432', '+390298765433', '+393471234567', '+390844123456', '+390612345678', '+390212345678'];
const CATEGORIES = [null, 'energy', ' Energy ', 'surveys', '', '  '];

function headers(from: string, did: string, withheld: boolean): SipHeaderSource {
  const values: Record<string, string[]> = {
    from: [`<sip:${from}@198.51.100.7>;tag=t1`],
    to: [`<sip:${did}@203.0.113.5>`],
  };
  if (withheld) values['privacy'] = ['id'];
  return { requestUri: `sip:${did}@203.0.113.5`, header: (name) => values[name] ?? [] };
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

const ACTIONS: readonly Action[] = [
  { kind: 'allow' },
  { kind: 'tag' },
  { kind: 'reject', status: 607 },
  { kind: 'reject', status: 486 },
  { kind: 'announce-early' },
  { kind: 'announce-answer' },
  { kind: 'hangup' },
  { kind: 'check', waitSeconds: null },
];
/** Trusted and unknown callers allowed, suspects tagged, nuisance callers refused with 607. */
const REFUSING_NUISANCE: ActionPolicy = {
  trusted: ACTIONS[0]!,
  unknown: ACTIONS[0]!,
  suspect: ACTIONS[1]!,
  nuisance: ACTIONS[2]!,
  withheld: null,
};

const VERDICTS: readonly PolicyVerdict[] = ['trusted', 'unknown', 'suspect', 'nuisance', 'withheld'];

function policyOf(rand: () => number): ActionPolicy {
  const rules: PolicyRule[] = [];
  const count = Math.floor(rand() * 4);
  for (let i = 0; i < count; i++) {
    rules.push({
      number: i + 1,
      name: rand() < 0.5 ? '' : `rule ${i}`,
      dids: rand() < 0.5 ? null : new Set(DIDS.filter(() => rand() < 0.5)),
      hours: rand() < 0.5 ? null : rand() < 0.5 ? 'open' : 'closed',
      verdicts: rand() < 0.3 ? null : new Set(VERDICTS.filter(() => rand() < 0.4)),
      action: pick(rand, ACTIONS),
    });
  }
  const open = rand() < 0.5;
  const policy: ActionPolicy = {
    trusted: pick(rand, ACTIONS),
    unknown: pick(rand, ACTIONS),
    suspect: pick(rand, ACTIONS),
    nuisance: pick(rand, ACTIONS),
    withheld: rand() < 0.5 ? null : pick(rand, ACTIONS),
    rules: { rules, openAt: () => (open ? { open: true } : { open: false, why: 'hours' }) },
  };
  if (rand() < 0.5) policy.byCategory = { energy: pick(rand, ACTIONS), surveys: pick(rand, ACTIONS) };
  if (rand() < 0.5) policy.rangeRepeat = { action: pick(rand, ACTIONS), suspect: 0.5 };
  return policy;
}

function classifierOf(rand: () => number): Classifier {
  return createClassifier(
    screeningRules({
      prefixes:
        rand() < 0.5 ? [] : [{ prefix: '+3902987', verdict: pick(rand, ['trusted', 'suspect'] as const), label: 'x' }],
      trapDids: rand() < 0.3 ? [DIDS[2]!] : [],
      withheld: pick(rand, ['unknown', 'suspect', 'nuisance'] as const),
      learning: {
        ...DEFAULT_LEARNING_RULES,
        safety: {
          ...DEFAULT_LEARNING_RULES.safety,
          ownNumbers: rand() < 0.3 ? ['+390612345678'] : [],
          bypassCallers: rand() < 0.2 ? ['^\\+39029876543[23]$'] : [],
        },
      },
    }),
  );
}

function times(rand: () => number, max: number): number[] {
  const out: number[] = [];
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) out.push(NOW - Math.floor(rand() * 10 * DAY));
  return out.sort((a, b) => a - b);
}

function evidenceOf(rand: () => number): CallerEvidence {
  const r = rand();
  const mark: Mark | null =
    r < 0.15
      ? null
      : {
          label: r < 0.25 ? 'trusted' : 'nuisance',
          at: NOW - Math.floor(rand() * 30 * DAY),
          company: rand() < 0.5 ? null : 'Example Energia',
          category: pick(rand, CATEGORIES),
        };
  const evidence: CallerEvidence = { mark, attempts: times(rand, 6), refusals: times(rand, 4) };
  if (rand() < 0.15) evidence.allowNext = NOW - DAY;
  if (rand() < 0.4)
    evidence.calls = CallRecord.of(times(rand, 5).map((at) => ({ at, did: pick(rand, [...DIDS, null]) })));
  if (rand() < 0.2) {
    evidence.friends = {
      reports: [{ friend: 'Studio Rossi', weight: 0.8, company: null, category: 'energy' }],
      consensus: rand() < 0.5 ? 1 : 2,
    };
  }
  return evidence;
}

function stepsOf(rand: () => number, evidence: CallerEvidence, classify: Classifier): ScreeningSteps {
  const passedAt = rand() < 0.5 ? null : NOW - Math.floor(rand() * 60 * DAY);
  return {
    defaultCountry: 'IT',
    evidence: { evidenceFor: () => evidence },
    classify,
    policy: policyOf(rand),
    checkMemory: {
      passedAt: () => passedAt,
      markOf: () => evidence.mark,
      rememberDays: 30,
      dates: dayFormatter('Europe/Rome'),
    },
  };
}

/** The From, P-Asserted-Identity, Privacy and attestation a caller nothing is known of may come with. */
function unknownHeaders(rand: () => number, did: string): SipHeaderSource {
  const number = pick(rand, ['+393471234567', '+390298765432', '+390844123456', '+390612345678', '3471234567', '112']);
  const user = rand() < 0.05 ? 'reception' : number;
  const name = rand() < 0.3 ? pick(rand, ['"Mario Rossi" ', '"Call Centre" ', '"" ']) : '';
  const values: Record<string, string[]> = {
    from: [`${name}<sip:${user}@198.51.100.7>;tag=t1`],
    to: [`<sip:${did}@203.0.113.5>`],
  };
  if (rand() < 0.1) values['privacy'] = ['id'];
  if (rand() < 0.15) {
    const verstat = pick(rand, ['TN-Validation-Passed', 'TN-Validation-Failed', 'No-TN-Validation']);
    values['p-asserted-identity'] = [`<sip:${number}@198.51.100.7;user=phone;verstat=${verstat}>`];
  }
  if (rand() < 0.1) values['p-attestation-indicator'] = [pick(rand, ['A', 'B', 'C'])];
  return { requestUri: `sip:${did}@203.0.113.5`, header: (n) => values[n] ?? [] };
}

/** Settings under which a caller nothing is known of may or may not be `unknown`, at the time or at any time. */
function unknownClassifierOf(rand: () => number): Classifier {
  const d = DEFAULT_LEARNING_RULES;
  const weight = (): number => pick(rand, [0, 0.05, 0.1, 0.3, 0.6, 1]);
  const learning: LearningRules = {
    ...d,
    behaviour: {
      ...d.behaviour,
      burst: { ...d.behaviour.burst, enabled: rand() < 0.8, attempts: pick(rand, [2, 4]), weight: weight() },
      sweep: { ...d.behaviour.sweep, enabled: rand() < 0.8, dids: pick(rand, [2, 3]), weight: weight() },
      offHours: {
        enabled: rand() < 0.8,
        weight: weight(),
        hours: rand() < 0.5 ? d.behaviour.offHours.hours : { days: [1, 2, 3, 4, 5, 6, 7], intervals: [[0, 12 * 60]] },
      },
    },
    safety: {
      ...d.safety,
      ownNumbers: rand() < 0.2 ? ['+390612345678'] : [],
      bypassCallers: rand() < 0.2 ? ['^\\+39029876543[23]$'] : [],
      displayNameAllow: rand() < 0.2 ? ['^mario'] : [],
      displayNameBlock: rand() < 0.2 ? ['centre'] : [],
    },
    shaken: { ...d.shaken, enabled: rand() < 0.7 },
  };
  const suspect = pick(rand, [0.05, 0.1, 0.3, 0.5]);
  return createClassifier(
    screeningRules({
      prefixes:
        rand() < 0.6
          ? []
          : [
              {
                prefix: pick(rand, ['+3934712', '+3902']),
                verdict: pick(rand, ['trusted', 'suspect'] as const),
                label: 'x',
              },
            ],
      trapDids: rand() < 0.3 ? [DIDS[2]!] : [],
      withheld: pick(rand, ['unknown', 'suspect', 'nuisance'] as const),
      unparsable: pick(rand, ['unknown', 'suspect', 'nuisance'] as const),
      thresholds: { suspect, nuisance: pick(rand, [suspect, 0.5, 0.8]) },
      learning,
    }),
  );
}

/** No evidence at all, or all but one field empty. */
function nearlyNoEvidence(rand: () => number, now: number): CallerEvidence {
  const evidence: CallerEvidence = { mark: null, attempts: [], refusals: [] };
  if (rand() < 0.5) return evidence;
  switch (Math.floor(rand() * 11)) {
    case 0:
      evidence.attempts = [now - DAY];
      break;
    case 1:
      evidence.refusals = [now - DAY];
      break;
    case 2:
      evidence.calls = CallRecord.of([]);
      break;
    case 3:
      evidence.calls = CallRecord.of([{ at: now - 60_000, did: DIDS[1]! }]);
      break;
    case 4:
      evidence.talks = TalkRecord.of(rand() < 0.5 ? [] : [{ at: now - DAY, seconds: pick(rand, [3, 600]) }]);
      break;
    case 5:
      evidence.allowNext = now - DAY;
      break;
    case 6:
      evidence.calledByUs = now - DAY;
      break;
    case 7:
      evidence.friends = {
        reports: [{ friend: 'Studio Rossi', weight: 0.8, company: null, category: 'energy' }],
        consensus: 1,
      };
      break;
    case 8:
      evidence.blockCalls = {
        prefix: '393471234',
        calls: [{ at: now - 60_000, did: DIDS[1]!, number: '+393471234999' }],
      };
      break;
    case 9:
      evidence.block = {
        small: '39347123456',
        smallNuisance: 6,
        smallTrusted: 0,
        large: '3934712345',
        largeNuisance: 12,
        largeTrusted: 0,
        tens: [2, 2, 2, 2, 2, 2, 0, 0, 0, 0],
      };
      break;
    default:
      evidence.mark = { label: 'trusted', at: now - DAY, company: null, category: null };
  }
  return evidence;
}

describe('screenToAnswer', () => {
  it('gives the action screen() gives, and complete() gives the whole of what screen() gives', () => {
    const rand = mulberry32(20261203);
    let provisional = 0;
    let whole = 0;
    for (let i = 0; i < 4000; i++) {
      const classify = classifierOf(rand);
      const evidence = evidenceOf(rand);
      const steps = stepsOf(rand, evidence, classify);
      const h = headers(pick(rand, CALLERS), pick(rand, DIDS), rand() < 0.2);
      const expected = screen(h, steps, NOW);
      const first = screenToAnswer(h, steps, NOW);
      if (first.complete === undefined) {
        whole++;
        expect(first).toEqual(expected);
        continue;
      }
      provisional++;
      expect(first.action).toEqual(expected.action);
      expect(first.decision.verdict).toBe(expected.decision.verdict);
      expect(['reject', 'announce-early', 'announce-answer', 'hangup']).toContain(first.action.kind);
      expect(first.complete()).toEqual(expected);
    }
    // Both ways were taken often enough to say something.
    expect(provisional).toBeGreaterThan(500);
    expect(whole).toBeGreaterThan(500);
  });

  it('for a caller nothing is known of: the action screen() gives, and complete() the whole of what it gives', () => {
    const rand = mulberry32(20261204);
    let provisional = 0;
    let whole = 0;
    let wholeUnknown = 0;
    for (let i = 0; i < 6000; i++) {
      const classify = unknownClassifierOf(rand);
      // Any hour of a week (in and out of business hours).
      const now = NOW + Math.floor(rand() * 7 * 24) * 3_600_000;
      const evidence = nearlyNoEvidence(rand, now);
      const steps = stepsOf(rand, evidence, classify);
      const h = unknownHeaders(rand, pick(rand, DIDS));
      const expected = screen(h, steps, now);
      const first = screenToAnswer(h, steps, now);
      if (first.complete === undefined) {
        whole++;
        if (expected.decision.verdict === 'unknown') wholeUnknown++;
        expect(first).toEqual(expected);
        continue;
      }
      provisional++;
      expect(first.action).toEqual(expected.action);
      expect(first.decision.verdict).toBe(expected.decision.verdict);
      expect(first.decision.verdict).toBe('unknown');
      expect(['allow', 'reject', 'announce-early', 'announce-answer', 'hangup']).toContain(first.action.kind);
      expect(first.complete()).toEqual(expected);
    }
    expect(provisional).toBeGreaterThan(300);
    expect(whole).toBeGreaterThan(800);
    // Unknown callers classified first (not surely unknown, or an action that reads the decision) are there too.
    expect(wholeUnknown).toBeGreaterThan(300);
  });

  it('leaves a caller nothing is known of to complete(): forwarded untagged, classified after', () => {
    const base = createClassifier(screeningRules({ learning: DEFAULT_LEARNING_RULES }));
    let classified = 0;
    const counting = Object.assign(
      (...args: Parameters<Classifier>) => {
        classified++;
        return base(...args);
      },
      { markedNuisance: base.markedNuisance, surelyUnknown: base.surelyUnknown },
    );
    const steps: ScreeningSteps = {
      defaultCountry: 'IT',
      evidence: { evidenceFor: () => ({ mark: null, attempts: [], refusals: [] }) },
      classify: counting,
      policy: REFUSING_NUISANCE,
    };
    // A Thursday at 22:00 in Rome: outside business hours.
    const late = Date.parse('2026-12-03T21:00:00Z');
    const first = screenToAnswer(headers(CALLERS[2]!, DIDS[0]!, false), steps, late);
    expect(first.action).toEqual({ kind: 'allow' });
    expect(first.decision).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
    expect(classified).toBe(0);
    const done = (first.complete as () => Screening)();
    expect(classified).toBe(1);
    expect(done.decision.verdict).toBe('unknown');
    expect(done.decision.reasons.map((r) => r.code)).toEqual(['off-hours']);
  });

  it('leaves the classification (reasons, their texts and dates) to complete(): none runs before it', () => {
    const base = createClassifier(screeningRules());
    let classified = 0;
    const counting = Object.assign(
      (...args: Parameters<Classifier>) => {
        classified++;
        return base(...args);
      },
      { markedNuisance: base.markedNuisance },
    );
    const mark: Mark = { label: 'nuisance', at: NOW - DAY, company: null, category: null };
    const evidence: CallerEvidence = { mark, attempts: [NOW - DAY], refusals: [NOW - DAY] };
    const steps: ScreeningSteps = {
      defaultCountry: 'IT',
      evidence: { evidenceFor: () => evidence },
      classify: counting,
      policy: REFUSING_NUISANCE,
    };
    const first = screenToAnswer(headers(CALLERS[0]!, DIDS[0]!, false), steps, NOW);
    expect(first.action).toEqual({ kind: 'reject', status: 607 });
    expect(classified).toBe(0);
    const done = (first.complete as () => Screening)();
    expect(classified).toBe(1);
    expect(done.decision.reasons.map((r) => r.code)).toEqual(['marked-nuisance', 'attempt-after-refusal']);
  });

  it("asks the evidence with the caller's slot in the caller-ID cache: one slot for a repeat caller's requests", () => {
    const slots: (CallerSlot | undefined)[] = [];
    const steps: ScreeningSteps = {
      defaultCountry: 'IT',
      evidence: {
        evidenceFor: (_key, slot) => {
          slots.push(slot);
          return { mark: null, attempts: [], refusals: [] };
        },
      },
      classify: createClassifier(screeningRules()),
      policy: REFUSING_NUISANCE,
    };
    const caller = '+390298765499';
    for (const answerFirst of [false, true, false]) {
      const h = headers(caller, DIDS[0]!, false);
      if (answerFirst) screenToAnswer(h, steps, NOW);
      else screen(h, steps, NOW);
    }
    screen(headers(CALLERS[1]!, DIDS[0]!, false), steps, NOW);
    expect(slots).toHaveLength(4);
    // Heard once: a slot of the first request's own; from the second on, the caller's entry's.
    expect(slots[0]).toBeDefined();
    expect(slots[1]).toBeDefined();
    expect(slots[1]).not.toBe(slots[0]);
    expect(slots[2]).toBe(slots[1]);
    expect(slots[3]).not.toBe(slots[1]);
  });

  it('fails open with the fault when the evidence cannot be read, as screen() does (not classified on no evidence)', () => {
    const steps: ScreeningSteps = {
      defaultCountry: 'IT',
      evidence: {
        evidenceFor: () => {
          throw new Error('index unreadable');
        },
      },
      classify: createClassifier(screeningRules()),
      policy: REFUSING_NUISANCE,
    };
    const h = headers(CALLERS[0]!, DIDS[0]!, false);
    const answered = screenToAnswer(h, steps, NOW);
    expect(answered.action).toEqual({ kind: 'allow' });
    expect(answered.fault?.stage).toBe('classify');
    expect(answered.fault?.error.message).toBe('index unreadable');
    expect(answered).toEqual(screen(h, steps, NOW));
  });

  it("complete() classifies the evidence as it was: the index's in-place writes after the answer do not reach it", () => {
    let now = NOW;
    const index = new EvidenceIndex({ lookbackDays: 30, clock: { now: () => now } });
    const key = CALLERS[0]!;
    index.setMark({ callerKey: key, label: 'nuisance', at: NOW - 2 * DAY, company: null, category: 'energy' });
    index.addAttempt(key, NOW - DAY);
    index.addRefusal(key, NOW - DAY);
    const steps: ScreeningSteps = {
      defaultCountry: 'IT',
      evidence: index,
      classify: createClassifier(screeningRules()),
      policy: REFUSING_NUISANCE,
    };
    const h = headers(key, DIDS[0]!, false);
    const expected = screen(h, steps, NOW);
    const first = screenToAnswer(h, steps, NOW);
    // Before complete() runs: this call's own attempt and refusal, and another call's, written in place.
    now = NOW + 1;
    index.addAttempt(key, NOW);
    index.addRefusal(key, NOW);
    index.addAttempt(key, NOW + 1);
    expect((first.complete as () => Screening)()).toEqual(expected);
    expect(screen(h, steps, NOW + 2)).not.toEqual(expected); // the writes do change a classification made now
  });
});

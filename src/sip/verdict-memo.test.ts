/**
 * The verdict memo (verdict-memo.ts) through screenToAnswer: a caller marked nuisance whose refusal was chosen on a
 * request with the same caller-ID values and called number is refused from the memo (its evidence not read before
 * the answer), and any change that can change that refusal (the mark removed or changed, "let the next call
 * through", the policy or the screening settings, the time where a rule with hours has a say) is never answered from
 * it. Last, generated traffic with generated changes: the memo on and off give the same actions and the same whole
 * screenings.
 */
import { describe, expect, it } from 'vitest';
import type { SipHeaderSource } from '../callerid/types.js';
import { createClassifier } from '../screening/classify.js';
import { DEFAULT_LEARNING_RULES } from '../screening/learning.js';
import type { Action, ActionPolicy } from '../screening/policy.js';
import type { PolicyRule } from '../policy/rules.js';
import type { EvidenceLookup } from '../screening/types.js';
import { rules as screeningRules } from '../screening/test-fixtures.js';
import { EvidenceIndex } from '../store/memory/evidence-index.js';
import { mulberry32 } from '../../test/support/prng.js';
import { memoScreening, screenToAnswer, type Screening, type ScreeningSteps } from './screen.js';
import { VerdictMemo } from './verdict-memo.js';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const DAY = 86_400_000;
const DID = '+390612345678';
const OTHER_DID = '+390612345679';
const NUISANCE = '+390298765401';

const REJECT: Action = { kind: 'reject', status: 607 };
const ALLOW: Action = { kind: 'allow' };
const POLICY: ActionPolicy = {
  trusted: ALLOW,
  unknown: ALLOW,
  suspect: { kind: 'tag' },
  nuisance: REJECT,
  withheld: null,
};

function headers(from: string, did: string, extra: Record<string, string[]> = {}): SipHeaderSource {
  const values: Record<string, string[]> = {
    from: [`"Caller" <sip:${from}@198.51.100.7>;tag=${Math.random().toString(36).slice(2)}`],
    to: [`<sip:${did}@203.0.113.5>`],
    ...extra,
  };
  return { requestUri: `sip:${did}@203.0.113.5`, header: (name) => values[name] ?? [] };
}

/** An index with its evidence reads counted, the memo, a classifier and POLICY (all replaceable). */
function setup(policy: ActionPolicy = POLICY) {
  let now = NOW;
  const index = new EvidenceIndex({ lookbackDays: 30, clock: { now: () => now } });
  const counted = { reads: 0 };
  const evidence: EvidenceLookup = {
    evidenceFor: (key) => {
      counted.reads++;
      return index.evidenceFor(key);
    },
    get verdictVersion() {
      return index.verdictVersion;
    },
  };
  const steps: ScreeningSteps = {
    defaultCountry: 'IT',
    evidence,
    classify: createClassifier(screeningRules()),
    policy,
    memo: new VerdictMemo(),
  };
  const mark = (label: 'nuisance' | 'trusted' | 'none', category: string | null = null, key = NUISANCE): void =>
    index.setMark({ callerKey: key, label, at: now - DAY, company: null, category });
  return { index, steps, counted, mark, setNow: (t: number) => (now = t) };
}

/** A call: its screening before the answer, whether it read the evidence then, and its whole screening after. */
function call(
  s: ReturnType<typeof setup>,
  h: SipHeaderSource,
  at = NOW,
): { action: Action; readBefore: boolean; whole: Screening } {
  const before = s.counted.reads;
  const screening = screenToAnswer(h, s.steps, at);
  const readBefore = s.counted.reads > before;
  const whole = screening.complete ? screening.complete() : screening;
  return { action: screening.action, readBefore, whole };
}

/** The caller's first calls: the caller-ID cache keeps its identity from the second, the memo its refusal then. */
function settle(s: ReturnType<typeof setup>, from = NUISANCE, did = DID, at = NOW): void {
  call(s, headers(from, did), at);
  call(s, headers(from, did), at);
}

describe('the verdict memo (answering first)', () => {
  it('refuses a repeat caller marked nuisance without reading its evidence before the answer; the whole screening after it is the usual one', () => {
    const s = setup();
    s.mark('nuisance', 'energy');
    settle(s);
    const third = call(s, headers(NUISANCE, DID));
    expect(third.action).toEqual(REJECT);
    expect(third.readBefore).toBe(false);
    expect(third.whole.decision.verdict).toBe('nuisance');
    expect(third.whole.decision.reasons.map((r) => r.code)).toEqual(['marked-nuisance']);
    const off = setup();
    off.steps.memo = undefined;
    off.mark('nuisance', 'energy');
    expect(call(off, headers(NUISANCE, DID)).whole).toEqual(third.whole);
  });

  it("an unknown caller's forward reads no evidence version before the answer (nothing is filed); a refusal does", () => {
    const s = setup();
    const index = s.index;
    let versionReads = 0;
    s.steps.evidence = {
      evidenceFor: (key) => index.evidenceFor(key),
      get verdictVersion() {
        versionReads++;
        return index.verdictVersion;
      },
    };
    // Heard for the first time, nothing known of it: forwarded untagged, the memo never asked nor filled.
    expect(screenToAnswer(headers('+390298765477', DID), s.steps, NOW).action).toEqual(ALLOW);
    expect(versionReads).toBe(0);
    // A caller marked nuisance, refused: its refusal is filed under the version read then (and, a repeat caller of
    // the caller-ID cache, the memo was asked with it first).
    s.mark('nuisance');
    expect(screenToAnswer(headers(NUISANCE, DID), s.steps, NOW).action).toEqual(REJECT);
    expect(versionReads).toBeGreaterThan(0);
  });

  it('a caller unmarked (or marked trusted) is never refused from the memo: its next call reaches the PBX', () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    expect(call(s, headers(NUISANCE, DID)).readBefore).toBe(false);
    s.mark('none');
    const next = call(s, headers(NUISANCE, DID));
    expect(next.action).toEqual(ALLOW);
    expect(next.whole.decision.verdict).toBe('unknown');
    s.mark('nuisance');
    settle(s);
    s.mark('trusted');
    expect(call(s, headers(NUISANCE, DID)).action).toEqual(ALLOW);
  });

  it("another number's mark changes nothing for the caller, but is never served stale either (the entry is made again)", () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    s.mark('nuisance', null, '+390298765499');
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({ action: REJECT, readBefore: true });
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({ action: REJECT, readBefore: false });
  });

  it("a change of the mark's category takes the new category's action at the next call", () => {
    const hangup: Action = { kind: 'hangup' };
    const s = setup(
      Object.assign({}, POLICY, { byCategory: { energy: { kind: 'reject', status: 486 }, surveys: hangup } }),
    );
    s.mark('nuisance', 'energy');
    settle(s);
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({
      action: { kind: 'reject', status: 486 },
      readBefore: false,
    });
    s.mark('nuisance', 'surveys');
    expect(call(s, headers(NUISANCE, DID)).action).toEqual(hangup);
  });

  it('"let the next call through" lets the next call through', () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    s.index.learned.setAllowNext(NUISANCE, NOW - 1000);
    const next = call(s, headers(NUISANCE, DID));
    expect(next.action).toEqual(ALLOW);
    expect(next.whole.decision.verdict).toBe('trusted');
  });

  it("the panel's settings (a new policy, new screening rules) apply from the next call", () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    s.steps.policy = Object.assign({}, POLICY, { nuisance: { kind: 'announce-early' } });
    expect(call(s, headers(NUISANCE, DID)).action).toEqual({ kind: 'announce-early' });
    settle(s);
    s.steps.classify = createClassifier(
      screeningRules({
        learning: {
          ...DEFAULT_LEARNING_RULES,
          safety: { ...DEFAULT_LEARNING_RULES.safety, bypassCallers: [`^\\${NUISANCE}$`] },
        },
      }),
    );
    expect(call(s, headers(NUISANCE, DID)).action).toEqual(ALLOW);
  });

  it('memoScreening (the front\'s look-up, handle-request.ts): the kept refusal, and none once the mark, "let the next call through" or the settings changed', () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    const { identity, called, callerKey } = call(s, headers(NUISANCE, DID)).whole;
    const found = () => memoScreening(identity, called, callerKey, s.steps, NOW)?.action ?? null;
    const again = (): void => {
      settle(s);
      expect(found()).toEqual(REJECT);
    };
    expect(found()).toEqual(REJECT);
    s.mark('none');
    expect(found()).toBeNull();
    s.mark('nuisance');
    again();
    s.index.learned.setAllowNext(NUISANCE, NOW - 1000);
    expect(found()).toBeNull();
    s.index.learned.setAllowNext(NUISANCE, null);
    again();
    s.steps.policy = Object.assign({}, POLICY);
    expect(found()).toBeNull();
    again();
    s.steps.classify = createClassifier(screeningRules());
    expect(found()).toBeNull();
    again();
    s.steps.memo = undefined;
    expect(found()).toBeNull();
  });

  it('a refusal a rule with business hours had a say in is never kept: the time is read at every call', () => {
    const rule: PolicyRule = {
      number: 1,
      name: 'nights',
      dids: null,
      hours: 'closed',
      verdicts: new Set(['nuisance']),
      action: { kind: 'hangup' },
    };
    const openUntil = NOW + 3600_000;
    const policy: ActionPolicy = Object.assign({}, POLICY, {
      rules: { rules: [rule], openAt: (t: number) => (t < openUntil ? { open: true } : { open: false, why: 'hours' }) },
    });
    const s = setup(policy);
    s.mark('nuisance');
    settle(s);
    const open = call(s, headers(NUISANCE, DID));
    expect(open).toMatchObject({ action: REJECT, readBefore: true });
    const closed = call(s, headers(NUISANCE, DID), openUntil);
    expect(closed.action).toEqual({ kind: 'hangup' });
    // A rule for another number is not asked for this one: the time is not read, the refusal is kept.
    const elsewhere = setup(
      Object.assign({}, policy, {
        rules: { rules: [Object.assign({}, rule, { dids: new Set([OTHER_DID]) })], openAt: policy.rules!.openAt },
      }),
    );
    elsewhere.mark('nuisance');
    settle(elsewhere);
    expect(call(elsewhere, headers(NUISANCE, DID))).toMatchObject({ action: REJECT, readBefore: false });
    expect(call(elsewhere, headers(NUISANCE, OTHER_DID), openUntil).action).toEqual({ kind: 'hangup' });
  });

  it('keeps the called number apart: a refusal for one DID is not the answer for another', () => {
    const s = setup(
      Object.assign({}, POLICY, {
        rules: {
          rules: [{ number: 1, name: '', dids: new Set([OTHER_DID]), hours: null, verdicts: null, action: ALLOW }],
          openAt: () => ({ open: true }),
        },
      }),
    );
    s.mark('nuisance');
    settle(s);
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({ action: REJECT, readBefore: false });
    expect(call(s, headers(NUISANCE, OTHER_DID)).action).toEqual(ALLOW);
  });

  it('withheld callers: no number, never kept; a marked number sent with Privacy: id is its own entry', () => {
    const s = setup(Object.assign({}, POLICY, { withheld: { kind: 'reject', status: 433 } }));
    for (let i = 0; i < 3; i++) {
      const anonymous = call(s, headers('anonymous', DID, { privacy: ['id'] }));
      expect(anonymous).toMatchObject({ action: { kind: 'reject', status: 433 }, readBefore: false });
      expect(anonymous.whole.decision.verdict).not.toBe('nuisance');
    }
    s.mark('nuisance');
    settle(s);
    const withheld = (): SipHeaderSource => headers(NUISANCE, DID, { privacy: ['id'] });
    expect(call(s, withheld())).toMatchObject({ action: REJECT, readBefore: true });
    expect(call(s, withheld())).toMatchObject({ action: REJECT, readBefore: true });
    expect(call(s, withheld())).toMatchObject({ action: REJECT, readBefore: false });
    s.mark('none');
    expect(call(s, withheld()).action).not.toEqual(REJECT);
  });

  it('hostile header values: too long to be cached, never kept; still refused the usual way', () => {
    const s = setup();
    s.mark('nuisance');
    const hostile = (): SipHeaderSource =>
      headers(NUISANCE, DID, { from: [`"${'x'.repeat(2000)}" <sip:${NUISANCE}@198.51.100.7>;tag=1`] });
    for (let i = 0; i < 4; i++) expect(call(s, hostile())).toMatchObject({ action: REJECT, readBefore: true });
  });

  it('a fault inside the memo path: the call is screened the usual way', () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    let failing = true;
    const index = s.index;
    s.steps.evidence = {
      evidenceFor: (key) => {
        s.counted.reads++;
        return index.evidenceFor(key);
      },
      get verdictVersion(): number {
        if (failing) throw new Error('memo broken');
        return index.verdictVersion;
      },
    };
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({ action: REJECT, readBefore: true });
    s.mark('none');
    expect(call(s, headers(NUISANCE, DID)).action).toEqual(ALLOW);
    failing = false;
    expect(call(s, headers(NUISANCE, DID)).action).toEqual(ALLOW);
  });

  it('a whole screening after the answer that refuses otherwise drops the entry', () => {
    const s = setup();
    s.mark('nuisance');
    settle(s);
    // The mark changed without the version (what the memo must never see): the whole screening disagrees.
    const index = s.index;
    let trusted = false;
    s.steps.evidence = {
      evidenceFor: (key) => {
        s.counted.reads++;
        const e = index.evidenceFor(key);
        return trusted
          ? Object.assign({}, e, { mark: { label: 'trusted', at: NOW, company: null, category: null } })
          : e;
      },
      get verdictVersion() {
        return index.verdictVersion;
      },
    };
    trusted = true;
    const stale = call(s, headers(NUISANCE, DID));
    expect(stale).toMatchObject({ action: REJECT, readBefore: false });
    expect(stale.whole.action).toEqual(ALLOW);
    expect(call(s, headers(NUISANCE, DID))).toMatchObject({ action: ALLOW, readBefore: true });
  });

  it('generated traffic and changes: the memo on and off give the same actions and whole screenings', () => {
    const rand = mulberry32(30);
    const callers = ['+390298765401', '+390298765402', '+393471234501', '+390844123401'];
    const dids = [DID, OTHER_DID];
    const actions: Action[] = [ALLOW, { kind: 'tag' }, REJECT, { kind: 'reject', status: 486 }, { kind: 'hangup' }];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const policyOf = (): ActionPolicy => {
      const rules: PolicyRule[] = [];
      for (let i = 0; i < Math.floor(rand() * 3); i++) {
        rules.push({
          number: i + 1,
          name: '',
          dids: rand() < 0.5 ? null : new Set([pick(dids)]),
          hours: rand() < 0.5 ? null : pick(['open', 'closed'] as const),
          verdicts: rand() < 0.3 ? null : new Set([pick(['nuisance', 'unknown', 'trusted'] as const)]),
          action: pick(actions),
        });
      }
      const policy: ActionPolicy = Object.assign({}, POLICY, {
        nuisance: pick(actions),
        rules: {
          rules,
          openAt: (t: number) => (Math.floor(t / 3600_000) % 2 === 0 ? { open: true } : { open: false, why: 'hours' }),
        },
      });
      if (rand() < 0.5) policy.byCategory = { energy: pick(actions), surveys: pick(actions) };
      return policy;
    };
    const on = setup(policyOf());
    const off = setup(on.steps.policy);
    off.steps.memo = undefined;
    let now = NOW;
    let hits = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rand();
      if (r < 0.04) {
        const key = pick(callers);
        const label = pick(['nuisance', 'nuisance', 'trusted', 'none'] as const);
        const category = pick([null, 'energy', 'surveys']);
        on.mark(label, category, key);
        off.mark(label, category, key);
      } else if (r < 0.05) {
        const key = pick(callers);
        on.index.learned.setAllowNext(key, now - 1);
        off.index.learned.setAllowNext(key, now - 1);
      } else if (r < 0.06) {
        const policy = policyOf();
        on.steps.policy = policy;
        off.steps.policy = policy;
      } else if (r < 0.1) {
        now += Math.floor(rand() * 2 * 3600_000);
        on.setNow(now);
        off.setNow(now);
      } else {
        const from = pick(callers);
        const did = pick(dids);
        const extra: Record<string, string[]> = rand() < 0.1 ? { privacy: ['id'] } : {};
        const a = call(on, headers(from, did, extra), now);
        const b = call(off, headers(from, did, extra), now);
        if (!a.readBefore && a.action.kind !== 'allow') hits++;
        expect(a.action).toEqual(b.action);
        expect(a.whole).toEqual(b.whole);
        for (const side of [on, off]) {
          side.index.addAttempt(from, now);
          if (a.action.kind !== 'allow' && a.action.kind !== 'tag') side.index.addRefusal(from, now);
          if (a.whole.decision.reasons.some((x) => x.code === 'allow-next')) side.index.learned.consumeAllowNext(from);
        }
        now += 1000;
        on.setNow(now);
        off.setNow(now);
      }
    }
    expect(hits).toBeGreaterThan(100);
  });
});

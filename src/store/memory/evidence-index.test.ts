import { describe, expect, it } from 'vitest';
import { NO_EVIDENCE } from '../../screening/types.js';
import { EvidenceIndex, MAX_TIMES_PER_CALLER } from './evidence-index.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { createClassifier } from '../../screening/classify.js';
import { caller, rules } from '../../screening/test-fixtures.js';
import type { CallerSlot } from '../../callerid/types.js';
import type { CallerEvidence } from '../../screening/types.js';
import { prefixIndexOptions } from './prefix-index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);

function index(clock = new ManualClock(T0)): EvidenceIndex {
  return new EvidenceIndex({ lookbackDays: 30, clock });
}

describe('EvidenceIndex', () => {
  it('answers unknown callers with the shared empty evidence', () => {
    expect(index().evidenceFor('+390000')).toBe(NO_EVIDENCE);
  });

  it('keeps times ascending even when they arrive out of order', () => {
    const ix = index();
    ix.addAttempt('+39', T0 - 10);
    ix.addAttempt('+39', T0 - 30);
    ix.addAttempt('+39', T0 - 20);
    expect(ix.evidenceFor('+39').attempts).toEqual([T0 - 30, T0 - 20, T0 - 10]);
  });

  it(`keeps at most ${MAX_TIMES_PER_CALLER} most recent times per caller`, () => {
    const ix = index();
    for (let i = 0; i < MAX_TIMES_PER_CALLER + 50; i++) ix.addRefusal('raw:x', T0 - DAY + i);
    const { refusals } = ix.evidenceFor('raw:x');
    expect(refusals).toHaveLength(MAX_TIMES_PER_CALLER);
    expect(refusals[0]).toBe(T0 - DAY + 50);
  });

  it("writes a caller's times and calls in place, no copy per write: appended, the same time again, an earlier one, past the window, and full", () => {
    const clock = new ManualClock(T0);
    const ix = index(clock);
    const key = '+390212345678';
    ix.addAttempt(key, T0 - 2 * DAY);
    ix.learned.addCall(key, T0 - 2 * DAY, '+390611111111');
    const first = ix.evidenceFor(key);
    const [attempts, calls] = [first.attempts, first.calls];
    // Appended (the rule), the same time again, an earlier one, a refusal; then the first time leaves the window.
    for (const t of [T0 - DAY, T0 - DAY, T0 - 3 * DAY]) {
      ix.addAttempt(key, t);
      ix.addRefusal(key, t);
      ix.learned.addCall(key, t, null);
    }
    const refusals = ix.evidenceFor(key).refusals;
    expect(ix.evidenceFor(key).attempts).toEqual([T0 - 3 * DAY, T0 - 2 * DAY, T0 - DAY, T0 - DAY]);
    expect(refusals).toEqual([T0 - 3 * DAY, T0 - DAY, T0 - DAY]);
    clock.advance(28 * DAY + DAY / 2);
    ix.addAttempt(key, clock.now());
    ix.learned.addCall(key, clock.now(), null);
    const after = ix.evidenceFor(key);
    expect(after.attempts).toEqual([T0 - DAY, T0 - DAY, clock.now()]);
    expect(after.refusals).toEqual([T0 - DAY, T0 - DAY]);
    expect([...(after.calls ?? [])].map((c) => c.at)).toEqual([T0 - DAY, T0 - DAY, clock.now()]);
    // The same arrays all along: each write moved times within them instead of copying the caller's history.
    expect(after.attempts).toBe(attempts);
    expect(after.refusals).toBe(refusals);
    expect(after.calls).toBe(calls);
    // Full: the oldest makes way for a newer time, in place; a time older than every kept one changes nothing.
    const full = '+390299999999';
    for (let i = 0; i < MAX_TIMES_PER_CALLER; i++) ix.addAttempt(full, clock.now() - DAY + i);
    const kept = ix.evidenceFor(full).attempts;
    ix.addAttempt(full, clock.now() - DAY + 10.5);
    ix.addAttempt(full, clock.now() - DAY - 1);
    ix.addAttempt(full, clock.now());
    const now = ix.evidenceFor(full).attempts;
    expect(now).toBe(kept);
    expect(now).toHaveLength(MAX_TIMES_PER_CALLER);
    expect(now.slice(0, 10)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 10.5].map((i) => clock.now() - DAY + i));
    expect(now.at(-1)).toBe(clock.now());
    expect(now.at(-2)).toBe(clock.now() - DAY + MAX_TIMES_PER_CALLER - 1);
  });

  it('prune drops callers whose times all left the window', () => {
    const clock = new ManualClock(T0);
    const ix = index(clock);
    ix.addAttempt('+391', T0 - 29 * DAY);
    ix.addAttempt('+392', T0 - DAY);
    clock.advance(2 * DAY);
    expect(ix.prune()).toBe(1);
    expect(ix.activeCallers).toBe(1);
  });

  it('gives a caller every learned fact beside its mark and times', () => {
    const ix = index();
    const key = '+390212345678';
    ix.setMark({ callerKey: '+390212345670', label: 'nuisance', at: T0 - DAY, company: null, category: null });
    ix.setMark({ callerKey: key, label: 'nuisance', at: T0 - DAY, company: 'Acme', category: null });
    ix.addAttempt(key, T0 - 20);
    ix.addRefusal(key, T0 - 10);
    ix.learned.addCall(key, T0 - 20, '+390611111111');
    ix.addTalk(key, T0 - 20, 12);
    ix.addCalledByUs(key, T0 - 2 * DAY);
    ix.learned.setAllowNext(key, T0 - 5);
    const learned = ix.learned.evidence(key);
    expect(Object.keys(learned ?? {}).sort()).toEqual(['allowNext', 'block', 'calledByUs', 'calls', 'talks']);
    const evidence = ix.evidenceFor(key);
    // Marked: everything but its number blocks, which the classifier does not read for a marked caller.
    const { block, ...withoutBlock } = learned ?? {};
    expect(block).toBeDefined();
    expect(evidence).toEqual({ ...withoutBlock, mark: ix.marks.get(key), attempts: [T0 - 20], refusals: [T0 - 10] });
    expect(evidence.mark?.company).toBe('Acme');
  });

  it("reads the clock for an unmarked caller's evidence only with a prefix tree (its estimate and block calls)", () => {
    const reads = { n: 0 };
    const clock = {
      now: (): number => {
        reads.n++;
        return T0;
      },
    };
    const plain = new EvidenceIndex({ lookbackDays: 30, clock });
    expect(plain.evidenceFor('+390212345679')).toBe(NO_EVIDENCE);
    expect(reads.n).toBe(0);
    const withTree = new EvidenceIndex({ lookbackDays: 30, clock, prefixes: { humanSeconds: 180, suspect: 0.5 } });
    withTree.evidenceFor('+390212345679');
    expect(reads.n).toBeGreaterThan(0);
  });

  it('looks up number blocks, prefix estimate and block calls for unmarked callers only', () => {
    const clock = new ManualClock(T0);
    const ix = new EvidenceIndex({ lookbackDays: 30, clock, prefixes: { humanSeconds: 180, suspect: 0.5 } });
    // A 10-block all marked nuisance but one number; its 1000-block has calls from a neighbour just now.
    for (let i = 0; i < 9; i++) {
      ix.setMark({ callerKey: `+39021234567${i}`, label: 'nuisance', at: T0 - DAY, company: null, category: null });
    }
    ix.setMark({ callerKey: '+390212345670', label: 'trusted', at: T0 - DAY, company: null, category: null });
    ix.prefixes?.attempt('+390212345111', { time: T0 - 60_000, verdict: 'unknown', reasons: [] }, false);
    const unmarked = ix.evidenceFor('+390212345679');
    expect(unmarked.block?.smallNuisance).toBe(8);
    expect(unmarked.prefix).not.toBeNull();
    expect(unmarked.blockCalls).not.toBeNull();
    for (const key of ['+390212345671', '+390212345670']) {
      const marked = ix.evidenceFor(key);
      expect(marked.mark).not.toBeNull();
      expect(marked).not.toHaveProperty('block');
      expect(marked).not.toHaveProperty('prefix');
      expect(marked).not.toHaveProperty('blockCalls');
    }
  });

  it('decides a marked caller as it would with its blocks, prefix estimate and block calls (left out)', () => {
    const clock = new ManualClock(T0);
    const r = rules();
    const learning = { ...r.learning!, prefixes: { ...r.learning!.prefixes!, enabled: true } };
    const screening = { ...r, learning };
    const ix = new EvidenceIndex({ lookbackDays: 30, clock, prefixes: prefixIndexOptions(learning, r.thresholds) });
    // A dense nuisance 100-block (no trusted member) with a neighbour sweeping our DIDs just now.
    for (let i = 0; i < 60; i++) {
      const key = `+3902123456${String(i).padStart(2, '0')}`;
      ix.setMark({ callerKey: key, label: 'nuisance', at: T0 - DAY, company: null, category: null });
    }
    for (const [i, did] of ['+390611111111', '+390611111112', '+390611111113'].entries()) {
      const attempt = { time: T0 - 60_000 + i, calledNumber: did, verdict: 'unknown' as const, reasons: [] };
      ix.prefixes?.attempt('+390212345661', attempt, false);
    }
    // A trusted number among nuisance ones in the next 100-block.
    ix.setMark({ callerKey: '+390212345562', label: 'trusted', at: T0 - DAY, company: null, category: null });
    for (let i = 3; i < 10; i++) {
      ix.setMark({ callerKey: `+39021234556${i}`, label: 'nuisance', at: T0 - DAY, company: null, category: null });
    }
    const classify = createClassifier(screening);
    const full = (key: string): CallerEvidence => ({
      ...ix.evidenceFor(key),
      ...ix.learned.evidence(key),
      prefix: ix.prefixes?.estimate(key, T0) ?? null,
      blockCalls: ix.prefixes?.blockCalls(key, T0) ?? null,
    });
    const context = { did: '+390611111114' };
    // The evidence left out weighs: an unmarked number of the block is judged by it.
    const unmarked = classify(caller('+390212345680'), full('+390212345680'), T0, context);
    expect(unmarked.reasons.map((x) => x.code).sort()).toEqual(['block-sweep', 'nuisance-block']);
    for (const key of ['+390212345610', '+390212345562']) {
      const left = ix.evidenceFor(key);
      expect(left).not.toHaveProperty('block');
      const all = full(key);
      expect(all.block).toBeTruthy();
      expect(all.prefix).toBeTruthy();
      expect(all.blockCalls).toBeTruthy();
      expect(classify(caller(key), left, T0, context)).toEqual(classify(caller(key), all, T0, context));
    }
  });

  it('loads marks in bulk', () => {
    const ix = index();
    const n = ix.loadMarks(
      (function* () {
        for (let i = 0; i < 1000; i++)
          yield { callerKey: `+3933300${i}`, label: 'nuisance' as const, at: i, company: null, category: null };
      })(),
    );
    expect(n).toBe(1000);
    expect(ix.evidenceFor('+3933300999').mark?.at).toBe(999);
  });
});

/**
 * A caller's record keeps the mark and number blocks it was last given (CallerActivity.mark, .block), read there
 * instead of in the mark table's and the block counts' memos while nothing was written since: never stale.
 */
describe("EvidenceIndex: the mark and number blocks kept in a caller's record", () => {
  const key = '+390212345678';
  const mark = (callerKey: string, label: 'nuisance' | 'trusted' | 'none', at = T0 - DAY) => ({
    callerKey,
    label,
    at,
    company: null,
    category: null,
  });

  it("gives the caller's mark as written last: set, changed, cleared, set again, with other marks written between", () => {
    const ix = index();
    ix.addAttempt(key, T0 - 60_000);
    expect(ix.evidenceFor(key).mark).toBeNull();
    ix.setMark(mark(key, 'nuisance'));
    const nuisance = ix.evidenceFor(key).mark;
    expect(nuisance).toMatchObject({ label: 'nuisance', at: T0 - DAY });
    // Another caller's mark: this one's is the same object (the table's, kept).
    ix.setMark(mark('+390611111111', 'trusted'));
    expect(ix.evidenceFor(key).mark).toBe(nuisance);
    expect(ix.evidenceFor(key).mark).toBe(ix.marks.get(key));
    ix.setMark(mark(key, 'trusted', T0 - 10));
    expect(ix.evidenceFor(key).mark).toMatchObject({ label: 'trusted', at: T0 - 10 });
    ix.setMark(mark(key, 'none', T0 - 5));
    expect(ix.evidenceFor(key).mark).toBeNull();
    ix.loadMarks([mark(key, 'nuisance', T0 - 2)]);
    expect(ix.evidenceFor(key).mark).toMatchObject({ label: 'nuisance', at: T0 - 2 });
  });

  it("gives an unmarked caller's number blocks as they are after each mark of its block, and without it after its own", () => {
    const ix = index();
    ix.addAttempt(key, T0 - 60_000);
    expect(ix.evidenceFor(key).block).toBeUndefined();
    ix.setMark(mark('+390212345671', 'nuisance'));
    expect(ix.evidenceFor(key).block?.smallNuisance).toBe(1);
    ix.setMark(mark('+390212345672', 'nuisance'));
    expect(ix.evidenceFor(key).block?.smallNuisance).toBe(2);
    ix.learned.addLearnedMember('+390212345673', T0 - 1000);
    expect(ix.evidenceFor(key).block?.smallNuisance).toBe(3);
    ix.setMark(mark('+390212345671', 'none'));
    expect(ix.evidenceFor(key).block).toMatchObject({ smallNuisance: 2, smallTrusted: 0 });
    ix.setMark(mark(key, 'nuisance'));
    expect(ix.evidenceFor(key)).not.toHaveProperty('block');
    ix.setMark(mark(key, 'none'));
    expect(ix.evidenceFor(key).block).toMatchObject({ smallNuisance: 2 });
  });

  it('reads the mark afresh for a caller whose record left the window and came back after a mark', () => {
    const clock = new ManualClock(T0);
    const ix = index(clock);
    ix.setMark(mark(key, 'nuisance'));
    ix.addAttempt(key, T0 - 60_000);
    expect(ix.evidenceFor(key).mark?.label).toBe('nuisance');
    clock.advance(31 * DAY);
    expect(ix.prune()).toBe(1);
    expect(ix.callerRecords).toBe(0);
    ix.setMark(mark(key, 'trusted', clock.now()));
    ix.addAttempt(key, clock.now());
    expect(ix.evidenceFor(key).mark).toMatchObject({ label: 'trusted', at: clock.now() });
    // A restart: a new index loaded with the marks as they are now.
    const again = index(clock);
    again.loadMarks([mark(key, 'none', clock.now())]);
    again.addAttempt(key, clock.now());
    expect(again.evidenceFor(key).mark).toBeNull();
  });

  it('keeps one record for a caller whose writes and reads each give its key as a string of their own', () => {
    const ix = index();
    const digits = '0212345678';
    // Equal keys, different strings: as a first call's identity and the caller-ID cache's copy give them.
    const own = () => ['+39', digits].join('');
    ix.addAttempt(own(), T0 - 30);
    ix.addRefusal(own(), T0 - 20);
    ix.learned.addCall(own(), T0 - 20, '+390611111111');
    ix.addAttempt(own(), T0 - 10);
    expect(ix.callerRecords).toBe(1);
    expect(ix.activeCallers).toBe(1);
    const e = ix.evidenceFor(own());
    expect(e.attempts).toEqual([T0 - 30, T0 - 10]);
    expect(e.refusals).toEqual([T0 - 20]);
    expect(e.calls?.length).toBe(1);
    expect(ix.evidenceFor(key)).toEqual(e);
  });
});

describe("EvidenceIndex: a caller's record reached from its slot in the caller-ID cache", () => {
  const key = '+390212345678';
  const slot = (): CallerSlot => ({ owner: null, record: null });

  it('keeps the record in the slot and gives the same evidence with it as without, write after write', () => {
    const ix = index();
    const s = slot();
    ix.addAttempt(key, T0 - 3000);
    ix.learned.addCall(key, T0 - 3000, '+390611111111');
    expect(ix.evidenceFor(key, s)).toEqual(ix.evidenceFor(key));
    expect(s.record).not.toBeNull();
    const kept = s.record;
    for (const t of [T0 - 2000, T0 - 1000]) {
      ix.addAttempt(key, t);
      ix.addRefusal(key, t);
      ix.setMark({ callerKey: key, label: 'nuisance', at: t, company: null, category: null });
      expect(ix.evidenceFor(key, s)).toEqual(ix.evidenceFor(key));
    }
    expect(ix.evidenceFor(key, s).attempts).toEqual([T0 - 3000, T0 - 2000, T0 - 1000]);
    // Refiled at each write, the same record: the slot's still.
    expect(s.record).toBe(kept);
  });

  it('never reads a record that left the table on a read (its times left the window): the caller heard again', () => {
    const clock = new ManualClock(T0);
    const ix = index(clock);
    const s = slot();
    ix.addAttempt(key, T0 - 1000);
    ix.addRefusal(key, T0 - 1000);
    expect(ix.evidenceFor(key, s).attempts).toEqual([T0 - 1000]);
    clock.advance(31 * DAY);
    expect(ix.evidenceFor(key, s)).toBe(NO_EVIDENCE);
    expect(ix.callerRecords).toBe(0);
    ix.addAttempt(key, clock.now());
    expect(ix.evidenceFor(key, s).attempts).toEqual([clock.now()]);
    expect(ix.evidenceFor(key, s).refusals).toEqual([]);
    expect(ix.evidenceFor(key, s)).toEqual(ix.evidenceFor(key));
  });

  it('never reads a record that left the table in a prune: times (this index) or calls (the learned index)', () => {
    const clock = new ManualClock(T0);
    const ix = index(clock);
    const timed = slot();
    const called = slot();
    const other = '+390611111111';
    ix.addAttempt(key, T0 - 1000);
    ix.learned.addCall(other, T0 - 1000, null);
    expect(ix.evidenceFor(key, timed).attempts).toHaveLength(1);
    expect(ix.evidenceFor(other, called).calls).toHaveLength(1);
    clock.advance(31 * DAY);
    ix.prune();
    expect(ix.callerRecords).toBe(0);
    ix.addRefusal(key, clock.now());
    ix.learned.addCall(other, clock.now(), '+390299999999');
    expect(ix.evidenceFor(key, timed).refusals).toEqual([clock.now()]);
    expect([...(ix.evidenceFor(other, called).calls ?? [])].map((c) => c.at)).toEqual([clock.now()]);
    expect(ix.evidenceFor(key, timed)).toEqual(ix.evidenceFor(key));
    expect(ix.evidenceFor(other, called)).toEqual(ix.evidenceFor(other));
  });

  it("reads a slot only when this index kept the record there, for this caller's key", () => {
    const a = index();
    const b = index();
    const s = slot();
    a.addAttempt(key, T0 - 2000);
    b.addAttempt(key, T0 - 1000);
    expect(a.evidenceFor(key, s).attempts).toEqual([T0 - 2000]);
    expect(b.evidenceFor(key, s).attempts).toEqual([T0 - 1000]);
    expect(a.evidenceFor(key, s).attempts).toEqual([T0 - 2000]);
    // Asked with another caller's key: that caller's evidence, not the slot's record.
    const other = '+390611111111';
    a.addRefusal(other, T0 - 500);
    expect(a.evidenceFor(other, s).refusals).toEqual([T0 - 500]);
    expect(a.evidenceFor(other, s).attempts).toEqual([]);
    expect(a.evidenceFor('+390622222222', s)).toBe(NO_EVIDENCE);
  });
});

describe("EvidenceIndex: the office's change of a caller's mark is a fresh start for the repeat rule", () => {
  const key = '+393471234567';
  const decide = createClassifier(rules());

  it('drops the refusals before a mark change, any label or a clearing, and keeps out later-recorded earlier ones', () => {
    const ix = index();
    for (const t of [T0 - 5 * DAY, T0 - 4 * DAY, T0 - 3 * DAY]) {
      ix.addAttempt(key, t);
      ix.addRefusal(key, t);
    }
    ix.setMark({ callerKey: key, label: 'nuisance', at: T0 - 4 * DAY, company: null, category: null });
    // One at the mark's very time stays (a mark's first refusal can come in the same millisecond).
    expect(ix.evidenceFor(key).refusals).toEqual([T0 - 4 * DAY, T0 - 3 * DAY]);
    // Cleared (a customer marked by mistake): nothing before the clearing counts, not even one recorded after it.
    ix.setMark({ callerKey: key, label: 'none', at: T0 - 2 * DAY, company: null, category: null });
    ix.addRefusal(key, T0 - 2 * DAY - 1000);
    expect(ix.evidenceFor(key)).toMatchObject({ mark: null, refusals: [] });
    expect(ix.evidenceFor(key).attempts).toEqual([T0 - 5 * DAY, T0 - 4 * DAY, T0 - 3 * DAY]);
    expect(ix.marks.changedAt(key)).toBe(T0 - 2 * DAY);
    expect(ix.marks.changedAt('+393470000000')).toBeNaN();
    // The next call is decided on what came after the clearing alone; a refusal after it counts again.
    expect(decide(caller(key), ix.evidenceFor(key), T0).verdict).toBe('unknown');
    ix.addAttempt(key, T0 - DAY);
    ix.addRefusal(key, T0 - DAY);
    expect(ix.evidenceFor(key).refusals).toEqual([T0 - DAY]);
    expect(decide(caller(key), ix.evidenceFor(key), T0).reasons[0]).toMatchObject({
      code: 'attempt-after-refusal',
      params: { attempt: 1 },
    });
  });
});

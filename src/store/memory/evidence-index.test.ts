import { describe, expect, it } from 'vitest';
import { NO_EVIDENCE } from '../../screening/types.js';
import { EvidenceIndex, MAX_TIMES_PER_CALLER } from './evidence-index.js';
import { ManualClock } from '../../../test/support/manual-clock.js';

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
    expect(evidence).toEqual({ ...learned, mark: ix.marks.get(key), attempts: [T0 - 20], refusals: [T0 - 10] });
    expect(evidence.mark?.company).toBe('Acme');
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

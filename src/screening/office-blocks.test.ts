import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../callerid/types.js';
import { learnsBlockMember } from './blocks.js';
import { classify } from './classify.js';
import { DEFAULT_LEARNING_RULES, type LearningRules } from './learning.js';
import { at, blockCounts, caller, DAY, evidence, mark, number, officeMarkedIn, rules, zeros } from './test-fixtures.js';
import type { BlockCounts, CallerEvidence } from './types.js';

/** Tuesday 10 Nov 2026, 11:00 in Rome: inside business hours. */
const TUE = at('2026-11-10T10:00:00Z');

function learning(over: (l: LearningRules) => void = () => undefined): LearningRules {
  const l: LearningRules = structuredClone(DEFAULT_LEARNING_RULES);
  over(l);
  return l;
}

function decide(identity: CallerIdentity, ev: CallerEvidence, l = learning()) {
  return classify({ identity, evidence: ev, now: TUE, rules: rules({ learning: l }) });
}

/** The caller's 10-block is +39 02 8717 691x (index 1 of its 100-block). */
const TEN = '39028717691';
const block = (over: Partial<BlockCounts> = {}): BlockCounts => blockCounts(TEN, over);
/** `marked` numbers the office marked in the caller's own 10-block. */
const markedInTen = (marked: number, over: Partial<BlockCounts> = {}): BlockCounts => officeMarkedIn(TEN, marked, over);

/** Marked numbers elsewhere in the caller's 100-block (none in its own 10-block), per 10-block. */
function markedAround(perTen: number[], over: Partial<BlockCounts> = {}): BlockCounts {
  const tens = zeros();
  perTen.forEach((n, i) => (tens[i === 1 ? 9 : i] = n));
  const total = perTen.reduce((a, b) => a + b, 0);
  return block({ largeNuisance: total, largeMarked: total, tens, tensMarked: tens, ...over });
}

const CALLER = '+390287176912';
const blockReason = (d: { reasons: { code: string; text: string; params?: Record<string, string | number> }[] }) =>
  d.reasons.find((r) => r.code === 'nuisance-block');

describe('office gates: blocks with numbers the business marked', () => {
  it('2 numbers the office marked in a 10-block stop an unseen neighbour, and say so', () => {
    const d = decide(caller(CALLER), evidence({ block: markedInTen(2) }));
    expect(d.verdict).toBe('nuisance');
    expect(blockReason(d)?.text).toBe('2 numbers you marked nuisance in +39 02 8717 691x');
    expect(blockReason(d)?.params).toMatchObject({ level: 'small', marked: 2 });
  });

  it('1 marked number is not a block', () => {
    expect(blockReason(decide(caller(CALLER), evidence({ block: markedInTen(1) })))).toBeUndefined();
  });

  it('crocetta’s own stops do not count towards the office gate', () => {
    const learnedToo = markedInTen(1, { smallNuisance: 3, largeNuisance: 3 });
    expect(blockReason(decide(caller(CALLER), evidence({ block: learnedToo })))).toBeUndefined();
  });

  it('a store that does not tell marks apart gives the office gate nothing', () => {
    const plain = block({ smallNuisance: 3, largeNuisance: 3 });
    delete plain.smallMarked;
    delete plain.largeMarked;
    delete plain.tensMarked;
    expect(blockReason(decide(caller(CALLER), evidence({ block: plain })))).toBeUndefined();
  });

  it('a trusted number in the 10-block stops it', () => {
    expect(
      blockReason(decide(caller(CALLER), evidence({ block: markedInTen(3, { smallTrusted: 1, largeTrusted: 1 }) }))),
    ).toBeUndefined();
  });

  it('the 100-block: 3 marked numbers over 2 blocks of ten', () => {
    const d = decide(caller(CALLER), evidence({ block: markedAround([2, 0, 1]) }));
    expect(d.verdict).toBe('nuisance');
    expect(blockReason(d)?.text).toBe('3 numbers you marked nuisance in +39 02 8717 69xx (2 blocks of ten)');
  });

  it('the 100-block needs 3 marks, and 2 blocks of ten, and no trusted member', () => {
    expect(blockReason(decide(caller(CALLER), evidence({ block: markedAround([1, 0, 1]) })))).toBeUndefined();
    expect(blockReason(decide(caller(CALLER), evidence({ block: markedAround([3]) })))).toBeUndefined();
    expect(
      blockReason(decide(caller(CALLER), evidence({ block: markedAround([2, 0, 1], { largeTrusted: 1 }) }))),
    ).toBeUndefined();
  });

  it('mobiles: only the 100-block gate (consecutive SIMs are different people)', () => {
    const mobile = caller('+393331234567', { number: number('+393331234567', { type: 'MOBILE' }) });
    expect(blockReason(decide(mobile, evidence({ block: markedInTen(3) })))).toBeUndefined();
    expect(decide(mobile, evidence({ block: markedAround([2, 0, 1]) })).verdict).toBe('nuisance');
  });

  it('numbers that may be fixed or mobile (the whole of NANP) keep the 10-block gates', () => {
    const us = caller('+12025550123', { number: number('+12025550123', { type: 'FIXED_LINE_OR_MOBILE' }) });
    const counts = { small: '1202555012', large: '120255501' };
    expect(decide(us, evidence({ block: markedInTen(2, counts) })).verdict).toBe('nuisance');
    const crowd = block({ ...counts, smallNuisance: 4, largeNuisance: 4 });
    expect(blockReason(decide(us, evidence({ block: crowd })))?.text).toBe('4 nuisance numbers in +1 202 555 012x');
  });

  it('the safety nets still win: a trusted mark, a number we called, a display-name allow, an emergency number', () => {
    const dense = markedInTen(5);
    expect(decide(caller(CALLER), evidence({ mark: mark('trusted', TUE - DAY), block: dense })).verdict).toBe(
      'trusted',
    );
    expect(decide(caller(CALLER), evidence({ calledByUs: TUE - DAY, block: dense })).verdict).toBe('trusted');
    const allow = learning((l) => (l.safety.displayNameAllow = ['^Studio Rossi$']));
    expect(decide(caller(CALLER, { displayName: 'Studio Rossi' }), evidence({ block: dense }), allow).verdict).toBe(
      'trusted',
    );
    const emergency = caller('112', { number: number(null, { raw: '112', flags: ['short-code'], valid: false }) });
    expect(decide(emergency, evidence({ block: dense })).verdict).toBe('trusted');
  });

  it('attestation A discounts it to a tag; disabled, it is gone', () => {
    const attested = caller(CALLER, { attestation: 'A' });
    expect(decide(attested, evidence({ block: markedInTen(2) })).verdict).toBe('suspect');
    const off = learning((l) => (l.blocks.office.enabled = false));
    expect(blockReason(decide(caller(CALLER), evidence({ block: markedInTen(3) }), off))).toBeUndefined();
  });

  it('a stop on the office gate alone does not make a learned member (a block never feeds itself)', () => {
    const d = decide(caller(CALLER), evidence({ block: markedInTen(2) }));
    expect(learnsBlockMember(d, { suspect: 0.5 })).toBe(false);
  });

  it('refuses gates below 1 and a spread over 10', () => {
    const bad = learning((l) => (l.blocks.office.smallMin = 0));
    expect(() => decide(caller(CALLER), evidence(), bad)).toThrow(/blocks\.office\.smallMin/);
    const wide = learning((l) => (l.blocks.office.largeSpread = 11));
    expect(() => decide(caller(CALLER), evidence(), wide)).toThrow(/blocks\.office\.largeSpread/);
  });
});

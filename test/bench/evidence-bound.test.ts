/**
 * bench/evidence-bound.ts: what an oracle with the true label of every earlier call knew before a call, at the
 * prefix tree's depths, and the best rule on those counts within a budget of blocked legitimate calls.
 */
import { describe, expect, it } from 'vitest';
import { EvidenceBound } from '../../bench/evidence-bound.js';

describe('what existed before a call', () => {
  it('walks the tree’s depths: country, destination code, wide blocks under mobiles only, 1000- to 10-blocks', () => {
    const b = new EvidenceBound();
    expect(b.path('+393471234567').map((s) => s.depth)).toEqual([
      'country',
      'destination code',
      '100000-block',
      '10000-block',
      '1000-block',
      '100-block',
      '10-block',
    ]);
    expect(b.path('+390287176901').map((s) => s.depth)).toEqual([
      'country',
      'destination code',
      '1000-block',
      '100-block',
      '10-block',
    ]);
  });

  it('finds nothing before a country’s first call, the number itself once it called', () => {
    const b = new EvidenceBound();
    expect(b.find('+355691112223')).toMatchObject({ category: 'nothing', depth: null });
    b.record('+355691112223', 'nuisance');
    expect(b.find('+355691112223')).toMatchObject({ category: 'own', share: 1 });
  });

  it('calls a prefix with only nuisance numbers before the caller pure, at its deepest such prefix', () => {
    const b = new EvidenceBound();
    b.record('+390287176901', 'nuisance');
    b.record('+393471234567', 'legit'); // another destination code: not on the path
    expect(b.find('+390287176905')).toMatchObject({ category: 'pure', depth: '10-block', share: 1 });
    expect(b.find('+390287176955')).toMatchObject({ category: 'pure', depth: '100-block' });
  });

  it('calls it shared when the nearest earlier callers include a legitimate one', () => {
    const b = new EvidenceBound();
    b.record('+355691112223', 'nuisance');
    b.record('+355695550001', 'nuisance');
    b.record('+355694440001', 'legit');
    // The destination code holds 2 nuisance numbers and 1 legitimate: the deepest prefix with earlier callers.
    expect(b.find('+355697770001')).toMatchObject({ category: 'mixed', depth: 'destination code' });
    expect(b.find('+355697770001').share).toBeCloseTo(2 / 3, 6);
    // Next to the legitimate number, its 10-block decides: only a legitimate caller there.
    expect(b.find('+355694440009')).toMatchObject({ category: 'mixed', depth: '10-block', share: 0 });
  });

  it('gives the best rule on the deepest prefix within the budget, free signatures first', () => {
    const b = new EvidenceBound();
    b.record('+390287176901', 'nuisance');
    b.score('+390287176902', true); // pure 10-block, 1 nuisance number: stopped for free
    b.score('+390287176903', true);
    b.record('+355691112223', 'nuisance');
    b.record('+355694440001', 'legit');
    b.score('+355697770001', true); // shared: destination code 1 nuisance, 1 legitimate
    b.score('+355697770002', false); // the same signature, legitimate
    for (let i = 0; i < 6; i++) b.score(null, false); // withheld legitimate calls count in the budget
    expect(b.ceiling(0)).toEqual({ stopped: 2 / 3, blocked: 0 });
    // One legitimate call of seven is 14%: within a 20% budget the shared signature is stopped too.
    expect(b.ceiling(0.2)).toEqual({ stopped: 1, blocked: 1 / 7 });
    expect(b.report().at(-1)).toBe('bound: nothing=0.0000 no_pure_evidence=0.3333 ceiling1=0.6667 ceiling2=0.6667');
  });
});

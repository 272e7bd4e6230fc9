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

  it('sees a sweep of our DIDs by the caller’s neighbours as it happens, within the window only', () => {
    const b = new EvidenceBound(30 * 60_000);
    const t0 = Date.parse('2026-09-07T09:00:00Z');
    const at = (min: number, did: string) => ({ at: t0 + min * 60_000, did });
    b.record('+40740111111', 'nuisance', at(0, '+390255550100'));
    // Another Romanian number of the same destination code on another DID: a 2-DID sweep of the code.
    expect(b.liveSweep('+40740222222', at(3, '+390255550101'))).toBe('area2');
    // The same DID is no sweep; the same number is its own evidence, not a neighbour's.
    expect(b.liveSweep('+40740222222', at(3, '+390255550100'))).toBe('-');
    expect(b.liveSweep('+40740111111', at(3, '+390255550101'))).toBe('-');
    b.record('+40740333333', 'nuisance', at(5, '+390255550102'));
    expect(b.liveSweep('+40740444444', at(6, '+390255550103'))).toBe('area3');
    // Another destination code of the country is not the caller's neighbourhood.
    expect(b.liveSweep('+40720444444', at(6, '+390255550103'))).toBe('-');
    // A number of the same 1000-block on another DID.
    expect(b.liveSweep('+40740333999', at(7, '+390255550100'))).toBe('block');
    // Past the window nothing is live any more.
    expect(b.liveSweep('+40740444444', at(40, '+390255550103'))).toBe('-');
  });

  it('stops on a live sweep where the prefix counts alone could not, and says where crocetta missed', () => {
    const b = new EvidenceBound(30 * 60_000);
    const t0 = Date.parse('2026-09-07T09:00:00Z');
    const at = (min: number, did: string) => ({ at: t0 + min * 60_000, did });
    // A destination code shared with a legitimate caller: the counts alone give 1 nuisance, 1 legitimate.
    b.record('+40740111111', 'legit', at(0, '+390255550100'));
    b.record('+40740222222', 'nuisance', at(100, '+390255550100'));
    // Nuisance: a neighbour rang another DID 2 minutes before; legitimate: nothing happening around it.
    b.score('+40740555555', true, 'ro', { live: at(102, '+390255550101'), stopped: false });
    b.score('+40740666666', false, '', { live: at(300, '+390255550101'), stopped: false });
    expect(b.ceiling(0)).toEqual({ stopped: 0, blocked: 0 });
    expect(b.ceiling(0, 1, true)).toEqual({ stopped: 1, blocked: 0 });
    const report = b.report();
    expect(report.find((l) => l.includes('crocetta’s misses') || l.includes("crocetta's misses"))).toContain(
      'shared with legitimate callers, live sweep 100.00%',
    );
    expect(report.at(-1)).toBe(
      'bound: nothing=0.0000 no_pure_evidence=1.0000 ceiling1=0.0000 ceiling2=0.0000 ceiling1_live=1.0000 ceiling2_live=1.0000',
    );
  });
});

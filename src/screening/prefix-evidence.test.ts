import { describe, expect, it } from 'vitest';
import { blockReason } from './blocks.js';
import { dayFormatter } from './dates.js';
import { DEFAULT_LEARNING_RULES } from './learning.js';
import { neighbourhoodOnly, prefixEvidence, prefixLearning, prefixReason, prefixText } from './prefix-evidence.js';
import { PrefixTree, type PrefixEstimate } from './prefix-tree.js';
import { blockCounts, officeMarkedIn } from './test-fixtures.js';
import type { BlockCounts, Decision, Reason } from './types.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T09:00:00+01:00');
const dates = dayFormatter('Europe/Rome');
const BLOCKS = DEFAULT_LEARNING_RULES.blocks;

/** Twelve Albanian mobiles marked one a day (about 10 once decayed); the office never had a caller from Albania. */
function albania(): PrefixTree {
  const tree = new PrefixTree();
  for (let i = 0; i < 30; i++)
    tree.observe(`+39347${String(1000000 + i * 98321).slice(-7)}`, 'legit', 1, T0 - 20 * DAY);
  for (let i = 0; i < 12; i++)
    tree.observe(`+35569${String(1000000 + i * 77777).slice(-7)}`, 'nuisance', 1, T0 - (12 - i) * DAY);
  return tree;
}

/** The caller's 10-block is +39 02 8717 69x (index 9 of its 100-block). */
const TEN = '3902871769';
const counts = (over: Partial<BlockCounts> = {}): BlockCounts => blockCounts(TEN, over);
/** The office marked `n` numbers of the caller's own 10-block. */
const officeMarked = (n: number, over: Partial<BlockCounts> = {}): BlockCounts => officeMarkedIn(TEN, n, over);
const gate = (c: BlockCounts, type: string | null = 'FIXED_LINE'): Reason | null => blockReason(BLOCKS, c, type, 12, 1);
const fixedTree = (weight: number, level: 'country' | 'area' | 'block' = 'area'): Reason => ({
  code: 'prefix-evidence',
  text: 'tree',
  weight,
  params: { level },
});

describe('the reason office staff read', () => {
  it('names the country and the evidence, counting ranges above the blocks', () => {
    const e = albania().estimate('+355681234567', T0)!;
    expect(e.node.level).toBe('country');
    expect(prefixText(e, dates)).toBe(
      '10 number ranges of Albania (+355) with calls refused or marked nuisance lately (last on 1 Nov); none of your callers calls from there',
    );
    const reason = prefixReason(e, dates)!;
    expect(reason).toMatchObject({ code: 'prefix-evidence', params: { level: 'country', prefix: '+355', legit: 0 } });
    expect(reason.weight).toBeGreaterThanOrEqual(0.5); // suspect on the country's word; its operator range says more
    expect(reason.weight).toBe(e.weight);
  });

  it('names the operator range, and the block with its free digits', () => {
    const tree = albania();
    expect(prefixText(tree.estimate('+355691234567', T0)!, dates)).toMatch(
      /^10 number ranges of \+355 69 \(mobile\) with calls refused/,
    );
    for (const n of ['+390287176901', '+390287176935', '+390287176977']) tree.observe(n, 'nuisance', 1, T0);
    tree.observe('+390245454545', 'legit', 1, T0);
    expect(prefixText(tree.estimate('+390287176999', T0)!, dates)).toBe(
      '3 numbers in +39 02 8717 69xx refused or marked nuisance lately; none of your callers calls from there',
    );
  });

  it("says how many of the office's callers share the prefix", () => {
    const tree = albania();
    tree.observe('+355691111111', 'legit', 1, T0);
    tree.observe('+355692222222', 'legit', 1, T0);
    expect(prefixText(tree.estimate('+355691234567', T0)!)).toMatch(/; your callers call from 2 of its ranges$/);
  });

  it('gives no reason without weight, and discounts a fully attested call', () => {
    const tree = albania();
    const weak: PrefixEstimate = { ...tree.estimate('+355691234567', T0)!, weight: 0 };
    expect(prefixReason(weak)).toBeNull();
    expect(prefixReason(null)).toBeNull();
    const e = tree.estimate('+355691234567', T0)!;
    expect(prefixReason(e, dates, 0.7)!.weight).toBeCloseTo(e.weight * 0.7, 10);
  });

  it("is written once for a kept (frozen) estimate, as it would be written afresh; a fresh estimate's each time", () => {
    const tree = albania();
    const fresh = tree.estimate('+355691234567', T0)!;
    expect(prefixReason(fresh, dates)).not.toBe(prefixReason(fresh, dates));
    const kept = Object.freeze(tree.estimate('+355691234567', T0)!);
    const first = prefixReason(kept, dates)!;
    expect(prefixReason(kept, dates)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.params)).toBe(true);
    expect(first).toEqual(prefixReason(fresh, dates));
    // Another discount or formatter: written for them, as afresh.
    const discounted = prefixReason(kept, dates, 0.7)!;
    expect(discounted).not.toBe(first);
    expect(discounted).toEqual(prefixReason(fresh, dates, 0.7));
    expect(prefixReason(kept)).toEqual(prefixReason(fresh));
    expect(prefixReason(kept)?.text).not.toBe(first.text); // without a formatter, no "(last on …)"
  });
});

describe('the block gates as special cases (blocks.ts kept where it is stricter)', () => {
  it('keeps the office gate when it weighs more than the tree', () => {
    const g = gate(officeMarked(2))!;
    expect(g.weight).toBeCloseTo(BLOCKS.office.weight, 5);
    expect(prefixEvidence(g, fixedTree(0.6), officeMarked(2))).toBe(g);
    expect(prefixEvidence(g, null, officeMarked(2))).toBe(g);
  });

  it("keeps PhoneBlock's gates, and takes the tree instead when it is stronger, never both", () => {
    const dense = counts({ smallNuisance: 6, largeNuisance: 6, tens: [0, 0, 0, 0, 0, 0, 0, 0, 0, 6] });
    const g = gate(dense)!;
    expect(g.code).toBe('nuisance-block');
    const strong = fixedTree(0.95, 'block');
    expect(prefixEvidence(g, strong, dense)).toBe(strong);
    expect(prefixEvidence(g, fixedTree(g.weight - 0.01), dense)).toBe(g);
  });

  it("lets the tree speak where no gate is met (below the gates, or a mobile's 10-block)", () => {
    const below = officeMarked(1);
    expect(gate(below)).toBeNull();
    const tree = fixedTree(0.83);
    expect(prefixEvidence(null, tree, below)).toBe(tree);
    expect(gate(officeMarked(2), 'MOBILE')).toBeNull(); // mobiles: the 100-block's spread gate only
    expect(prefixEvidence(null, tree, officeMarked(2))).toBe(tree);
  });

  it('stops the tree, as it stops the gates, when a trusted number is in the 10- or 100-block', () => {
    const supplierTen = officeMarked(3, { smallTrusted: 1, largeTrusted: 1 });
    expect(gate(supplierTen)).toBeNull();
    expect(prefixEvidence(gate(supplierTen), fixedTree(0.9, 'country'), supplierTen)).toBeNull();
    const supplierHundred = counts({ largeTrusted: 1 });
    expect(prefixEvidence(null, fixedTree(0.9, 'country'), supplierHundred)).toBeNull();
  });
});

describe('what a refusal teaches the tree', () => {
  const decision = (reasons: Array<[Reason['code'], number]>, verdict: Decision['verdict'] = 'nuisance'): Decision => ({
    verdict,
    score: 0.9,
    reasons: reasons.map(([code, weight]) => ({ code, text: code, weight })),
  });

  it('counts a number refused on its own evidence, or its mark, as a nuisance number', () => {
    expect(prefixLearning(decision([['marked-nuisance', 0.99]]), { suspect: 0.5 })).toBe('own');
    expect(
      prefixLearning(
        decision([
          ['repeat-after-refusal', 0.9],
          ['prefix-evidence', 0.9],
        ]),
        { suspect: 0.5 },
      ),
    ).toBe('own');
    expect(
      prefixLearning(
        decision([
          ['sweep', 0.6],
          ['nuisance-block', 0.6],
        ]),
        { suspect: 0.5 },
      ),
    ).toBe('own');
  });

  it('counts a number refused on its neighbourhood alone at its expected label, and learns nothing from the rest', () => {
    expect(
      prefixLearning(
        decision([
          ['prefix-evidence', 0.9],
          ['off-hours', 0.1],
        ]),
        { suspect: 0.5 },
      ),
    ).toBe('neighbourhood');
    expect(prefixLearning(decision([['nuisance-block', 0.85]]), { suspect: 0.5 })).toBe('neighbourhood');
    expect(prefixLearning(decision([['prefix-evidence', 0.6]], 'suspect'), { suspect: 0.5 })).toBeNull();
  });
});

describe('what a verdict rests on (neighbourhoodOnly)', () => {
  const area: Reason = { code: 'prefix-evidence', text: 'Albania', weight: 0.9, params: { level: 'area' } };
  const country: Reason = { code: 'prefix-evidence', text: 'Albania', weight: 0.9, params: { level: 'country' } };
  const block: Reason = { code: 'prefix-evidence', text: 'block', weight: 0.9, params: { level: 'block', free: 2 } };
  const gate: Reason = { code: 'nuisance-block', text: 'gate', weight: 0.8 };
  const again: Reason = { code: 'repeat-after-refusal', text: '3rd attempt', weight: 0.9 };
  const offHours: Reason = { code: 'off-hours', text: 'evening', weight: 0.2 };
  const sweep: Reason = { code: 'sweep', text: 'rang 3 of your numbers', weight: 0.6 };
  const d = (verdict: Decision['verdict'], ...reasons: Reason[]): Decision => ({ verdict, score: 0.9, reasons });
  const on = (decision: Decision): string | null => neighbourhoodOnly(decision, { suspect: 0.5 });

  it('names a country or destination code alone `range`, a block `block`', () => {
    expect(on(d('nuisance', area))).toBe('range');
    expect(on(d('suspect', country, offHours))).toBe('range');
    expect(on(d('nuisance', block))).toBe('block');
    expect(on(d('nuisance', gate, area))).toBe('block');
  });

  it('names a range and calls again after a refusal `range-again`; a block with them is the number’s own', () => {
    expect(on(d('nuisance', area, again))).toBe('range-again');
    expect(on(d('nuisance', block, again))).toBeNull();
  });

  it('is null when the number itself is suspect, marked, or the verdict is not suspect or nuisance', () => {
    expect(on(d('nuisance', area, sweep))).toBeNull();
    expect(on(d('nuisance', area, { code: 'marked-nuisance', text: 'marked', weight: 0.99 }))).toBeNull();
    expect(on(d('unknown', area))).toBeNull();
    expect(on(d('nuisance', offHours))).toBeNull();
  });
});

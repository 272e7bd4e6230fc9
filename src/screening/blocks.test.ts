import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { blockReason, formatBlock } from './blocks.js';
import { repeated } from './decay.js';
import { DEFAULT_LEARNING_RULES, type BlockRules } from './learning.js';
import type { BlockCounts, Reason } from './types.js';

/** blockReason as it was written before session 25: the gates weighed by a closure made per call. */
function blockReasonWithAClosure(
  rules: BlockRules,
  counts: BlockCounts,
  numberType: string | null,
  e164Digits: number,
  discount: number,
): Reason | null {
  if (!rules.enabled || e164Digits < rules.minDigits) return null;
  const mobile = numberType === 'MOBILE';
  if (mobile && rules.mobile === 'off') return null;
  let best: Reason | null = null;
  const consider = (
    members: number,
    gate: number,
    prefix: string,
    free: number,
    level: 'small' | 'large',
    spread: number,
    marked = false,
  ): void => {
    const weight =
      Math.min(rules.maxWeight, repeated(marked ? rules.office.weight : rules.weight, members / gate)) * discount;
    if (best !== null && best.weight >= weight) return;
    const where = formatBlock(prefix, free);
    const text = `${members} ${marked ? 'numbers you marked nuisance' : 'nuisance numbers'} in ${where}`;
    const params: Record<string, string | number> = { block: where, prefix: `+${prefix}`, members, level };
    if (level === 'large') params['spread'] = spread;
    if (marked) params['marked'] = members;
    best = {
      code: 'nuisance-block',
      text: level === 'small' ? text : `${text} (${spread} blocks of ten)`,
      weight,
      params,
    };
  };
  if (
    !(mobile && rules.mobile === 'large-only') &&
    counts.smallTrusted === 0 &&
    counts.smallNuisance >= rules.smallMin
  ) {
    consider(counts.smallNuisance, rules.smallMin, counts.small, rules.dropDigits, 'small', 1);
  }
  if (counts.largeTrusted === 0 && counts.largeNuisance >= rules.largeMin) {
    let spread = 0;
    for (const n of counts.tens) if (n >= rules.largeContrib) spread++;
    if (spread >= rules.largeSpread)
      consider(counts.largeNuisance, rules.largeMin, counts.large, rules.dropDigits + 1, 'large', spread);
  }
  const office = rules.office;
  if (office.enabled) {
    const smallMarked = counts.smallMarked ?? 0;
    if (!(mobile && rules.mobile === 'large-only') && counts.smallTrusted === 0 && smallMarked >= office.smallMin) {
      consider(smallMarked, office.smallMin, counts.small, rules.dropDigits, 'small', 1, true);
    }
    const largeMarked = counts.largeMarked ?? 0;
    if (counts.largeTrusted === 0 && largeMarked >= office.largeMin) {
      let spread = 0;
      for (const n of counts.tensMarked ?? []) if (n > 0) spread++;
      if (spread >= office.largeSpread)
        consider(largeMarked, office.largeMin, counts.large, rules.dropDigits + 1, 'large', spread, true);
    }
  }
  return best;
}

describe('blockReason', () => {
  it('gives what the closure version gave, over generated counts, rules and numbers', () => {
    const rand = mulberry32(2525);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const small = (max: number) => Math.floor(rand() * (max + 1));
    let found = 0;
    for (let run = 0; run < 3000; run++) {
      const base = DEFAULT_LEARNING_RULES.blocks;
      const rules: BlockRules = {
        ...base,
        enabled: rand() < 0.95,
        smallMin: 1 + small(4),
        largeMin: 1 + small(8),
        largeSpread: 1 + small(4),
        largeContrib: 1 + small(2),
        weight: rand(),
        maxWeight: rand(),
        mobile: pick(['same', 'large-only', 'off'] as const),
        office: {
          ...base.office,
          enabled: rand() < 0.7,
          smallMin: 1 + small(3),
          largeMin: 1 + small(4),
          weight: rand(),
        },
      };
      const tens = Array.from({ length: 10 }, () => small(4));
      const tensMarked = tens.map((n) => Math.min(n, small(2)));
      const counts: BlockCounts = {
        small: `39028717${small(99)}`,
        smallNuisance: small(8),
        smallTrusted: rand() < 0.8 ? 0 : 1,
        large: `3902871${small(99)}`,
        largeNuisance: small(16),
        largeTrusted: rand() < 0.8 ? 0 : 1,
        tens,
      };
      if (rand() < 0.7) {
        counts.smallMarked = small(4);
        counts.largeMarked = small(6);
        counts.tensMarked = tensMarked;
      }
      const type = pick([null, 'MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);
      const digits = 8 + small(6);
      const discount = pick([1, 1, 0.5, rand()]);
      const expected = blockReasonWithAClosure(rules, counts, type, digits, discount);
      expect(blockReason(rules, counts, type, digits, discount)).toEqual(expected);
      if (expected !== null) found++;
    }
    // Both outcomes were exercised.
    expect(found).toBeGreaterThan(300);
    expect(found).toBeLessThan(2700);
  });
});

/**
 * Number-block evidence: when enough distinct numbers of a block are nuisance, an unseen number of the block
 * starts suspect (nuisance when the block is dense). Gates after PhoneBlock's DB.java (a 10-block counts with ≥ 4
 * spam members; a 100-block with ≥ 8 members spread over ≥ 4 ten-blocks of ≥ 2 each); the counts are distinct
 * numbers, so one heavily reported number never lifts its neighbours, and a trusted member stops its block's fold.
 * The business's own marks have lower gates of their own (`office`: 2 in a 10-block, 3 over 2 ten-blocks).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { repeated } from './decay.js';
import type { BlockRules } from './learning.js';
import type { BlockCounts, Decision, Reason } from './types.js';

/** The block prefixes of an E.164 key (`+3902...`): small = minus `drop` digits, large = minus `drop + 1`. */
export function blockPrefixes(e164: string, drop: number): { small: string; large: string } | null {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  if (digits.length <= drop + 2) return null;
  return { small: digits.slice(0, digits.length - drop), large: digits.slice(0, digits.length - drop - 1) };
}

/** "+39 02 8717 69xx": the block written as office staff read numbers, the free digits as x. */
export function formatBlock(prefix: string, free: number): string {
  const sample = `+${prefix}${'0'.repeat(free)}`;
  let text: string;
  try {
    text = parsePhoneNumberFromString(sample)?.formatInternational() ?? sample;
  } catch {
    text = sample;
  }
  const chars = text.split('');
  let left = free;
  for (let i = chars.length - 1; i >= 0 && left > 0; i--) {
    if (/[0-9]/.test(chars[i] ?? '')) {
      chars[i] = 'x';
      left--;
    }
  }
  return chars.join('');
}

/** Evaluates the block gates; returns the reason with the strongest block, or null. */
export function blockReason(
  rules: BlockRules,
  counts: BlockCounts,
  numberType: string | null,
  e164Digits: number,
  discount: number,
): Reason | null {
  if (!rules.enabled || e164Digits < rules.minDigits) return null;
  // Only numbers known to be mobile: FIXED_LINE_OR_MOBILE (all of NANP, some other plans) is not known to be a SIM.
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
    // Params set one by one in the order the spreads `...(large ? { spread } : {})`, `...(marked ? ...)` gave
    // them: no object spread on a decision's path (src/sip/no-object-spread.test.ts).
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
    // The office gates: the business's own marks only (see BlockRules.office).
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

/**
 * Whether a decision makes its number a learned member of its blocks: nuisance, not by a mark (marks count
 * already), and nuisance-worthy (≥ the suspect threshold) on the caller's own evidence without its neighbourhood's
 * (the block gates, the prefix tree, a sweep by the block's numbers), so a block never feeds itself. crocetta's own
 * stops then grow a block as fast as the office's marks do.
 */
/** Reasons that are about the caller's neighbours, not the caller. */
const NEIGHBOURHOOD: ReadonlySet<string> = new Set(['nuisance-block', 'prefix-evidence', 'block-sweep']);

export function learnsBlockMember(decision: Decision, thresholds: { suspect: number }): boolean {
  if (decision.verdict !== 'nuisance') return false;
  let keep = 1;
  for (const r of decision.reasons) {
    if (r.code === 'marked-nuisance') return false;
    if (!NEIGHBOURHOOD.has(r.code)) keep *= 1 - r.weight;
  }
  return 1 - keep >= thresholds.suspect;
}

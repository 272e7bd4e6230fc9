/**
 * bench/sip.ts' rounds side by side: each application's round against the bare app's level at the time it ran, so a
 * slow minute of the host moves both halves of a pair and the pair's ratio keeps what the application adds. Pooling
 * every round's calls into one p50 per application (the summary's first lines) mixes the host's minutes into both
 * sides; two pooled p50s of one run read ×1.05 or ×1.15 for the same code (docs/measurements.md, sessions 22–27).
 *
 * The order (roundOrder): every round starts with the bare app, the other applications follow in an order rotated by
 * one each round (with two, the default crocetta and answer-first: alternating), and one more bare round closes the
 * run: `bare C A bare A C bare C A … bare`. Each application's round is paired with the bare rounds just before and
 * just after it, interpolated to its time (pairRounds: by the rounds' midpoints; with two applications one third and
 * two thirds of the way, each in turn). Why, from the ten-round run of 5 Dec 2026 (11:01–11:06 UTC, a76c042), whose
 * order was bare C A | A C bare | bare C A …, each round paired with the bare round of the same number:
 * - answer-first ran two rounds (~10 s) from its bare round, crocetta one: answer-first's pairs took twice the host's
 *   drift between two rounds (the bare app's p50 went 1.36 → 0.66 ms over the refusal rounds' five minutes);
 * - an application's round right after its own previous one read faster than after another application's: the bare
 *   app's first round of two in a row was ×1.06–×1.17 its second (8 of 8, refusal and proxied), answer-first's higher
 *   in 8 of 10; crocetta, never twice in a row, read alike after the bare app and after answer-first (4 of 10 higher,
 *   5 lower). That order gave this step to the bare side of every odd pair and to answer-first in its even ones:
 *   pairs in two groups, crocetta's read high.
 * In this order no application runs twice in a row, each non-bare application follows the bare app and the other
 * one equally often, and both sit one and two rounds from a bare round, in turn: the same distances, weights and
 * correlation between consecutive pairs for both. With more applications the rotation makes it equal over every K
 * rounds. The cost: one bare round more than --rounds (~5 s with 4-s rounds), against ~33% more time for bracketing
 * every round between two bare ones (bare C bare A bare …), which would halve the bare side's noise in a pair
 * (against 5/9 of it here) but give three pairs where this gives four.
 *
 * The spread of the pairs says how far one run can be trusted: the median of the pairs' ratios, their min–max, and
 * the interval of order statistics that covers the median of such pairs with known probability (the sign test's:
 * with n pairs, [x(k), x(n+1−k)] misses it only when k or more pairs fall on one side, 2·P(Bin(n, ½) < k)). A target
 * is met beyond the run's spread when the whole interval is within it, missed when the whole interval is beyond it,
 * and undecided otherwise (with 4 pairs or fewer, whose min–max is too often wrong: too few pairs). Consecutive pairs
 * of one application share a bare round (weight 1/9 or 4/9 of its noise), a small correlation the sign test does not
 * model. Pure functions: test/bench/sip-rounds.test.ts checks them on fixed numbers.
 */

/** One slot of a workload's run: which application, and its round number. */
export interface Slot {
  app: string;
  round: number;
}

/**
 * The order of one workload's rounds: per round the bare app (`base`) first, then the other applications of `apps`
 * rotated by one each round (with two: alternating), and a last bare round (`rounds + 1`) so that every application's
 * round has a bare round on each side. Without `base` among `apps`, the others alone, rotated.
 */
export function roundOrder(apps: readonly string[], rounds: number, base = 'bare'): Slot[] {
  const others = apps.filter((a) => a !== base);
  const withBase = others.length < apps.length;
  const k = others.length;
  const slots: Slot[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (withBase) slots.push({ app: base, round });
    for (let i = 0; i < k; i++) slots.push({ app: others[(i + round - 1) % k] as string, round });
  }
  if (withBase && rounds > 0) slots.push({ app: base, round: rounds + 1 });
  return slots;
}

/** One round of one application: its p50 in µs, and when it ran (its midpoint, on any clock the rounds share). */
export interface RoundP50 {
  app: string;
  round: number;
  p50: number;
  at: number;
}

/** An interval of order statistics of the pairs, and the probability it covers their median. */
export interface MedianInterval {
  low: number;
  high: number;
  /** The probability the interval covers the median (0.5 for 2 pairs, 0.94 for 5, ≥ 0.95 from 6 on). */
  coverage: number;
}

/** One application's rounds against the bare app's level at their times (the bare rounds around each, interpolated). */
export interface PairedRounds {
  /** The application's rounds paired, in the order they ran. */
  rounds: number[];
  /** The bare app's p50 each is paired with (µs): interpolated between the bare rounds around it. */
  baseUs: number[];
  /** p50 ratio of each pair (application / bare), in that order. */
  ratios: number[];
  /** p50 difference of each pair (application − bare), µs, in that order. */
  diffsUs: number[];
  ratio: { median: number; min: number; max: number; interval: MedianInterval };
  diffUs: { median: number; min: number; max: number; interval: MedianInterval };
}

export type Verdict = 'met' | 'missed' | 'undecided' | 'too few pairs';

/** The least coverage an interval needs for a verdict: 5 pairs (93.75%); with fewer, min–max is too often wrong. */
export const VERDICT_COVERAGE = 0.9;

/** The median (the mean of the middle two for an even count); NaN when empty. */
export function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  const hi = s[Math.floor(n / 2)] as number;
  return n % 2 === 1 ? hi : ((s[n / 2 - 1] as number) + hi) / 2;
}

/** P(Bin(n, ½) ≤ k). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * The narrowest interval of order statistics [x(k), x(n+1−k)] that covers the median of `xs`' population with at
 * least `confidence`; with too few values for that (fewer than 6 at 0.95), min–max with the coverage it has.
 */
export function medianInterval(xs: readonly number[], confidence = 0.95): MedianInterval {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { low: NaN, high: NaN, coverage: 0 };
  let k = 1;
  // Coverage of [x(k), x(n+1−k)]: 1 − 2·P(Bin(n, ½) ≤ k − 1); it falls as k grows.
  const coverage = (k1: number): number => 1 - 2 * binomialHalfCdf(n, k1 - 1);
  while (k + 1 <= (n + 1) / 2 && coverage(k + 1) >= confidence) k++;
  return { low: s[k - 1] as number, high: s[n - k] as number, coverage: Math.max(0, coverage(k)) };
}

/**
 * The bare app's p50 at time `at`: interpolated linearly between the last of `base` (sorted by time) at or before it
 * and the first after it; the nearest alone at either end; NaN when there is none.
 */
export function baseAt(base: readonly RoundP50[], at: number): number {
  let before: RoundP50 | undefined;
  let after: RoundP50 | undefined;
  for (const b of base) {
    if (b.at <= at) before = b;
    else {
      after = b;
      break;
    }
  }
  if (before === undefined) return after?.p50 ?? NaN;
  if (after === undefined || after.at === before.at) return before.p50;
  return before.p50 + ((after.p50 - before.p50) * (at - before.at)) / (after.at - before.at);
}

/**
 * `app`'s rounds, each paired with `base`'s p50 at its time (baseAt: the bare rounds just before and after it,
 * interpolated); null when no round of `app` has a bare round to pair with.
 */
export function pairRounds(rows: readonly RoundP50[], app: string, base = 'bare'): PairedRounds | null {
  const bases = rows.filter((r) => r.app === base && r.p50 > 0 && Number.isFinite(r.at)).sort((a, b) => a.at - b.at);
  const mine = rows.filter((r) => r.app === app && Number.isFinite(r.p50)).sort((a, b) => a.at - b.at);
  const rounds: number[] = [];
  const baseUs: number[] = [];
  const ratios: number[] = [];
  const diffsUs: number[] = [];
  for (const r of mine) {
    const b = baseAt(bases, r.at);
    if (!(b > 0)) continue;
    rounds.push(r.round);
    baseUs.push(b);
    ratios.push(r.p50 / b);
    diffsUs.push(r.p50 - b);
  }
  if (rounds.length === 0) return null;
  const spread = (xs: number[]): PairedRounds['ratio'] => ({
    median: medianOf(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    interval: medianInterval(xs),
  });
  return { rounds, baseUs, ratios, diffsUs, ratio: spread(ratios), diffUs: spread(diffsUs) };
}

/**
 * Whether `limit` (an upper bound) holds beyond the interval: met when all of it is at or under, missed when all of it
 * is over, undecided when it straddles the limit; too few pairs when the interval covers the median less than
 * VERDICT_COVERAGE of the time (4 pairs or fewer: 2 pairs' min–max misses the median half the time).
 */
export function verdictOf(interval: MedianInterval, limit: number): Verdict {
  if (!(interval.coverage >= VERDICT_COVERAGE)) return 'too few pairs';
  if (interval.high <= limit) return 'met';
  if (interval.low > limit) return 'missed';
  return 'undecided';
}

const x = (r: number): string => `×${r.toFixed(2)}`;
/** A signed difference in ms from µs: `+0.29`, `−0.40`; one that rounds to zero is `+0.00`, never `−0.00`. */
export function msText(us: number): string {
  const text = (Math.abs(us) / 1000).toFixed(2);
  return `${us < 0 && text !== '0.00' ? '−' : '+'}${text}`;
}
const pct = (p: number): string => `${Math.floor(p * 100)}%`;

/**
 * One line of the summary's paired rounds: every pair's ratio, their median, min–max and the median's interval with
 * its verdict against `ratioLimit`, then the same for the differences (ms) against `diffLimitUs`.
 */
export function pairedText(p: PairedRounds, ratioLimit: number, diffLimitUs: number): string {
  const n = p.rounds.length;
  const r = p.ratio;
  const d = p.diffUs;
  return (
    `p50 by round ${p.ratios.map(x).join(' ')}: median ${x(r.median)}, min–max ${x(r.min)}–${x(r.max)}, ` +
    `the median's ${pct(r.interval.coverage)} interval ${x(r.interval.low)}–${x(r.interval.high)} ` +
    `(${n} pair${n === 1 ? '' : 's'}): ≤ ${x(ratioLimit)} ${verdictOf(r.interval, ratioLimit)} | ` +
    `difference by round ${p.diffsUs.map(msText).join(' ')} ms: median ${msText(d.median)}, ` +
    `interval ${msText(d.interval.low)}–${msText(d.interval.high)} ms: ≤ ${msText(diffLimitUs)} ${verdictOf(d.interval, diffLimitUs)}`
  );
}

/**
 * bench/sip.ts' rounds side by side: each application's round against the bare app's round of the same number (the
 * two ran one after the other, in the same minute of the host), so a slow minute of the host moves both halves of a
 * pair and the pair's ratio keeps what the application adds. Pooling every round's calls into one p50 per application
 * (the summary's first lines) mixes the host's minutes into both sides; two pooled p50s of one run read ×1.05 or ×1.15
 * for the same code (docs/measurements.md, sessions 22–27).
 *
 * The spread of the pairs says how far one run can be trusted: the median of the pairs' ratios, their min–max, and
 * the interval of order statistics that covers the median of such pairs with known probability (the sign test's:
 * with n pairs, [x(k), x(n+1−k)] misses it only when k or more pairs fall on one side, 2·P(Bin(n, ½) < k)). A target
 * is met beyond the run's spread when the whole interval is within it, missed when the whole interval is beyond it,
 * and undecided otherwise (with 4 pairs or fewer, whose min–max is too often wrong: too few pairs). Pure functions: test/bench/sip-rounds.test.ts checks them on fixed numbers.
 */

/** One round of one application: its p50 in µs. */
export interface RoundP50 {
  app: string;
  round: number;
  p50: number;
}

/** An interval of order statistics of the pairs, and the probability it covers their median. */
export interface MedianInterval {
  low: number;
  high: number;
  /** The probability the interval covers the median (0.5 for 2 pairs, 0.94 for 5, ≥ 0.95 from 6 on). */
  coverage: number;
}

/** One application's rounds against the bare app's of the same numbers. */
export interface PairedRounds {
  /** The rounds both ran, in order. */
  rounds: number[];
  /** p50 ratio of each pair (application / bare), in round order. */
  ratios: number[];
  /** p50 difference of each pair (application − bare), µs, in round order. */
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

/** `app`'s rounds paired with `base`'s of the same round number; null when no round has both. */
export function pairRounds(rows: readonly RoundP50[], app: string, base = 'bare'): PairedRounds | null {
  const baseByRound = new Map<number, number>();
  for (const r of rows) if (r.app === base) baseByRound.set(r.round, r.p50);
  const rounds: number[] = [];
  const ratios: number[] = [];
  const diffsUs: number[] = [];
  for (const r of rows) {
    const b = r.app === app ? baseByRound.get(r.round) : undefined;
    if (b === undefined || !(b > 0) || !Number.isFinite(r.p50)) continue;
    rounds.push(r.round);
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
  return { rounds, ratios, diffsUs, ratio: spread(ratios), diffUs: spread(diffsUs) };
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

import type { Verdict } from './types.js';

/**
 * How much each kind of evidence weighs towards nuisance. Weights combine by noisy-OR
 * (score = 1 − Π(1 − w)): independent hints add up, none alone reaches 1.
 *
 * - A nuisance mark is the business's own judgement of this very number: near certainty.
 * - A rule whose configured verdict is `nuisance` (telemarketing prefix, Nth attempt after a refusal) is strong
 *   but general, so it stays below a mark.
 * - A `suspect`-level rule is a hint: two of them (0.75) stay suspect under the default nuisance threshold 0.85,
 *   three (0.875) cross it.
 * - A rule set to `unknown` (e.g. withheld callers allowed) only explains and weighs nothing.
 *
 * Rule verdicts are also floors (see classify.ts), so thresholds set in config stay authoritative whatever the
 * weights are.
 */
export const WEIGHTS = Object.freeze({
  markedNuisance: 0.99,
  nuisance: 0.9,
  suspect: 0.5,
  unknown: 0,
  /** Reasons that only explain a trusted verdict. */
  explain: 0,
});

export function weightOf(verdict: Exclude<Verdict, 'trusted'>): number {
  return WEIGHTS[verdict];
}

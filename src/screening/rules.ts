import type { LearningRules } from './learning.js';
import type { Verdict } from './types.js';

/** A verdict the rules may give; `trusted` only comes from the business's marks and allow-lists. */
export type RuleVerdict = Exclude<Verdict, 'trusted' | 'unknown'>;

/** A business-defined prefix rule, matched against the caller's E.164 number. */
export interface PrefixRule {
  /** E.164 prefix including `+`, e.g. `+390844` or `+33162`. */
  prefix: string;
  verdict: RuleVerdict | 'trusted';
  /** Shown to the office staff, e.g. "Energy call centre block". */
  label: string;
}

export interface CountryPackSettings {
  /** Italy, Legge 5/2018 art. 2 and AGCOM: 0843 surveys, 0844 telemarketing. */
  IT: { enabled: boolean; telemarketing: RuleVerdict; surveys: RuleVerdict };
  /** France, ARCEP decision 2022-1583: ranges for automated calling/messaging systems. */
  FR: { enabled: boolean; automated: RuleVerdict };
}

/** Everything classification needs besides the identity, the evidence and the time. Built once from config. */
export interface ScreeningRules {
  packs: CountryPackSettings;
  prefixes: PrefixRule[];
  /** The Nth attempt within D days after a refusal makes the caller nuisance; attempts before it are suspect. */
  repeat: { enabled: boolean; attempts: number; withinDays: number };
  /** Our numbers that are never published (E.164): a call to one is nuisance, and so is its caller afterwards. */
  trapDids?: string[];
  /** Verdict for a caller whose number is withheld. */
  withheld: Exclude<Verdict, 'trusted'>;
  /** Verdict floor for a number that could not be parsed at all (letters, junk). */
  unparsable: Exclude<Verdict, 'trusted'>;
  /** Score thresholds: score ≥ suspect → suspect, score ≥ nuisance → nuisance. */
  thresholds: { suspect: number; nuisance: number };
  /** Time zone used to write dates in reasons ("on 3 Nov") and to tell business hours. */
  timeZone: string;
  /** Behaviour, number blocks, safety nets, STIR/SHAKEN; DEFAULT_LEARNING_RULES when absent. */
  learning?: LearningRules;
}

/**
 * Defaults for callers that build rules without a config file (tests, benchmarks, the CLI).
 * The config schema documents and may override every field.
 */
export const DEFAULT_SCREENING_RULES: ScreeningRules = Object.freeze<ScreeningRules>({
  packs: {
    IT: { enabled: true, telemarketing: 'nuisance', surveys: 'suspect' },
    FR: { enabled: true, automated: 'nuisance' },
  },
  prefixes: [],
  // 3rd attempt within a week of a refusal: a callback from a customer the staff were too busy for is one attempt,
  // a call centre's dialler retries more.
  repeat: { enabled: true, attempts: 3, withinDays: 7 },
  withheld: 'suspect',
  unparsable: 'suspect',
  // As config/default.yaml (what the service runs): one value, so tests and benches judge what users get.
  thresholds: { suspect: 0.5, nuisance: 0.8 },
  timeZone: 'Europe/Rome',
});

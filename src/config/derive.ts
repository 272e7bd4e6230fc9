import type { Action, ActionPolicy } from '../screening/policy.js';
import { parseAction } from '../screening/policy.js';
import type { ScreeningRules } from '../screening/rules.js';
import { learningRules } from './derive-learning.js';
import { didKey, policyRules } from './derive-policy.js';
import type { Config } from './schema.js';

/** The classifier's rules, from the validated config. */
export function screeningRules(config: Config): ScreeningRules {
  const s = config.screening;
  return {
    packs: s.packs,
    prefixes: s.prefixes,
    repeat: s.repeat,
    // Written as the office writes them (`02 1234 5699`) or E.164: the classifier compares E.164.
    trapDids: s.trapDids.map((did) => didKey(did, config.defaultCountry)),
    withheld: s.withheld,
    unparsable: s.unparsable,
    thresholds: s.thresholds,
    timeZone: config.timeZone,
    learning: learningRules(s.learning),
  };
}

/** What to do per verdict, from the validated config. */
export function actionPolicy(config: Config): ActionPolicy {
  const a = config.actions;
  return {
    trusted: parseAction(a.trusted),
    unknown: parseAction(a.unknown),
    suspect: parseAction(a.suspect),
    nuisance: parseAction(a.nuisance),
    withheld: a.withheld === '' ? null : parseAction(a.withheld),
    rangeRepeat:
      a.rangeRepeat === ''
        ? null
        : { action: parseAction(a.rangeRepeat), suspect: config.screening.thresholds.suspect },
    byCategory: Object.fromEntries(
      Object.entries(a.byCategory).map(([category, text]) => [category, parseAction(text)]),
    ),
    rules: policyRules(config),
  };
}

/** Every action the configuration file names (the panel may switch to others at run time). */
export function configuredActions(config: Config): Action[] {
  const policy = actionPolicy(config);
  const list: Action[] = [policy.trusted, policy.unknown, policy.suspect, policy.nuisance];
  if (policy.withheld) list.push(policy.withheld);
  if (policy.rangeRepeat) list.push(policy.rangeRepeat.action);
  list.push(...Object.values(policy.byCategory ?? {}));
  return list;
}

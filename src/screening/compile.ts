import { DAY_MS } from '../time/units.js';
import { businessHoursCheck, type HoursCheck } from './business-hours.js';
import { dayFormatter, type DayFormatter } from './dates.js';
import { DEFAULT_LEARNING_RULES, type LearningRules } from './learning.js';
import { FR_PACK } from './packs/fr.js';
import { IT_PACK } from './packs/it.js';
import type { PackEntry } from './packs/pack-entry.js';
import { PrefixTable } from './prefix-table.js';
import { compileSafety, type CompiledSafety } from './safety.js';
import { SecondSight } from './second-sight.js';
import type { PrefixRule, RuleVerdict, ScreeningRules } from './rules.js';
import type { Mark, Reason, Verdict } from './types.js';
import { weightOf } from './weights.js';

/** A prefix match, ready to become a reason: the text is written once, at compile time. */
export interface CompiledPrefix {
  verdict: RuleVerdict | 'trusted';
  reason: Readonly<Reason>;
}

/** ScreeningRules checked and turned into lookup tables. Build once per configuration; reuse for every call. */
export interface CompiledRules {
  readonly rules: ScreeningRules;
  /** The business's own prefix rules (longest wins). */
  readonly prefixes: PrefixTable<CompiledPrefix>;
  /** The enabled country packs' ranges (longest wins). */
  readonly packs: PrefixTable<CompiledPrefix>;
  readonly dates: DayFormatter;
  readonly repeatWindowMs: number;
  /**
   * The shortest answered call that is a conversation for the repeat rule (repeat.ts latestConversation): the
   * short-calls rule's limit (shorter: the office hung up at once), at least 1 s.
   */
  readonly repeatConversationSeconds: number;
  /** Score floor per verdict: a rule that says `suspect` lifts the score to at least thresholds.suspect. */
  readonly floor: Readonly<Record<Exclude<Verdict, 'trusted'>, number>>;
  readonly learning: CompiledLearning;
  /** screening.trapDids: our numbers never published. */
  readonly trapDids: ReadonlySet<string>;
  /** The reason written for each mark object seen (the index hands out one object per mark while it stands). */
  readonly markReasons: WeakMap<Mark, Readonly<Reason>>;
  /** Marks (by their time) seen before: a reason is kept from a mark's second sight on. */
  readonly marksComingBack: SecondSight;
}

/** The learned-evidence settings, checked, with their patterns and the business-hours check built. */
export interface CompiledLearning {
  readonly rules: LearningRules;
  readonly safety: CompiledSafety;
  readonly inHours: HoursCheck;
  readonly halfLifeMs: number;
}

const RULE_VERDICTS: readonly string[] = ['suspect', 'nuisance'];
const FLOOR_VERDICTS: readonly string[] = ['unknown', 'suspect', 'nuisance'];
const E164_PREFIX = /^\+[1-9][0-9]{0,14}$/;

const compiled = new WeakMap<ScreeningRules, CompiledRules>();

/**
 * Validates `rules` and precomputes the prefix tables and date formatter. Throws an Error naming the bad setting,
 * so a wrong configuration stops start-up instead of misclassifying calls. Cached per rules object.
 */
export function compileRules(rules: ScreeningRules): CompiledRules {
  const cached = compiled.get(rules);
  if (cached) return cached;
  validate(rules);
  const learning = rules.learning ?? DEFAULT_LEARNING_RULES;
  validateLearning(learning);
  const result: CompiledRules = {
    rules,
    prefixes: new PrefixTable(rules.prefixes.map((rule) => [rule.prefix, compilePrefixRule(rule)] as const)),
    packs: new PrefixTable(packEntries(rules)),
    dates: dayFormatter(rules.timeZone),
    repeatWindowMs: rules.repeat.withinDays * DAY_MS,
    repeatConversationSeconds: Math.max(1, learning.behaviour.shortCalls.maxSeconds),
    floor: Object.freeze({ unknown: 0, suspect: rules.thresholds.suspect, nuisance: rules.thresholds.nuisance }),
    trapDids: new Set(rules.trapDids ?? []),
    markReasons: new WeakMap<Mark, Readonly<Reason>>(),
    marksComingBack: new SecondSight(),
    learning: {
      rules: learning,
      safety: compileSafety(learning.safety),
      inHours: businessHoursCheck(learning.behaviour.offHours.hours, rules.timeZone),
      halfLifeMs: learning.behaviour.halfLifeDays * DAY_MS,
    },
  };
  compiled.set(rules, result);
  return result;
}

function compilePrefixRule(rule: PrefixRule): CompiledPrefix {
  const label = rule.label.trim();
  if (rule.verdict === 'trusted') {
    return {
      verdict: 'trusted',
      reason: Object.freeze({
        code: 'trusted-prefix',
        text: label
          ? `trusted by your prefix rule ${rule.prefix} (${label})`
          : `trusted by your prefix rule ${rule.prefix}`,
        weight: 0,
        params: Object.freeze({ prefix: rule.prefix, label }),
      }),
    };
  }
  return {
    verdict: rule.verdict,
    reason: Object.freeze({
      code: 'prefix-rule',
      text: label
        ? `${rule.verdict} by your prefix rule ${rule.prefix} (${label})`
        : `${rule.verdict} by your prefix rule ${rule.prefix}`,
      weight: weightOf(rule.verdict),
      params: Object.freeze({ prefix: rule.prefix, label, verdict: rule.verdict }),
    }),
  };
}

function packEntries(rules: ScreeningRules): Array<readonly [string, CompiledPrefix]> {
  const out: Array<readonly [string, CompiledPrefix]> = [];
  const add = (country: string, entry: PackEntry, verdict: RuleVerdict): void => {
    out.push([
      entry.e164Prefix,
      {
        verdict,
        reason: Object.freeze({
          code: entry.code,
          text: `${entry.describe} ${entry.nationalPrefix}`,
          weight: weightOf(verdict),
          params: Object.freeze({ country, prefix: entry.nationalPrefix, e164Prefix: entry.e164Prefix }),
        }),
      },
    ]);
  };
  const { IT, FR } = rules.packs;
  if (IT.enabled) for (const entry of IT_PACK) add('IT', entry, IT[entry.setting]);
  if (FR.enabled) for (const entry of FR_PACK) add('FR', entry, FR[entry.setting]);
  return out;
}

function validate(rules: ScreeningRules): void {
  const fail = (message: string): never => {
    throw new Error(`screening rules: ${message}`);
  };
  const { suspect, nuisance } = rules.thresholds;
  if (!Number.isFinite(suspect) || suspect <= 0 || suspect > 1) {
    fail(`thresholds.suspect must be a number in (0, 1], got ${String(suspect)}`);
  }
  if (!Number.isFinite(nuisance) || nuisance <= 0 || nuisance > 1) {
    fail(`thresholds.nuisance must be a number in (0, 1], got ${String(nuisance)}`);
  }
  if (suspect > nuisance) fail(`thresholds.suspect (${suspect}) must not exceed thresholds.nuisance (${nuisance})`);
  for (const did of rules.trapDids ?? []) {
    if (!/^\+[1-9][0-9]{5,14}$/.test(did))
      fail(`trapDids: ${JSON.stringify(did)} is not an E.164 number such as +390212345699`);
  }

  const { attempts, withinDays } = rules.repeat;
  if (!Number.isInteger(attempts) || attempts < 1) {
    fail(`repeat.attempts must be a whole number ≥ 1, got ${String(attempts)}`);
  }
  if (!Number.isFinite(withinDays) || withinDays <= 0) {
    fail(`repeat.withinDays must be a number > 0, got ${String(withinDays)}`);
  }

  if (!FLOOR_VERDICTS.includes(rules.withheld))
    fail(`withheld must be unknown, suspect or nuisance, got "${String(rules.withheld)}"`);
  if (!FLOOR_VERDICTS.includes(rules.unparsable)) {
    fail(`unparsable must be unknown, suspect or nuisance, got "${String(rules.unparsable)}"`);
  }

  const packVerdicts: Array<[string, string]> = [
    ['packs.IT.telemarketing', rules.packs.IT.telemarketing],
    ['packs.IT.surveys', rules.packs.IT.surveys],
    ['packs.FR.automated', rules.packs.FR.automated],
  ];
  for (const [name, verdict] of packVerdicts) {
    if (!RULE_VERDICTS.includes(verdict)) fail(`${name} must be suspect or nuisance, got "${verdict}"`);
  }

  const seen = new Set<string>();
  for (const rule of rules.prefixes) {
    if (!E164_PREFIX.test(rule.prefix)) {
      fail(`prefix "${rule.prefix}" must be an E.164 prefix: "+" then up to 15 digits, e.g. +390844`);
    }
    if (seen.has(rule.prefix)) fail(`prefix ${rule.prefix} appears twice`);
    seen.add(rule.prefix);
    if (rule.verdict !== 'trusted' && !RULE_VERDICTS.includes(rule.verdict)) {
      fail(`prefix ${rule.prefix}: verdict must be trusted, suspect or nuisance, got "${String(rule.verdict)}"`);
    }
  }

  try {
    dayFormatter(rules.timeZone);
  } catch {
    fail(`timeZone "${rules.timeZone}" is not a time zone this Node knows (e.g. Europe/Rome)`);
  }
}

function validateLearning(l: LearningRules): void {
  const fail = (message: string): never => {
    throw new Error(`screening rules: ${message}`);
  };
  const weight = (name: string, w: number): void => {
    if (!(w >= 0 && w <= 1)) fail(`${name} must be a weight in [0, 1], got ${String(w)}`);
  };
  const positive = (name: string, v: number): void => {
    if (!(v > 0) || !Number.isFinite(v)) fail(`${name} must be a number > 0, got ${String(v)}`);
  };
  const b = l.behaviour;
  positive('behaviour.halfLifeDays', b.halfLifeDays);
  weight('behaviour.burst.weight', b.burst.weight);
  weight('behaviour.sweep.weight', b.sweep.weight);
  weight('behaviour.shortCalls.weight', b.shortCalls.weight);
  weight('behaviour.offHours.weight', b.offHours.weight);
  positive('behaviour.burst.windowMinutes', b.burst.windowMinutes);
  positive('behaviour.sweep.windowMinutes', b.sweep.windowMinutes);
  if (!Number.isInteger(b.burst.attempts) || b.burst.attempts < 2)
    fail('behaviour.burst.attempts must be a whole number ≥ 2');
  if (!Number.isInteger(b.sweep.dids) || b.sweep.dids < 2) fail('behaviour.sweep.dids must be a whole number ≥ 2');
  for (const [open, close] of b.offHours.hours.intervals) {
    if (!(open >= 0 && close <= 24 * 60 && open < close))
      fail(`behaviour.offHours: interval ${open}-${close} is not within a day`);
  }
  for (const d of b.offHours.hours.days)
    if (!(Number.isInteger(d) && d >= 1 && d <= 7)) fail(`behaviour.offHours: day ${d} is not 1 (Mon) to 7 (Sun)`);
  const k = l.blocks;
  if (!Number.isInteger(k.dropDigits) || k.dropDigits < 1 || k.dropDigits > 3)
    fail('blocks.dropDigits must be 1, 2 or 3');
  for (const [name, v] of [
    ['smallMin', k.smallMin],
    ['largeMin', k.largeMin],
    ['largeSpread', k.largeSpread],
    ['largeContrib', k.largeContrib],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) fail(`blocks.${name} must be a whole number ≥ 1, got ${String(v)}`);
  }
  if (k.largeSpread > 10) fail('blocks.largeSpread cannot exceed 10 (a large block has 10 small blocks)');
  weight('blocks.weight', k.weight);
  weight('blocks.maxWeight', k.maxWeight);
  for (const [name, v] of [
    ['smallMin', k.office.smallMin],
    ['largeMin', k.office.largeMin],
    ['largeSpread', k.office.largeSpread],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) fail(`blocks.office.${name} must be a whole number ≥ 1, got ${String(v)}`);
  }
  if (k.office.largeSpread > 10) fail('blocks.office.largeSpread cannot exceed 10 (a large block has 10 small blocks)');
  weight('blocks.office.weight', k.office.weight);
  weight('safety.displayNameBlockWeight', l.safety.displayNameBlockWeight);
  weight('shaken.failedWeight', l.shaken.failedWeight);
  weight('shaken.gatewayWeight', l.shaken.gatewayWeight);
  weight('shaken.fullDiscount', l.shaken.fullDiscount);
  const p = l.prefixes;
  if (p !== undefined) {
    positive('prefixes.nuisanceHalfLifeDays', p.nuisanceHalfLifeDays);
    positive('prefixes.legitHalfLifeDays', p.legitHalfLifeDays);
    if (!(p.credibility > 0.5 && p.credibility < 1))
      fail(`prefixes.credibility must be in (0.5, 1), got ${String(p.credibility)}`);
    weight('prefixes.minWeight', p.minWeight);
    weight('prefixes.maxWeight', p.maxWeight);
    weight('prefixes.hintWeight', p.hintWeight);
  }
}

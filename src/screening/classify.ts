import type { CallerIdentity, WithheldReason } from '../callerid/types.js';
import { compileRules, type CompiledRules } from './compile.js';
import { findRepeat, ordinal } from './repeat.js';
import type { ScreeningRules } from './rules.js';
import type { CallerEvidence, Decision, Mark, Reason, Verdict } from './types.js';
import { WEIGHTS, weightOf } from './weights.js';

/** The per-call fast path: rules already compiled, no allocation beyond the decision itself. */
export type Classifier = (identity: CallerIdentity, evidence: CallerEvidence, now: number) => Decision;

export interface ClassifyInput {
  identity: CallerIdentity;
  evidence: CallerEvidence;
  /** ms since epoch */
  now: number;
  rules: ScreeningRules;
}

/**
 * Builds the classifier for one configuration. Validates the rules (throws on a bad setting) and precomputes the
 * prefix tables once.
 */
export function createClassifier(rules: ScreeningRules): Classifier {
  const compiled = compileRules(rules);
  return (identity, evidence, now) => decide(compiled, identity, evidence, now);
}

/** Convenience wrapper around createClassifier; compiled rules are cached per rules object. */
export function classify(input: ClassifyInput): Decision {
  return decide(compileRules(input.rules), input.identity, input.evidence, input.now);
}

/** Flags meaning the caller ID is not a phone number at all. `short-code` (112, 4xxxx service numbers) is not one. */
const NOT_A_NUMBER_FLAGS: ReadonlySet<string> = new Set(['unparsable', 'not-a-number', 'too-long']);
const RAW_SHOWN_MAX = 32;

/**
 * Precedence, highest first:
 *   1. marked trusted by the business   → trusted, score 0, whatever else matches
 *   2. marked nuisance by the business  → nuisance (beats a trusted prefix rule)
 *   3. a trusted prefix rule            → trusted, score 0 (beats every rule below)
 *   4. other rules: the business's nuisance/suspect prefix rules, country packs, repeat after refusal, withheld,
 *      not-a-number. Each adds a weighted reason (noisy-OR) and its verdict is a floor on the score.
 */
function decide(c: CompiledRules, identity: CallerIdentity, evidence: CallerEvidence, now: number): Decision {
  const { rules, floor } = c;
  const mark = evidence.mark;
  if (mark !== null && mark.label === 'trusted') {
    return trusted(markReason(c, mark));
  }

  const e164 = identity.number?.e164 ?? null;
  const prefixRule = e164 === null ? undefined : c.prefixes.match(e164);
  const markedNuisance = mark !== null && mark.label === 'nuisance';
  if (prefixRule !== undefined && prefixRule.verdict === 'trusted' && !markedNuisance) {
    return trusted({ ...prefixRule.reason });
  }

  const reasons: Reason[] = [];
  let minScore = 0;

  if (markedNuisance) {
    reasons.push(markReason(c, mark));
    minScore = floor.nuisance;
  }

  if (prefixRule !== undefined && prefixRule.verdict !== 'trusted') {
    reasons.push({ ...prefixRule.reason });
    minScore = Math.max(minScore, floor[prefixRule.verdict]);
  }

  const pack = e164 === null ? undefined : c.packs.match(e164);
  if (pack !== undefined && pack.verdict !== 'trusted') {
    reasons.push({ ...pack.reason });
    minScore = Math.max(minScore, floor[pack.verdict]);
  }

  if (rules.repeat.enabled && evidence.refusals.length > 0) {
    const found = findRepeat(evidence.refusals, evidence.attempts, now, c.repeatWindowMs);
    if (found !== null) {
      const verdict = found.count >= rules.repeat.attempts ? 'nuisance' : 'suspect';
      const days = found.days === 1 ? '1 day' : `${found.days} days`;
      reasons.push({
        code: verdict === 'nuisance' ? 'repeat-after-refusal' : 'attempt-after-refusal',
        text: `${ordinal(found.count)} attempt in ${days} after a refusal on ${c.dates.dayMonth(found.refusedAt)}`,
        weight: weightOf(verdict),
        params: {
          attempt: found.count,
          days: found.days,
          refusedAt: new Date(found.refusedAt).toISOString(),
          limit: rules.repeat.attempts,
        },
      });
      minScore = Math.max(minScore, floor[verdict]);
    }
  }

  if (identity.withheld) {
    reasons.push({
      code: 'withheld',
      text: withheldText(identity.withheldReason),
      weight: weightOf(rules.withheld),
      params: { why: identity.withheldReason ?? 'unspecified' },
    });
    minScore = Math.max(minScore, floor[rules.withheld]);
  } else if (isNotANumber(identity)) {
    // Skipped for withheld callers: an "anonymous" user part is the same fact as the withholding, not a second one.
    const raw = identity.number?.raw ?? '';
    const shown = raw.length > RAW_SHOWN_MAX ? `${raw.slice(0, RAW_SHOWN_MAX)}…` : raw;
    reasons.push({
      code: 'unparsable-number',
      text: `caller ID is not a valid number (${JSON.stringify(shown)})`,
      weight: weightOf(rules.unparsable),
      params: { raw },
    });
    minScore = Math.max(minScore, floor[rules.unparsable]);
  }

  let keep = 1;
  for (const reason of reasons) keep *= 1 - reason.weight;
  const score = Math.min(1, Math.max(0, 1 - keep, minScore));
  if (reasons.length > 1) reasons.sort((a, b) => b.weight - a.weight);
  return { verdict: verdictFor(score, rules), score, reasons };
}

function verdictFor(score: number, rules: ScreeningRules): Verdict {
  if (score >= rules.thresholds.nuisance) return 'nuisance';
  if (score >= rules.thresholds.suspect) return 'suspect';
  return 'unknown';
}

function trusted(reason: Reason): Decision {
  return { verdict: 'trusted', score: 0, reasons: [reason] };
}

function markReason(c: CompiledRules, mark: Mark): Reason {
  const about = [mark.company, mark.category].filter((s): s is string => s !== null && s.trim() !== '');
  const suffix = about.length > 0 ? ` (${about.join(', ')})` : '';
  const params: Record<string, string | number> = { markedAt: new Date(mark.at).toISOString() };
  if (mark.company !== null) params['company'] = mark.company;
  if (mark.category !== null) params['category'] = mark.category;
  return {
    code: mark.label === 'trusted' ? 'marked-trusted' : 'marked-nuisance',
    text: `marked ${mark.label} by you on ${c.dates.dayMonthYear(mark.at)}${suffix}`,
    weight: mark.label === 'trusted' ? WEIGHTS.explain : WEIGHTS.markedNuisance,
    params,
  };
}

function withheldText(why: WithheldReason | null): string {
  switch (why) {
    case 'privacy-header':
      return 'number withheld (Privacy: id)';
    case 'rpid-privacy':
      return 'number withheld (Remote-Party-ID privacy)';
    case 'anonymous-uri':
    case 'anonymous-name':
      return 'anonymous caller';
    case 'no-number':
      return 'no caller number given';
    case null:
      return 'number withheld';
  }
}

/**
 * A caller ID that is not a phone number: no E.164 and flagged unparsable/letters/too long. Short codes (112,
 * service numbers) are never evidence against the caller, whatever other flags they carry.
 */
function isNotANumber(identity: CallerIdentity): boolean {
  const number = identity.number;
  if (number === null || number.e164 !== null) return false;
  let bad = false;
  for (const flag of number.flags) {
    if (flag === 'short-code') return false;
    if (NOT_A_NUMBER_FLAGS.has(flag)) bad = true;
  }
  return bad;
}

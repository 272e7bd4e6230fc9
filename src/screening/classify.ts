import { isPlaceholderNumber } from '../callerid/normalize-number.js';
import type { CallerIdentity, WithheldReason } from '../callerid/types.js';
import { behaviourReasons } from './behaviour.js';
import { blockReason } from './blocks.js';
import { blockSweepReason, prefixEvidence, prefixReason } from './prefix-evidence.js';
import { compileRules, type CompiledRules } from './compile.js';
import { isoTime } from './dates.js';
import { talkSpan } from './decay.js';
import { friendReason } from './friends.js';
import {
  ATTEMPT_AFTER_REFUSAL,
  findRepeat,
  latestConversation,
  ordinal,
  refusalSpan,
  type RepeatFinding,
} from './repeat.js';
import type { ScreeningRules } from './rules.js';
import { bypassReason, displayNameBlockReason, learnedTrustReason } from './safety.js';
import { shakenFinding } from './shaken.js';
import { markedWhenText } from './mark-source.js';
import type { CallContext, CallerEvidence, Decision, Mark, Reason, Verdict } from './types.js';
import { WEIGHTS, weightOf } from './weights.js';

/**
 * The per-call fast path: rules already compiled, no allocation beyond the decision itself. The reasons of marks,
 * prefix rules and country packs are frozen objects shared by every decision that gives them (nothing downstream
 * changes a reason: the register, the panel and the logs read them, and a step that adds one builds a new list).
 */
export type Classifier = ((
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  context?: CallContext,
) => Decision) & {
  /**
   * Whether the decision for these will be `nuisance` because the business marked the caller nuisance, known
   * without building it (createClassifier's classifiers; absent: not known, classify). See markedNuisance.
   */
  readonly markedNuisance?: (identity: CallerIdentity, evidence: CallerEvidence) => boolean;
  /**
   * Whether the decision for these will be `unknown` whatever the time, known without building it: a caller with no
   * evidence at all (createClassifier's classifiers; absent: not known, classify). See surelyUnknown.
   */
  readonly surelyUnknown?: (identity: CallerIdentity, evidence: CallerEvidence, context?: CallContext) => boolean;
};

export interface ClassifyInput {
  identity: CallerIdentity;
  evidence: CallerEvidence;
  /** ms since epoch */
  now: number;
  rules: ScreeningRules;
  context?: CallContext;
}

/**
 * Builds the classifier for one configuration. Validates the rules (throws on a bad setting) and precomputes the
 * prefix tables once.
 */
export function createClassifier(rules: ScreeningRules): Classifier {
  const compiled = compileRules(rules);
  const classifier = (identity: CallerIdentity, evidence: CallerEvidence, now: number, context?: CallContext) =>
    decide(compiled, identity, evidence, now, context);
  const unknownBelow = noEvidenceScoreBelow(compiled);
  return Object.assign(classifier, {
    markedNuisance: (identity: CallerIdentity, evidence: CallerEvidence) =>
      isMarkedNuisance(compiled, identity, evidence),
    surelyUnknown: (identity: CallerIdentity, evidence: CallerEvidence, context?: CallContext) =>
      unknownBelow && isSurelyUnknown(compiled, identity, evidence, context),
  });
}

/** A text message's context, without a called number. */
const TEXT_CONTEXT: CallContext = Object.freeze({ message: true });

/**
 * The context a caller is judged in with no request at hand (its number page, `crocetta lookup`): a sender whose
 * requests in view were all texts (`textsOnly`) is judged as a text when it is one a text comes from: a phone number
 * (a mobile that only texts), a short code (`48018`) or an alphanumeric sender ID (`IntesaSP`); any other caller as a
 * call (undefined), one that also called, or a caller ID with letters that rang as a call, included.
 */
export function contextOfCaller(identity: CallerIdentity, textsOnly: boolean): CallContext | undefined {
  const number = identity.number;
  if (!textsOnly || number === null) return undefined;
  if (number.e164 !== null) return TEXT_CONTEXT;
  return number.flags.includes('alphanumeric') || number.flags.includes('short-code') ? TEXT_CONTEXT : undefined;
}

/**
 * How many of a caller's latest attempts onlyTexts reads, wherever a caller's "texts only" is judged (the number
 * page, which lists as many, its API, its let-through routes, `crocetta lookup`): one figure, so that a route never
 * takes a "let the next text through" the page did not offer (a sender ID that called once 21 attempts ago).
 */
export const TEXTS_ONLY_ATTEMPTS = 50;

/** Whether a caller's attempts in view were all text messages (at least one): contextOfCaller's `textsOnly`. */
export function onlyTexts(attempts: readonly { kind: string }[]): boolean {
  return attempts.length > 0 && attempts.every((a) => a.kind === 'message');
}

/** Convenience wrapper around createClassifier; compiled rules are cached per rules object. */
export function classify(input: ClassifyInput): Decision {
  return decide(compileRules(input.rules), input.identity, input.evidence, input.now, input.context);
}

/**
 * decide()'s repeat finding, written over at each decision and read before the next (a decision runs to its end
 * without yielding): ~60 bytes a decision after a refusal when made per call. NaN: a time's field holds doubles.
 */
const REPEAT: RepeatFinding = { count: 0, refusedAt: Number.NaN, days: 0 };

/** Flags meaning the caller ID is not a phone number at all. `short-code` (112, 4xxxx service numbers) is not one. */
const NOT_A_NUMBER_FLAGS: ReadonlySet<string> = new Set(['unparsable', 'not-a-number', 'too-long']);
const RAW_SHOWN_MAX = 32;

/**
 * Precedence, highest first:
 *   0. safety nets that bypass screening: our own DIDs, internal extensions/intercoms (bypass patterns), emergency
 *      and service numbers → trusted, whatever else matches (even a nuisance mark)
 *   1. "let the next call through" set by the business → trusted (once; the register consumes it; a text uses it too)
 *   2. marked trusted by the business   → trusted, score 0, whatever else matches
 *   3. marked nuisance by the business  → nuisance (beats every rule and safety net below)
 *   4. learned trust: numbers the business called, a persistent human (a long talk through the PBX), a display-name
 *      allow pattern → trusted
 *   5. a trusted prefix rule            → trusted, score 0 (beats every rule below)
 *   6. other rules and evidence: prefix rules, country packs, repeat after refusal, withheld, not-a-number (each a
 *      weighted reason whose verdict is a floor), friends' reports (weighted, no floor), and the learned evidence
 *      (behaviour, number blocks, STIR/SHAKEN, display-name block patterns), weighted and decayed, no floor.
 *      Combined by noisy-OR.
 */
function decide(
  c: CompiledRules,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  context?: CallContext,
): Decision {
  const { rules, floor } = c;
  const learning = c.learning;
  const mark = evidence.mark;
  const markedNuisance = mark !== null && mark.label === 'nuisance';
  const bypass = bypassReason(learning.safety, identity, markedNuisance);
  if (bypass !== null) return trusted(bypass);
  const allowNext = evidence.allowNext;
  if (allowNext !== undefined && allowNext !== null) {
    return trusted({
      code: 'allow-next',
      // A text uses it up as a call does: the reason says which came (the panel's Italian reads the same word).
      text: `let through once: you asked on ${c.dates.dayMonthYear(allowNext)} to let the next ${context !== undefined && context.message === true ? 'text' : 'call'} through`,
      weight: 0,
      params: { setAt: isoTime(allowNext) },
    });
  }
  if (mark !== null && mark.label === 'trusted') {
    return trusted(markReason(c, mark));
  }

  const e164 = identity.number?.e164 ?? null;
  const prefixRule = e164 === null ? undefined : c.prefixes.match(e164);
  if (!markedNuisance) {
    const learnedTrust = learnedTrustReason(learning.safety, identity, evidence, now, c.dates);
    if (learnedTrust !== null) return trusted(learnedTrust);
  }
  if (prefixRule !== undefined && prefixRule.verdict === 'trusted' && !markedNuisance) {
    return trusted(prefixRule.reason);
  }

  // `new Array()`, not `[]`: V8 gives it room for four elements, where the first push onto `[]` makes room for 17
  // (152 bytes, most of them never used: a decision has one to four reasons; a fifth grows it as `[]` would).
  const reasons = new Array<Reason>();
  let minScore = 0;

  if (markedNuisance) {
    reasons.push(markReason(c, mark));
    minScore = floor.nuisance;
  }

  if (prefixRule !== undefined && prefixRule.verdict !== 'trusted') {
    reasons.push(prefixRule.reason);
    minScore = Math.max(minScore, floorOf(floor, prefixRule.verdict));
  }

  const pack = e164 === null ? undefined : c.packs.match(e164);
  if (pack !== undefined && pack.verdict !== 'trusted') {
    reasons.push(pack.reason);
    minScore = Math.max(minScore, floorOf(floor, pack.verdict));
  }

  const friends = friendReason(evidence.friends);
  if (friends !== null) friendsAgainstTalks(c, friends, evidence, reasons);

  if (rules.repeat.enabled && evidence.refusals.length > 0) {
    const since = latestConversation(evidence.talks, c.repeatConversationSeconds);
    const found = findRepeat(evidence.refusals, evidence.attempts, now, c.repeatWindowMs, since, REPEAT);
    if (found !== null) {
      const verdict = found.count >= rules.repeat.attempts ? 'nuisance' : 'suspect';
      // 0: the refusal was the same calendar day (the office's), where "in 1 day" read as a day gone by.
      const days = found.days <= 2 && sameDay(c, found.refusedAt, now) ? 0 : found.days;
      reasons.push({
        code: verdict === 'nuisance' ? 'repeat-after-refusal' : 'attempt-after-refusal',
        // "2nd attempt after a refusal on 3 Nov (within 3 days)", "2nd attempt after a refusal on 3 Nov (the same day)"
        text: ordinal(found.count) + ATTEMPT_AFTER_REFUSAL + c.dates.dayMonth(found.refusedAt) + refusalSpan(days),
        weight: weightOf(verdict),
        params: {
          attempt: found.count,
          days,
          refusedAt: isoTime(found.refusedAt),
          limit: rules.repeat.attempts,
        },
      });
      minScore = Math.max(minScore, floorOf(floor, verdict));
    }
  }

  const trap = trapReason(c, evidence, now, context);
  if (trap !== null) {
    reasons.push(trap);
    minScore = Math.max(minScore, floor.nuisance);
  }

  if (identity.withheld) {
    reasons.push({
      code: 'withheld',
      text: withheldText(identity.withheldReason),
      weight: weightOf(rules.withheld),
      params: { why: identity.withheldReason ?? 'unspecified' },
    });
    minScore = Math.max(minScore, floorOf(floor, rules.withheld));
  } else if (isNotANumber(identity, context)) {
    // Skipped for withheld callers: an "anonymous" user part is the same fact as the withholding, not a second one.
    const raw = identity.number?.raw ?? '';
    const shown = raw.length > RAW_SHOWN_MAX ? `${raw.slice(0, RAW_SHOWN_MAX)}…` : raw;
    reasons.push({
      code: 'unparsable-number',
      text: `caller ID is not a valid number (${JSON.stringify(shown)})`,
      weight: weightOf(rules.unparsable),
      params: { raw },
    });
    minScore = Math.max(minScore, floorOf(floor, rules.unparsable));
  }

  // Only here are a caller's number blocks, prefix estimate and block calls read: the index leaves them out for a
  // marked caller (EvidenceIndex.evidenceFor), trusted or nuisance, so nothing above may read them.
  if (!markedNuisance) learnedReasons(c, identity, evidence, now, context, reasons);

  let keep = 1;
  for (const reason of reasons) keep *= 1 - reason.weight;
  let score = Math.min(1, Math.max(0, 1 - keep, minScore));
  if (context !== undefined && context.message === true && score >= rules.thresholds.suspect) {
    score = textPace(reasons, score, minScore, rules.thresholds);
  }
  if (reasons.length > 1) byWeight(reasons);
  return { verdict: verdictFor(score, rules), score, reasons };
}

/**
 * Friends' reports of a caller the office talks to: an answered call of at least `shortCalls.maxSeconds` within the
 * look-back (the repeat rule's "conversation"). A friend's word alone never refuses such a caller: its reports weigh
 * at most what makes a caller suspect (tagged), and a reason says why, the talk's day and length. A customer the
 * office has talked with for months, listed as a call centre by a friend's mistake (weight 0.9, or 0.6 beside a
 * burst of callbacks), was refused (session 49). Outbound calls to it already trust it (learned trust, above).
 * Appends the report, and the reason when the report was capped, to `out`.
 */
function friendsAgainstTalks(c: CompiledRules, friends: Reason, evidence: CallerEvidence, out: Reason[]): void {
  const cap = c.floor.suspect;
  const talks = evidence.talks;
  if (friends.weight <= cap || talks === undefined) {
    out.push(friends);
    return;
  }
  const min = c.repeatConversationSeconds;
  let i = talks.length - 1;
  while (i >= 0 && talks.secondsOf(i) < min) i--;
  if (i < 0) {
    out.push(friends);
    return;
  }
  // Field by field, not `{ ...friends, weight }`: no object spread on a decision's path (no-object-spread.test.ts).
  const capped: Reason = { code: friends.code, text: friends.text, weight: cap };
  if (friends.params !== undefined) capped.params = friends.params;
  out.push(capped);
  const at = talks.atOf(i);
  const seconds = talks.secondsOf(i);
  out.push({
    code: 'talked-with-you',
    text: `you talked with this caller on ${c.dates.dayMonth(at)} (${talkSpan(seconds)}): friends' reports only tag it`,
    weight: 0,
    params: { at: isoTime(at), seconds },
  });
}

/** The reasons about a caller's pace: how often, how many of our numbers, at what hour (behaviour.ts, prefix-evidence.ts). */
const PACE: ReadonlySet<Reason['code']> = new Set(['burst', 'sweep', 'block-sweep', 'off-hours']);

/**
 * A text message's score: its pace (PACE) may make its sender suspect, never nuisance. A bank or a shop sends 3-6
 * codes within minutes to a user retrying a login, a courier or a 2FA service texts two, three or every one of the
 * office's numbers within a minute; a refused text is lost, where a caller refused rings again. So the pace's part
 * of the score stops at the suspect threshold, and the rest (a mark, a rule, a trap, friends' reports) counts in
 * full: the score without the pace, or the whole score cut at `suspectAt`, whichever is higher.
 * A text that its pace alone makes suspect (without it: below `thresholds.suspect`) gets a `text-pace` reason (weight 0): the
 * policy then never lets an action for suspects refuse it (policy/rules.ts textPaceChoice). Appends it to `reasons`.
 */
function textPace(
  reasons: Reason[],
  score: number,
  minScore: number,
  thresholds: ScreeningRules['thresholds'],
): number {
  const suspectAt = thresholds.suspect;
  let keep = 1;
  let pace = '';
  for (const reason of reasons) {
    if (!PACE.has(reason.code)) keep *= 1 - reason.weight;
    else if (reason.weight > 0) pace = pace === '' ? reason.code : `${pace}, ${reason.code}`;
  }
  const without = Math.min(1, Math.max(0, 1 - keep, minScore));
  if (without < suspectAt && pace !== '') {
    reasons.push({
      code: 'text-pace',
      text: `a text made suspect by its pace alone (${pace}), as a bank's one-time codes are: tagged at most, never refused for it`,
      weight: 0,
      params: { pace },
    });
  }
  return score >= thresholds.nuisance ? Math.max(without, suspectAt) : score;
}

/** Whether `a` and `b` fall on one calendar day in the office's time zone (the formatter's memoized day texts). */
function sameDay(c: CompiledRules, a: number, b: number): boolean {
  return c.dates.dayMonthYear(a) === c.dates.dayMonthYear(b);
}

/**
 * Whether decide() gives this caller `nuisance` because the business marked it nuisance: decide's steps before the
 * mark (no safety net bypasses it, no "let the next call through", the mark is not trusted) and a nuisance mark.
 * Its reasons then hold the mark's (the only `marked-nuisance` reason, its category that of the mark) and the score
 * is at least floor.nuisance, which is thresholds.nuisance: the verdict is `nuisance` whatever else is found (the
 * rest only adds reasons). classify.test.ts checks this against decide() over generated rules and evidence. Read
 * by screen.ts: answering first, such a caller's action is chosen before its reasons are built.
 */
function isMarkedNuisance(c: CompiledRules, identity: CallerIdentity, evidence: CallerEvidence): boolean {
  const mark = evidence.mark;
  if (mark === null || mark.label !== 'nuisance') return false;
  const allowNext = evidence.allowNext;
  if (allowNext !== undefined && allowNext !== null) return false;
  return c.floor.nuisance >= c.rules.thresholds.nuisance && bypassReason(c.learning.safety, identity, true) === null;
}

/**
 * Whether every score decide() can give a caller without evidence (isSurelyUnknown's callers) is below both
 * thresholds, at any time: the only reasons such a caller can get are the behaviour reasons about the call itself
 * (off-hours, a burst of one attempt, a sweep of one DID), each at most its weight (no earlier attempt adds to it, no
 * STIR/SHAKEN discount, decay 1 for now), and no floor. Their noisy-OR, weights clamped to [0, 1], bounds the score.
 */
function noEvidenceScoreBelow(c: CompiledRules): boolean {
  const { burst, sweep, offHours } = c.learning.rules.behaviour;
  let keep = 1;
  const add = (weight: number): void => {
    keep *= 1 - Math.min(1, Math.max(0, weight));
  };
  if (offHours.enabled) add(offHours.weight);
  if (burst.enabled && burst.attempts <= 1) add(burst.weight);
  if (sweep.enabled && sweep.dids <= 1) add(sweep.weight);
  const most = 1 - keep;
  const { suspect, nuisance } = c.rules.thresholds;
  return most < suspect && most < nuisance;
}

/**
 * Whether decide() gives `unknown` for this caller whatever the time, because nothing is known of it (together
 * with noEvidenceScoreBelow): no evidence at all (no mark, no attempt or refusal, no calls or talks, no number block,
 * prefix estimate or calls of its block, no friends' reports, no let-through-once, not called by us), a number in
 * E.164 and not withheld (no withheld or not-a-number reason), no display name or no display-name pattern, nothing
 * STIR/SHAKEN says, no safety net, no prefix rule and no country pack's range, and not a call to a trap DID. Every
 * step of decide() then gives nothing but the behaviour reasons about the call itself. False says nothing: classify.
 * screen.ts reads it: answering first, such a caller's action is chosen before its reasons are built. Its test is
 * src/sip/screen.test.ts (against decide() through screen(), over generated rules, identities and near-empty
 * evidence).
 */
function isSurelyUnknown(
  c: CompiledRules,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  context: CallContext | undefined,
): boolean {
  if (identity.withheld) return false;
  const number = identity.number;
  const e164 = number === null ? null : number.e164;
  if (e164 === null) return false;
  if (evidence.mark !== null || evidence.attempts.length > 0 || evidence.refusals.length > 0) return false;
  if (
    (evidence.calls !== undefined && evidence.calls.length > 0) ||
    (evidence.talks !== undefined && evidence.talks.length > 0) ||
    (evidence.block !== undefined && evidence.block !== null) ||
    (evidence.prefix !== undefined && evidence.prefix !== null) ||
    (evidence.blockCalls !== undefined && evidence.blockCalls !== null) ||
    (evidence.friends !== undefined && evidence.friends !== null) ||
    (evidence.allowNext !== undefined && evidence.allowNext !== null) ||
    (evidence.calledByUs !== undefined && evidence.calledByUs !== null)
  ) {
    return false;
  }
  const learning = c.learning;
  const safety = learning.safety;
  if (identity.displayName !== null && (safety.nameAllow.length > 0 || safety.nameBlock.length > 0)) return false;
  if (shakenFinding(learning.rules.shaken, identity, context).reason !== null) return false;
  if (c.trapDids.size > 0) {
    const did = context?.did ?? null;
    if (did !== null && c.trapDids.has(did)) return false;
  }
  if (c.prefixes.match(e164) !== undefined) return false;
  const pack = c.packs.match(e164);
  if (pack !== undefined && pack.verdict !== 'trusted') return false;
  return bypassReason(safety, identity) === null;
}

/**
 * The score floor of a verdict: what `floor[verdict]` reads, without a keyed load whose key changes from call to
 * call (V8 then looks it up in its megamorphic cache, a miss on cold caches).
 */
function floorOf(floor: CompiledRules['floor'], verdict: Exclude<Verdict, 'trusted'>): number {
  if (verdict === 'nuisance') return floor.nuisance;
  if (verdict === 'suspect') return floor.suspect;
  return floor.unknown;
}

/**
 * Sorts reasons by weight, heaviest first, keeping the order of equal weights: what
 * `reasons.sort((a, b) => b.weight - a.weight)` does (Array#sort is stable), by insertion, for the few reasons a
 * decision has (2-4): no comparator closure made per decision, no call into the sort builtin.
 */
export function byWeight(reasons: Reason[]): void {
  for (let i = 1; i < reasons.length; i++) {
    const r = reasons[i]!;
    let j = i - 1;
    while (j >= 0 && reasons[j]!.weight < r.weight) {
      reasons[j + 1] = reasons[j]!;
      j--;
    }
    reasons[j + 1] = r;
  }
}

/** Weights below this are not worth a line in the reasons (a decayed burst from weeks ago). */
const MIN_SHOWN_WEIGHT = 0.02;

/** Behaviour, number block, STIR/SHAKEN and display-name evidence, appended to `out`. */
function learnedReasons(
  c: CompiledRules,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  context: CallContext | undefined,
  out: Reason[],
): void {
  const l = c.learning;
  const shaken = shakenFinding(l.rules.shaken, identity, context);
  if (shaken.reason !== null) out.push(shaken.reason);
  const from = out.length;
  // A text's reasons say text, not call (behaviour.ts, prefix-evidence.ts).
  const message = context !== undefined && context.message === true;
  behaviourReasons(
    { rules: l.rules.behaviour, halfLifeMs: l.halfLifeMs, dates: c.dates, inHours: l.inHours },
    evidence,
    now,
    context?.did ?? null,
    message,
    shaken.discount,
    out,
  );
  const blockSweep = blockSweepReason(
    l.rules.behaviour.sweep,
    evidence,
    now,
    context?.did ?? null,
    shaken.discount,
    message,
  );
  if (blockSweep !== null) out.push(blockSweep);
  // Number blocks and prefixes: the block gates, or the prefix tree where it weighs more, never both (they rest
  // on the same numbers); a trusted number in the 10/100-block silences both (prefix-evidence.ts).
  const block = evidence.block;
  const number = identity.number;
  let gate: Reason | null = null;
  if (block !== undefined && block !== null && number !== null && number.e164 !== null) {
    gate = blockReason(l.rules.blocks, block, number.type, number.e164.length - 1, shaken.discount);
  }
  let tree =
    l.rules.prefixes?.enabled === false ? null : prefixReason(evidence.prefix ?? null, c.dates, shaken.discount);
  // Where the business's own callers call from (a country or an operator/area code with legitimate numbers under
  // it), the prefix alone tags a new number but never refuses it: a supplier's or customer's new line is at stake.
  const node = evidence.prefix?.node;
  if (
    tree !== null &&
    node !== undefined &&
    node.level !== 'block' &&
    node.legit >= 0.5 &&
    tree.weight > c.floor.suspect
  ) {
    // Field by field, not `{ ...tree, weight }`: no object spread on a decision's path (no-object-spread.test.ts).
    const capped: Reason = { code: tree.code, text: tree.text, weight: c.floor.suspect };
    if (tree.params !== undefined) capped.params = tree.params;
    tree = capped;
  }
  const numberBlock = prefixEvidence(gate, tree, block);
  if (numberBlock !== null) out.push(numberBlock);
  const name = displayNameBlockReason(l.safety, identity);
  if (name !== null) out.push(name);
  // Drop decayed evidence too faint to explain anything.
  let w = from;
  for (let r = from; r < out.length; r++) {
    const reason = out[r];
    if (reason !== undefined && reason.weight >= MIN_SHOWN_WEIGHT) out[w++] = reason;
  }
  // Setting an array's length is a call into V8's runtime, even to the length it has: only when one was dropped.
  if (w !== out.length) out.length = w;
}

/**
 * A call to one of our unpublished numbers (screening.trapDids), now or within the look-back: only a dialler going
 * down a list of numbers finds one.
 */
function trapReason(
  c: CompiledRules,
  evidence: CallerEvidence,
  now: number,
  context: CallContext | undefined,
): Reason | null {
  if (c.trapDids.size === 0) return null;
  const did = context?.did ?? null;
  let hit: { did: string; at: number } | null = did !== null && c.trapDids.has(did) ? { did, at: now } : null;
  const calls = evidence.calls;
  if (hit === null && calls !== undefined) {
    for (let i = calls.length - 1; i >= 0; i--) {
      const called = calls.didOf(i);
      if (called !== null && c.trapDids.has(called)) {
        hit = { did: called, at: calls.atOf(i) };
        break;
      }
    }
  }
  if (hit === null) return null;
  const when = hit.at === now ? 'now' : `on ${c.dates.dayMonth(hit.at)}`;
  // On a text, "texted" when this text hit it, "contacted" when an earlier call or text did (calls and texts are
  // kept alike); a call's sentence as before.
  const message = context !== undefined && context.message === true;
  const verb = message ? (hit.at === now ? 'texted' : 'contacted') : 'called';
  const who = message ? 'only senders going down a list reach it' : 'only diallers going down a list call it';
  return {
    code: 'trap-did',
    text: `${verb} ${hit.did} (${when}), a number of yours that is never published: ${who}`,
    weight: WEIGHTS.nuisance,
    params: { did: hit.did, at: isoTime(hit.at) },
  };
}

function verdictFor(score: number, rules: ScreeningRules): Verdict {
  if (score >= rules.thresholds.nuisance) return 'nuisance';
  if (score >= rules.thresholds.suspect) return 'suspect';
  return 'unknown';
}

function trusted(reason: Reason): Decision {
  return { verdict: 'trusted', score: 0, reasons: [reason] };
}

/**
 * The reason for a mark, written once per mark object when its caller comes back (then frozen: decisions share it).
 * A mark's first reason is its decision's own, unfrozen: freezing is a call into V8's runtime and a new map for
 * each of the two objects, for a caller most often heard once.
 */
function markReason(c: CompiledRules, mark: Mark): Reason {
  const known = c.markReasons.get(mark);
  if (known !== undefined) return known;
  const about = [mark.company, mark.category].filter((s): s is string => s !== null && s.trim() !== '');
  const suffix = about.length > 0 ? ` (${about.join(', ')})` : '';
  const params: Record<string, string | number> = { markedAt: isoTime(mark.at) };
  if (mark.company !== null) params['company'] = mark.company;
  if (mark.category !== null) params['category'] = mark.category;
  const from = mark.from ?? null;
  if (from !== null) params['from'] = from;
  const reason: Reason = {
    code: mark.label === 'trusted' ? 'marked-trusted' : 'marked-nuisance',
    text: `marked ${mark.label} ${markedWhenText(from, c.dates.dayMonthYear(mark.at))}${suffix}`,
    weight: mark.label === 'trusted' ? WEIGHTS.explain : WEIGHTS.markedNuisance,
    params,
  };
  // Kept for a mark seen before (by its time): the index hands out the same object for a mark that comes back.
  if (c.marksComingBack.again(mark.at)) {
    Object.freeze(params);
    c.markReasons.set(mark, Object.freeze(reason));
  }
  return reason;
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
 * service numbers) are never evidence against the caller, whatever other flags they carry; nor is a text message's
 * alphanumeric sender ID (`IntesaSP`, `POSTE`: how banks, couriers and shops send texts), which a call's would be.
 */
function isNotANumber(identity: CallerIdentity, context: CallContext | undefined): boolean {
  const number = identity.number;
  if (number === null) return false;
  // A country code and zeros parses to E.164 (`+390000000000`), but names no one either (isPlaceholderNumber).
  if (number.e164 !== null) return !number.valid && isPlaceholderNumber(number);
  const message = context !== undefined && context.message === true;
  let bad = false;
  for (const flag of number.flags) {
    if (flag === 'short-code') return false;
    if (message && flag === 'alphanumeric') return false;
    if (NOT_A_NUMBER_FLAGS.has(flag)) bad = true;
  }
  // A carrier's placeholder (`+39`, `0`: too short, no flag above) names no one either.
  return bad || isPlaceholderNumber(number);
}

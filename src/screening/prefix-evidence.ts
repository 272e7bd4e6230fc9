/**
 * The prefix tree (prefix-tree.ts) as classifier evidence: the reason office staff read, how it wraps the block
 * gates of blocks.ts, and which refusals the tree learns from. Pure; the wiring into classify.ts and the register
 * is issue 14's second phase (see docs/architecture.md).
 *
 * The gates stay what they are where they are stricter: PhoneBlock's 10/100-block gates and the office gates are
 * count rules at two of the tree's levels, with a veto when a trusted number is in the block. The wrap keeps them
 * and their veto as they are, extends the veto to the tree (a known-good number within the caller's 100-block
 * stops its country's or operator range's evidence as well: a supplier's PBX lines abroad, a customer's office),
 * and returns the stronger of the two reasons, never both: they rest on the same numbers.
 */
import { formatBlock } from './blocks.js';
import type { DayFormatter } from './dates.js';
import { span } from './decay.js';
import type { BehaviourRules } from './learning.js';
import { areaLabel, countryLabel } from './number-prefixes.js';
import type { PrefixEstimate } from './prefix-tree.js';
import type { BlockCounts, CallerEvidence, Decision, Reason } from './types.js';

const count = (mass: number): number => Math.max(1, Math.round(mass));
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * What the deciding node knows, as office staff read it. Blocks count numbers ("7 numbers in +39 02 8717 6xxx
 * refused or marked nuisance lately; none of your callers calls from there"); countries and destination codes
 * count ranges, each 1000-block once ("12 number ranges of Albania (+355) with calls refused or marked nuisance
 * lately (last on 3 Nov); none of your callers calls from there").
 */
export function prefixText(estimate: PrefixEstimate, dates?: DayFormatter): string {
  const node = estimate.node;
  const n = count(node.nuisance);
  const legit = Math.round(node.legit);
  if (node.level === 'block') {
    // Wide blocks (SIM batches) count ranges (1000-blocks), the others numbers.
    const what = node.free > 3 ? plural(n, 'number range', 'number ranges') : plural(n, 'number', 'numbers');
    const callers =
      legit === 0
        ? 'none of your callers calls from there'
        : `${plural(legit, 'of your callers calls', 'of your callers call')} from there`;
    return `${what} in ${formatBlock(node.prefix, node.free)} refused or marked nuisance lately; ${callers}`;
  }
  const where =
    node.level === 'country'
      ? countryLabel(estimate.callingCode)
      : areaLabel(estimate.callingCode, estimate.ndc, estimate.areaType);
  const last =
    estimate.lastNuisanceAt !== null && dates !== undefined
      ? ` (last on ${dates.dayMonth(estimate.lastNuisanceAt)})`
      : '';
  const callers =
    legit === 0
      ? 'none of your callers calls from there'
      : `your callers call from ${plural(legit, 'of its ranges', 'of its ranges')}`;
  return `${plural(n, 'number range', 'number ranges')} of ${where} with calls refused or marked nuisance lately${last}; ${callers}`;
}

/**
 * The tree's estimate as a weighted reason (`prefix-evidence`), or null when it has no weight. `discount` is the
 * STIR/SHAKEN full-attestation discount the classifier applies to block and behaviour evidence.
 */
export function prefixReason(estimate: PrefixEstimate | null, dates?: DayFormatter, discount = 1): Reason | null {
  if (estimate === null || !(estimate.weight > 0)) return null;
  if (!Object.isFrozen(estimate)) return reasonOf(estimate, dates, discount);
  // A kept estimate (frozen: the register hands it out again to a caller that comes back, prefix-index.ts): its
  // reason is written once, frozen, and handed out with it while the same formatter and discount ask for it.
  const kept = keptReasons.get(estimate);
  if (kept !== undefined && kept.dates === dates && kept.discount === discount) return kept.reason;
  const reason = reasonOf(estimate, dates, discount);
  Object.freeze(reason.params);
  keptReasons.set(estimate, { dates, discount, reason: Object.freeze(reason) });
  return reason;
}

/** Reasons of kept (frozen) estimates: see prefixReason. Weak: an estimate no longer kept takes its reason along. */
const keptReasons = new WeakMap<
  PrefixEstimate,
  { dates: DayFormatter | undefined; discount: number; reason: Reason }
>();

/** `v` to `places` decimals, as a number. */
const round = (v: number, places = 2): number => Number(v.toFixed(places));

/**
 * The reason of an estimate. Its params are set one by one, `free` only for a block, in the order the spread
 * `...(block ? { free } : {})` gave them: no object spread on a decision's path (src/sip/no-object-spread.test.ts).
 */
function reasonOf(estimate: PrefixEstimate, dates: DayFormatter | undefined, discount: number): Reason {
  const node = estimate.node;
  const params: Record<string, string | number> = { level: node.level, depth: node.depth, prefix: `+${node.prefix}` };
  if (node.level === 'block') params['free'] = node.free;
  params['nuisance'] = round(node.nuisance, 1);
  params['legit'] = round(node.legit, 1);
  params['imputed'] = round(node.imputed, 1);
  params['prior'] = round(estimate.prior);
  params['estimate'] = round(estimate.mean);
  params['bound'] = round(estimate.bound);
  return { code: 'prefix-evidence', text: prefixText(estimate, dates), weight: estimate.weight * discount, params };
}

/**
 * The number-block evidence of one call, gates and tree together: the gate's reason as blocks.ts gives it, or the
 * tree's when that weighs more, unless a trusted number (a trusted mark, a number the business called) sits in
 * the caller's 10- or 100-block, which stops the tree as it stops the gates.
 */
export function prefixEvidence(
  gate: Reason | null,
  tree: Reason | null,
  block: BlockCounts | null | undefined,
): Reason | null {
  const vetoed = block !== null && block !== undefined && (block.smallTrusted > 0 || block.largeTrusted > 0);
  if (tree === null || vetoed) return gate;
  if (gate === null) return tree;
  return tree.weight > gate.weight ? tree : gate;
}

const MINUTE = 60_000;

/**
 * Numbers of one 1000-block ringing several of our DIDs within minutes, as it happens: a dialler going down our list
 * from a range of numbers, a fresh one per call, a sweep no single number shows. The gate is a number's sweep
 * (behaviour.sweep: `dids` distinct DIDs within `windowMinutes`), counted over the block's other numbers' calls, the
 * caller's own and this one; at least one other number of the block must be among them (else it is the number's own
 * sweep, behaviour.ts). It weighs what a number's sweep weighs, and the tree learns the block's numbers from it
 * (prefix-index.ts), so the next number of the block is judged by its neighbours. `message`: this attempt is a text,
 * and the reason says "contacted" (the block's calls and texts are counted alike).
 */
export function blockSweepReason(
  sweep: BehaviourRules['sweep'],
  evidence: CallerEvidence,
  now: number,
  did: string | null,
  discount = 1,
  message = false,
): Reason | null {
  const block = evidence.blockCalls;
  if (!sweep.enabled || block === undefined || block === null || did === null) return null;
  const windowMs = sweep.windowMinutes * MINUTE;
  const dids = new Set<string>([did]);
  const numbers = new Set<string>();
  let first = now;
  for (const c of block.calls) {
    if (now - c.at > windowMs || c.at > now || c.did === null) continue;
    dids.add(c.did);
    numbers.add(c.number);
    if (c.at < first) first = c.at;
  }
  const own = evidence.calls;
  if (own !== undefined) {
    for (let i = own.length - 1; i >= 0; i--) {
      const at = own.atOf(i);
      if (now - at > windowMs) break;
      const called = own.didOf(i);
      if (called === null || at > now) continue;
      dids.add(called);
      if (at < first) first = at;
    }
  }
  if (numbers.size === 0 || dids.size < sweep.dids) return null;
  return {
    code: 'block-sweep',
    text: `${numbers.size + 1} numbers of ${formatBlock(block.prefix, 3)} ${message ? 'contacted' : 'rang'} ${dids.size} of your numbers within ${span(Math.max(now - first, MINUTE))} (now)`,
    weight: sweep.weight * discount,
    params: {
      numbers: numbers.size + 1,
      dids: dids.size,
      block: `+${block.prefix}`,
      windowMinutes: sweep.windowMinutes,
    },
  };
}

export type PrefixLearning = 'own' | 'neighbourhood' | null;

/** Reasons about the caller's neighbours (its blocks, prefixes, its block's sweep), not about the number itself. */
const NEIGHBOURHOOD: ReadonlySet<string> = new Set(['nuisance-block', 'prefix-evidence', 'block-sweep']);

/** A call again after a refusal: about the number, but only as strong as the refusal it follows. */
const ECHO: ReadonlySet<string> = new Set(['attempt-after-refusal', 'repeat-after-refusal']);

/**
 * What a suspect or nuisance verdict rests on when it rests on the caller's neighbours alone (no mark of its own,
 * its other reasons together below the suspect threshold): `range` when only a country's or destination code's
 * evidence (the prefix tree above the blocks), `block` when a number block's (gates, tree blocks, a block's sweep);
 * `range-again` when a country's or destination code's evidence and calls again after a refusal are all there is
 * (the refusals it follows rested on the range alone: nothing else is known against the number). null otherwise.
 * Such a caller may be a customer or supplier who shares a centre's country or range and has never talked with the
 * office (a refused caller never will).
 */
export function neighbourhoodOnly(
  decision: Decision,
  thresholds: { suspect: number },
): 'range' | 'range-again' | 'block' | null {
  if (decision.verdict !== 'nuisance' && decision.verdict !== 'suspect') return null;
  let keep = 1;
  let echoKeep = 1;
  let kind: 'range' | 'block' | null = null;
  for (const r of decision.reasons) {
    if (r.code === 'marked-nuisance') return null;
    if (NEIGHBOURHOOD.has(r.code)) {
      const range = r.code === 'prefix-evidence' && r.params?.['level'] !== 'block';
      kind = range && kind !== 'block' ? 'range' : 'block';
    } else if (ECHO.has(r.code)) echoKeep *= 1 - r.weight;
    else keep *= 1 - r.weight;
  }
  if (1 - keep >= thresholds.suspect) return null;
  if (echoKeep < 1) return kind === 'range' ? 'range-again' : 1 - keep * echoKeep < thresholds.suspect ? kind : null;
  return kind;
}

/**
 * What a decision teaches the tree about its number: `own` when crocetta found it nuisance on the number's own
 * evidence (its mark, or reasons other than number-block and prefix evidence reaching the suspect threshold, as
 * blocks.ts#learnsBlockMember asks of block members): count it as a nuisance number, weight 1. `neighbourhood`
 * when only its blocks or prefixes made it nuisance: count it at its expected label (PrefixTree.observeUnlabelled),
 * so the tree never feeds itself. null when it was not found nuisance.
 */
export function prefixLearning(
  decision: { verdict: Decision['verdict']; reasons: readonly Reason[] },
  thresholds: { suspect: number },
): PrefixLearning {
  if (decision.verdict !== 'nuisance') return null;
  let keep = 1;
  for (const r of decision.reasons) {
    if (r.code === 'marked-nuisance') return 'own';
    if (r.code !== 'nuisance-block' && r.code !== 'prefix-evidence' && r.code !== 'block-sweep') keep *= 1 - r.weight;
  }
  return 1 - keep >= thresholds.suspect ? 'own' : 'neighbourhood';
}

/**
 * Evidence at every prefix depth (issue 14): a tree over E.164 numbers, country calling code → national destination
 * code (operator or area, number-prefixes.ts) → 100,000- and 10,000-blocks (under mobile destination codes only:
 * SIM batches) → 1000-, 100- and 10-blocks, that estimates how likely a number is nuisance from what is known about
 * its NEIGHBOURS at every depth (its own evidence is left out of its estimate: the classifier weighs it apart).
 *
 * What a node holds: exponentially decayed masses of DISTINCT numbers under it, kept lazily (a value and the
 * minute it was last brought up to date), so an update or a read costs O(depth):
 *   n  nuisance: numbers marked by the office, stopped by crocetta on their own evidence, reported by friends
 *      (each with the weight the caller gives it, at most 1 per number);
 *   l  legitimate: numbers talked with, marked trusted, called by us, contacts;
 *   u  the legitimate share imputed to numbers crocetta refused on the tree's (or a block's) say-so alone: such a
 *      call's label is never seen, so it counts at its expected label, p̂ nuisance and 1 − p̂ legitimate (the E step
 *      of EM). That keeps a country blocked while its centres keep calling (without it the evidence would decay
 *      as soon as the tree starts refusing, the calls would get through again, and so on) without ever moving the
 *      estimate itself; `u` decays with `n`, its twin.
 * Distinctness: every number is a member row (its masses and when they were last refreshed); seeing it again
 * refreshes its contribution to max(what is left of it, the new weight), so a number that keeps calling counts
 * once, as recent.
 * Independence: numbers come in clusters (a centre's 100-block, a supplier's PBX lines, a SIM batch), and fifty
 * numbers of one centre's block say that the block is bad, not that Naples is. So blocks hold numbers, but the
 * wide blocks, the destination code, the country and the root hold units of the 1000-block level: each 1000-block
 * adds at most one unit, split by its own shares (n, l, u scaled by 1/max(1, n + l + u)); the design-effect
 * correction of survey sampling, with the 1000-block as the cluster, because numbers are assigned to subscribers
 * in ranges. A centre that draws a fresh number anywhere in an operator's range lands in a new 1000-block nearly
 * every call and still counts once per number.
 *
 * The estimate (hierarchical Beta-Binomial, each number counted once): the share of nuisance among numbers of a
 * node, θ, has the prior Beta(m·μ, m·(1 − μ)), so its posterior mean is (n + m·μ) / (n + l + u + m). μ is the
 * parent's posterior computed on the parent's RING: its evidence minus what this child brought it (the child's
 * numbers, or the unit a 1000-block lends above it), with the parent's own prior computed the same way from the
 * grandparent's ring, up to the root, whose ring starts from Jeffreys' Beta(½, ½). So every number's evidence is in
 * exactly one ring or in the deciding node, and counts once. (The first version took the parent's whole posterior
 * as the prior: a number's mark was in the 10-block, in the 100-block that was its prior, in the 1000-block that
 * was the 100-block's prior..., counted five times, and one mark made its 10-block neighbours nuisance.)
 * m, the prior's strength in numbers: `priorStrength` (one number) for countries, destination codes and wide
 * blocks, which hold many subscribers' ranges; for the other blocks, what a typical block of its size holds in the
 * parent's ring (the ring's evidence × the block's share of the parent's numbers), at least `minPriorStrength`:
 * a block is one subscriber's range (a centre's, a customer's PBX), so blocks under one parent differ much more
 * than their parent's share suggests, and a block's own numbers soon outweigh its prior.
 * A new number gets the posterior of the DEEPEST node on its path that knows enough: a country or destination code
 * holding `minEvidence` (0.5: one range seen within a half-life); a block holding `blockMinNuisance` nuisance
 * numbers (two) or `minEvidence` legitimate ones. One number says nothing about its neighbours: a block whose
 * only evidence is one nuisance number leaves the decision to its parent, where that number counts once; nor
 * does one cluster say anything about the rest of a 1000- or 100-block: their nuisance numbers must lie in two of
 * their sub-blocks, or in the caller's (`spreadOver`); a legitimate number still speaks for its block (a supplier's other lines), as wrongly blocking costs more than
 * letting a call through. A SIM box's 1000-block speaks for itself inside an operator's mobile range full of
 * customers, and a supplier's block abroad inside a country full of call centres. The weight given to the
 * classifier is a lower credible bound of θ there (normal approximation of the Beta posterior at `credibility`):
 * "we are 90% sure that at least w of new numbers from here are nuisance". It needs evidence as well as a high
 * share, and a legitimate number under the node pulls it down.
 *
 * Memory: block nodes and members live in typed-array hash tables (keyed-slots.ts), one per block level: 36 bytes
 * per 1000-block slot (its masses and the unit it lends its parents), 24 per 100- or 10-block slot, 29 per member
 * slot, tables between ¼ and ¾ full; countries and destination codes are a few thousand small
 * objects. Rows whose mass decayed below `forgetBelow` are dropped by `prune`, so the tree holds the numbers seen
 * within a few half-lives, not every number ever seen.
 */
import { KeyedSlots } from './keyed-slots.js';
import { callingCodeOf, numberPrefixes } from './number-prefixes.js';

export interface PrefixTreeRules {
  /** Half-life of nuisance evidence (days): a centre's number refused 30 days ago counts half. */
  nuisanceHalfLifeDays: number;
  /** Half-life of legitimate evidence (days): people keep their numbers longer than centres keep theirs. */
  legitHalfLifeDays: number;
  /**
   * m: how many numbers' worth of evidence the parent's estimate is at a country, destination code or wide block,
   * and at most at the other blocks, whose prior is worth what a typical block of its size holds in the parent's
   * ring (the ring's evidence × the block's share of the parent's numbers), between `minPriorStrength` and this.
   */
  priorStrength: number;
  /** The least a block's prior is worth (numerical floor: blockMinNuisance keeps one number from deciding). */
  minPriorStrength: number;
  /**
   * A block decides on nuisance evidence alone from this many numbers' worth (1.5: two numbers, one of them within
   * a half-life); with less, and no legitimate evidence, it leaves the decision to its parent, where its one
   * number counts once. One number says nothing about its neighbours; a legitimate one may still speak for its
   * block (wrongly blocking costs more than letting a call through).
   */
  blockMinNuisance: number;
  /**
   * A node decides for a new number when it holds at least this much evidence (decayed numbers): 0.5 is one number
   * seen within one half-life, so a supplier's one known line still speaks for its block a month later.
   */
  minEvidence: number;
  /** One-sided credibility of the lower bound used as weight (0.9: 90% sure the share is at least the weight). */
  credibility: number;
  /** Bounds below this give no reason (too weak to say anything a person should read). */
  minWeight: number;
  /**
   * The weight of a single neighbour: a 100- or 10-block (one subscriber's range, often) whose only evidence is one
   * nuisance number (less than blockMinNuisance, none legitimate) and whose parents say less. One number does not
   * make its neighbours nuisance, but it is a reason to ask: at the suspect threshold it makes a new number of the
   * block suspect (tagged, or the human check where `actions.suspect` asks for it), never nuisance by itself.
   * 0 = off.
   */
  hintWeight: number;
  /** Upper limit of the weight: a neighbourhood never weighs as much as a mark of the number itself. */
  maxWeight: number;
  /**
   * Block levels, as digits left free below the block's prefix, deepest last: [5, 4, 3, 2, 1] = 100,000- to
   * 10-blocks. Levels wider than the 1000-block are learned under mobile destination codes only (UNIT_DIGITS).
   */
  blockDigits: readonly number[];
  /** Member rows and nodes whose masses all decayed below this are forgotten by prune(). */
  forgetBelow: number;
}

export const DEFAULT_PREFIX_TREE_RULES: PrefixTreeRules = Object.freeze({
  nuisanceHalfLifeDays: 30,
  legitHalfLifeDays: 90,
  priorStrength: 1,
  minPriorStrength: 0.05,
  blockMinNuisance: 1.5,
  minEvidence: 0.5,
  credibility: 0.9,
  minWeight: 0.5,
  hintWeight: 0,
  maxWeight: 0.95,
  blockDigits: Object.freeze([5, 4, 3, 2, 1]),
  forgetBelow: 0.02,
});

export type EvidenceKind = 'nuisance' | 'legit';
export type PrefixLevel = 'country' | 'area' | 'block';

/** One node of a number's path, its masses decayed to the time asked. */
export interface PrefixNode {
  level: PrefixLevel;
  /** 0 = country, 1 = destination code, then the blocks (depth of the node in the number's path as stored). */
  depth: number;
  /** E.164 digits of the node's prefix, without `+`. */
  prefix: string;
  /** Digits free below the prefix (3 for a 1000-block); 0 for countries and destination codes. */
  free: number;
  nuisance: number;
  /** Legitimate numbers seen (talked with, trusted, called, contacts). */
  legit: number;
  /** Legitimate share imputed to refused numbers (see the module comment). */
  imputed: number;
}

export interface PrefixEstimate {
  /** The deepest node with enough evidence: the one that decided. */
  node: PrefixNode;
  callingCode: string;
  /** The destination code's digits when the path has one, '' otherwise. */
  ndc: string;
  /** libphonenumber type of the numbers first seen under the destination code (`MOBILE`...), null if unknown. */
  areaType: string | null;
  /** The parent's posterior mean: the prior of the deciding node. */
  prior: number;
  /** Posterior mean of the nuisance share at the deciding node. */
  mean: number;
  /** Lower credible bound of that share. */
  bound: number;
  /** The bound as evidence weight: 0 below minWeight, at most maxWeight. */
  weight: number;
  /** Last time a nuisance number was counted under the country or destination code that decided (ms), else null. */
  lastNuisanceAt: number | null;
}

interface UpperNode {
  n: number;
  l: number;
  u: number;
  /** Minute the masses were last brought up to date. */
  ref: number;
  /** ms of the last nuisance evidence counted. */
  lastNuisanceAt: number;
}
interface CountryNode extends UpperNode {
  /** Bit k set: a destination code of k digits exists under this country. */
  areaLengths: number;
}
interface AreaNode extends UpperNode {
  type: string | null;
}

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
/**
 * Numbers are handed to subscribers in ranges: a fixed-line customer's DID range, a centre's 100-block, a batch of
 * SIMs. The 1000-block (3 free digits) is the cluster that counts once above it; blocks wider than that (10,000 and
 * 100,000 numbers) are learned only under mobile destination codes, where operators sell SIMs in batches that large
 * (a SIM box's numbers); under a fixed-line area code they are an exchange's thousands of unrelated subscribers.
 */
const UNIT_DIGITS = 3;
const WIDE_TYPE = 'MOBILE';
const WIDE_MIN_EVIDENCE = 1.5;
/**
 * Blocks of up to 10^this numbers take the typical-block prior (see `estimate`); wider ones their parent's at full
 * strength. Measured on the market replay (seed 1, 50k calls, from each centre's 2nd call): the typical-block
 * prior at the 10,000-block stopped 489 more of the SIM boxes' calls (1,259 → 770 let through) and blocked no more
 * legitimate calls; at the 100,000-block as well, 76 more, and 18 more customers' calls blocked (their mobiles in a
 * SIM batch's 100,000-block): there an office has about as many customers as a SIM box has ranges.
 */
const TYPICAL_PRIOR_MAX_FREE = 4;
// Block columns: masses; on the top level also the unit lent to the parents (CN, CL, CU), all as of BREF.
const BN = 0;
const BL = 1;
const BU = 2;
const CN = 3;
const CL = 4;
const CU = 5;
const BREF = 0;
// Member columns.
const MN = 0;
const ML = 1;
const MU = 2;
const MN_AT = 0;
const ML_AT = 1;
const MPATH = 0;

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

export class PrefixTree {
  readonly rules: PrefixTreeRules;
  private readonly lambdaN: number;
  private readonly lambdaL: number;
  private readonly z: number;
  private readonly root: UpperNode = { n: 0, l: 0, u: 0, ref: 0, lastNuisanceAt: 0 };
  private readonly countries = new Map<string, CountryNode>();
  private readonly areas = new Map<string, AreaNode>();
  /** Block nodes per level (`rules.blockDigits`), keyed by their prefix digits. */
  private readonly levels: KeyedSlots[];
  /** Members keyed by their E.164 digits. */
  private readonly members = new KeyedSlots({ f32: 3, u32: 2, u8: 1 });
  private readonly powers: number[];
  /** The block level that lends its unit to the destination code, the country and the root (the 1000-block). */
  private readonly unitLevel: number;
  /** Changes so far (a mass carried up a path, a member added, a prune): see `version`. */
  private writes = 0;

  constructor(rules: Partial<PrefixTreeRules> = {}) {
    const r: PrefixTreeRules = Object.assign({}, DEFAULT_PREFIX_TREE_RULES, rules);
    validate(r);
    this.rules = r;
    this.lambdaN = Math.LN2 / (r.nuisanceHalfLifeDays * DAY_MINUTES);
    this.lambdaL = Math.LN2 / (r.legitHalfLifeDays * DAY_MINUTES);
    this.z = normalQuantile(r.credibility);
    this.powers = r.blockDigits.map((d) => 10 ** d);
    const unit = r.blockDigits.findIndex((d) => d <= UNIT_DIGITS);
    this.unitLevel = unit < 0 ? 0 : unit;
    this.levels = r.blockDigits.map((_, i) => new KeyedSlots({ f32: i === this.unitLevel ? 6 : 3, u32: 1, u8: 0 }));
  }

  /**
   * Changes with every change of what an estimate reads (a member's or a node's mass, a member or node added, a
   * prune): an estimate is a function of the number, the minute it is asked at (estimateMinute) and this version,
   * so one kept from the same minute and version is the one `estimate` would compute again. A write that changes
   * nothing (a marked caller refused again within the minute: its mass is whole already) leaves it, and the
   * estimates kept for every other caller with it.
   */
  get version(): number {
    return this.writes;
  }

  /** Distinct numbers held. */
  get memberCount(): number {
    return this.members.size;
  }

  /** Nodes held: countries, destination codes and blocks. */
  get nodeCount(): number {
    return this.countries.size + this.areas.size + this.blockNodeCount;
  }

  get blockNodeCount(): number {
    return this.levels.reduce((a, t) => a + t.size, 0);
  }

  /** Bytes of the typed arrays (block nodes and members); the country and destination-code objects are extra. */
  get byteLength(): number {
    return this.levels.reduce((a, t) => a + t.byteLength, this.members.byteLength);
  }

  /**
   * Evidence about one number at `at` (ms): its nuisance or legitimate mass becomes max(what is left of it, weight),
   * and every node on its path follows. Weights: 1 for the office's own marks, the numbers it called or talked
   * with at length, crocetta's refusals on the caller's own evidence; a friend's trust for friends' reports.
   * A labelled nuisance replaces an imputed one.
   */
  observe(e164: string, kind: EvidenceKind, weight: number, at: number): void {
    const w = Math.min(1, Math.max(0, weight));
    if (!(w > 0)) return;
    const slot = this.memberSlot(e164, true);
    if (slot < 0) return;
    if (kind === 'nuisance') this.retractImputed(slot, at);
    this.raise(slot, kind === 'nuisance' ? MN : ML, w, minutes(at), at, 0);
  }

  /**
   * A number refused on the tree's or a block's evidence alone (nothing of its own): its label is unknown, so it
   * counts at its expected label, the estimate's mean p̂ as nuisance and 1 − p̂ as imputed legitimate.
   * Returns p̂, or null when the tree knows nothing about the number's neighbourhood.
   */
  observeUnlabelled(e164: string, at: number): number | null {
    const estimate = this.estimate(e164, at);
    if (estimate === null) return null;
    const p = estimate.mean;
    const slot = this.memberSlot(e164, true);
    if (slot < 0) return null;
    const t = minutes(at);
    const m = this.members;
    const current = m.f32[MN]![slot]! * this.decayN(t - m.u32[MN_AT]![slot]!);
    if (current >= p) return p; // already counted at least as strongly (a mark, an earlier refusal)
    this.retractImputed(slot, at);
    this.raise(slot, MN, p, t, at, 1 - p);
    return p;
  }

  /** The nuisance mass counted for the number itself at `now` (a refusal on its neighbours' say-so: p̂); 0 when none. */
  nuisanceOf(e164: string, now: number): number {
    const slot = this.memberSlot(e164, false);
    if (slot < 0) return 0;
    const m = this.members;
    return m.f32[MN]![slot]! * this.decayN(minutes(now) - m.u32[MN_AT]![slot]!);
  }

  /** The number is no longer evidence of `kind` (a mark cleared or changed): its remaining mass leaves the path. */
  retract(e164: string, kind: EvidenceKind, at: number): void {
    const slot = this.memberSlot(e164, false);
    if (slot < 0) return;
    const m = this.members;
    const t = minutes(at);
    // A mass set to 0 below without a path to carry (decayed to nothing) is a change of what estimates read too.
    if (m.f32[MN]![slot] !== 0 || m.f32[MU]![slot] !== 0 || m.f32[ML]![slot] !== 0) this.writes++;
    if (kind === 'nuisance') {
      const atN = m.u32[MN_AT]![slot]!;
      const tt = Math.max(t, atN);
      const n = m.f32[MN]![slot]! * this.decayN(tt - atN);
      const u = m.f32[MU]![slot]! * this.decayN(tt - atN);
      if (n > 0 || u > 0) this.applyPath(m.keys[slot]!, m.u8[MPATH]![slot]!, -n, 0, -u, tt, at, false);
      m.f32[MN]![slot] = 0;
      m.f32[MU]![slot] = 0;
    } else {
      const atL = m.u32[ML_AT]![slot]!;
      const tt = Math.max(t, atL);
      const l = m.f32[ML]![slot]! * this.decayL(tt - atL);
      if (l > 0) this.applyPath(m.keys[slot]!, m.u8[MPATH]![slot]!, 0, -l, 0, tt, at, false);
      m.f32[ML]![slot] = 0;
    }
  }

  /**
   * The estimate for a number at `now` (ms) from its deepest node with enough evidence; null when no node on its
   * path has any. Costs a few Map and hash-table probes; nothing is written.
   */
  estimate(e164: string, now: number): PrefixEstimate | null {
    const t = minutes(now);
    const found = this.walk(e164, t);
    if (found === null) return null;
    this.leaveOut(e164, t, found);
    const r = this.rules;
    // A wide block (a SIM batch's 10,000 or 100,000 numbers) speaks from its 2nd range: one range there says
    // nothing about the others, as one number says nothing about a 10-block of PBX lines. Below that it is left out
    // of the chain, its ranges counted in the ring of the node above it.
    const nodes: PrefixNode[] = [];
    const lent: Array<Lent | null> = [];
    for (let i = 0; i < found.nodes.length; i++) {
      const node = found.nodes[i]!;
      if (node.level === 'block' && node.free > UNIT_DIGITS && total(node) < WIDE_MIN_EVIDENCE) continue;
      nodes.push(node);
      lent.push(found.lent[i] ?? null);
    }
    // The ring of a node: its evidence minus what its child on the path brought it, in the node's own units (the
    // unit a 1000-block lends above it, numbers below it). Each number's evidence is in exactly one ring or in the
    // deciding node, so it counts once in the estimate: the prior of a node is its parent's posterior computed on
    // the parent's ring, whose own prior is computed on the grandparent's ring, and so on up to the root.
    const ring = (k: number): Lent => {
      const node = k < 0 ? this.rootView(t) : nodes[k]!;
      const child = nodes[k + 1];
      if (child === undefined) return { n: node.nuisance, l: node.legit, u: node.imputed };
      const c = child.level === 'block' && child.free === UNIT_DIGITS && holdsUnits(node) ? lent[k + 1] : null;
      const cn = c?.n ?? child.nuisance;
      const cl = c?.l ?? child.legit;
      const cu = c?.u ?? child.imputed;
      return {
        n: Math.max(0, node.nuisance - cn),
        l: Math.max(0, node.legit - cl),
        u: Math.max(0, node.imputed - cu),
      };
    };
    // The root's prior is Jeffreys' Beta(½, ½): strength 1, mean ½.
    const top = ring(-1);
    let mu = (top.n + 0.5) / (top.n + top.l + top.u + 1);
    let decided = -1;
    let prior = mu;
    let strength = r.priorStrength;
    let parentRing = top.n + top.l + top.u;
    let parentFree = found.digits - found.callingCode.length;
    // The deepest 100- or 10-block holding one nuisance number and nothing else (see hintWeight), its prior.
    let hint = -1;
    let hintPrior = mu;
    let hintStrength = r.priorStrength;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const free =
        node.level === 'block'
          ? node.free
          : found.digits -
            (node.level === 'country' ? found.callingCode.length : found.callingCode.length + found.ndc.length);
      // m: a block's prior is worth what a typical block of its size holds in its parent's ring (the ring's
      // evidence × the block's share of the parent's numbers), between minPriorStrength and priorStrength; up to
      // the 10,000-block (TYPICAL_PRIOR_MAX_FREE), whose ten ranges are one SIM batch or a few subscribers', so
      // its own ranges soon outweigh its parent's. A 100,000-block is a hundred ranges of a mobile code, among
      // them the office's customers': its prior is worth what a destination code's is.
      let m = r.priorStrength;
      if (node.level === 'block' && free <= TYPICAL_PRIOR_MAX_FREE && parentFree > free) {
        m = Math.min(r.priorStrength, Math.max(r.minPriorStrength, parentRing * 10 ** (free - parentFree)));
      }
      const enough =
        node.level === 'block'
          ? (node.nuisance >= r.blockMinNuisance && this.spreadOver(node, nodes[i + 1], t)) ||
            node.legit + node.imputed >= r.minEvidence
          : total(node) >= r.minEvidence;
      if (enough) {
        decided = i;
        prior = mu;
        strength = m;
      } else if (
        node.level === 'block' &&
        node.free <= 2 &&
        node.nuisance >= r.minEvidence &&
        node.legit + node.imputed < r.minEvidence
      ) {
        hint = i;
        hintPrior = mu;
        hintStrength = m;
      }
      const own = ring(i);
      const ownTotal = own.n + own.l + own.u;
      mu = (own.n + m * mu) / (ownTotal + m);
      parentRing = ownTotal;
      parentFree = free;
    }
    const posterior = (node: PrefixNode, p: number, m: number): { mean: number; bound: number } => {
      const a = node.nuisance + m * p;
      const b = node.legit + node.imputed + m * (1 - p);
      const mean = a / (a + b);
      const sd = Math.sqrt((a * b) / ((a + b) * (a + b) * (a + b + 1)));
      return { mean, bound: Math.max(0, mean - this.z * sd) };
    };
    let node = nodes[decided];
    let { mean, bound } = node === undefined ? { mean: 0, bound: 0 } : posterior(node, prior, strength);
    let weight = bound >= r.minWeight ? Math.min(r.maxWeight, bound) : 0;
    // One neighbour below the deciding node, where the deciding node says less: suspect, never more.
    if (hint > decided && r.hintWeight > 0 && weight < r.hintWeight) {
      const h = posterior(nodes[hint]!, hintPrior, hintStrength);
      if (h.bound >= r.hintWeight) {
        node = nodes[hint]!;
        ({ mean, bound } = h);
        prior = hintPrior;
        weight = r.hintWeight;
      }
    }
    if (node === undefined) return null;
    const last = node.level === 'country' ? found.countryLast : node.level === 'area' ? found.areaLast : 0;
    return {
      node,
      callingCode: found.callingCode,
      ndc: found.ndc,
      areaType: found.areaType,
      prior,
      mean,
      bound,
      weight,
      lastNuisanceAt: last > 0 ? last : null,
    };
  }

  /**
   * Whether a 1000- or 100-block may speak on its nuisance numbers for a caller: they lie in 2+ of its sub-blocks
   * (100- or 10-blocks), or some in the caller's own sub-block (`child`, the next node on its path). Numbers come in
   * clusters, the sub-block being one subscriber's range: a centre's numbers all in one 100-block say that this
   * 100-block is the centre's, not that the nine others of its 1000-block are (a customer's office there); the same
   * reasoning that counts each 1000-block once above it, one level down. With one cluster, the parent decides.
   */
  private spreadOver(node: PrefixNode, child: PrefixNode | undefined, t: number): boolean {
    if (node.level !== 'block' || node.free > UNIT_DIGITS || node.free < 2) return true;
    if (child !== undefined && child.level === 'block' && child.free === node.free - 1 && child.nuisance > 0)
      return true;
    const level = this.rules.blockDigits.indexOf(node.free - 1);
    if (level < 0) return true;
    const table = this.levels[level]!;
    const base = Number(node.prefix) * 10;
    let clusters = 0;
    for (let d = 0; d < 10; d++) {
      const slot = table.find(base + d);
      if (slot < 0) continue;
      if (table.f32[BN]![slot]! * this.decayN(t - table.u32[BREF]![slot]!) >= this.rules.minEvidence) clusters++;
      if (clusters >= 2) return true;
    }
    return false;
  }

  /**
   * Forgets members and nodes whose masses all decayed below `forgetBelow` by `now`. Run it as the register prunes
   * its index (every 10 minutes); it walks every row, so it costs O(rows).
   */
  prune(now: number): { members: number; nodes: number } {
    this.writes++;
    const t = minutes(now);
    const eps = this.rules.forgetBelow;
    const m = this.members;
    const members = m.retain(
      (s) =>
        m.f32[MN]![s]! * this.decayN(t - m.u32[MN_AT]![s]!) >= eps ||
        m.f32[MU]![s]! * this.decayN(t - m.u32[MN_AT]![s]!) >= eps ||
        m.f32[ML]![s]! * this.decayL(t - m.u32[ML_AT]![s]!) >= eps,
    );
    let nodes = 0;
    for (const b of this.levels) {
      nodes += b.retain((s) => {
        const age = t - b.u32[BREF]![s]!;
        return (b.f32[BN]![s]! + b.f32[BU]![s]!) * this.decayN(age) + b.f32[BL]![s]! * this.decayL(age) >= eps;
      });
    }
    const alive = (node: UpperNode): boolean =>
      this.upperN(node, t) + this.upperU(node, t) + this.upperL(node, t) >= eps;
    for (const [key, area] of this.areas) {
      if (!alive(area)) {
        this.areas.delete(key);
        nodes++;
      }
    }
    for (const [cc, country] of this.countries) {
      if (!alive(country)) {
        this.countries.delete(cc);
        nodes++;
      } else country.areaLengths = 0;
    }
    for (const key of this.areas.keys()) {
      const cc = callingCodeOf(key);
      const country = cc === null ? undefined : this.countries.get(cc);
      if (cc !== null && country !== undefined) country.areaLengths |= 1 << (key.length - cc.length);
    }
    return { members, nodes };
  }

  /** Every node on a number's path as stored, top-down, masses decayed to `now` (for explanations and tests). */
  path(e164: string, now: number): PrefixNode[] {
    return this.walk(e164, minutes(now))?.nodes ?? [];
  }

  /** The whole tree's masses at `now`: the root of every estimate. */
  totals(now: number): { nuisance: number; legit: number; imputed: number } {
    const t = minutes(now);
    return {
      nuisance: this.upperN(this.root, t),
      legit: this.upperL(this.root, t),
      imputed: this.upperU(this.root, t),
    };
  }

  // ---------- internals ----------

  /**
   * The stored nodes on a number's path at minute `t`. The destination code is the longest one stored under the
   * country that prefixes the number (codes are computed with libphonenumber when a number is learned, never here).
   */
  private walk(
    e164: string,
    t: number,
  ): {
    nodes: PrefixNode[];
    /** Per node: the unit a 1000-block lends the nodes above it (null for the other nodes). */
    lent: Array<Lent | null>;
    digits: number;
    callingCode: string;
    ndc: string;
    areaType: string | null;
    countryLast: number;
    areaLast: number;
  } | null {
    const digits = e164.startsWith('+') ? e164.slice(1) : e164;
    const cc = callingCodeOf(digits);
    if (cc === null) return null;
    const country = this.countries.get(cc);
    if (country === undefined) return null;
    const nodes: PrefixNode[] = [this.upperView(country, 'country', 0, cc, t)];
    const lent: Array<Lent | null> = [null];
    let ndc = '';
    let areaType: string | null = null;
    let areaLast = 0;
    for (let len = 15; len >= 1; len--) {
      if ((country.areaLengths & (1 << len)) === 0 || cc.length + len >= digits.length) continue;
      const prefix = digits.slice(0, cc.length + len);
      const area = this.areas.get(prefix);
      if (area !== undefined) {
        ndc = prefix.slice(cc.length);
        areaType = area.type;
        areaLast = area.lastNuisanceAt;
        nodes.push(this.upperView(area, 'area', 1, prefix, t));
        lent.push(null);
        break;
      }
    }
    const full = Number(digits);
    const top = cc.length + ndc.length;
    const wide = areaType === WIDE_TYPE;
    for (let i = 0; i < this.powers.length; i++) {
      const free = this.rules.blockDigits[i]!;
      if (digits.length - free <= top || (free > UNIT_DIGITS && !wide)) continue;
      const prefix = Math.floor(full / this.powers[i]!);
      const slot = this.levels[i]!.find(prefix);
      if (slot < 0) continue;
      nodes.push(this.blockView(this.levels[i]!, slot, String(prefix), free, nodes.length, t));
      lent.push(i === this.unitLevel ? this.lentView(this.levels[i]!, slot, t) : null);
    }
    return {
      nodes,
      lent,
      digits: digits.length,
      callingCode: cc,
      ndc,
      areaType,
      countryLast: country.lastNuisanceAt,
      areaLast,
    };
  }

  /**
   * Leave-one-out: the number's own evidence leaves the nodes of its path, so the estimate says what its
   * NEIGHBOURS say. Its own mark, refusals and talks are reasons of their own in the classifier; counted here
   * too, a number refused once on its neighbourhood's say-so would condemn itself on every later call.
   */
  private leaveOut(e164: string, t: number, found: { nodes: PrefixNode[]; lent: Array<Lent | null> }): void {
    const slot = this.memberSlot(e164, false);
    if (slot < 0) return;
    const m = this.members;
    const dn = this.decayN(t - m.u32[MN_AT]![slot]!);
    const n = m.f32[MN]![slot]! * dn;
    const u = m.f32[MU]![slot]! * dn;
    const l = m.f32[ML]![slot]! * this.decayL(t - m.u32[ML_AT]![slot]!);
    if (n + l + u <= 0) return;
    // The share of the number in the unit its 1000-block lends above (1 when the block holds at most one number).
    const i = found.nodes.findIndex((node) => node.level === 'block' && node.free === UNIT_DIGITS);
    const unit = found.nodes[i];
    const scale = unit === undefined ? 1 : 1 / Math.max(1, total(unit));
    for (const node of found.nodes) {
      const k = holdsUnits(node) ? scale : 1;
      node.nuisance = Math.max(0, node.nuisance - n * k);
      node.legit = Math.max(0, node.legit - l * k);
      node.imputed = Math.max(0, node.imputed - u * k);
    }
    const lent = found.lent[i];
    if (lent !== undefined && lent !== null) {
      lent.n = Math.max(0, lent.n - n * scale);
      lent.l = Math.max(0, lent.l - l * scale);
      lent.u = Math.max(0, lent.u - u * scale);
    }
  }

  private decayN(ageMinutes: number): number {
    return ageMinutes <= 0 ? 1 : Math.exp(-this.lambdaN * ageMinutes);
  }

  private decayL(ageMinutes: number): number {
    return ageMinutes <= 0 ? 1 : Math.exp(-this.lambdaL * ageMinutes);
  }

  private upperN(node: UpperNode, t: number): number {
    return node.n * this.decayN(t - node.ref);
  }
  private upperL(node: UpperNode, t: number): number {
    return node.l * this.decayL(t - node.ref);
  }
  private upperU(node: UpperNode, t: number): number {
    return node.u * this.decayN(t - node.ref);
  }

  private upperView(node: UpperNode, level: PrefixLevel, depth: number, prefix: string, t: number): PrefixNode {
    return {
      level,
      depth,
      prefix,
      free: 0,
      nuisance: this.upperN(node, t),
      legit: this.upperL(node, t),
      imputed: this.upperU(node, t),
    };
  }

  private blockView(b: KeyedSlots, slot: number, prefix: string, free: number, depth: number, t: number): PrefixNode {
    const age = t - b.u32[BREF]![slot]!;
    const dn = this.decayN(age);
    return {
      level: 'block',
      depth,
      prefix,
      free,
      nuisance: b.f32[BN]![slot]! * dn,
      legit: b.f32[BL]![slot]! * this.decayL(age),
      imputed: b.f32[BU]![slot]! * dn,
    };
  }

  private rootView(t: number): PrefixNode {
    return this.upperView(this.root, 'country', -1, '', t);
  }

  /** The unit a 1000-block lends to the nodes above it, decayed to minute `t`. */
  private lentView(b: KeyedSlots, slot: number, t: number): Lent {
    const age = t - b.u32[BREF]![slot]!;
    const dn = this.decayN(age);
    return { n: b.f32[CN]![slot]! * dn, l: b.f32[CL]![slot]! * this.decayL(age), u: b.f32[CU]![slot]! * dn };
  }

  /** The member row of a number (created with its path when `create`), or -1. */
  private memberSlot(e164: string, create: boolean): number {
    const digits = e164.startsWith('+') ? e164.slice(1) : e164;
    if (!/^[1-9][0-9]{5,14}$/.test(digits)) return -1;
    const key = Number(digits);
    const found = this.members.find(key);
    if (found >= 0 || !create) return found;
    const prefixes = numberPrefixes(digits);
    if (prefixes === null) return -1;
    this.writes++;
    const slot = this.members.insert(key);
    this.members.u8[MPATH]![slot] = prefixes.callingCode.length | (prefixes.ndc.length << 2);
    this.ensurePath(prefixes.callingCode, prefixes.ndc, prefixes.type);
    return slot;
  }

  private ensurePath(cc: string, ndc: string, type: string | null): void {
    let country = this.countries.get(cc);
    if (country === undefined) {
      country = { n: 0, l: 0, u: 0, ref: 0, lastNuisanceAt: 0, areaLengths: 0 };
      this.countries.set(cc, country);
    }
    if (ndc !== '') {
      const key = cc + ndc;
      if (!this.areas.has(key)) this.areas.set(key, { n: 0, l: 0, u: 0, ref: 0, lastNuisanceAt: 0, type });
      country.areaLengths |= 1 << ndc.length;
    }
  }

  /**
   * Raises the member's mass in column `col` to `w` (its twin `u` to `imputed`) if that is more than what is left
   * of it, and carries the difference up the path.
   */
  private raise(slot: number, col: number, w: number, t: number, at: number, imputed: number): void {
    const m = this.members;
    const atCol = col === MN ? MN_AT : ML_AT;
    const lastAt = m.u32[atCol]![slot]!;
    const lambda = col === MN ? this.lambdaN : this.lambdaL;
    const decay = (age: number): number => (age <= 0 ? 1 : Math.exp(-lambda * age));
    const mass = m.f32[col]![slot]!;
    let delta: number;
    let when: number;
    let imputedDelta = 0;
    if (t >= lastAt) {
      const left = mass * decay(t - lastAt);
      if (w <= left) return;
      delta = w - left;
      when = t;
      m.f32[col]![slot] = w;
      m.u32[atCol]![slot] = t;
      if (col === MN) {
        m.f32[MU]![slot] = imputed;
        imputedDelta = imputed;
      }
    } else {
      // A late report of an older event: compared as of the member's own last time.
      const then = w * decay(lastAt - t);
      if (then <= mass) return;
      delta = then - mass;
      when = lastAt;
      m.f32[col]![slot] = then;
      if (col === MN) {
        const u = imputed * decay(lastAt - t);
        m.f32[MU]![slot] = u;
        imputedDelta = u;
      }
    }
    const dn = col === MN ? delta : 0;
    const dl = col === ML ? delta : 0;
    this.applyPath(m.keys[slot]!, m.u8[MPATH]![slot]!, dn, dl, imputedDelta, when, at, col === MN);
  }

  /** Removes a member's imputed share (before it gets a label or a new imputation). */
  private retractImputed(slot: number, at: number): void {
    const m = this.members;
    const u = m.f32[MU]![slot]!;
    if (u === 0) return;
    const atN = m.u32[MN_AT]![slot]!;
    const tt = Math.max(minutes(at), atN);
    const left = u * this.decayN(tt - atN);
    const n = m.f32[MN]![slot]! * this.decayN(tt - atN);
    // An imputed member's nuisance share goes with its legitimate twin: both were one guess.
    this.applyPath(m.keys[slot]!, m.u8[MPATH]![slot]!, -n, 0, -left, tt, at, false);
    m.f32[MU]![slot] = 0;
    m.f32[MN]![slot] = 0;
  }

  /**
   * Adds a member's deltas (at minute `t`) to the blocks of its path, and the change of the unit its 1000-block
   * lends to the wide blocks above it, the destination code, the country and the root (the deltas themselves when
   * the number has no 1000-block). Deepest level first: the wide levels take the unit's change.
   */
  private applyPath(
    key: number,
    path: number,
    dn: number,
    dl: number,
    du: number,
    t: number,
    at: number,
    nuisance: boolean,
  ): void {
    this.writes++;
    const digits = String(key);
    const ccLen = path & 3;
    const ndcLen = path >> 2;
    const top = ccLen + ndcLen;
    let upN = dn;
    let upL = dl;
    let upU = du;
    let upAt = t;
    const wide = ndcLen > 0 && this.areas.get(digits.slice(0, top))?.type === WIDE_TYPE;
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const free = this.rules.blockDigits[i]!;
      if (digits.length - free <= top || (free > UNIT_DIGITS && !wide)) continue;
      const b = this.levels[i]!;
      const prefix = Math.floor(key / this.powers[i]!);
      // A wide block counts 1000-blocks, as the destination code above it does.
      const units = i < this.unitLevel;
      const xn = units ? upN : dn;
      const xl = units ? upL : dl;
      const xu = units ? upU : du;
      const xt = units ? upAt : t;
      let slot = b.find(prefix);
      if (slot < 0) {
        if (xn <= 0 && xl <= 0 && xu <= 0) continue;
        slot = b.insert(prefix);
        b.u32[BREF]![slot] = xt;
      }
      const unit = i === this.unitLevel;
      const ref = b.u32[BREF]![slot]!;
      const when = Math.max(xt, ref);
      // Bring the row to `when`, and the deltas too (a late report is added as what is left of it then).
      const rowN = this.decayN(when - ref);
      const rowL = this.decayL(when - ref);
      const dN = this.decayN(when - xt);
      const dL = this.decayL(when - xt);
      const f = b.f32;
      const n = Math.max(0, f[BN]![slot]! * rowN + xn * dN);
      const l = Math.max(0, f[BL]![slot]! * rowL + xl * dL);
      const u = Math.max(0, f[BU]![slot]! * rowN + xu * dN);
      f[BN]![slot] = n;
      f[BL]![slot] = l;
      f[BU]![slot] = u;
      b.u32[BREF]![slot] = when;
      if (unit) {
        const scale = 1 / Math.max(1, n + l + u);
        const cn = n * scale;
        const cl = l * scale;
        const cu = u * scale;
        upN = cn - f[CN]![slot]! * rowN;
        upL = cl - f[CL]![slot]! * rowL;
        upU = cu - f[CU]![slot]! * rowN;
        upAt = when;
        f[CN]![slot] = cn;
        f[CL]![slot] = cl;
        f[CU]![slot] = cu;
      }
    }
    this.addUpper(this.root, upN, upL, upU, upAt, at, nuisance && dn > 0);
    const country = this.countries.get(digits.slice(0, ccLen));
    if (country === undefined) return;
    this.addUpper(country, upN, upL, upU, upAt, at, nuisance && dn > 0);
    if (ndcLen > 0) {
      const area = this.areas.get(digits.slice(0, top));
      if (area !== undefined) this.addUpper(area, upN, upL, upU, upAt, at, nuisance && dn > 0);
    }
  }

  private addUpper(node: UpperNode, dn: number, dl: number, du: number, t: number, at: number, counted: boolean): void {
    if (t >= node.ref) {
      const age = t - node.ref;
      node.n = Math.max(0, node.n * this.decayN(age) + dn);
      node.u = Math.max(0, node.u * this.decayN(age) + du);
      node.l = Math.max(0, node.l * this.decayL(age) + dl);
      node.ref = t;
    } else {
      const age = node.ref - t;
      node.n = Math.max(0, node.n + dn * this.decayN(age));
      node.u = Math.max(0, node.u + du * this.decayN(age));
      node.l = Math.max(0, node.l + dl * this.decayL(age));
    }
    if (counted && at > node.lastNuisanceAt) node.lastNuisanceAt = at;
  }
}

interface Lent {
  n: number;
  l: number;
  u: number;
}

function total(node: PrefixNode): number {
  return node.nuisance + node.legit + node.imputed;
}

/** Countries, destination codes and wide blocks count 1000-blocks (units); the other blocks count numbers. */
function holdsUnits(node: PrefixNode): boolean {
  return node.level !== 'block' || node.free > UNIT_DIGITS;
}

function minutes(ms: number): number {
  return Math.max(0, Math.floor(ms / MINUTE));
}

/** The minute (of the tree's clock) an estimate asked at `now` (ms) is computed for: see PrefixTree.version. */
export function estimateMinute(now: number): number {
  return minutes(now);
}

function validate(r: PrefixTreeRules): void {
  const positive = (v: number, name: string): void => {
    if (!(v > 0) || !Number.isFinite(v))
      throw new RangeError(`prefix tree: ${name} must be a positive number, got ${v}`);
  };
  positive(r.nuisanceHalfLifeDays, 'nuisanceHalfLifeDays');
  positive(r.legitHalfLifeDays, 'legitHalfLifeDays');
  positive(r.priorStrength, 'priorStrength');
  positive(r.minEvidence, 'minEvidence');
  if (!(r.minPriorStrength > 0 && r.minPriorStrength <= r.priorStrength)) {
    throw new RangeError(`prefix tree: minPriorStrength must be in (0, priorStrength], got ${r.minPriorStrength}`);
  }
  if (!(r.credibility > 0.5 && r.credibility < 1))
    throw new RangeError(`prefix tree: credibility must be in (0.5, 1), got ${r.credibility}`);
  for (const [name, v] of [
    ['minWeight', r.minWeight],
    ['hintWeight', r.hintWeight],
    ['maxWeight', r.maxWeight],
    ['forgetBelow', r.forgetBelow],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`prefix tree: ${name} must be in [0, 1], got ${v}`);
  }
  const digits = r.blockDigits;
  if (
    digits.length > 8 ||
    digits.some((d, i) => !Number.isInteger(d) || d < 1 || d > 6 || (i > 0 && d >= digits[i - 1]!))
  ) {
    throw new RangeError('prefix tree: blockDigits must be decreasing whole numbers in 1..6 (e.g. [3, 2, 1])');
  }
}

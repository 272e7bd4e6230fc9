/**
 * bench/evidence-bound.ts: what no number-based rule can catch (issue 14, "Done when"), printed by
 * `npm run bench:accuracy -- --explain`.
 *
 * An oracle that knows the TRUE label of every earlier call of the trace (not the office's marks: every nuisance
 * call labelled, every legitimate caller known, nothing forgotten) looks at each call's number the way the prefix
 * tree does: its country calling code, its destination code (number-prefixes.ts), its 100,000- and 10,000-blocks
 * (mobile destination codes only, as the tree), its 1000-, 100- and 10-blocks. Each prefix holds the distinct
 * numbers that called before, nuisance and legitimate. A call is then, first match wins:
 * - `own number rang before`: its own number called before (evidence about the number itself existed);
 * - `a prefix with only nuisance numbers`: a new number, and the deepest of its prefixes with any earlier call holds
 *   only nuisance numbers (a rule could stop it and no caller known to be legitimate would share the reason);
 * - `nearest earlier callers include legitimate ones`: a new number whose every prefix with an earlier caller also
 *   holds a legitimate one (the deepest such prefix is a superset's subset: if it holds a legitimate caller, so do
 *   all prefixes above it). A number-based rule stops it only by stopping new numbers where the office's own callers
 *   call from; the oracle's nuisance share there says at what cost;
 * - `no earlier call under any prefix`: nothing at all (in practice, a country's first calls).
 *
 * The last two are what numbers alone cannot separate from the office's callers. The oracle's curve answers the
 * sharper question: stopping a call when the nuisance share of its deepest prefix with an earlier caller is at
 * least s (1 for a prefix with only nuisance numbers; a number that called before is stopped when it was nuisance,
 * never when legitimate: perfect labels), how many nuisance calls from the 2nd attempt are stopped, and how many
 * legitimate calls (first calls of new legitimate numbers) with them. Its best figure within the 0.1% budget of
 * blocked legitimate calls is a ceiling for number-based rules with PERFECT labels; crocetta has the office's marks
 * (70% of the nuisance calls that reach it, in the market model) and its own refusals, so it sits below.
 *
 * Signals other than the number (issue 14 asks for them too): the replay also passes each call's time, the DID it
 * rang and whether crocetta's business hours call it off hours. The oracle then knows, at the call, whether another
 * number of the caller's 1000-block, or of its destination code (its country when the plan has none), rang ANOTHER
 * of our DIDs within `liveWindowMs` before it: a DID sweep seen in real time (`live`). `ceiling(budget, levels,
 * true)` adds that and the off-hours flag to the signature, so its figure is a ceiling for rules that read the
 * prefixes' counts, sweeps as they happen and the time of day (the market model's other signals: the caller ID's
 * shape is drawn alike for centres and the office's callers, and STIR/SHAKEN exists only for US diallers, whose
 * numbers the tree catches already). Trap calls are recorded with their time and DID, so a sweep through the trap
 * counts as well.
 *
 * Diagnostics only: it reads the trace's truth, which the classifier never sees.
 */
import { numberPrefixes } from '../src/screening/number-prefixes.js';

/** Block levels as the tree's defaults (DEFAULT_PREFIX_TREE_RULES.blockDigits); wider than 3 under mobiles only. */
const BLOCK_DIGITS = [5, 4, 3, 2, 1];
const UNIT_DIGITS = 3;

export type BoundCategory = 'own' | 'pure' | 'mixed' | 'legit-only' | 'nothing';

/** A call's moment as the replay saw it: when, which of our DIDs, and whether crocetta's hours call it off hours. */
export interface LiveCall {
  at: number;
  did: string;
  offHours?: boolean;
}

/**
 * What was happening at the call: `block` another number of its 1000-block rang another of our DIDs within the
 * window; `area2` / `area3` one or two other DIDs rang from other numbers of its destination code (its country
 * when the plan has no destination code); `-` neither.
 */
export type LiveSweep = 'block' | 'area3' | 'area2' | '-';

/** The sweep window of config/default.yaml (behaviour.sweep.windowMinutes: 30). */
export const LIVE_WINDOW_MS = 30 * 60_000;

export interface BoundFinding {
  category: BoundCategory;
  /** The deepest prefix with an earlier caller ("destination code", "1000-block"...), or null. */
  depth: string | null;
  /** Nuisance share of the distinct earlier numbers under that prefix (1 for `own` nuisance, 0 for `own` legit). */
  share: number;
  /** Distinct earlier nuisance and legitimate numbers of every prefix with an earlier caller, deepest first. */
  counts: ReadonlyArray<readonly [number, number]>;
  /** A sweep of our DIDs by the caller's neighbours as it happened (when the call's moment was given). */
  live?: LiveSweep;
  offHours?: boolean;
}

interface RecentCall {
  at: number;
  did: string;
  number: string;
  block: string | null;
  area: string | null;
}

interface Node {
  n: number;
  l: number;
}

/** A prefix of a number as the tree stores it: its label for reports and its key. */
interface Step {
  depth: string;
  key: string;
}

export class EvidenceBound {
  private readonly numbers = new Map<string, 'nuisance' | 'legit'>();
  private readonly nodes = new Map<string, Node>();
  private readonly paths = new Map<string, Step[]>();
  /** Per scored call: its finding and whether it is nuisance (from the 2nd attempt) or legitimate. */
  private readonly scored: Array<{ nuisance: boolean; finding: BoundFinding; kind: string; stopped?: boolean }> = [];
  private withheldNuisance = 0;
  /** Withheld legitimate calls: no number-based rule stops them, but they count in the budget's denominator. */
  private withheldLegit = 0;
  /** Calls within the live window, oldest first. */
  private recent: RecentCall[] = [];

  constructor(private readonly liveWindowMs = LIVE_WINDOW_MS) {}

  /** The prefixes of an E.164 number, top-down (country first); [] when it has no calling code. */
  path(e164: string): Step[] {
    const known = this.paths.get(e164);
    if (known !== undefined) return known;
    const p = numberPrefixes(e164);
    const steps: Step[] = [];
    if (p !== null) {
      const digits = e164.replace(/^\+/, '');
      steps.push({ depth: 'country', key: `c${p.callingCode}` });
      const top = p.callingCode.length + p.ndc.length;
      if (p.ndc !== '') steps.push({ depth: 'destination code', key: `a${digits.slice(0, top)}` });
      for (const free of BLOCK_DIGITS) {
        if (digits.length - free <= top || (free > UNIT_DIGITS && p.type !== 'MOBILE')) continue;
        steps.push({ depth: `${10 ** free}-block`, key: `b${free}:${digits.slice(0, digits.length - free)}` });
      }
    }
    this.paths.set(e164, steps);
    return steps;
  }

  /** What the oracle knew about `e164` before this call. */
  find(e164: string): BoundFinding {
    const own = this.numbers.get(e164);
    if (own !== undefined) return { category: 'own', depth: 'number', share: own === 'nuisance' ? 1 : 0, counts: [] };
    const steps = this.path(e164);
    const counts: Array<readonly [number, number]> = [];
    let deepest: { depth: string; n: number; l: number } | null = null;
    let anyNuisance = false;
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      const node = this.nodes.get(step.key);
      if (node === undefined || node.n + node.l === 0) continue;
      counts.push([node.n, node.l]);
      if (node.n > 0) anyNuisance = true;
      deepest ??= { depth: step.depth, n: node.n, l: node.l };
    }
    if (deepest === null) return { category: 'nothing', depth: null, share: 0, counts };
    const share = deepest.n / (deepest.n + deepest.l);
    if (deepest.l === 0) return { category: 'pure', depth: deepest.depth, share, counts };
    return { category: anyNuisance ? 'mixed' : 'legit-only', depth: deepest.depth, share, counts };
  }

  /** The keys of the 1000-block and the destination code (or country) of a number, for the live sweeps. */
  private around(e164: string): { block: string | null; area: string | null } {
    const steps = this.path(e164);
    const block = steps.find((s) => s.depth === '1000-block')?.key ?? null;
    const area = steps.find((s) => s.depth === 'destination code')?.key ?? steps[0]?.key ?? null;
    return { block, area };
  }

  /** Whether other numbers of the caller's neighbourhood rang other DIDs of ours within the window before `live.at`. */
  liveSweep(e164: string, live: LiveCall): LiveSweep {
    const cutoff = live.at - this.liveWindowMs;
    let start = 0;
    while (start < this.recent.length && this.recent[start]!.at < cutoff) start++;
    if (start > 0) this.recent = this.recent.slice(start);
    const me = this.around(e164);
    const areaDids = new Set<string>();
    for (const c of this.recent) {
      if (c.number === e164 || c.did === live.did || c.at > live.at) continue;
      if (me.block !== null && c.block === me.block) return 'block';
      if (me.area !== null && c.area === me.area) areaDids.add(c.did);
    }
    return areaDids.size >= 2 ? 'area3' : areaDids.size === 1 ? 'area2' : '-';
  }

  /** A call happened: its number is known from now on, with its true label (and its moment, for the sweeps). */
  record(e164: string, truth: 'nuisance' | 'legit', live?: LiveCall): void {
    if (live !== undefined && e164.startsWith('+'))
      this.recent.push({ at: live.at, did: live.did, number: e164, ...this.around(e164) });
    const before = this.numbers.get(e164);
    if (before === truth) return;
    this.numbers.set(e164, truth);
    for (const s of this.path(e164)) {
      const node = this.nodes.get(s.key) ?? { n: 0, l: 0 };
      if (truth === 'nuisance') node.n++;
      else node.l++;
      this.nodes.set(s.key, node);
    }
  }

  /** A scored call (nuisance from the 2nd attempt of its origin, or legitimate): what the oracle knew before it. */
  score(
    e164: string | null,
    nuisance: boolean,
    kind = '',
    call: { live?: LiveCall; stopped?: boolean } = {},
  ): BoundFinding | null {
    const live = call.live;
    if (e164 === null || !e164.startsWith('+')) {
      if (nuisance) this.withheldNuisance++;
      else this.withheldLegit++;
      return null;
    }
    const found = this.find(e164);
    const finding =
      live === undefined ? found : { ...found, live: this.liveSweep(e164, live), offHours: live.offHours === true };
    this.scored.push({ nuisance, finding, kind, ...(call.stopped !== undefined && { stopped: call.stopped }) });
    return finding;
  }

  /**
   * The oracle's ceiling: a known number is stopped by its own label (perfect labels); a new number is judged by
   * what its deepest prefix with an earlier caller holds, as a signature: (its depth, how many earlier nuisance
   * numbers, how many legitimate ones, counts bucketed 0, 1, 2, 3, 4, 5–9, 10–19, 20+), with `levels` 2 also the
   * counts of the next prefix with an earlier caller above it. The best rule on these
   * signatures stops every signature that no legitimate call shows, then the others in order of nuisance calls
   * per legitimate call, while the legitimate calls blocked stay within `budget` (the fractional knapsack's greedy
   * order, an upper bound for any rule that reads only these counts). The tree reads more (every depth, the
   * spread of a block's numbers), so it may pass it. The signatures are chosen on the calls they are scored on
   * (in hindsight): the finer the signature, the more it fits the trace rather than the market, so both are given.
   * With `withLive`, the signature also holds the call's live sweep and off-hours flag (LiveSweep), and a new
   * number with no earlier nuisance under its prefixes may still be stopped on them.
   */
  ceiling(budget: number, levels: 1 | 2 = 1, withLive = false): { stopped: number; blocked: number } {
    const nuisance = this.scored.filter((c) => c.nuisance).length + this.withheldNuisance;
    const legit = this.scored.filter((c) => !c.nuisance).length + this.withheldLegit;
    const rate = (a: number, b: number): number => (b === 0 ? 0 : a / b);
    const bucket = (v: number): string => (v < 5 ? String(v) : v < 10 ? '5-9' : v < 20 ? '10-19' : '20+');
    let stopped = 0;
    const groups = new Map<string, { n: number; l: number }>();
    for (const c of this.scored) {
      const f = c.finding;
      if (f.category === 'own') {
        if (c.nuisance && f.share === 1) stopped++;
        continue;
      }
      const top = f.counts[0];
      const live = withLive ? `|${f.live ?? '-'}|${f.offHours === true ? 'off' : 'in'}` : '';
      // No earlier nuisance number and nothing happening: nothing to stop it on.
      if ((top === undefined || top[0] === 0) && (live === '' || (f.live ?? '-') === '-')) continue;
      const up = f.counts[1];
      const above = levels === 2 ? `|${bucket(up?.[0] ?? 0)}|${bucket(up?.[1] ?? 0)}` : '';
      const key = `${f.depth}|${bucket(top?.[0] ?? 0)}|${bucket(top?.[1] ?? 0)}${above}${live}`;
      const g = groups.get(key) ?? { n: 0, l: 0 };
      if (c.nuisance) g.n++;
      else g.l++;
      groups.set(key, g);
    }
    let blocked = 0;
    // Free signatures first (no legitimate call), then by nuisance calls per legitimate call.
    const ratio = (g: { n: number; l: number }): number => (g.l === 0 ? Infinity : g.n / g.l);
    const ranked = [...groups.values()].filter((g) => g.n > 0).sort((a, b) => ratio(b) - ratio(a));
    for (const g of ranked) {
      if (rate(blocked + g.l, legit) > budget) continue;
      stopped += g.n;
      blocked += g.l;
    }
    return { stopped: rate(stopped, nuisance), blocked: rate(blocked, legit) };
  }

  report(): string[] {
    const nuisance = this.scored.filter((c) => c.nuisance);
    const total = nuisance.length + this.withheldNuisance;
    const pct = (a: number): string => `${total === 0 ? '0.00' : ((100 * a) / total).toFixed(2)}%`;
    const count = (f: (c: { finding: BoundFinding }) => boolean): number => nuisance.filter(f).length;
    const own = count((c) => c.finding.category === 'own');
    const pure = count((c) => c.finding.category === 'pure');
    const mixed = count((c) => c.finding.category === 'mixed');
    const legitOnly = count((c) => c.finding.category === 'legit-only');
    const nothing = count((c) => c.finding.category === 'nothing');
    const out = [
      `bound (an oracle with the true label of every earlier call, the tree's prefixes; ${total} nuisance calls from the 2nd attempt):`,
      `  own number rang before ${pct(own)}; new number, a prefix with only nuisance numbers ${pct(pure)}; new number, every prefix with an earlier caller also holds legitimate ones ${pct(mixed)}; only legitimate callers under its prefixes ${pct(legitOnly)}; no earlier call under any prefix ${pct(nothing)}; withheld ${pct(this.withheldNuisance)}`,
    ];
    const byKind = new Map<string, number>();
    const byDepth = new Map<string, number>();
    for (const c of nuisance) {
      if (c.finding.category !== 'mixed' && c.finding.category !== 'legit-only') continue;
      const bucket = c.finding.share >= 0.9 ? '≥ 90%' : c.finding.share >= 0.5 ? '50-89%' : '< 50%';
      const k = `${c.finding.depth ?? 'none'}, nuisance share ${bucket}`;
      byDepth.set(k, (byDepth.get(k) ?? 0) + 1);
      if (c.kind !== '') byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
    }
    const rows = [...byDepth.entries()].sort((a, b) => b[1] - a[1]);
    out.push(
      `  shared with legitimate callers, by the deepest prefix with an earlier caller: ${rows.map(([k, v]) => `${k} ${pct(v)}`).join('; ')}`,
    );
    if (byKind.size > 0) {
      const kinds = [...byKind.entries()].sort((a, b) => b[1] - a[1]);
      out.push(
        `  shared with legitimate callers, by centre kind: ${kinds.map(([k, v]) => `${k} ${pct(v)}`).join('; ')}`,
      );
    }
    const judged = nuisance.filter((c) => c.stopped !== undefined);
    if (judged.length > 0) {
      // crocetta's own misses against what the oracle knew: where the online rules fall short of perfect labels.
      const missed = judged.filter((c) => c.stopped === false);
      const by = new Map<string, number>();
      for (const c of missed) {
        const f = c.finding;
        const k =
          f.category === 'own'
            ? 'its own number rang before (nuisance)'
            : f.category === 'pure'
              ? `a prefix with only nuisance numbers (${f.depth ?? 'none'})`
              : f.category === 'nothing'
                ? 'nothing under any prefix'
                : `shared with legitimate callers${f.live !== undefined && f.live !== '-' ? ', live sweep' : ''}`;
        by.set(k, (by.get(k) ?? 0) + 1);
      }
      const rows = [...by.entries()].sort((a, b) => b[1] - a[1]);
      out.push(
        `  crocetta's misses by what the oracle knew before the call: ${pct(missed.length)} in all; ${rows.map(([k, v]) => `${k} ${pct(v)}`).join('; ')}; withheld ${pct(this.withheldNuisance)}`,
      );
    }
    const ceilings = ([1, 2] as const).map((levels) => ({
      levels,
      within: this.ceiling(0.001, levels),
      none: this.ceiling(0, levels),
    }));
    for (const c of ceilings) {
      out.push(
        `  best rule on the counts of the ${c.levels === 1 ? 'deepest prefix' : 'two deepest prefixes'} with earlier callers (perfect labels, chosen in hindsight): ${(100 * c.within.stopped).toFixed(2)}% stopped with ${(100 * c.within.blocked).toFixed(3)}% of legitimate calls blocked; ${(100 * c.none.stopped).toFixed(2)}% with none`,
      );
    }
    const withLive = this.scored.some((c) => c.finding.live !== undefined);
    const live = ([1, 2] as const).map((levels) => this.ceiling(0.001, levels, true));
    if (withLive) {
      const shared = nuisance.filter((c) => c.finding.category === 'mixed' || c.finding.category === 'legit-only');
      const swept = (list: typeof this.scored, s: LiveSweep): number => list.filter((c) => c.finding.live === s).length;
      const newLegit = this.scored.filter((c) => !c.nuisance && c.finding.category !== 'own');
      const legitTotal = this.scored.length - nuisance.length + this.withheldLegit;
      const lp = (a: number): string => `${((100 * a) / Math.max(1, legitTotal)).toFixed(3)}%`;
      out.push(
        `  live sweeps (other numbers of its 1000-block / destination code rang other DIDs of ours within ${this.liveWindowMs / 60_000} min): nuisance calls shared with legitimate callers ${pct(swept(shared, 'block'))} / ${pct(swept(shared, 'area2') + swept(shared, 'area3'))} (3+ DIDs ${pct(swept(shared, 'area3'))}); first calls of legitimate numbers ${lp(swept(newLegit, 'block'))} / ${lp(swept(newLegit, 'area2') + swept(newLegit, 'area3'))} (3+ DIDs ${lp(swept(newLegit, 'area3'))})`,
      );
      for (const [i, c] of live.entries())
        out.push(
          `  best rule on the counts of the ${i === 0 ? 'deepest prefix' : 'two deepest prefixes'}, live sweeps and off hours (perfect labels, chosen in hindsight): ${(100 * c.stopped).toFixed(2)}% stopped with ${(100 * c.blocked).toFixed(3)}% of legitimate calls blocked`,
        );
    }
    const share = (a: number): string => (a / Math.max(1, total)).toFixed(4);
    const liveFigures = withLive
      ? ` ceiling1_live=${live[0]!.stopped.toFixed(4)} ceiling2_live=${live[1]!.stopped.toFixed(4)}`
      : '';
    out.push(
      `bound: nothing=${share(nothing + this.withheldNuisance)} no_pure_evidence=${share(mixed + legitOnly + nothing + this.withheldNuisance)} ceiling1=${ceilings[0]!.within.stopped.toFixed(4)} ceiling2=${ceilings[1]!.within.stopped.toFixed(4)}${liveFigures}`,
    );
    return out;
  }
}

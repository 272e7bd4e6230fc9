/**
 * bench/sip.ts' ladder summary: what each application's steps say of its ceiling, and of its ceiling against the bare
 * app's. A ladder knows two rates of an application: the highest step it held (its ceiling is at least that) and the
 * lowest step it failed above it (its ceiling is below that); either may be missing: with --ladder-at, an application
 * may hold none of the steps (its ceiling is below the lowest it tried) or fail none above its best (its ceiling was
 * not reached). Session 29's second --ladder-at hold printed "crocetta 0 calls/s (0% of bare)" for "held none of
 * 1,300, 1,400 and 1,500": the summary now says what the steps showed, and a ratio only as the bound they support.
 */
import { countArg, numberArg } from './args.js';

/** One application's ladder: the highest rate it held, and the lowest it failed above that (undefined: none). */
export interface LadderBounds {
  held?: number;
  failed?: number;
}

/** Adds one step's outcome to an application's bounds. */
export function withStep(bounds: LadderBounds, rate: number, ok: boolean): LadderBounds {
  if (ok) {
    const held = Math.max(bounds.held ?? 0, rate);
    const failed = bounds.failed !== undefined && bounds.failed > held ? bounds.failed : undefined;
    return { held, ...(failed !== undefined && { failed }) };
  }
  if (bounds.held !== undefined && rate <= bounds.held) return bounds; // a failed try below a held step: noise
  const failed = Math.min(bounds.failed ?? Infinity, rate);
  return { ...(bounds.held !== undefined && { held: bounds.held }), failed };
}

const calls = (rate: number) => rate.toLocaleString('en-US');

/** What the steps say of one application's ceiling. */
export function ceilingText(b: LadderBounds): string {
  if (b.held === undefined) return b.failed === undefined ? 'no step run' : `below ${calls(b.failed)} (no step held)`;
  return `${calls(b.held)} calls/s${b.failed === undefined ? ' or more (no step above failed)' : ` (${calls(b.failed)} failed)`}`;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/**
 * An application's ceiling against the bare app's, as far as both ladders bound them: the application's ceiling
 * lies in [held, failed), the bare app's in [bare.held, bare.failed); the ratio in [held / bare.failed, failed /
 * bare.held). One number when both were pinned to the same steps' spacing is still a bound pair: said as such.
 */
export function ratioText(app: LadderBounds, bare: LadderBounds): string {
  if (bare.held === undefined) return 'bare app held no step: no ratio';
  const low = app.held === undefined || bare.failed === undefined ? undefined : app.held / bare.failed;
  const high = app.failed === undefined ? undefined : app.failed / bare.held;
  if (low === undefined && high === undefined) return 'ratio not bounded by these steps';
  if (low === undefined) return `below ${pct(high as number)} of bare`;
  if (high === undefined) return `at least ${pct(low)} of bare`;
  return `${pct(low)}–${pct(high)} of bare`;
}

/** What a ladder is asked to do (bench/sip.ts' --ladder options), for its header. */
export interface LadderPlan {
  seconds: number;
  /** --ladder-at: only these steps, the applications alternating at each. */
  at?: readonly number[];
  from: number;
  step: number;
  resolution: number;
  retries: number;
  /** --ladder-warmup S --ladder-warmup-share X: S seconds at X of the try's rate before every try; 0 s: none. */
  leadIn: { seconds: number; share: number };
  /** --ladder-tries N --ladder-holds K (with --ladder-at): N rounds of the rates, a rate held when K tries of N held. */
  tries?: { n: number; k: number };
  /** --ladder-pause: what is stopped while another application tries (bench/ladder-pause.ts); absent: nothing. */
  pause?: 'none' | 'apps' | 'all';
}

/**
 * The ladder's header: how its steps are chosen and what every try begins with, so that a figure copied from the
 * output says whether its applications met each step warm (the same lead-in for all) or from idle.
 */
export function ladderHeader(p: LadderPlan): string {
  const tries = p.at !== undefined && p.tries !== undefined && p.tries.n > 1 ? p.tries : undefined;
  const steps =
    p.at === undefined
      ? `steps of ${p.step} from ${p.from}, then bisection to ${p.resolution}`
      : tries !== undefined
        ? `fixed rates ${p.at.join(', ')} in ${tries.n} rounds, each round every rate in turn, the applications in turn at each, the order reversed every other try; a rate held when ≥ ${tries.k} of its ${tries.n} tries held, an application's figure the highest rate it holds`
        : `fixed steps ${p.at.join(', ')}, the applications in turn at each, the order reversed every other step`;
  const retries =
    tries !== undefined || p.retries === 0
      ? 'a failed step not tried again'
      : `a failed step tried up to ${p.retries} more time(s)`;
  const pause =
    p.pause === 'all'
      ? '; while one application tries, the others and their drachtio-servers are stopped (SIGSTOP, SIGCONT before their own lead-in)'
      : p.pause === 'apps'
        ? '; while one application tries, the other applications are stopped (SIGSTOP, SIGCONT before their own lead-in), their drachtio-servers run'
        : p.pause === 'none'
          ? '; the idle applications keep running (--ladder-pause none)'
          : '';
  const leadIn =
    p.leadIn.seconds > 0
      ? `before every try of every application a lead-in of ${p.leadIn.seconds} s at ${(p.leadIn.share * 100).toFixed(0)}% of the try's rate, then 1.5 s idle, uncounted`
      : 'no lead-in (--ladder-warmup 0): an application idle while another takes its steps meets the full rate at once';
  return `ladder: highest rate sustained for ${p.seconds} s with no failed call (${steps}; ${retries}); ${leadIn}${pause}`;
}

/**
 * The lead-in before every ladder try when --ladder-warmup is not given (seconds; 0: none). 3 since session 34: with
 * it both applications met each try warm (the same lead-in for every one), as a service in use meets its busy hour;
 * without it, an application idle for minutes while the others took their steps met the full rate cold, and its
 * heap's first second decided the try as often as its rate did (docs/measurements.md, sessions 33 and 34).
 */
export const LEAD_IN_SECONDS = 3;

/**
 * --ladder-warmup S (whole seconds, 0 for none; LEAD_IN_SECONDS when absent or not such a number) and
 * --ladder-warmup-share X (of the try's rate, default 0.5, at most 1).
 */
export function ladderLeadIn(argv: readonly string[] = process.argv): { seconds: number; share: number } {
  const seconds = countArg('ladder-warmup', LEAD_IN_SECONDS, argv);
  return { seconds, share: Math.min(1, numberArg('ladder-warmup-share', 0.5, argv)) };
}

/** An application's tries at one rate with --ladder-tries: how many it held of how many. */
export interface RateTries {
  held: number;
  tried: number;
}

/** Adds one try's outcome at `rate` to an application's tally. */
export function withTry(tally: ReadonlyMap<number, RateTries>, rate: number, ok: boolean): Map<number, RateTries> {
  const out = new Map(tally);
  const t = out.get(rate) ?? { held: 0, tried: 0 };
  out.set(rate, { held: t.held + (ok ? 1 : 0), tried: t.tried + 1 });
  return out;
}

/** The rule of --ladder-tries N --ladder-holds K: an application holds a rate when it held at least K of its tries. */
export function holds(t: RateTries | undefined, k: number): boolean {
  return t !== undefined && t.held >= k;
}

/** An application's figure under the rule: the highest rate it holds (undefined: none). */
export function figureOf(tally: ReadonlyMap<number, RateTries>, k: number): number | undefined {
  let best: number | undefined;
  for (const [rate, t] of tally) if (holds(t, k) && (best === undefined || rate > best)) best = rate;
  return best;
}

/** `860 3/3, 900 2/3, 940 1/3 (held/tried); holds 900 (≥ 2 of 3)`, rates ascending; a rate not held below the figure said. */
export function triesText(tally: ReadonlyMap<number, RateTries>, k: number): string {
  const rates = [...tally.keys()].sort((a, b) => a - b);
  const each = rates.map((r) => `${calls(r)} ${tally.get(r)?.held ?? 0}/${tally.get(r)?.tried ?? 0}`).join(', ');
  const figure = figureOf(tally, k);
  const n = Math.max(0, ...[...tally.values()].map((t) => t.tried));
  const rule = `held in ≥ ${k} of ${n} tries`;
  if (figure === undefined) return `${each} (held/tried); holds no rate (${rule})`;
  const gaps = rates.filter((r) => r < figure && !holds(tally.get(r), k));
  const top = rates[rates.length - 1] === figure ? ', the highest rate tried' : '';
  return `${each} (held/tried); holds ${calls(figure)} calls/s${top} (${rule})${gaps.length > 0 ? `; not held below it: ${gaps.map(calls).join(', ')}` : ''}`;
}

const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * An application's figure against the bare app's under the rule, with a verdict against `target` (issue 12: 95%).
 * A figure at the highest rate tried is a lower bound of what the rule would give with higher rates: the ratio is then
 * a bound too (at most, when the bare app's is; at least, when the application's is; none, when both are).
 */
export function triesRatioText(
  app: ReadonlyMap<number, RateTries>,
  bare: ReadonlyMap<number, RateTries>,
  k: number,
  target = 0.95,
): string {
  const rates = [...new Set([...app.keys(), ...bare.keys()])].sort((a, b) => a - b);
  const top = rates[rates.length - 1];
  const low = rates[0];
  const b = figureOf(bare, k);
  const a = figureOf(app, k);
  if (b === undefined || top === undefined || low === undefined) return 'the bare app holds no rate: no ratio';
  const verdict = (x: number, bound: 'exact' | 'at most' | 'at least' | 'below'): string => {
    const met = x >= target && (bound === 'exact' || bound === 'at least');
    const missed = x < target && bound !== 'at least';
    return `${met ? 'met' : missed ? 'not met' : 'undecided'} (target ${pct1(target)})`;
  };
  if (a === undefined)
    return `below ${pct1(low / b)} of bare (holds no rate; bare ${calls(b)}): ${verdict(low / b, 'below')}`;
  const text = `${calls(a)} / ${calls(b)}`;
  if (a === top && b === top) return `both hold the highest rate tried (${calls(top)}): ratio not bounded, undecided`;
  if (b === top)
    return `at most ${pct1(a / b)} of bare (${text}; the bare app holds the highest rate tried): ${verdict(a / b, 'at most')}`;
  if (a === top)
    return `at least ${pct1(a / b)} of bare (${text}; it holds the highest rate tried): ${verdict(a / b, 'at least')}`;
  return `${pct1(a / b)} of bare (${text}): ${verdict(a / b, 'exact')}`;
}

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
}

/**
 * The ladder's header: how its steps are chosen and what every try begins with, so that a figure copied from the
 * output says whether its applications met each step warm (the same lead-in for all) or from idle.
 */
export function ladderHeader(p: LadderPlan): string {
  const steps =
    p.at === undefined
      ? `steps of ${p.step} from ${p.from}, then bisection to ${p.resolution}`
      : `fixed steps ${p.at.join(', ')}, the applications in turn at each, the order reversed every other step`;
  const retries =
    p.retries === 0 ? 'a failed step not tried again' : `a failed step tried up to ${p.retries} more time(s)`;
  const leadIn =
    p.leadIn.seconds > 0
      ? `before every try of every application a lead-in of ${p.leadIn.seconds} s at ${(p.leadIn.share * 100).toFixed(0)}% of the try's rate, then 1.5 s idle, uncounted`
      : 'no lead-in (--ladder-warmup 0): an application idle while another takes its steps meets the full rate at once';
  return `ladder: highest rate sustained for ${p.seconds} s with no failed call (${steps}; ${retries}); ${leadIn}`;
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

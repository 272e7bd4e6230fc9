/**
 * bench/sip.ts' ladder summary: what each application's steps say of its ceiling, and of its ceiling against the bare
 * app's. A ladder knows two rates of an application: the highest step it held (its ceiling is at least that) and the
 * lowest step it failed above it (its ceiling is below that); either may be missing: with --ladder-at, an application
 * may hold none of the steps (its ceiling is below the lowest it tried) or fail none above its best (its ceiling was
 * not reached). Session 29's second --ladder-at hold printed "crocetta 0 calls/s (0% of bare)" for "held none of
 * 1,300, 1,400 and 1,500": the summary now says what the steps showed, and a ratio only as the bound they support.
 */

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

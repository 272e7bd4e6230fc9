/**
 * bench/explain-misses.ts: `npm run bench:accuracy -- --trace FILE --explain` breaks the nuisance calls let
 * through (from the 2nd attempt of each origin on) down by centre kind, by attempt index, by the evidence the
 * classifier had, and by what an office could have known (its own marks in the caller's blocks, as the evidence
 * index counts them: `BlockCounts.smallMarked`/`largeMarked`, within the look-back, after mark changes); with the
 * tree on, also by the depth of the prefix tree that decided (the deepest node with enough evidence), and the
 * legitimate calls stopped by caller kind and depth.
 *
 * Diagnostics only: it reads the trace's `origin` (which the classifier never sees) to name the centre kind.
 */
import type { CallerEvidence, Decision } from '../src/screening/types.js';
import { EvidenceBound } from './evidence-bound.js';

export interface NuisanceCall {
  origin: string;
  /** 1-based attempt of the origin. */
  attempt: number;
  stopped: boolean;
  /** E.164 caller key, null when withheld. */
  key: string | null;
  evidence: CallerEvidence;
  decision: Decision;
  attest: string;
  /** With the tree on: the prefix tree's deciding depth (bench/accuracy.ts#depthLabel). */
  depth?: string;
}

type Counts = Map<string, { n: number; missed: number }>;

function bump(m: Counts, k: string, missed: boolean): void {
  const c = m.get(k) ?? { n: 0, missed: 0 };
  c.n++;
  if (missed) c.missed++;
  m.set(k, c);
}

function kindOf(origin: string): string {
  const dash = origin.lastIndexOf('-');
  return dash >= 0 ? origin.slice(dash + 1) : 'other';
}

/** A legitimate caller's kind: `cu-de` for `cu12-de` (market model), `sup` for `sup7` (v1). */
function legitKindOf(origin: string): string {
  const m = /^([a-z]+)[0-9]*(?:-([a-z]+))?$/.exec(origin);
  if (m === null) return 'other';
  return m[2] === undefined ? (m[1] ?? 'other') : `${m[1]}-${m[2]}`;
}

function attemptBucket(a: number): string {
  if (a <= 2) return '2';
  if (a <= 5) return '3-5';
  if (a <= 10) return '6-10';
  if (a <= 20) return '11-20';
  return '21+';
}

/** The office's own marks in the caller's 10- and 100-block, as the index counts them (not crocetta's refusals). */
function officeMarks(evidence: CallerEvidence): { small: number; large: number } {
  const b = evidence.block;
  if (b === undefined || b === null) return { small: 0, large: 0 };
  return { small: b.smallMarked ?? b.smallNuisance, large: b.largeMarked ?? b.largeNuisance };
}

/** What the classifier had about this caller, first match wins. */
function evidenceOf(c: NuisanceCall, marked: { small: number; large: number }): string {
  const e = c.evidence;
  if (c.key === null) return 'withheld';
  const codes = new Set(c.decision.reasons.map((r) => r.code));
  if (e.attempts.length > 0 || e.mark !== null) {
    const talks = e.talks;
    const last = talks === undefined || talks.length === 0 ? undefined : talks.secondsOf(talks.length - 1);
    const talk =
      last === undefined
        ? 'never answered'
        : last < 8
          ? 'last talk <8s'
          : last < 30
            ? 'last talk 8-29s'
            : 'last talk 30s+';
    return `number seen before, not marked (${talk})`;
  }
  if (codes.has('nuisance-block')) return 'new number, a block gate met';
  const b = e.block;
  if (b !== undefined && b !== null && (b.smallNuisance > 0 || b.largeNuisance > 0)) {
    const refused = b.largeNuisance - marked.large;
    return `new number, block below the gate (office marks: ${Math.min(marked.small, 3)}${marked.small >= 3 ? '+' : ''} in 10-block, ${Math.min(marked.large, 3)}${marked.large >= 3 ? '+' : ''} in 100-block${refused > 0 ? '; others refused by crocetta' : ''})`;
  }
  return 'new number, no block member';
}

export class MissExplainer {
  /** What no number-based rule can catch (bench/evidence-bound.ts): fed by the replay, reported last. */
  readonly bound = new EvidenceBound();
  private readonly byKind: Counts = new Map();
  private readonly byAttempt: Counts = new Map();
  private readonly byEvidence: Counts = new Map();
  private readonly byKindEvidence: Counts = new Map();
  private readonly missedReasons = new Map<string, number>();
  private readonly missedVerdicts = new Map<string, number>();
  /** Last refusal (ours) per 100-block, shadow count for the breakdown. */
  private readonly refusedLarge = new Map<string, number>();
  private readonly bySinceRefusal: Counts = new Map();
  private readonly legitBySinceRefusal: Counts = new Map();
  private readonly legitByMarked: Counts = new Map();
  private readonly byDepth: Counts = new Map();
  private readonly byKindDepth: Counts = new Map();
  private readonly legitByKind: Counts = new Map();
  private readonly legitByDepth: Counts = new Map();
  private readonly legitExamples: string[] = [];
  private total = 0;
  private missed = 0;

  /** Time since the last refusal in the caller's 100-block, for a new number (no attempts, no mark). */
  private sinceRefusal(key: string | null, evidence: CallerEvidence, now: number): string {
    if (key === null) return 'withheld';
    if (evidence.attempts.length > 0 || evidence.mark !== null) return 'number seen before';
    const at = this.refusedLarge.get(key.replace(/^\+/, '').slice(0, -2));
    if (at === undefined) return 'new number, no refusal in its 100-block';
    const h = (now - at) / 3_600_000;
    const bucket = h < 1 / 6 ? '<10 min' : h < 1 ? '<1 h' : h < 24 ? '<24 h' : h < 96 ? '<96 h' : 'older';
    return `new number, last refusal in its 100-block ${bucket}`;
  }

  /** Crocetta refused `key` at `now`. */
  refused(key: string, now: number): void {
    this.refusedLarge.set(key.replace(/^\+/, '').slice(0, -2), now);
  }

  /** A legitimate call: what the office-mark and refusal shadows would have said about it. */
  noteLegit(
    key: string | null,
    evidence: CallerEvidence,
    now: number,
    stopped: boolean,
    origin = '',
    depth?: string,
    decision?: Decision,
  ): void {
    bump(this.legitBySinceRefusal, this.sinceRefusal(key, evidence, now), stopped);
    if (stopped && decision !== undefined && this.legitExamples.length < 12) {
      this.legitExamples.push(
        `${new Date(now).toISOString().slice(0, 10)} ${origin} ${key ?? 'withheld'}: ${decision.reasons.map((r) => `${r.text} [${r.weight.toFixed(2)}]`).join('; ')}`,
      );
    }
    bump(this.legitByKind, legitKindOf(origin), stopped);
    if (depth !== undefined) bump(this.legitByDepth, depth, stopped);
    const { small, large } = officeMarks(evidence);
    bump(
      this.legitByMarked,
      key === null
        ? 'withheld'
        : `office-marked numbers: ${Math.min(small, 2)}${small >= 2 ? '+' : ''} in its 10-block, ${Math.min(large, 2)}${large >= 2 ? '+' : ''} in its 100-block`,
      stopped,
    );
  }

  note(c: NuisanceCall, now: number): void {
    if (c.attempt < 2) return;
    const miss = !c.stopped;
    this.total++;
    if (miss) this.missed++;
    const kind = kindOf(c.origin) + (c.attest === 'C' ? ' (attest C)' : '');
    const ev = evidenceOf(c, officeMarks(c.evidence));
    bump(this.byKind, kind, miss);
    bump(this.byAttempt, attemptBucket(c.attempt), miss);
    bump(this.byEvidence, ev, miss);
    bump(this.byKindEvidence, `${kindOf(c.origin)} | ${ev}`, miss);
    bump(this.bySinceRefusal, this.sinceRefusal(c.key, c.evidence, now), miss);
    if (c.depth !== undefined) {
      bump(this.byDepth, c.depth, miss);
      bump(this.byKindDepth, `${kindOf(c.origin)} | ${c.depth}`, miss);
    }
    if (miss) {
      this.missedVerdicts.set(c.decision.verdict, (this.missedVerdicts.get(c.decision.verdict) ?? 0) + 1);
      for (const r of c.decision.reasons) this.missedReasons.set(r.code, (this.missedReasons.get(r.code) ?? 0) + 1);
    }
  }

  report(): string[] {
    const out: string[] = [];
    const share = (a: number, b: number): string => `${b === 0 ? '0.0' : ((100 * a) / b).toFixed(1)}%`;
    const table = (title: string, m: Counts, minN = 0): void => {
      out.push(`  ${title}:`);
      const rows = [...m.entries()].filter(([, v]) => v.n >= minN).sort((a, b) => b[1].missed - a[1].missed);
      for (const [k, v] of rows) {
        out.push(
          `    ${k.padEnd(96)} calls ${String(v.n).padStart(6)}  missed ${String(v.missed).padStart(6)} (${share(v.missed, v.n)} of them, ${share(v.missed, this.missed)} of all misses)`,
        );
      }
    };
    out.push(`explain: ${this.missed} of ${this.total} nuisance calls from the 2nd attempt of each origin let through`);
    table('by centre kind', this.byKind);
    table('by attempt of the origin', this.byAttempt);
    table('by evidence the classifier had', this.byEvidence);
    table('by centre kind and evidence', this.byKindEvidence, 50);
    table("by time since the last refusal in the caller's 100-block", this.bySinceRefusal);
    if (this.byDepth.size > 0) {
      table('by the prefix-tree depth that decided (deepest node with enough evidence)', this.byDepth);
      table('by centre kind and prefix-tree depth', this.byKindDepth, 50);
    }
    out.push('  legitimate calls ("missed" = stopped):');
    table('  by caller kind', this.legitByKind);
    if (this.legitByDepth.size > 0) table('  by the prefix-tree depth that decided', this.legitByDepth);
    if (this.legitExamples.length > 0)
      out.push('    the first legitimate calls stopped:', ...this.legitExamples.map((e) => `      ${e}`));
    table("  by time since the last refusal in the caller's 100-block", this.legitBySinceRefusal);
    table("  by office-marked nuisance numbers in the caller's blocks", this.legitByMarked);
    const list = (m: Map<string, number>): string =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
    out.push(`  verdicts of the misses: ${list(this.missedVerdicts)}`);
    out.push(`  reasons present in the misses: ${list(this.missedReasons)}`);
    out.push(...this.bound.report());
    return out;
  }
}

/**
 * Whether a caller whose action is the human check gets it (pure): a caller that passed is let through without a
 * check for `rememberDays`; one the office marked nuisance after it passed gets no second chance (the NO at once).
 */
import { DAY_MS } from '../time/units.js';
import { isoTime, type DayFormatter } from './dates.js';
import { markedWhenText } from './mark-source.js';
import type { Action } from './policy.js';
import type { Decision, Mark, Reason } from './types.js';

export type CheckGate =
  { kind: 'check' } | { kind: 'remembered'; reason: Reason } | { kind: 'no-second-chance'; reason: Reason };

export function gateCheck(
  passedAt: number | null,
  mark: Mark | null,
  now: number,
  rememberDays: number,
  dates: DayFormatter,
): CheckGate {
  if (passedAt === null) return { kind: 'check' };
  if (mark?.label === 'nuisance' && mark.at >= passedAt) {
    return {
      kind: 'no-second-chance',
      reason: {
        code: 'check-no-second-chance',
        text: `passed the check on ${dates.dayMonthYear(passedAt)}, then marked nuisance ${markedWhenText(mark.from, dates.dayMonthYear(mark.at))}: no second chance`,
        weight: 0,
        params:
          typeof mark.from === 'string'
            ? { passedAt: isoTime(passedAt), markedAt: isoTime(mark.at), from: mark.from }
            : { passedAt: isoTime(passedAt), markedAt: isoTime(mark.at) },
      },
    };
  }
  if (rememberDays > 0 && now - passedAt < rememberDays * DAY_MS) {
    return {
      kind: 'remembered',
      reason: {
        code: 'check-remembered',
        text: `passed the check on ${dates.dayMonthYear(passedAt)}: let through without one for ${rememberDays} days`,
        weight: 0,
        params: { passedAt: isoTime(passedAt) },
      },
    };
  }
  return { kind: 'check' };
}

/** What the business remembers of passed checks, for the screening step (the register keeps it in memory). */
export interface CheckMemory {
  passedAt(callerKey: string): number | null;
  markOf(callerKey: string): Mark | null;
  rememberDays: number;
  dates: DayFormatter;
}

/**
 * The check action after the memory of passes: remembered → tagged and forwarded without a check; no second
 * chance → the recorded NO at once (answered, as the check would have been). The reason is added to the decision.
 */
export function applyCheckMemory(
  action: Action,
  decision: Decision,
  callerKey: string | null,
  now: number,
  memory: CheckMemory | undefined,
): { action: Action; decision: Decision } {
  if (action.kind !== 'check' || callerKey === null || memory === undefined) return { action, decision };
  const gate = gateCheck(memory.passedAt(callerKey), memory.markOf(callerKey), now, memory.rememberDays, memory.dates);
  if (gate.kind === 'check') return { action, decision };
  // Field by field, not `{ ...decision, reasons }`: no object spread on a decision's path (no-object-spread.test.ts).
  const withReason: Decision = {
    verdict: decision.verdict,
    score: decision.score,
    reasons: [...decision.reasons, gate.reason],
  };
  return { action: gate.kind === 'remembered' ? { kind: 'tag' } : { kind: 'announce-answer' }, decision: withReason };
}

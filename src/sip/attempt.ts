import type { Decision } from '../screening/types.js';
import type { AttemptKind, NewAttempt } from '../store/register/types.js';
import type { PlannedRow } from './call-plan.js';
import type { Screening } from './screen.js';

export interface RequestFacts {
  kind: AttemptKind;
  time: number;
  callId: string;
  sourceAddress: string | null;
  userAgent: string | null;
  /** MESSAGE body, when it is a message. */
  messageText: string | null;
}

const MAX_TEXT = 2000;
const MAX_UA = 256;

/** A string safe to keep: control characters removed (the panel escapes HTML), bounded length. */
function clean(value: string | null, max: number): string | null {
  if (value === null) return null;
  // eslint-disable-next-line no-control-regex
  const out = value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, max);
  return out === '' ? null : out;
}

/** The register row for one screened request, saying what the plan is about to do. */
export function attemptOf(
  facts: RequestFacts,
  screening: Screening,
  row: PlannedRow,
  opts: { storeMessageText: boolean },
): NewAttempt {
  const { identity, decision } = screening;
  const number = identity.number;
  return {
    time: facts.time,
    kind: facts.kind,
    callerKey: screening.callerKey,
    callerE164: number?.e164 ?? null,
    callerRaw: number?.raw ?? null,
    callerName: identity.displayName,
    callerSource: identity.source,
    withheld: identity.withheld,
    calledNumber: screening.called ? (screening.called.e164 ?? screening.called.raw) : null,
    verdict: decision.verdict,
    score: roundScore(decision),
    reasons: row.reasons,
    action: row.action,
    failOpen: screening.fault !== null,
    callId: facts.callId,
    sourceAddress: facts.sourceAddress,
    userAgent: clean(facts.userAgent, MAX_UA),
    outcome: row.outcome,
    finalStatus: row.finalStatus,
    messageLength: facts.messageText === null ? null : [...facts.messageText].length,
    messageText: opts.storeMessageText ? clean(facts.messageText, MAX_TEXT) : null,
  };
}

function roundScore(decision: Decision): number {
  return Math.round(decision.score * 1000) / 1000;
}

/**
 * A dossier as JSON (the API's and the CLI's) and as CSV (one row per attempt a breach rests on, cells
 * formula-neutralised by the sharing module's writer). Times are ISO 8601 with the business zone's offset.
 */
import { csvLine } from '../sharing/csv-cells.js';
import type { Dossier } from './load.js';
import type { DossierAttempt } from './rules.js';
import { isoWithOffset } from '../time/zoned-time.js';

export interface AttemptJson {
  callId: string;
  time: string;
  caller: string;
  did: string | null;
  refusedAt: string | null;
  /** What was refused: the number, or only its withholding (DossierAttempt.forWithholding); null: not refused. */
  refusedFor: 'number' | 'withholding' | null;
}

function attemptJson(a: DossierAttempt, tz: string): AttemptJson {
  return {
    callId: a.callId,
    time: isoWithOffset(a.time, tz),
    caller: a.callerKey,
    did: a.calledNumber,
    refusedAt: a.refusedAt === null ? null : isoWithOffset(a.refusedAt, tz),
    refusedFor: a.refusedAt === null ? null : a.forWithholding === true ? 'withholding' : 'number',
  };
}

export function dossierSubjectText(d: Pick<Dossier, 'subject'>): string {
  return d.subject.kind === 'company' ? d.subject.company : d.subject.callerKey;
}

export function dossierJson(d: Dossier) {
  const tz = d.timeZone;
  const byRule: Record<string, number> = {};
  for (const b of d.breaches) byRule[b.rule] = (byRule[b.rule] ?? 0) + 1;
  return {
    subject: d.subject.kind === 'company' ? { company: d.subject.company } : { number: d.subject.callerKey },
    since: d.since === null ? null : isoWithOffset(d.since, tz),
    until: d.until === null ? null : isoWithOffset(d.until, tz),
    generatedAt: isoWithOffset(d.generatedAt, tz),
    timeZone: tz,
    numbers: d.numbers,
    attempts: d.attempts,
    breachCount: d.breaches.length,
    byRule,
    breaches: d.breaches.map((b) => ({
      rule: b.rule,
      country: b.country,
      text: b.text,
      ...attemptJson(b.attempt, tz),
      evidence: b.evidence.map((a) => attemptJson(a, tz)),
    })),
  };
}

export const DOSSIER_CSV_HEADER = [
  'breach',
  'rule',
  'country',
  'text',
  'role',
  'call_id',
  'time',
  'caller',
  'did',
  'refused_at',
  'refused_for',
] as const;

/** The CSV, with a header; `breach` numbers the breaches from 1, `role` is `breach` or `evidence`. */
export function dossierCsv(d: Dossier): string {
  let out = csvLine(DOSSIER_CSV_HEADER);
  d.breaches.forEach((b, i) => {
    for (const a of b.evidence) {
      const j = attemptJson(a, d.timeZone);
      out += csvLine([
        i + 1,
        b.rule,
        b.country,
        b.text,
        a === b.attempt ? 'breach' : 'evidence',
        j.callId,
        j.time,
        j.caller,
        j.did,
        j.refusedAt,
        j.refusedFor,
      ]);
    }
  });
  return out;
}

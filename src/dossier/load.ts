/**
 * Builds a dossier from the register file: the numbers behind the subject (a company: every number marked with
 * it; a number: itself, and its company's other numbers when it has one, since they count as one professional),
 * their call attempts, and the breaches among them. Its own read-only connection, opened and closed per dossier.
 */
import { Connection } from '../store/sqlite/connection.js';
import { findBreaches, type Breach, type BreachRulesConfig, type DossierAttempt, type DossierMark } from './rules.js';
import { DAY_MS } from '../time/units.js';

export type DossierSubject = { kind: 'company'; company: string } | { kind: 'number'; callerKey: string };

export interface DossierQuery {
  subject: DossierSubject;
  /** ms since epoch, inclusive: breaches from then on. */
  since?: number;
  /** ms since epoch, exclusive. */
  until?: number;
}

export interface DossierNumber {
  callerKey: string;
  label: string | null;
  company: string | null;
  category: string | null;
}

export interface Dossier {
  subject: DossierSubject;
  since: number | null;
  until: number | null;
  generatedAt: number;
  /** The zone times are written in. */
  timeZone: string;
  /** The numbers the dossier covers (the subject's). */
  numbers: DossierNumber[];
  /** Calls from those numbers in the period. */
  attempts: number;
  breaches: Breach[];
}

/** The frequency and refusal rules look back this far before `since` (the 60-day wait, plus a DST day). */
const LOOKBACK_MS = 61 * DAY_MS;
const CHUNK = 500;

interface NumberRow {
  caller_key: string;
  label: string | null;
  company: string | null;
  category: string | null;
}
interface AttemptRow {
  call_id: string;
  time: number;
  caller_key: string;
  called_number: string | null;
  refused_at: number | null;
}

const sameCompany = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

async function numbersOf(
  db: Connection,
  subject: DossierSubject,
): Promise<{ covered: DossierNumber[]; professional: DossierNumber[] }> {
  const toNumber = (r: NumberRow): DossierNumber => ({
    callerKey: r.caller_key,
    label: r.label,
    company: r.company,
    category: r.category,
  });
  // Company names are compared in JS (Unicode case folding, which SQLite's lower() lacks); marked numbers are few.
  const withCompany = async (company: string) =>
    (
      await db.all<NumberRow>(
        "SELECT caller_key, label, company, category FROM numbers WHERE company IS NOT NULL AND company <> ''",
      )
    )
      .filter((r) => r.company !== null && sameCompany(r.company, company))
      .map(toNumber);
  if (subject.kind === 'company') {
    const all = await withCompany(subject.company);
    return { covered: all, professional: all };
  }
  const row = await db.get<NumberRow>('SELECT caller_key, label, company, category FROM numbers WHERE caller_key = ?', [
    subject.callerKey,
  ]);
  const self = row ? toNumber(row) : { callerKey: subject.callerKey, label: null, company: null, category: null };
  const professional = self.company ? await withCompany(self.company) : [self];
  return {
    covered: [self],
    professional: professional.some((n) => n.callerKey === self.callerKey) ? professional : [...professional, self],
  };
}

async function attemptsOf(
  db: Connection,
  keys: string[],
  since: number | undefined,
  until: number | undefined,
): Promise<DossierAttempt[]> {
  const out: DossierAttempt[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const rows = await db.all<AttemptRow>(
      `SELECT call_id, time, caller_key, called_number, refused_at FROM attempts
        WHERE kind = 'call' AND caller_key IN (${chunk.map(() => '?').join(', ')}) AND time >= ? AND time < ?
        ORDER BY time, id`,
      [...chunk, since === undefined ? 0 : since - LOOKBACK_MS, until ?? Number.MAX_SAFE_INTEGER],
    );
    for (const r of rows) {
      out.push({
        callId: r.call_id,
        time: r.time,
        callerKey: r.caller_key,
        calledNumber: r.called_number,
        refusedAt: r.refused_at,
      });
    }
  }
  return out;
}

export async function buildDossier(
  file: string,
  query: DossierQuery,
  opts: { rules: BreachRulesConfig; timeZone: string; now: number },
): Promise<Dossier> {
  const db = await Connection.open(file, { readOnly: true });
  try {
    db.setBusyTimeout(5000);
    const { covered, professional } = await numbersOf(db, query.subject);
    const attempts = await attemptsOf(
      db,
      professional.map((n) => n.callerKey),
      query.since,
      query.until,
    );
    const marks = new Map<string, DossierMark>(
      professional.map((n) => [n.callerKey, { company: n.company, category: n.category }]),
    );
    const coveredKeys = new Set(covered.map((n) => n.callerKey));
    const inPeriod = (a: DossierAttempt) =>
      coveredKeys.has(a.callerKey) && (query.since === undefined || a.time >= query.since);
    return {
      subject: query.subject,
      since: query.since ?? null,
      until: query.until ?? null,
      generatedAt: opts.now,
      timeZone: opts.timeZone,
      numbers: covered,
      attempts: attempts.filter(inPeriod).length,
      breaches: findBreaches(attempts, marks, opts.rules).filter((b) => inPeriod(b.attempt)),
    };
  } finally {
    await db.close();
  }
}

/**
 * Builds a dossier from the register file: the numbers behind the subject (a company: every number marked with
 * it; a number: itself, and its company's other numbers when it has one, since they count as one professional),
 * their call attempts, and the breaches among them. Its own read-only connection, opened and closed per dossier.
 */
import { Connection } from '../store/sqlite/connection.js';
import { refusalOfNumber } from '../store/register/refusal.js';
import { findBreaches, type Breach, type BreachRulesConfig, type DossierAttempt, type DossierMark } from './rules.js';
import { DAY_MS } from '../time/units.js';
import { attemptSpellings, markedSpelling } from '../store/register/queries.js';

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
  action: string;
  withheld: number;
  /** Its reasons' JSON, of a refused attempt only. */
  reasons: string | null;
}

const sameCompany = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The key a number is named by in the dossier, and the keys its calls are kept under: a sender named `raw:amazon`, or
 * marked as `raw:AMAZON`, is the `raw:Amazon` whose calls the register has, and calls under any spelling of it are
 * its own (raw-key-case.ts); any other key is itself.
 */
async function spelled(db: Connection, key: string): Promise<{ key: string; spellings: string[] }> {
  const spellings = await attemptSpellings(db, key);
  if (spellings.length === 0) return { key: (await markedSpelling(db, key)) ?? key, spellings: [key] };
  return { key: spellings.includes(key) ? key : (spellings[0] ?? key), spellings };
}

async function numbersOf(
  db: Connection,
  subject: DossierSubject,
): Promise<{ covered: DossierNumber[]; professional: DossierNumber[]; spellings: Map<string, string> }> {
  /** Every key calls are kept under → the key of the number they count for. */
  const spellings = new Map<string, string>();
  /** A number, under the name it already has in this dossier (the subject's, as asked) when it has one. */
  const name = (named: { key: string; spellings: string[] }): string => {
    const key = named.spellings.map((k) => spellings.get(k)).find((k) => k !== undefined) ?? named.key;
    for (const k of named.spellings) if (!spellings.has(k)) spellings.set(k, key);
    return key;
  };
  const toNumber = async (r: NumberRow): Promise<DossierNumber> => ({
    callerKey: name(await spelled(db, r.caller_key)),
    label: r.label,
    company: r.company,
    category: r.category,
  });
  // Company names are compared in JS (Unicode case folding, which SQLite's lower() lacks); marked numbers are few.
  const withCompany = async (company: string) => {
    const rows = (
      await db.all<NumberRow>(
        "SELECT caller_key, label, company, category FROM numbers WHERE company IS NOT NULL AND company <> ''",
      )
    ).filter((r) => r.company !== null && sameCompany(r.company, company));
    const out: DossierNumber[] = [];
    // Two spellings of one sender marked with the company are one of its numbers.
    for (const r of rows) {
      const n = await toNumber(r);
      if (!out.some((o) => o.callerKey === n.callerKey)) out.push(n);
    }
    return out;
  };
  if (subject.kind === 'company') {
    const all = await withCompany(subject.company);
    return { covered: all, professional: all, spellings };
  }
  const named = await spelled(db, subject.callerKey);
  const marked = await markedSpelling(db, named.key);
  const row =
    marked === null
      ? undefined
      : await db.get<NumberRow>('SELECT caller_key, label, company, category FROM numbers WHERE caller_key = ?', [
          marked,
        ]);
  name(named);
  const self: DossierNumber = row
    ? { callerKey: named.key, label: row.label, company: row.company, category: row.category }
    : { callerKey: named.key, label: null, company: null, category: null };
  const professional = self.company ? await withCompany(self.company) : [self];
  return {
    covered: [self],
    professional: professional.some((n) => n.callerKey === self.callerKey) ? professional : [...professional, self],
    spellings,
  };
}

/** The calls kept under `spellings`' keys, each counted for the number its key names. */
async function attemptsOf(
  db: Connection,
  spellings: ReadonlyMap<string, string>,
  since: number | undefined,
  until: number | undefined,
): Promise<DossierAttempt[]> {
  const keys = [...spellings.keys()];
  const out: DossierAttempt[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const rows = await db.all<AttemptRow>(
      `SELECT call_id, time, caller_key, called_number, refused_at, action, withheld,
              CASE WHEN refused_at IS NOT NULL THEN reasons END AS reasons FROM attempts
        WHERE kind = 'call' AND caller_key IN (${chunk.map(() => '?').join(', ')}) AND time >= ? AND time < ?
        ORDER BY time, id`,
      [...chunk, since === undefined ? 0 : since - LOOKBACK_MS, until ?? Number.MAX_SAFE_INTEGER],
    );
    for (const r of rows) {
      out.push({
        callId: r.call_id,
        time: r.time,
        callerKey: spellings.get(r.caller_key) ?? r.caller_key,
        calledNumber: r.called_number,
        refusedAt: r.refused_at,
        forWithholding:
          r.refused_at !== null &&
          !refusalOfNumber({ action: r.action, withheld: r.withheld === 1, reasons: r.reasons }),
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
    const { covered, professional, spellings } = await numbersOf(db, query.subject);
    const attempts = await attemptsOf(db, spellings, query.since, query.until);
    const marks = new Map<string, DossierMark>(
      professional.map((n) => [n.callerKey, { company: n.company, category: n.category }]),
    );
    const coveredKeys = new Set(covered.map((n) => n.callerKey));
    const inPeriod = (a: DossierAttempt) =>
      coveredKeys.has(a.callerKey) && (query.since === undefined || a.time >= query.since);
    // A number named in another case than the register keeps it is named as kept (raw-key-case.ts).
    const subject: DossierSubject =
      query.subject.kind === 'number'
        ? { kind: 'number', callerKey: covered[0]?.callerKey ?? query.subject.callerKey }
        : query.subject;
    return {
      subject,
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

/**
 * The one loader of the in-memory index at start-up: marks from `numbers`, and the times of those cleared within the
 * look-back; attempt and refusal times and talk times from `attempts` within the look-back window; the block counts
 * of the learned index, from the marks just loaded; the numbers the business called (`called_numbers`). Reads in
 * keyset pages so that a million rows never sit in memory at once.
 *
 * Marks of E.164 numbers (nearly all of them) come packed: one string of `digits,label,at,company,category;`
 * per page of 5000, parsed digit by digit, company and category as ids from temporary tables: no JS object and
 * no string per row (1M marks load in ~1 s and leave little garbage). Needs a writable connection (TEMP tables).
 */
import { EvidenceIndex } from './evidence-index.js';
import { LABEL_NUISANCE, LABEL_TRUSTED } from './mark-table.js';
import type { Clock, MarkLabel, Reason, Verdict } from '../../screening/types.js';
import type { PrefixIndexOptions } from './prefix-index.js';
import { isRefusalAction, refusalOfNumber } from '../register/refusal.js';
import type { Connection } from '../sqlite/connection.js';
import { DAY_MS } from '../../time/units.js';

const PAGE = 5000;

/**
 * SQL truth of e164KeyToNumber: `+`, then 1 to 15 digits, the first not 0. The unary `+` keeps the planner from
 * taking the GLOB as the range of the scan instead of the keyset `caller_key > ?` (that made paging quadratic).
 */
const IS_E164 = "+caller_key GLOB '+[1-9]*' AND length(caller_key) <= 16 AND substr(caller_key, 2) NOT GLOB '*[^0-9]*'";

interface MarkRow {
  caller_key: string;
  label: MarkLabel;
  marked_at: number | null;
  company: string | null;
  category: string | null;
}

interface ActivityRow {
  id: number;
  caller_key: string;
  time: number;
  refused_at: number | null;
  talk_ms: number | null;
  /** When a call with a talk time was answered (its outcome's time), else null. */
  answered_at: number | null;
  verdict: Verdict;
  action: string;
  /** 1: the call came withheld (its number from P-Asserted-Identity). */
  withheld: number;
  /** JSON reasons, only for the attempts that teach the prefix tree (refused, trap DIDs, sweeps). */
  reasons: string | null;
}

export interface IndexLoadStats {
  marks: number;
  /** Marks cleared within the look-back, kept as changes of mark (a refusal before one does not count). */
  clearings: number;
  attempts: number;
  refusals: number;
  /** Numbers the business called, within `calledByUsDays`. */
  called: number;
  /** "Let the next call through" overrides pending (let_through), after dropping those a call already used. */
  letThrough: number;
  durationMs: number;
}

export async function loadIndex(
  db: Connection,
  options: {
    lookbackDays: number;
    clock: Clock;
    blockDropDigits?: number;
    /** How far back the numbers the business called are loaded, in days. @defaultValue 365 */
    calledByUsDays?: number;
    /** The prefix tree's options; absent or null: none. */
    prefixes?: PrefixIndexOptions | null;
  },
): Promise<{ index: EvidenceIndex; stats: IndexLoadStats }> {
  const started = performance.now();
  const count = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM numbers WHERE label IS NOT NULL');
  const expectedMarks = count?.n ?? 0;
  const index = new EvidenceIndex({ ...options, expectedMarks: Math.max(1024, expectedMarks + (expectedMarks >> 4)) });

  const marks = (await loadE164Marks(db, index)) + (await loadOtherMarks(db, index));
  await loadMarkSources(db, index);
  const clearings = await loadClearings(db, index);

  let attempts = 0;
  let refusals = 0;
  let afterTime = index.cutoff();
  let afterId = -1;
  for (;;) {
    const rows = await db.all<ActivityRow>(
      `SELECT id, caller_key, time, refused_at, talk_ms, CASE WHEN talk_ms IS NOT NULL THEN outcome_at END AS answered_at,
              verdict, action, withheld,
              CASE WHEN refused_at IS NOT NULL OR instr(reasons, '"sweep"') > 0 OR instr(reasons, '"trap-did"') > 0
                        OR instr(reasons, '"block-sweep"') > 0
                   THEN reasons END AS reasons
         FROM attempts
        WHERE (time, id) > (?, ?) AND caller_key IS NOT NULL ORDER BY time, id LIMIT ?`,
      [afterTime, afterId, PAGE],
    );
    for (const r of rows) {
      index.addAttempt(r.caller_key, r.time);
      attempts++;
      // A refusal for the withholding alone is no refusal of the number: crocetta's (its reasons say so) or the PBX's
      // decline of a call that came withheld (refusal.ts refusalOfNumber).
      if (
        r.refused_at !== null &&
        refusalOfNumber({ action: r.action, withheld: r.withheld === 1, reasons: r.reasons })
      ) {
        index.addRefusal(r.caller_key, r.refused_at);
        refusals++;
      }
      // Talk times (short calls, the persistent human, the repeat rule's fresh start) survive a restart, at the answer's
      // time as when they were heard: an answered call's outcome is known at its answer (forward-call.ts, pbx-bridge.ts).
      if (r.talk_ms !== null) index.addTalk(r.caller_key, r.answered_at ?? r.time, r.talk_ms / 1000);
      if (index.prefixes !== null && r.reasons !== null) {
        index.prefixes.attempt(
          r.caller_key,
          { time: r.time, verdict: r.verdict, reasons: parseReasons(r.reasons) },
          isRefusalAction(r.action),
        );
      }
    }
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE) break;
    afterTime = last.time;
    afterId = last.id;
  }

  countBlocks(index);
  const called = await loadCalledNumbers(db, index, options.clock.now() - (options.calledByUsDays ?? 365) * DAY_MS);
  const letThrough = await loadLetThrough(db, index);
  return {
    index,
    stats: { marks, clearings, attempts, refusals, called, letThrough, durationMs: performance.now() - started },
  };
}

/**
 * The "let the next call through" overrides pending. First drops those a call already used: an attempt of the caller
 * at or after the override's time whose reasons hold `allow-next` (the register deletes the row after that attempt's
 * write, in the same or the next commit; a crash between them leaves the row, and the attempt, journaled or committed,
 * is in the register by now: the journal's replay runs before this). An attempt a crash lost with its row's deletion
 * leaves the override pending: the next call is let through too, never refused.
 */
async function loadLetThrough(db: Connection, index: EvidenceIndex): Promise<number> {
  await db.run(
    `DELETE FROM let_through WHERE EXISTS (
       SELECT 1 FROM attempts a WHERE a.caller_key = let_through.caller_key AND a.time >= let_through.set_at
          AND instr(a.reasons, '"allow-next"') > 0)`,
  );
  const rows = await db.all<{ caller_key: string; set_at: number }>('SELECT caller_key, set_at FROM let_through');
  for (const r of rows) index.learned.setAllowNext(r.caller_key, r.set_at);
  return rows.length;
}

/** The codes and weights of a stored reasons array; [] when it is not one. */
function parseReasons(json: string): Reason[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed)
      ? (parsed as Reason[]).filter((r) => typeof r?.code === 'string' && typeof r.weight === 'number')
      : [];
  } catch {
    return [];
  }
}

/** Loads the names of one column into temp table `table` (id, name) and returns SQL id → index id. */
async function internColumn(
  db: Connection,
  column: 'company' | 'category',
  table: string,
  intern: (name: string) => number,
): Promise<Uint32Array> {
  // Column and table names are constants of this module, never input.
  await db.exec(
    `CREATE TEMP TABLE ${table} (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
     INSERT INTO ${table} (name, id)
       SELECT ${column}, row_number() OVER (ORDER BY ${column})
         FROM (SELECT DISTINCT ${column} FROM numbers WHERE ${column} IS NOT NULL);`, // its partial index: no sort
  );
  const names = await db.all<{ name: string; id: number }>(`SELECT name, id FROM ${table} ORDER BY id`);
  const ids = new Uint32Array(names.length + 1);
  for (const n of names) ids[n.id] = intern(n.name);
  return ids;
}

async function loadE164Marks(db: Connection, index: EvidenceIndex): Promise<number> {
  const table = index.marks;
  const companies = await internColumn(db, 'company', 'crocetta_load_company', (n) => table.internCompany(n));
  const categories = await internColumn(db, 'category', 'crocetta_load_category', (n) => table.internCategory(n));
  let loaded = 0;
  let after = '';
  try {
    for (;;) {
      const page = await db.get<{ last: string | null; n: number; packed: string | null }>(
        `SELECT max(caller_key) AS last, count(*) AS n,
                group_concat(substr(caller_key, 2) || ',' || (CASE label WHEN 'nuisance' THEN ${LABEL_NUISANCE} ELSE ${LABEL_TRUSTED} END)
                  || ',' || coalesce(marked_at, 0)
                  || ',' || coalesce((SELECT id FROM temp.crocetta_load_company WHERE name = company), 0)
                  || ',' || coalesce((SELECT id FROM temp.crocetta_load_category WHERE name = category), 0), ';') AS packed
           FROM (SELECT caller_key, label, marked_at, company, category FROM numbers
                  WHERE caller_key > ? AND label IS NOT NULL AND ${IS_E164} ORDER BY caller_key LIMIT ?)`,
        [after, PAGE],
      );
      if (page === undefined || page.n === 0 || page.last === null || page.packed === null) break;
      loaded += parsePacked(page.packed, (key, label, at, company, category) => {
        table.setNumeric(key, label, at, companies[company] ?? 0, categories[category] ?? 0);
        index.prefixes?.mark(`+${key}`, null, label === LABEL_NUISANCE ? 'nuisance' : 'trusted', at);
      });
      if (page.n < PAGE) break;
      after = page.last;
    }
  } finally {
    await db.exec('DROP TABLE IF EXISTS temp.crocetta_load_company; DROP TABLE IF EXISTS temp.crocetta_load_category;');
  }
  return loaded;
}

/** `d,d,d,d,d;d,d,d,d,d` of non-negative integers → one call per row. Returns the number of rows. */
export function parsePacked(
  text: string,
  row: (key: number, label: number, at: number, company: number, category: number) => void,
): number {
  const f = [0, 0, 0, 0, 0];
  let field = 0;
  let value = 0;
  let rows = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 59;
    if (c === 44 /* , */) {
      f[field++] = value;
      value = 0;
    } else if (c === 59 /* ; */) {
      f[field] = value;
      row(f[0] ?? 0, f[1] ?? 0, f[2] ?? 0, f[3] ?? 0, f[4] ?? 0);
      rows++;
      field = 0;
      value = 0;
    } else {
      value = value * 10 + (c - 48);
    }
  }
  return rows;
}

/** Marks whose key is not E.164 (`raw:...`): few, loaded as rows. */
async function loadOtherMarks(db: Connection, index: EvidenceIndex): Promise<number> {
  let loaded = 0;
  let after = '';
  for (;;) {
    const rows = await db.all<MarkRow>(
      `SELECT caller_key, label, marked_at, company, category FROM numbers
        WHERE caller_key > ? AND label IS NOT NULL AND NOT (${IS_E164}) ORDER BY caller_key LIMIT ?`,
      [after, PAGE],
    );
    for (const r of rows) {
      index.setMark({
        callerKey: r.caller_key,
        label: r.label,
        at: r.marked_at ?? 0,
        company: r.company,
        category: r.category,
      });
    }
    loaded += rows.length;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE) break;
    after = last.caller_key;
  }
  return loaded;
}

/** Where imported marks came from (numbers.mark_source, migration 18): only those rows, by their partial index. */
async function loadMarkSources(db: Connection, index: EvidenceIndex): Promise<void> {
  const rows = await db.all<{ caller_key: string; mark_source: string }>(
    'SELECT caller_key, mark_source FROM numbers WHERE mark_source IS NOT NULL AND label IS NOT NULL',
  );
  for (const r of rows) index.marks.setSource(r.caller_key, r.mark_source);
}

/**
 * The times of the marks cleared within the look-back (a cleared mark's row keeps its time as `updated_at`), before
 * the refusals: a refusal before a caller's latest change of mark does not count for the repeat rule
 * (EvidenceIndex.addRefusal), and a clearing is such a change. One older than the look-back has no refusal left
 * before it. Returns how many were loaded.
 */
async function loadClearings(db: Connection, index: EvidenceIndex): Promise<number> {
  const rows = await db.all<{ caller_key: string; updated_at: number }>(
    'SELECT caller_key, updated_at FROM numbers WHERE label IS NULL AND updated_at >= ?',
    [index.cutoff()],
  );
  for (const r of rows) {
    index.marks.set({ callerKey: r.caller_key, label: 'none', at: r.updated_at, company: null, category: null });
  }
  return rows.length;
}

/**
 * The learned index's block counts from the marks already in memory (the bulk mark load bypasses
 * EvidenceIndex.setMark): a pass over the typed arrays, no SQL, no row objects. A GROUP BY over the numbers table did
 * the same in 3.5 s and +100 MB of RSS for 1M marks; this takes milliseconds and nothing. Returns how many marked
 * numbers were counted into blocks.
 */
function countBlocks(index: EvidenceIndex): number {
  const drop = index.learned.blockDropDigits;
  const divisor = 10 ** drop;
  // As many digits as a block prefix plus at least three: shorter keys are not numbers with blocks.
  const minKey = 10 ** (drop + 2);
  let nuisance = new Float64Array(1024);
  let trusted = new Float64Array(1024);
  let n = 0;
  let t = 0;
  const grow = (a: Float64Array) => {
    const b = new Float64Array(a.length * 2);
    b.set(a);
    return b;
  };
  index.marks.forEachNumeric((key, label) => {
    if (key < minKey) return;
    const block = Math.floor(key / divisor);
    if (label === 'nuisance') {
      if (n === nuisance.length) nuisance = grow(nuisance);
      nuisance[n++] = block;
    } else {
      if (t === trusted.length) trusted = grow(trusted);
      trusted[t++] = block;
    }
  });
  index.learned.loadBlocks(nuisance.subarray(0, n), trusted.subarray(0, t));
  return n + t;
}

/** The numbers the business called (PBX outbound, CDR import) since `since`, into the learned index. */
async function loadCalledNumbers(db: Connection, index: EvidenceIndex, since: number): Promise<number> {
  const rows = await db.all<{ caller_key: string; last_at: number }>(
    'SELECT caller_key, last_at FROM called_numbers WHERE last_at >= ?',
    [since],
  );
  for (const r of rows) index.addCalledByUs(r.caller_key, r.last_at);
  return rows.length;
}

/**
 * Importing records into the register file, whatever format they came in (crocetta's own, FTC, FRITZ!Box...).
 *
 * Two phases, so that a bad row rejects the whole file before anything is written and memory stays bounded:
 *   1. stage: every record is validated and written to TEMP tables of a connection of our own (SQLite's temp file,
 *      not the register, so no lock is taken on it); duplicates inside the file fold there;
 *   2. apply: the staged rows are merged into the register in transactions of CHUNK rows, each a few ms, so the
 *      running service's batch writer never waits long. Merging is idempotent (importing twice changes nothing):
 *      marks equal to the local ones, history entries and attempts already present are left alone.
 * A local trusted mark is never overwritten by an imported nuisance one; a newer local mark is kept.
 */
import { storedCategory } from '../screening/categories.js';
import type { MarkLabel } from '../screening/types.js';
import { Connection, type SqlValue } from '../store/sqlite/connection.js';
import { FIELDS, type ImportRecord, type RecordKind } from './records.js';
import { InputError } from './text-input.js';

/** One item a format reader yields: a record, a row refused (an error), or a row it keeps out on purpose. */
export type SourceItem =
  | { line: number; record: ImportRecord }
  | { line: number; error: string }
  /** Dirty input a foreign format keeps out by design (blank number...), counted by reason, never fatal. */
  | { line: number; dropped: string };

export interface ImportedMark {
  callerKey: string;
  label: MarkLabel | 'none';
  at: number;
  company: string | null;
  category: string | null;
  /** Where the mark came from (ImportOptions.markSource). */
  from: string;
}

export interface ImportOptions {
  /** Skip bad rows and report them, instead of rejecting the whole file. */
  lenient?: boolean;
  /** Foreign sources: write a mark-history entry with this `by` (`import:ftc`) for each mark changed. */
  historyBy?: string;
  /**
   * Where the marks the import writes came from (numbers.mark_source, the reason's words): `import:json` for a
   * crocetta export, `import:fritzbox`, ... Default: historyBy, else `import`.
   */
  markSource?: string;
  /** ms since epoch, for history entries written by the import. */
  now: number;
  /** Called every few thousand lines and at the end. */
  onProgress?: (progress: { lines: number; records: number; phase: 'stage' | 'apply' }) => void;
  /** Called with each chunk of marks written, so the running service's index follows. */
  onMarks?: (marks: ImportedMark[]) => void;
  /** Called with the numbers we called (CDR import), so the running service's index follows. */
  onCalled?: (called: Array<{ callerKey: string; at: number }>) => void;
  busyTimeoutMs?: number;
}

export type KindCounts = Record<RecordKind, number>;

export interface ImportReport {
  /** Last line read. */
  lines: number;
  /** Valid records read, per kind (before folding duplicates). */
  read: KindCounts;
  /** Rows written to the register, per kind. */
  written: KindCounts;
  /** Records already in the register as they are (or duplicates in the file). */
  unchanged: KindCounts;
  /** Imported nuisance marks not applied because the number is trusted here. */
  keptTrusted: number;
  /** Imported marks older than the local mark of the same number. */
  keptNewerLocal: number;
  /** Lenient mode: rows refused (the first 100 listed) and their count. */
  skipped: Array<{ line: number; reason: string }>;
  skippedCount: number;
  /** Rows a foreign format keeps out by design, by reason. */
  dropped: Record<string, number>;
  ms: number;
}

/** The import was refused as a whole: nothing was written. */
export class ImportRejectedError extends Error {
  override name = 'ImportRejectedError';
  constructor(
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `import refused: ${reason}` : `import refused: line ${line}: ${reason}`);
  }
}

const STAGE_BATCH = 200;
const CHUNK = 5000;
const SKIPPED_LISTED = 100;

const ATTEMPT_COLUMNS = Object.values(FIELDS.attempt).map((f) => f.column);

const STAGE_SQL = `
  CREATE TEMP TABLE IF NOT EXISTS stage_marks (
    caller_key TEXT NOT NULL UNIQUE, label TEXT NOT NULL, marked_at INTEGER NOT NULL,
    company TEXT, category TEXT, updated_at INTEGER NOT NULL);
  CREATE TEMP TABLE IF NOT EXISTS stage_history (
    seq INTEGER PRIMARY KEY, caller_key TEXT NOT NULL, label TEXT NOT NULL, company TEXT, category TEXT,
    at INTEGER NOT NULL, by TEXT NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS temp.stage_history_u
    ON stage_history (caller_key, at, label, by, ifnull(company, ''), ifnull(category, ''));
  CREATE TEMP TABLE IF NOT EXISTS stage_attempts (seq INTEGER PRIMARY KEY, ${ATTEMPT_COLUMNS.join(', ')});
  CREATE UNIQUE INDEX IF NOT EXISTS temp.stage_attempts_u ON stage_attempts (call_id, time, ifnull(caller_key, ''));
  CREATE TEMP TABLE IF NOT EXISTS stage_called (caller_key TEXT PRIMARY KEY, last_at INTEGER NOT NULL, calls INTEGER NOT NULL);
  DELETE FROM stage_marks; DELETE FROM stage_history; DELETE FROM stage_attempts; DELETE FROM stage_called;`;

const MARK_COLUMNS = ['caller_key', 'label', 'marked_at', 'company', 'category', 'updated_at'];
const HISTORY_COLUMNS = ['caller_key', 'label', 'company', 'category', 'at', 'by'];
const CALLED_COLUMNS = ['caller_key', 'last_at', 'calls'];

function tuples(columns: number, rows: number): string {
  const one = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => one).join(', ');
}

/** The staging INSERT for `rows` records of a kind (text built from constants only). */
function stageSql(kind: RecordKind, rows: number): string {
  if (kind === 'mark') {
    return `INSERT INTO temp.stage_marks (${MARK_COLUMNS.join(', ')}) VALUES ${tuples(6, rows)}
      ON CONFLICT (caller_key) DO UPDATE SET label = excluded.label, marked_at = excluded.marked_at,
        company = excluded.company, category = excluded.category, updated_at = excluded.updated_at
      WHERE excluded.marked_at >= stage_marks.marked_at`;
  }
  if (kind === 'called') {
    // A CDR gives one record per call: the staging sums them; our own export gives the totals once.
    return `INSERT INTO temp.stage_called (caller_key, last_at, calls) VALUES ${tuples(3, rows)}
      ON CONFLICT (caller_key) DO UPDATE SET last_at = max(last_at, excluded.last_at), calls = calls + excluded.calls`;
  }
  if (kind === 'history')
    return `INSERT OR IGNORE INTO temp.stage_history (${HISTORY_COLUMNS.join(', ')}) VALUES ${tuples(6, rows)}`;
  return `INSERT OR IGNORE INTO temp.stage_attempts (${ATTEMPT_COLUMNS.join(', ')}) VALUES ${tuples(ATTEMPT_COLUMNS.length, rows)}`;
}

function columnsOf(kind: RecordKind): string[] {
  if (kind === 'called') return CALLED_COLUMNS;
  return kind === 'mark' ? MARK_COLUMNS : kind === 'history' ? HISTORY_COLUMNS : ATTEMPT_COLUMNS;
}

const zero = (): KindCounts => ({ mark: 0, history: 0, attempt: 0, called: 0 });

/**
 * Imports `source` into the register file `file`. Throws ImportRejectedError (nothing written) on the first bad
 * row unless `lenient`, and InputError-derived rejections for a file that cannot be read (encoding, structure).
 */
export async function importRecords(
  file: string,
  source: AsyncIterable<SourceItem>,
  options: ImportOptions,
): Promise<ImportReport> {
  const started = performance.now();
  const db = await Connection.open(file);
  db.setBusyTimeout(options.busyTimeoutMs ?? 5000);
  const report: ImportReport = {
    lines: 0,
    read: zero(),
    written: zero(),
    unchanged: zero(),
    keptTrusted: 0,
    keptNewerLocal: 0,
    skipped: [],
    skippedCount: 0,
    dropped: {},
    ms: 0,
  };
  try {
    await db.exec(STAGE_SQL);
    await stage(db, source, options, report);
    await applyMarks(db, options, report);
    await applyAppend(db, 'history', report, options);
    await applyAppend(db, 'attempt', report, options);
    await applyCalled(db, options, report);
    await db.exec(
      'DROP TABLE IF EXISTS temp.stage_marks; DROP TABLE IF EXISTS temp.stage_history; DROP TABLE IF EXISTS temp.stage_attempts; DROP TABLE IF EXISTS temp.stage_called;',
    );
  } finally {
    await db.close();
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

async function stage(
  db: Connection,
  source: AsyncIterable<SourceItem>,
  options: ImportOptions,
  report: ImportReport,
): Promise<void> {
  const pending: Record<RecordKind, SqlValue[][]> = { mark: [], history: [], attempt: [], called: [] };
  const statements = new Map<string, Awaited<ReturnType<Connection['prepare']>>>();
  const flush = async (kind: RecordKind) => {
    const rows = pending[kind];
    if (rows.length === 0) return;
    const key = `${kind}:${rows.length}`;
    let st = statements.get(key);
    if (st === undefined) {
      st = await db.prepare(stageSql(kind, rows.length));
      statements.set(key, st);
    }
    await st.run(rows.flat());
    pending[kind] = [];
  };
  await db.run('BEGIN');
  let records = 0;
  try {
    try {
      for await (const item of source) {
        report.lines = item.line;
        if ('dropped' in item) {
          report.dropped[item.dropped] = (report.dropped[item.dropped] ?? 0) + 1;
          continue;
        }
        if ('error' in item) {
          if (!options.lenient) throw new ImportRejectedError(item.line, item.error);
          report.skippedCount++;
          if (report.skipped.length < SKIPPED_LISTED) report.skipped.push({ line: item.line, reason: item.error });
          continue;
        }
        const { kind, values } = item.record;
        report.read[kind]++;
        // A known category named in either language (`energia` in a vCard, an old export) is kept as its key; any other
        // trimmed, as the API and CLI keep it.
        pending[kind].push(
          columnsOf(kind).map((c) => {
            const v = values[c] ?? null;
            return c === 'category' && typeof v === 'string' ? storedCategory(v) : v;
          }),
        );
        if (pending[kind].length >= STAGE_BATCH) await flush(kind);
        if (++records % 10_000 === 0) {
          options.onProgress?.({ lines: item.line, records, phase: 'stage' });
          // Staged rows go to the temp file in pieces: the transaction's memory stays small.
          await db.run('COMMIT');
          await db.run('BEGIN');
        }
      }
    } catch (err) {
      if (err instanceof InputError) throw new ImportRejectedError(err.line, err.message.replace(/^line \d+: /, ''));
      throw err;
    }
    await flush('mark');
    await flush('history');
    await flush('attempt');
    await flush('called');
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await Promise.all([...statements.values()].map((s) => s.finalize()));
  }
  options.onProgress?.({ lines: report.lines, records, phase: 'stage' });
}

interface StagedMark {
  rowid: number;
  caller_key: string;
  label: MarkLabel;
  marked_at: number;
  company: string | null;
  category: string | null;
  updated_at: number;
  status: 'apply' | 'same' | 'trusted' | 'older';
}

const STAGED_MARKS_SQL = `
  SELECT s.rowid AS rowid, s.caller_key, s.label, s.marked_at, s.company, s.category, s.updated_at,
         CASE WHEN n.caller_key IS NULL THEN 'apply'
              WHEN n.label IS NULL THEN CASE WHEN n.updated_at > s.marked_at THEN 'older' ELSE 'apply' END
              WHEN n.label = 'trusted' AND s.label = 'nuisance' THEN 'trusted'
              WHEN n.label = s.label AND n.company IS s.company AND n.category IS s.category THEN 'same'
              WHEN s.marked_at > n.marked_at THEN 'apply'
              ELSE 'older' END AS status
    FROM temp.stage_marks s LEFT JOIN main.numbers n ON n.caller_key = s.caller_key
   WHERE s.rowid > ? ORDER BY s.rowid LIMIT ${CHUNK}`;

const UPSERT_ROWS = 100;

function upsertNumbersSql(rows: number): string {
  return `INSERT INTO main.numbers (${MARK_COLUMNS.join(', ')}, mark_source) VALUES ${tuples(7, rows)}
    ON CONFLICT (caller_key) DO UPDATE SET label = excluded.label, marked_at = excluded.marked_at,
      company = excluded.company, category = excluded.category, updated_at = excluded.updated_at,
      mark_source = excluded.mark_source`;
}

async function applyMarks(db: Connection, options: ImportOptions, report: ImportReport): Promise<void> {
  const from = options.markSource ?? options.historyBy ?? 'import';
  let after = 0;
  for (;;) {
    await db.run('BEGIN IMMEDIATE');
    let rows: StagedMark[];
    try {
      rows = await db.all<StagedMark>(STAGED_MARKS_SQL, [after]);
      const apply = rows.filter((r) => r.status === 'apply');
      for (let i = 0; i < apply.length; i += UPSERT_ROWS) {
        const part = apply.slice(i, i + UPSERT_ROWS);
        await db.run(
          upsertNumbersSql(part.length),
          part.flatMap((r) => [r.caller_key, r.label, r.marked_at, r.company, r.category, r.updated_at, from]),
        );
        if (options.historyBy !== undefined) {
          const by = options.historyBy;
          await db.run(
            `INSERT INTO main.mark_history (${HISTORY_COLUMNS.join(', ')}) VALUES ${tuples(6, part.length)}`,
            part.flatMap((r) => [r.caller_key, r.label, r.company, r.category, options.now, by]),
          );
        }
      }
      await db.run('COMMIT');
      if (apply.length > 0) {
        options.onMarks?.(
          apply.map((r) => ({
            callerKey: r.caller_key,
            label: r.label,
            at: r.marked_at,
            company: r.company,
            category: r.category,
            from,
          })),
        );
      }
      for (const r of rows) {
        if (r.status === 'apply') report.written.mark++;
        else if (r.status === 'same') report.unchanged.mark++;
        else if (r.status === 'trusted') report.keptTrusted++;
        else report.keptNewerLocal++;
      }
    } catch (err) {
      await db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const last = rows[rows.length - 1];
    if (last === undefined) break;
    after = last.rowid;
    options.onProgress?.({ lines: report.lines, records: after, phase: 'apply' });
  }
  // Duplicates inside the file folded in staging count as unchanged.
  report.unchanged.mark +=
    report.read.mark - (report.written.mark + report.unchanged.mark + report.keptTrusted + report.keptNewerLocal);
}

async function tableColumns(db: Connection, table: string): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`);
  return new Set(rows.map((r) => r.name));
}

async function applyAppend(
  db: Connection,
  kind: 'history' | 'attempt',
  report: ImportReport,
  options: ImportOptions,
): Promise<void> {
  let sql: string;
  if (kind === 'history') {
    sql = `INSERT INTO main.mark_history (${HISTORY_COLUMNS.join(', ')})
      SELECT ${HISTORY_COLUMNS.map((c) => `s.${c}`).join(', ')} FROM temp.stage_history s
       WHERE s.seq > ?1 AND s.seq <= ?2 AND NOT EXISTS (
         SELECT 1 FROM main.mark_history h WHERE h.caller_key = s.caller_key AND h.at = s.at AND h.label = s.label
            AND h.by = s.by AND h.company IS s.company AND h.category IS s.category)
       ORDER BY s.seq`;
  } else {
    // Columns another crocetta version may lack (a newer migration) are left out rather than failing.
    const present = await tableColumns(db, 'attempts');
    const cols = ATTEMPT_COLUMNS.filter((c) => present.has(c));
    sql = `INSERT INTO main.attempts (${cols.join(', ')})
      SELECT ${cols.map((c) => `s.${c}`).join(', ')} FROM temp.stage_attempts s
       WHERE s.seq > ?1 AND s.seq <= ?2 AND NOT EXISTS (
         SELECT 1 FROM main.attempts a WHERE a.call_id = s.call_id AND a.time = s.time AND a.caller_key IS s.caller_key)
       ORDER BY s.seq`;
  }
  const table = kind === 'history' ? 'temp.stage_history' : 'temp.stage_attempts';
  const bounds = await db.get<{ lo: number | null; hi: number | null; n: number }>(
    `SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM ${table}`,
  );
  if (bounds?.lo === null || bounds?.hi === null || bounds === undefined) {
    report.unchanged[kind] += report.read[kind];
    return;
  }
  let written = 0;
  for (let from = bounds.lo - 1; from < bounds.hi; from += CHUNK) {
    await db.run('BEGIN IMMEDIATE');
    try {
      const r = await db.run(sql, [from, from + CHUNK]);
      await db.run('COMMIT');
      written += r.changes;
    } catch (err) {
      await db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    options.onProgress?.({ lines: report.lines, records: from + CHUNK, phase: 'apply' });
  }
  report.written[kind] += written;
  report.unchanged[kind] += report.read[kind] - written;
}

/**
 * Numbers we called: a staged total that equals the register's row is unchanged (idempotent); otherwise the
 * register keeps the later last call and the larger count (importing the same CDR twice does not double it).
 */
async function applyCalled(db: Connection, options: ImportOptions, report: ImportReport): Promise<void> {
  const n = await db.get<{ n: number }>('SELECT count(*) AS n FROM temp.stage_called');
  if (!n || n.n === 0) return;
  let after = '';
  for (;;) {
    await db.run('BEGIN IMMEDIATE');
    let rows: Array<{ caller_key: string; last_at: number; calls: number; changed: number }>;
    try {
      rows = await db.all(
        `SELECT s.caller_key, max(s.last_at, ifnull(c.last_at, 0)) AS last_at, max(s.calls, ifnull(c.calls, 0)) AS calls,
                (c.caller_key IS NULL OR s.last_at > c.last_at OR s.calls > c.calls) AS changed
           FROM temp.stage_called s LEFT JOIN main.called_numbers c ON c.caller_key = s.caller_key
          WHERE s.caller_key > ? ORDER BY s.caller_key LIMIT ${CHUNK}`,
        [after],
      );
      const changed = rows.filter((r) => r.changed === 1);
      for (let i = 0; i < changed.length; i += UPSERT_ROWS) {
        const part = changed.slice(i, i + UPSERT_ROWS);
        await db.run(
          `INSERT INTO main.called_numbers (caller_key, last_at, calls) VALUES ${tuples(3, part.length)}
           ON CONFLICT (caller_key) DO UPDATE SET last_at = excluded.last_at, calls = excluded.calls`,
          part.flatMap((r) => [r.caller_key, r.last_at, r.calls]),
        );
      }
      await db.run('COMMIT');
      report.written.called += changed.length;
      if (changed.length > 0) options.onCalled?.(changed.map((r) => ({ callerKey: r.caller_key, at: r.last_at })));
    } catch (err) {
      await db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const last = rows[rows.length - 1];
    if (last === undefined) break;
    after = last.caller_key;
  }
  report.unchanged.called += report.read.called - report.written.called;
}

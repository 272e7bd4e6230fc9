/**
 * Export of the register (marks, mark history, attempts) in crocetta's own format, streamed page by page from a
 * read-only connection (one consistent snapshot: a read transaction spans the whole export), so memory stays
 * bounded whatever the size of the register.
 */
import type { Writable } from 'node:stream';
import { knownCategoryKey } from '../screening/categories.js';
import { onlyWithheld } from '../store/register/queries.js';
import { Connection } from '../store/sqlite/connection.js';
import { CATEGORIES_BY_KEY, schemaVersionOf } from '../store/sqlite/migrations.js';
import { csvHeader, csvRecord, jsonHeader, type OwnFormat } from './crocetta-format.js';
import { writeFritzbox, type PhonebookEntry } from './formats/fritzbox.js';
import { writeKamailioHtable, type HtableEntry } from './formats/kamailio-htable.js';
import { FIELDS, recordFromRow, type RecordKind, type SqlCell } from './records.js';

export interface ExportOptions {
  format: OwnFormat;
  /** What to include. @defaultValue all three */
  include?: readonly RecordKind[];
  /** ms since epoch, written in the JSON header. */
  now: number;
  busyTimeoutMs?: number;
}

export type ExportCounts = Record<RecordKind, number>;

const PAGE = 2000;

const TABLES: Record<RecordKind, string> = {
  mark: 'numbers',
  history: 'mark_history',
  attempt: 'attempts',
  called: 'called_numbers',
};

/** Writes and waits for 'drain' when the stream asks for it (bounded memory with slow readers). */
async function write(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      out.off('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/**
 * How a category read from the register is written out. An export reads and never migrates (a `crocetta export`
 * run with a newer crocetta before its service's first start reads a register at its older schema): one migration 11
 * has not reached keeps a known category as typed (`energia`, ` Telefonia `), written out as its key, as the same
 * register exports once migrated (migration 11's mapping, src/screening/categories.ts).
 */
async function categoryOut(db: Connection): Promise<(category: string | null) => string | null> {
  if ((await schemaVersionOf(db)) >= CATEGORIES_BY_KEY) return (category) => category;
  return (category) => (category === null ? null : (knownCategoryKey(category) ?? category));
}

function pageSql(kind: RecordKind, present: Set<string>): string {
  const cols = Object.values(FIELDS[kind])
    .map((f) => (present.has(f.column) ? f.column : `NULL AS ${f.column}`))
    .join(', ');
  if (kind === 'mark')
    return `SELECT ${cols}, caller_key AS _k FROM numbers WHERE label IS NOT NULL AND caller_key > ? ORDER BY caller_key LIMIT ${PAGE}`;
  if (kind === 'called')
    return `SELECT ${cols}, caller_key AS _k FROM called_numbers WHERE caller_key > ? ORDER BY caller_key LIMIT ${PAGE}`;
  const table = TABLES[kind];
  return `SELECT ${cols}, id AS _k FROM ${table} WHERE id > ? ORDER BY id LIMIT ${PAGE}`;
}

export interface NuisanceNumber {
  /** E.164 with the leading `+`. */
  number: string;
  company: string | null;
  category: string | null;
  /** When it was marked, ms since epoch. */
  markedAt: number;
}

/**
 * The numbers marked nuisance with an E.164 key (what a phone or a SIP proxy can match), in key order, page by page
 * from a read-only connection: the FRITZ!Box phonebook and the Kamailio htable exports. Not a caller known only from
 * withheld calls (Privacy: id): a list like these goes to a friend, and that number is not ours to give
 * (src/panel/withheld.ts); crocetta itself still refuses it.
 */
export async function* nuisanceNumbers(file: string, busyTimeoutMs = 5000): AsyncGenerator<NuisanceNumber> {
  const db = await Connection.open(file, { readOnly: true });
  db.setBusyTimeout(busyTimeoutMs);
  try {
    const asKept = await categoryOut(db);
    let after = '';
    for (;;) {
      const rows = await db.all<{
        caller_key: string;
        company: string | null;
        category: string | null;
        marked_at: number;
      }>(
        `SELECT caller_key, company, category, marked_at FROM numbers
          WHERE label = 'nuisance' AND caller_key > ? AND caller_key LIKE '+%' AND NOT ${onlyWithheld('numbers.caller_key')}
          ORDER BY caller_key LIMIT ${PAGE}`,
        [after],
      );
      for (const r of rows)
        yield { number: r.caller_key, company: r.company, category: asKept(r.category), markedAt: r.marked_at };
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < PAGE) break;
      after = last.caller_key;
    }
  } finally {
    await db.close();
  }
}

/** The nuisance numbers as FRITZ!Box phonebook contacts, named by their company, else category, else number. */
async function* phonebookEntries(file: string): AsyncGenerator<PhonebookEntry> {
  for await (const n of nuisanceNumbers(file))
    yield { number: n.number, name: n.company ?? n.category ?? n.number, at: n.markedAt };
}

/** The nuisance numbers as Kamailio htable rows, the company (else the category) as the value Kamailio logs. */
async function* htableEntries(file: string): AsyncGenerator<HtableEntry> {
  for await (const n of nuisanceNumbers(file)) yield { number: n.number, label: n.company ?? n.category ?? '' };
}

/** The nuisance numbers as other systems load them: a FRITZ!Box phonebook (a friend's crocetta too), a Kamailio htable. */
export type NuisanceListFormat = 'fritzbox' | 'kamailio-htable';

/** Writes the register's nuisance numbers to `out` as `format` (`crocetta export` and `GET /api/export`): how many. */
export async function writeNuisanceList(format: NuisanceListFormat, file: string, out: Writable): Promise<number> {
  return format === 'fritzbox'
    ? writeFritzbox(out, phonebookEntries(file))
    : (await writeKamailioHtable(out, htableEntries(file))).written;
}

export async function exportRegister(file: string, out: Writable, options: ExportOptions): Promise<ExportCounts> {
  const include = options.include ?? ['mark', 'history', 'attempt', 'called'];
  const db = await Connection.open(file, { readOnly: true });
  db.setBusyTimeout(options.busyTimeoutMs ?? 5000);
  const counts: ExportCounts = { mark: 0, history: 0, attempt: 0, called: 0 };
  try {
    await db.run('BEGIN');
    const asKept = await categoryOut(db);
    await write(out, options.format === 'json' ? jsonHeader(options.now) : csvHeader());
    for (const kind of ['mark', 'history', 'attempt', 'called'] as const) {
      if (!include.includes(kind)) continue;
      const table = TABLES[kind];
      if (!(await db.get(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]))) continue;
      const present = new Set(
        (await db.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)).map((r) => r.name),
      );
      const sql = pageSql(kind, present);
      let after: string | number = kind === 'mark' || kind === 'called' ? '' : 0;
      for (;;) {
        const rows = await db.all<Record<string, SqlCell> & { _k: string | number }>(sql, [after]);
        let chunk = '';
        for (const row of rows) {
          if ((kind === 'mark' || kind === 'history') && typeof row['category'] === 'string') {
            row['category'] = asKept(row['category']);
          }
          const record = recordFromRow(kind, row);
          chunk += options.format === 'json' ? `${JSON.stringify(record)}\n` : csvRecord(record);
          counts[kind]++;
        }
        if (chunk) await write(out, chunk);
        const last = rows[rows.length - 1];
        if (last === undefined || rows.length < PAGE) break;
        after = last._k;
      }
    }
    await db.run('COMMIT');
  } finally {
    await db.close();
  }
  return counts;
}

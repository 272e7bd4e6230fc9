/**
 * At start, before any call: the attempts a previous run journaled (journal.ts) and never committed are inserted
 * into the register. Each journaled row carries its journal key (the unique column attempts.journal_key, migration
 * 9): a row whose key is already in the register was committed before the crash and is skipped, so replaying twice
 * (a crash during the replay) changes nothing.
 */
import type { StoreLogger } from '../logger.js';
import type { Connection, SqlValue, Statement } from '../sqlite/connection.js';
import type { LeftoverSegment } from './journal.js';

export interface ReplayResult {
  /** Rows inserted now. */
  replayed: number;
  /** Rows already in the register (committed before the crash). */
  present: number;
  /** Lines or rows that could not be replayed (cut short, unknown columns, refused by SQLite). */
  skipped: number;
}

/**
 * Inserts the rows of `segments` missing from the attempts table, in one transaction. `knownColumns`: the columns
 * the current schema has (a segment naming another column is skipped whole: its names are never put in SQL).
 */
export async function replayJournal(
  db: Connection,
  segments: readonly LeftoverSegment[],
  knownColumns: readonly string[],
  logger: StoreLogger,
): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: 0, present: 0, skipped: 0 };
  const known = new Set(knownColumns);
  const usable: { columns: string[]; rows: SqlValue[][] }[] = [];
  for (const segment of segments) {
    result.skipped += segment.unreadable;
    const { columns } = segment;
    if (columns === null) continue;
    if (!columns.every((c) => known.has(c))) {
      result.skipped += segment.rows.length;
      logger.error({ segment: segment.path, columns }, 'attempts journal segment with unknown columns: not replayed');
      continue;
    }
    usable.push({ columns, rows: segment.rows });
  }
  if (usable.every((s) => s.rows.length === 0)) return result;

  await db.run('BEGIN IMMEDIATE');
  try {
    for (const { columns, rows } of usable) {
      const insert = await db.prepare(
        `INSERT INTO attempts (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
         ON CONFLICT DO NOTHING`,
      );
      try {
        for (const row of rows) await insertOne(insert, row, result, logger);
      } finally {
        await insert.finalize();
      }
    }
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return result;
}

async function insertOne(insert: Statement, row: SqlValue[], result: ReplayResult, logger: StoreLogger): Promise<void> {
  try {
    const { changes } = await insert.run(row);
    if (changes === 1) result.replayed++;
    else result.present++;
  } catch (err) {
    // A row SQLite refuses for itself (a constraint) would be refused again at every start.
    result.skipped++;
    logger.error({ err, journalKey: row[0] }, 'journaled attempt refused by SQLite: not replayed');
  }
}

/**
 * At start, before any call: the attempts a previous run journaled (journal.ts) and never committed are inserted
 * into the register. Each journaled row carries its journal key (the unique column attempts.journal_key, migration
 * 9): a row whose key is already in the register was committed before the crash and is skipped, so replaying twice
 * (a crash during the replay) changes nothing.
 *
 * Then the journaled updates (outcomes, talk times), in the order they were written, each on its attempt found by
 * journal key (or by id for an attempt written without one). They set values, never add to them, and an outcome
 * never overwrites one known later (rows.ts): replaying one already committed, twice, or over a later update of the
 * same attempt, changes nothing. An update whose attempt is not in the register is skipped.
 */
import type { StoreLogger } from '../logger.js';
import type { Connection, SqlValue, Statement } from '../sqlite/connection.js';
import type { JournaledUpdate, LeftoverSegment } from './journal.js';
import {
  REPLAY_OUTCOME_BY_ID_SQL,
  REPLAY_OUTCOME_BY_KEY_SQL,
  REPLAY_TALK_BY_ID_SQL,
  REPLAY_TALK_BY_KEY_SQL,
} from './rows.js';

export interface ReplayResult {
  /** Rows inserted now. */
  replayed: number;
  /** Rows already in the register (committed before the crash). */
  present: number;
  /** Lines or rows that could not be replayed (cut short, unknown columns, refused by SQLite). */
  skipped: number;
  /** Updates written (again, with the same values, when they had been committed before the crash). */
  updated: number;
  /** Updates that found no attempt to change: none with that key (or id), or its outcome known later. */
  unchanged: number;
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
  const result: ReplayResult = { replayed: 0, present: 0, skipped: 0, updated: 0, unchanged: 0 };
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
  const updates = segments.flatMap((s) => (s.columns === null ? [] : s.updates));
  if (usable.every((s) => s.rows.length === 0) && updates.length === 0) return result;

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
    if (updates.length > 0) await applyUpdates(db, updates, result, logger);
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

/** Journal key: the last parameter of every update (null: the attempt had none, found by id). */
async function applyUpdates(
  db: Connection,
  updates: readonly JournaledUpdate[],
  result: ReplayResult,
  logger: StoreLogger,
): Promise<void> {
  const statements = {
    outcome: { key: await db.prepare(REPLAY_OUTCOME_BY_KEY_SQL), id: await db.prepare(REPLAY_OUTCOME_BY_ID_SQL) },
    talk: { key: await db.prepare(REPLAY_TALK_BY_KEY_SQL), id: await db.prepare(REPLAY_TALK_BY_ID_SQL) },
  };
  try {
    for (const { kind, params } of updates) {
      const byKey = params[params.length - 1] !== null;
      try {
        // By id, the statement has no parameter for the (null) key. An outcome goes through the view attempt_outcomes
        // (rows.ts), whose UPDATE reports no changes: it returns the attempt's id.
        const statement = byKey ? statements[kind].key : statements[kind].id;
        const bound = byKey ? params : params.slice(0, -1);
        const changes = kind === 'outcome' ? (await statement.all(bound)).length : (await statement.run(bound)).changes;
        if (changes > 0) result.updated++;
        else result.unchanged++;
      } catch (err) {
        result.skipped++;
        logger.error({ err, update: kind }, 'journaled update refused by SQLite: not replayed');
      }
    }
  } finally {
    for (const pair of Object.values(statements)) for (const st of Object.values(pair)) await st.finalize();
  }
}

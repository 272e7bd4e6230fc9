/**
 * One batch of register writes, carried out on the writer connection: a lone write of one statement (an
 * attempt, an outcome update) as that statement alone (SQLite's autocommit: the statement is its transaction,
 * one trip to node-sqlite3's thread pool instead of three); anything else inside `BEGIN IMMEDIATE … COMMIT`,
 * consecutive attempts many rows per INSERT. It either commits whole or throws (rolled back).
 */
import { sqliteCode, type SqlValue, type Statement } from './connection.js';

/**
 * `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` prepared once on the writer connection. `Connection.run(sql)` prepares,
 * runs and finalizes a statement each time: three trips to node-sqlite3's thread pool (and ~15–40 µs of main thread
 * each, measured) where a prepared statement takes one. A batch of N multi-row INSERTs is then N + 2 trips, not N + 6.
 */
export interface TransactionStatements {
  begin: Statement;
  commit: Statement;
  rollback: Statement;
}

/** The SQL of TransactionStatements, for whoever prepares them. */
export const TRANSACTION_SQL = { begin: 'BEGIN IMMEDIATE', commit: 'COMMIT', rollback: 'ROLLBACK' } as const;

/** One attempt row to insert; consecutive ones are inserted many rows per statement. */
export interface AttemptWrite {
  kind: 'attempt';
  params: readonly SqlValue[];
  committed(id: number): void;
  failed(err: Error): void;
  /** The disk refused the write and it is held in memory (the spool) until it can be written. At most once. */
  spooled?(): void;
}

/** Any other write (outcome update, mark): its own statements. */
export interface OtherWrite<S> {
  kind: 'other';
  /** Runs this write's statements inside the open transaction (or alone, when `oneStatement`). */
  run(statements: S): Promise<void>;
  /** `run` executes exactly one statement: alone in a batch, it needs no explicit transaction. */
  oneStatement?: boolean;
  committed(): void;
  failed(err: Error): void;
  spooled?(): void;
}

export type WriteOp<S> = AttemptWrite | OtherWrite<S>;

/**
 * The attempts INSERT, prepared twice: for one row, and for `rows` rows at once (node-sqlite3 pays a trip to its
 * thread pool per statement run, so a multi-row INSERT is what reaches tens of thousands of rows per second).
 */
export interface AttemptInserter {
  one: Statement;
  many: Statement;
  rows: number;
}

/**
 * SQLite codes of a write the same statements may well pass later: the disk (full, I/O error, read-only, a file
 * that cannot be opened) or the lock (another process holds it past the busy timeout). Anything else (a
 * constraint, a closed connection, a corrupt file, a bug) would fail again: the write is given up.
 */
const RETRYABLE = new Set([
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
]);

export function isRetryable(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && RETRYABLE.has(code);
}

/** Runs the batch; resolves with the new ids of its attempts (by position in the batch), or throws. */
export async function commitBatch<S>(
  tx: TransactionStatements,
  inserter: AttemptInserter,
  statements: S,
  batch: readonly WriteOp<S>[],
): Promise<Float64Array> {
  const ids = new Float64Array(batch.length);
  const [only] = batch;
  if (batch.length === 1 && only !== undefined) {
    if (only.kind === 'attempt') {
      ids[0] = (await inserter.one.run(only.params)).lastID;
      return ids;
    }
    if (only.oneStatement === true) {
      await only.run(statements);
      return ids;
    }
  }
  await tx.begin.run([]);
  try {
    for (let i = 0; i < batch.length;) {
      const op = batch[i];
      if (op?.kind === 'other') {
        await op.run(statements);
        i++;
        continue;
      }
      let end = i;
      while (end < batch.length && batch[end]?.kind === 'attempt') end++;
      await insertAttempts(inserter, batch as readonly AttemptWrite[], i, end, ids);
      i = end;
    }
    await tx.commit.run([]);
  } catch (err) {
    // After SQLITE_FULL or an I/O error SQLite may have rolled back already; the ROLLBACK then fails, harmlessly.
    await tx.rollback.run([]).catch(() => undefined);
    throw err;
  }
  return ids;
}

/**
 * Inserts batch[from, to) (all attempts), `inserter.rows` at a time. The ids of a multi-row INSERT are
 * lastID-rows+1 … lastID: with INTEGER PRIMARY KEY each new rowid is max(rowid)+1, and no other writer can
 * interleave inside our BEGIN IMMEDIATE.
 */
async function insertAttempts(
  inserter: AttemptInserter,
  batch: readonly AttemptWrite[],
  from: number,
  to: number,
  ids: Float64Array,
): Promise<void> {
  const { one, many, rows } = inserter;
  let i = from;
  for (; to - i >= rows; i += rows) {
    const width = batch[i]?.params.length ?? 0;
    const params = new Array<SqlValue>(rows * width);
    for (let k = 0; k < rows; k++) {
      const row = batch[i + k]?.params ?? [];
      for (let c = 0; c < width; c++) params[k * width + c] = row[c] ?? null;
    }
    const result = await many.run(params);
    if (result.changes !== rows) throw new Error(`multi-row insert wrote ${result.changes} rows, not ${rows}`);
    for (let k = 0; k < rows; k++) ids[i + k] = result.lastID - rows + 1 + k;
  }
  for (; i < to; i++) ids[i] = (await one.run(batch[i]?.params ?? [])).lastID;
}

/**
 * One batch of register writes, carried out on the writer connection: a batch that one statement can carry (an
 * outcome update alone, or only attempts, up to `AttemptInserter.rows` of them: one INSERT of exactly that many rows)
 * as that statement alone (SQLite's autocommit: the statement is its transaction, one trip to node-sqlite3's thread
 * pool instead of three or more); anything else inside `BEGIN IMMEDIATE … COMMIT`, consecutive attempts
 * `AttemptInserter.rows` per INSERT and the rest in one INSERT of the rest's size. It either commits whole or throws
 * (rolled back).
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
  /** Nothing depends on how soon it is committed (it is journaled): it may wait for the writer's commit interval. */
  deferrable?: boolean;
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
  /** Nothing waits for its commit: it may wait for the writer's commit interval. */
  deferrable?: boolean;
}

export type WriteOp<S> = AttemptWrite | OtherWrite<S>;

/**
 * The attempts INSERT, prepared for every number of rows from 1 to `rows` (`sized[n - 1]` inserts n rows).
 * node-sqlite3 pays a trip to its thread pool per statement run, and at a few hundred calls per second each trip
 * costs more CPU than the row itself (waking a pool thread and the main thread again): a batch of n attempts is one
 * INSERT of n rows, not n INSERTs of one, so that a commit costs one trip whatever its size up to `rows`.
 */
export interface AttemptInserter {
  sized: readonly Statement[];
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
  if (batch.length === 1 && only?.kind === 'other' && only.oneStatement === true) {
    await only.run(statements);
    return ids;
  }
  if (batch.length <= inserter.rows && batch.every((op) => op.kind === 'attempt')) {
    await insertAttempts(inserter, batch, 0, batch.length, ids);
    return ids;
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
 * Inserts batch[from, to) (all attempts), `inserter.rows` at a time, the rest in one INSERT of its size. The ids of a
 * multi-row INSERT are lastID-n+1 … lastID: with INTEGER PRIMARY KEY each new rowid is max(rowid)+1, and no other
 * writer can interleave inside one statement (nor inside our BEGIN IMMEDIATE).
 */
async function insertAttempts(
  inserter: AttemptInserter,
  batch: readonly AttemptWrite[],
  from: number,
  to: number,
  ids: Float64Array,
): Promise<void> {
  for (let i = from; i < to;) {
    const n = Math.min(inserter.rows, to - i);
    const statement = inserter.sized[n - 1];
    if (statement === undefined) throw new Error(`no INSERT prepared for ${n} rows`);
    const first = batch[i]?.params;
    let params: readonly SqlValue[];
    if (n === 1 && first !== undefined) params = first;
    else {
      const width = first?.length ?? 0;
      const flat = new Array<SqlValue>(n * width);
      for (let k = 0; k < n; k++) {
        const row = batch[i + k]?.params ?? [];
        for (let c = 0; c < width; c++) flat[k * width + c] = row[c] ?? null;
      }
      params = flat;
    }
    const result = await statement.run(params);
    if (result.changes !== n) throw new Error(`multi-row insert wrote ${result.changes} rows, not ${n}`);
    for (let k = 0; k < n; k++) ids[i + k] = result.lastID - n + 1 + k;
    i += n;
  }
}

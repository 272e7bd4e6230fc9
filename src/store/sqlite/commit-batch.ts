/**
 * One batch of register writes, carried out on the writer connection: a batch that one statement can carry (a write
 * of one statement alone; only attempts, up to `AttemptInserter.rows` of them: one INSERT of all of them; only row
 * updates of distinct rows, up to `RowUpdater.rows`: one UPDATE) as that statement alone (SQLite's autocommit: the
 * statement is its transaction, one trip to node-sqlite3's thread pool instead of three or more); anything else inside
 * `BEGIN IMMEDIATE … COMMIT`, each run of consecutive attempts one INSERT (`AttemptInserter.rows` at most), each run of
 * consecutive row updates one UPDATE. It either commits whole or throws (rolled back).
 */
import { sqliteCode, type Statement } from './connection.js';

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
  /** The row as a JSON array of its values (the attempts journal's line, without its newline). */
  line: string;
  committed(id: number): void;
  failed(err: Error): void;
  /** The disk refused the write and it is held in memory (the spool) until it can be written. At most once. */
  spooled?(): void;
  /** Nothing depends on how soon it is committed (it is journaled): it may wait for the writer's commit interval. */
  deferrable?: boolean;
}

/** Any other write (a talk time alone, a mark): its own statements. */
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

/**
 * An update of one row that consecutive ones share ONE statement with (outcome updates, talk times: RowUpdater), as
 * attempts share their INSERT. Only updates of the same statement share one, and two updates of the same row never do
 * (the second goes in the next one, in order).
 */
export interface RowUpdateWrite {
  kind: 'update';
  /** The row it updates (the statement's RETURNING gives it back as `id`). */
  id: number;
  /** The statement it shares with the updates next to it; absent: the batch's own (commitBatch's `updater`). */
  updater?: RowUpdater;
  /**
   * Its values as a JSON array, asked for when its statement is built, once per try (something may join it until
   * then: register.ts' talk times).
   */
  line(): string;
  /** What the statement returned for its row (undefined: no such row), set before `committed()`. */
  returned: Readonly<Record<string, unknown>> | undefined;
  committed(): void;
  failed(err: Error): void;
  spooled?(): void;
  deferrable?: boolean;
}

export type WriteOp<S> = AttemptWrite | OtherWrite<S> | RowUpdateWrite;

/**
 * The UPDATE of any number of rows, up to `rows`, as ONE parameter: a JSON array of their lines (`UPDATE … FROM
 * jsonb_each(?1) AS u WHERE id = u.value->>… RETURNING id, …`): one trip to node-sqlite3's thread instead of one a row.
 */
export interface RowUpdater {
  statement: Statement;
  rows: number;
  /**
   * The same update by another statement, for the rows `statement` leaves out (returns nothing for): the register's
   * outcome updates that change whether a call reached anybody (rows.ts). Run after it, with those rows' lines only.
   */
  rest?: Statement;
}

/**
 * The attempts INSERT of any number of rows, up to `rows`, as ONE parameter: a JSON array of the rows' lines
 * (`INSERT … SELECT value->>0, … FROM jsonb_each(?)`). node-sqlite3 converts every bound value on the main thread
 * (≈ 10.5 µs a row of 24 values here, measured) and pays a trip to its thread pool per statement; one text parameter
 * costs the main thread ≈ 1 µs a row (the line is the journal's, already built), and SQLite parses it on its own
 * thread, faster than it took the values (35.9 → 23.2 µs of wall time a row in batches of 500, same run). A batch of
 * attempts is then one statement whatever its size, so the SQLite thread is never left waiting for the main thread
 * between statements.
 */
export interface AttemptInserter {
  statement: Statement;
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

/**
 * How many writes at the head of `batch` one statement carries alone (commitBatch then runs it without BEGIN and
 * COMMIT): a lone write of one statement, a run of attempts (`inserter.rows` at most), a run of updates of distinct
 * rows (`updater.rows` at most). 0 when the first write needs a transaction of its own (a mark: two statements).
 */
export function oneStatementRun<S>(
  inserter: AttemptInserter,
  updater: RowUpdater | undefined,
  batch: readonly WriteOp<S>[],
): number {
  const first = batch[0];
  if (first === undefined) return 0;
  if (first.kind === 'other') return first.oneStatement === true ? 1 : 0;
  if (first.kind === 'update') return (first.updater ?? updater) === undefined ? 0 : updatesEnd(updater, batch, 0);
  const most = Math.min(batch.length, inserter.rows);
  let end = 1;
  while (end < most && batch[end]?.kind === 'attempt') end++;
  return end;
}

/** Runs the batch; resolves with the new ids of its attempts (by position in the batch), or throws. */
export async function commitBatch<S>(
  tx: TransactionStatements,
  inserter: AttemptInserter,
  statements: S,
  batch: readonly WriteOp<S>[],
  updater?: RowUpdater,
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
  if (only?.kind === 'update' && updatesEnd(updater, batch, 0) === batch.length) {
    await updateRows(updater, batch as readonly RowUpdateWrite[], 0, batch.length);
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
      if (op?.kind === 'update') {
        const end = updatesEnd(updater, batch, i);
        await updateRows(updater, batch as readonly RowUpdateWrite[], i, end);
        i = end;
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
 * Inserts batch[from, to) (all attempts), `inserter.rows` at a time. The ids of a multi-row INSERT are lastID-n+1 …
 * lastID: with INTEGER PRIMARY KEY each new rowid is max(rowid)+1, jsonb_each gives the rows in the array's order (the
 * register's tests check ids against journal keys over a batch), and no other writer can interleave inside one
 * statement (nor inside our BEGIN IMMEDIATE).
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
    let rows = '[';
    for (let k = 0; k < n; k++) rows += (k === 0 ? '' : ',') + (batch[i + k]?.line ?? 'null');
    const result = await inserter.statement.run([`${rows}]`]);
    if (result.changes !== n) throw new Error(`multi-row insert wrote ${result.changes} rows, not ${n}`);
    for (let k = 0; k < n; k++) ids[i + k] = result.lastID - n + 1 + k;
    i += n;
  }
}

/**
 * Where the statement of the updates from batch[from] (an update) ends: at the first write of another kind or of
 * another statement, a row already in it, or its statement's `rows`. `updater`: the batch's, for updates without
 * their own.
 */
function updatesEnd<S>(updater: RowUpdater | undefined, batch: readonly WriteOp<S>[], from: number): number {
  const first = batch[from];
  const statement = first?.kind === 'update' ? (first.updater ?? updater) : undefined;
  const most = Math.min(batch.length, from + (statement?.rows ?? 1));
  const rows = new Set<number>();
  let end = from;
  for (; end < most; end++) {
    const op = batch[end];
    if (op?.kind !== 'update' || (op.updater ?? updater) !== statement || rows.has(op.id)) break;
    rows.add(op.id);
  }
  return end;
}

/**
 * Updates batch[from, to) (all updates of distinct rows, of one statement) with that statement, then those it returned
 * nothing for with its `rest`, if any; each gets its row back.
 */
async function updateRows(
  batchUpdater: RowUpdater | undefined,
  batch: readonly RowUpdateWrite[],
  from: number,
  to: number,
): Promise<void> {
  const updater = batch[from]?.updater ?? batchUpdater;
  if (updater === undefined) throw new Error('a row update without a RowUpdater');
  const lines: string[] = [];
  for (let k = from; k < to; k++) lines.push(batch[k]?.line() ?? 'null');
  const byId = new Map<number, Readonly<Record<string, unknown>>>();
  const returned = async (statement: Statement, of: readonly string[]) => {
    const rows = await statement.all<Readonly<Record<string, unknown>> & { id: number }>([`[${of.join(',')}]`]);
    for (const row of rows) byId.set(row.id, row);
  };
  await returned(updater.statement, lines);
  if (updater.rest !== undefined && byId.size < to - from) {
    const left = lines.filter((_, i) => !byId.has(batch[from + i]?.id ?? -1));
    await returned(updater.rest, left);
  }
  for (let k = from; k < to; k++) {
    const op = batch[k];
    if (op !== undefined) op.returned = byId.get(op.id);
  }
}

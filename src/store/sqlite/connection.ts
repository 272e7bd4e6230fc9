/**
 * A thin promise layer over the `sqlite3` package's callback API. Nothing else in crocetta imports `sqlite3`.
 * Every value reaches SQLite as a bound parameter; the SQL text is always a constant of our own.
 */
import sqlite3 from 'sqlite3';

export type SqlValue = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlValue[];

export interface RunResult {
  /** rowid of the last row inserted by this statement (meaningful for INSERT only). */
  lastID: number;
  /** rows changed by this statement. */
  changes: number;
}

/** The error `sqlite3` gives, with its SQLite code (`SQLITE_BUSY`, `SQLITE_FULL`...). */
export interface SqliteError extends Error {
  code?: string;
  errno?: number;
}

export interface OpenOptions {
  readOnly?: boolean;
}

/** One SQLite connection. Statements run one after another, in the order they are called (serialized mode). */
export class Connection {
  private closed = false;

  private constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, options: OpenOptions = {}): Promise<Connection> {
    const mode = options.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (err) => {
        if (err) reject(err);
        else {
          db.serialize();
          resolve(new Connection(db));
        }
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** How long SQLite waits for a lock held by another connection before SQLITE_BUSY. */
  setBusyTimeout(ms: number): void {
    this.db.configure('busyTimeout', ms);
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    });
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get<T>(sql, params, (err: Error | null, row: T | undefined) => {
        if (err) reject(err);
        else resolve(row);
      });
    });
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all<T>(sql, params, (err: Error | null, rows: T[]) => {
        if (err) reject(err);
        else resolve(rows);
      });
    });
  }

  /** Runs one or more statements without parameters (schema, PRAGMAs). */
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  prepare(sql: string): Promise<Statement> {
    return new Promise((resolve, reject) => {
      const stmt: sqlite3.Statement = this.db.prepare(sql, (err: Error | null) => {
        if (err) reject(err);
        else resolve(new Statement(stmt));
      });
    });
  }

  /**
   * Online backup (SQLite's backup API) of this connection's database into `file`: all pages in one step, so the
   * copy is one consistent snapshot even while other connections keep writing. A step that meets a lock
   * (SQLITE_BUSY/LOCKED) is tried again, every 50 ms, for at most `timeoutMs`.
   */
  backupTo(file: string, timeoutMs = 30_000): Promise<void> {
    interface Backup {
      step(pages: number, cb: (err: Error | null) => void): void;
      finish(cb: (err: Error | null) => void): void;
      readonly completed: boolean;
      readonly failed: boolean;
    }
    const db = this.db as unknown as { backup(file: string, cb: (err: Error | null) => void): Backup };
    const until = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const done = (backup: Backup, err: Error | null) =>
        backup.finish((finishErr) => {
          const failure = err ?? finishErr;
          if (failure) reject(failure);
          else resolve();
        });
      const step = (backup: Backup) =>
        backup.step(-1, (err) => {
          if (backup.completed) return done(backup, null);
          const code = sqliteCode(err);
          if (!backup.failed && (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') && Date.now() < until) {
            setTimeout(() => step(backup), 50);
            return;
          }
          done(backup, err ?? new Error(`backup to ${file} did not complete`));
        });
      const backup = db.backup(file, (err) => {
        if (err) reject(err);
        else step(backup);
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve, reject) => {
      this.db.close((err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }
}

/** A prepared statement, reused with new parameters on every run. */
export class Statement {
  constructor(private readonly stmt: sqlite3.Statement) {}

  run(params: SqlParams): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    });
  }

  /** Steps to the end (so that a statement with RETURNING is complete and reset) and returns every row. */
  all<T>(params: SqlParams): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.stmt.all<T>(params, (err: Error | null, rows: T[]) => {
        if (err) reject(err);
        else resolve(rows);
      });
    });
  }

  finalize(): Promise<void> {
    return new Promise((resolve) => {
      // finalize's callback reports no error worth acting on: the statement is gone either way.
      this.stmt.finalize(() => resolve());
    });
  }
}

/** The SQLite code of an error (`SQLITE_BUSY`...), or undefined when it is not an SQLite error. */
export function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && typeof (err as SqliteError).code === 'string') return (err as SqliteError).code;
  return undefined;
}

/**
 * The schema, as a numbered list of migrations. Migration N brings a database from `user_version` N-1 to N.
 * Never edit a migration that has shipped: append a new one.
 *
 * Sized for a register of ~10M attempts: times are INTEGER ms since epoch, the hot columns (caller_key, time,
 * refused_at) are plain columns, and the JSON of `reasons` is only read when showing rows, never in a WHERE.
 */
import type { Connection } from './sqlite.js';

export interface Migration {
  version: number;
  /** Why this migration exists, in a few words. */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'attempts register, numbers marks, marks history',
    sql: `
      CREATE TABLE attempts (
        id              INTEGER PRIMARY KEY,
        time            INTEGER NOT NULL,
        kind            TEXT    NOT NULL CHECK (kind IN ('call', 'message')),
        caller_key      TEXT,
        caller_e164     TEXT,
        caller_raw      TEXT,
        caller_name     TEXT,
        caller_source   TEXT    NOT NULL,
        withheld        INTEGER NOT NULL CHECK (withheld IN (0, 1)),
        called_number   TEXT,
        verdict         TEXT    NOT NULL,
        score           REAL    NOT NULL,
        reasons         TEXT    NOT NULL,          -- JSON array of Reason
        action          TEXT    NOT NULL,
        fail_open       INTEGER NOT NULL CHECK (fail_open IN (0, 1)),
        call_id         TEXT    NOT NULL,
        source_address  TEXT,
        user_agent      TEXT,
        outcome         TEXT    NOT NULL,
        final_status    INTEGER,
        outcome_at      INTEGER,                   -- when the last outcome was known
        refused_at      INTEGER,                   -- when the caller was refused (action or PBX), else NULL
        message_length  INTEGER,
        message_text    TEXT
      );
      CREATE INDEX attempts_caller_time ON attempts (caller_key, time);
      CREATE INDEX attempts_time ON attempts (time);
      CREATE INDEX attempts_called_time ON attempts (called_number, time);
      CREATE INDEX attempts_call_id ON attempts (call_id);

      -- The business's judgement of a number. A cleared mark keeps its row with label NULL.
      CREATE TABLE numbers (
        caller_key  TEXT PRIMARY KEY,
        label       TEXT CHECK (label IN ('nuisance', 'trusted')),
        marked_at   INTEGER,
        company     TEXT,
        category    TEXT,
        updated_at  INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX numbers_company ON numbers (company) WHERE company IS NOT NULL;
      CREATE INDEX numbers_category ON numbers (category) WHERE category IS NOT NULL;

      -- Every change of mark, for the panel; label 'none' is a clearing.
      CREATE TABLE mark_history (
        id          INTEGER PRIMARY KEY,
        caller_key  TEXT    NOT NULL,
        label       TEXT    NOT NULL CHECK (label IN ('nuisance', 'trusted', 'none')),
        company     TEXT,
        category    TEXT,
        at          INTEGER NOT NULL,
        by          TEXT    NOT NULL
      );
      CREATE INDEX mark_history_caller_at ON mark_history (caller_key, at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `database ${file} has schema version ${found}, this crocetta knows up to ${supported}: ` +
        'it was written by a newer crocetta; upgrade crocetta or use a backup made for this version',
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Brings the database to SCHEMA_VERSION, all pending migrations in one transaction (all or nothing).
 * Returns the versions it applied.
 */
export async function migrate(
  db: Connection,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const target = migrations.length;
  await db.run('BEGIN IMMEDIATE');
  try {
    const row = await db.get<{ user_version: number }>('PRAGMA user_version');
    const current = row?.user_version ?? 0;
    if (current > target) throw new SchemaTooNewError(file, current, target);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await db.exec(m.sql);
      applied.push(m.version);
    }
    // PRAGMA takes no bound parameters; the value is an integer from this module, never from input.
    if (applied.length > 0) await db.exec(`PRAGMA user_version = ${Math.trunc(target)}`);
    await db.run('COMMIT');
    return applied;
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * The schema, as a numbered list of migrations. Migration N brings a database from `user_version` N-1 to N.
 * Never edit a migration that has shipped: append a new one.
 *
 * Sized for a register of ~10M attempts: times are INTEGER ms since epoch, the hot columns (caller_key, time,
 * refused_at) are plain columns, and the JSON of `reasons` is only read when showing rows, never in a WHERE.
 */
import { knownCategoryKey } from '../../screening/categories.js';
import { silentLogger, type StoreLogger } from '../logger.js';
import type { Connection } from './connection.js';

export interface Migration {
  version: number;
  /** Why this migration exists, in a few words. */
  name: string;
  sql: string;
  /**
   * What SQL alone cannot do (a mapping the code keeps), run after `sql` in the same transaction; returns the rows
   * it changed per table, logged in one line.
   */
  rewrite?: (db: Connection) => Promise<Record<string, number>>;
}

/** The tables that keep a mark's category as stored. */
const CATEGORY_TABLES = ['numbers', 'mark_history', 'friend_reports'] as const;

/**
 * company_daily brought to the keys in temp.category_keys, a day's row at a time. Its category is NOCASE and every
 * spelling of a known category (either case) has the same key, so a row holds the marks of one key: a row whose
 * category is a case variant of its key (`Energy`) is already the key's row, and is only spelled as the key (it kept
 * the spelling of the mark that created it); any other (`energia`, ` Energia `) is added to the key's row of its day
 * and company, then dropped. The same rows as numbers_company_update moving each mark's days when numbers is
 * rewritten (company_daily is numbers' nuisance marks with a company joined with caller_daily, at all times), without
 * reading either table.
 */
const COMPANY_DAILY_BY_KEY = `
  INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
  SELECT c.day, c.company, 1, k.key, c.attempts, c.stopped
    FROM company_daily c JOIN temp.category_keys k ON k.category = c.category COLLATE BINARY
   WHERE c.has_category = 1 AND c.category <> k.key
  ON CONFLICT (day, company, has_category, category) DO UPDATE
    SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
  DELETE FROM company_daily
   WHERE has_category = 1
     AND category IN (SELECT category FROM temp.category_keys WHERE category <> key COLLATE NOCASE);
  UPDATE company_daily SET category = k.key
    FROM temp.category_keys k WHERE company_daily.has_category = 1 AND k.category = company_daily.category COLLATE BINARY;`;

/**
 * Migration 11: a known category stored as typed (`energia`, ` Telefonia `, `Telecomunicazioni`), as the JSON API,
 * the CLI and imports kept it before 1c619f6, becomes its key (`energy`, `telecom`), as they keep it since; any other
 * word stays as it is. The mapping is src/screening/categories.ts's when the migration runs, gathered first in
 * temp.category_keys (every category stored, company_daily's spellings too, that is not its key); then one UPDATE a
 * table. company_daily follows (COMPANY_DAILY_BY_KEY), so the rankings read one category; numbers_company_update,
 * which would move it a mark at a time (most of 15.2 s on a million marks, review42), is set aside while numbers is
 * rewritten and put back as it was (its SQL from sqlite_master), all in the migration's transaction.
 */
async function categoriesByKey(db: Connection): Promise<Record<string, number>> {
  // Dropped at the end; on a failure, the migration's ROLLBACK takes it away with the rest.
  await db.exec('CREATE TEMP TABLE category_keys (category TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID');
  const stored = await db.all<{ category: string }>(
    [...CATEGORY_TABLES, 'company_daily']
      .map((t) => `SELECT category COLLATE BINARY AS category FROM ${t} WHERE category IS NOT NULL`)
      .join(' UNION '),
  );
  let mapped = 0;
  for (const { category } of stored) {
    const key = knownCategoryKey(category);
    if (key === undefined || key === category) continue;
    await db.run('INSERT INTO temp.category_keys (category, key) VALUES (?, ?)', [category, key]);
    mapped++;
  }
  const changed: Record<string, number> = {};
  for (const table of CATEGORY_TABLES) changed[table] = 0;
  if (mapped > 0) {
    const trigger = await db.get<{ sql: string }>(
      "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'numbers_company_update'",
    );
    if (trigger === undefined) throw new Error('migration 11: trigger numbers_company_update not found');
    await db.exec(COMPANY_DAILY_BY_KEY);
    await db.exec('DROP TRIGGER numbers_company_update');
    for (const table of CATEGORY_TABLES) {
      const sql = `UPDATE ${table} SET category = k.key FROM temp.category_keys k WHERE ${table}.category = k.category`;
      changed[table] = (await db.run(sql)).changes;
    }
    await db.exec(trigger.sql);
  }
  await db.exec('DROP TABLE temp.category_keys');
  return changed;
}

/**
 * Migration 14's snapshot (never edited, as the migrations are): whether the attempt `row` (NEW, OLD or `a`) reached no
 * PBX, as its row says: let through (not stopped: never refused by crocetta's own action) and the plan found none
 * (no-pbx) or could not read the number called (unroutable), or the caller did not pass the human check, or the PBX
 * did not answer or said it was unavailable (408, 503), or crocetta found no PBX at the forward (failed 480) or the
 * proxy failed (failed, no status). aggregates.ts UNREACHED is this on `a`. 0 or 1, never NULL.
 */
const unreached14 = (row: string): string => `(NOT (substr(${row}.action, 1, 6) IN ('reject', 'hangup')
              OR substr(${row}.action, 1, 8) = 'announce') AND (
            ${row}.action IN ('no-pbx', 'unroutable')
            OR COALESCE(${row}.check_result, '') IN ('no-digit', 'wrong-digit', 'hung-up')
            OR (${row}.outcome IN ('timeout', 'declined', 'failed') AND COALESCE(${row}.final_status, 0) IN (408, 503))
            OR (${row}.outcome = 'failed' AND COALESCE(${row}.final_status, 480) = 480)))`;

/**
 * Migration 16's snapshot (never edited): unreached14, but a forward that rang out is not undelivered: drachtio's own
 * 408 (`timeout` 408) known 120 s or more after the attempt came is its Timer C's (185 s; Timer B's, 32 s, when the PBX
 * never answered at all), so the PBX had answered provisionally: it rang, nobody answered (unreached.ts RANG_OUT_MS).
 */
const unreached16 = (row: string): string => `(NOT (substr(${row}.action, 1, 6) IN ('reject', 'hangup')
              OR substr(${row}.action, 1, 8) = 'announce') AND (
            ${row}.action IN ('no-pbx', 'unroutable')
            OR COALESCE(${row}.check_result, '') IN ('no-digit', 'wrong-digit', 'hung-up')
            OR (${row}.outcome IN ('timeout', 'declined', 'failed') AND COALESCE(${row}.final_status, 0) IN (408, 503)
                AND NOT (${row}.outcome = 'timeout' AND ${row}.final_status = 408
                         AND COALESCE(${row}.outcome_at - ${row}.time, 0) >= 120000))
            OR (${row}.outcome = 'failed' AND COALESCE(${row}.final_status, 480) = 480)))`;

/** Migration 14: NEW's local day, as the insert trigger counts it. */
const NEW_DAY_14 = `(NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000`;

/**
 * Migration 14: whether the aggregates hold NEW now: no rebuild under way, or one still emptying (it empties them all
 * before it begins), or NEW above its watermark (the insert trigger's) or behind its cursor (in a chunk added:
 * aggregates.ts nextChunk's ranges, callers first, then the attempts without a caller by time).
 */
const COUNTED_14 = `NOT EXISTS (SELECT 1 FROM settings r WHERE r.key = 'aggregates.rebuild'
            AND r.value->>'emptying' IS NOT 1
            AND NOT COALESCE(NEW.id > r.value->>'watermark', 0)
            AND NOT COALESCE(NEW.caller_key IS NOT NULL
                             AND (r.value->>'callersDone' IS 1 OR NEW.caller_key <= r.value->>'callerCursor'), 0)
            AND NOT COALESCE(NEW.caller_key IS NULL AND NEW.time < r.value->>'nullCursor', 0))`;

/** The schema version from which a known category is kept as its key (migration 11: categoriesByKey). */
export const CATEGORIES_BY_KEY = 11;

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
  {
    version: 2,
    name: 'panel: per-day aggregates kept by trigger, time zone offsets, runtime settings',
    sql: `
      -- The business time zone's UTC offsets (written at start by src/store/aggregates.ts), so that the trigger
      -- can bucket attempts by the office's calendar day. Empty = UTC.
      CREATE TABLE time_zone_offsets (
        since_ms   INTEGER PRIMARY KEY,
        offset_ms  INTEGER NOT NULL
      );

      -- Attempts per local day and caller: rankings (joined to numbers for companies) and top offenders.
      -- stopped = refused by crocetta's own action (refused_at set at insert).
      CREATE TABLE caller_daily (
        caller_key  TEXT    NOT NULL,
        day         INTEGER NOT NULL,
        attempts    INTEGER NOT NULL,
        stopped     INTEGER NOT NULL,
        PRIMARY KEY (caller_key, day)
      ) WITHOUT ROWID;
      CREATE INDEX caller_daily_day ON caller_daily (day, caller_key, attempts, stopped);

      -- Attempts per local day, called number, verdict and stopped: the dashboard's counts and chart.
      CREATE TABLE daily_totals (
        day            INTEGER NOT NULL,
        called_number  TEXT    NOT NULL,
        verdict        TEXT    NOT NULL,
        stopped        INTEGER NOT NULL,
        attempts       INTEGER NOT NULL,
        PRIMARY KEY (day, called_number, verdict, stopped)
      ) WITHOUT ROWID;

      -- Kept in the same transaction as each insert, whoever writes the attempt.
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
        VALUES (
          (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                 ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
          COALESCE(NEW.called_number, ''), NEW.verdict, NEW.refused_at IS NOT NULL, 1)
        ON CONFLICT (day, called_number, verdict, stopped) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key,
               (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               1, NEW.refused_at IS NOT NULL
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      -- Settings changed at run time (panel), overlaid on the config at start; also the panel's secrets
      -- (admin password scrypt hash, session signing key) and which time zone the aggregates were built in.
      CREATE TABLE settings (
        key         TEXT PRIMARY KEY,
        value       TEXT    NOT NULL,
        updated_at  INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Attempts already in the register, bucketed by UTC day; aggregates.ts rebuilds them in the configured zone.
      INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
        SELECT time / 86400000, COALESCE(called_number, ''), verdict, refused_at IS NOT NULL, COUNT(*)
          FROM attempts GROUP BY 1, 2, 3, 4;
      INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT caller_key, time / 86400000, COUNT(*), SUM(refused_at IS NOT NULL)
          FROM attempts WHERE caller_key IS NOT NULL GROUP BY 1, 2;
      INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.timeZone', '"UTC"', 0);
    `,
  },
  {
    version: 3,
    name: 'announcement outcome: ms of message played, who hung up',
    sql: `
      ALTER TABLE attempts ADD COLUMN played_ms INTEGER;  -- ms of the recorded message sent (announcements only)
      ALTER TABLE attempts ADD COLUMN hung_up_by TEXT CHECK (hung_up_by IN ('caller', 'crocetta'));
    `,
  },
  {
    version: 4,
    name: 'sharing: numbers we called (CDR import), friends and their feeds, appeals',
    sql: `
      -- Numbers the business called (Asterisk CDR import...): the "we called them" safety net, loaded at start.
      CREATE TABLE called_numbers (
        caller_key  TEXT PRIMARY KEY,
        last_at     INTEGER NOT NULL,
        calls       INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Friends whose signed feeds we pull (src/sharing/feeds): URL, Ed25519 public key, trust weight, pull state.
      CREATE TABLE friends (
        id            INTEGER PRIMARY KEY,
        name          TEXT    NOT NULL UNIQUE,
        url           TEXT    NOT NULL,
        public_key    TEXT    NOT NULL,          -- base64 SPKI DER
        token         TEXT    NOT NULL,          -- bearer token their feed wants
        weight        REAL    NOT NULL,
        version       INTEGER NOT NULL DEFAULT 0,  -- last feed version merged (monotone)
        etag          TEXT,
        last_pull_at  INTEGER,
        last_error    TEXT,
        added_at      INTEGER NOT NULL
      );

      -- What each friend reports, merged from its feed; a tombstone deletes the row.
      CREATE TABLE friend_reports (
        friend_id   INTEGER NOT NULL REFERENCES friends (id) ON DELETE CASCADE,
        caller_key  TEXT    NOT NULL,
        company     TEXT,
        category    TEXT,
        attempts    INTEGER NOT NULL,
        first_seen  INTEGER,
        last_seen   INTEGER,
        PRIMARY KEY (friend_id, caller_key)
      ) WITHOUT ROWID;
      CREATE INDEX friend_reports_caller ON friend_reports (caller_key);

      -- A wrongly listed caller cleared on appeal: the reason is kept, and the clearing travels in our feed.
      CREATE TABLE appeals (
        id          INTEGER PRIMARY KEY,
        caller_key  TEXT    NOT NULL,
        reason      TEXT    NOT NULL,
        at          INTEGER NOT NULL,
        by          TEXT    NOT NULL
      );
      CREATE INDEX appeals_caller ON appeals (caller_key, at);
    `,
  },
  {
    version: 5,
    name: 'rankings: all-time attempts of heavy callers, attempts per company and day (re-attributed when a mark changes)',
    sql: `
      -- All-time attempts of the heavy callers, those with 16 attempts or more (call centres). A caller's attempts in
      -- any period are at most its all-time total, so the numbers ranking walks them from the heaviest down and
      -- stops as soon as nobody left can enter the top N (src/store/rank-numbers.ts); everyone else has made
      -- fewer than 16. Only heavy callers have a row, so an occasional caller's attempt writes nothing here: the
      -- table stays small, and a register of a million callers does not pay one more random page per attempt.
      CREATE TABLE caller_totals (
        caller_key  TEXT    PRIMARY KEY,
        attempts    INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO caller_totals (caller_key, attempts)
        SELECT caller_key, SUM(attempts) FROM caller_daily GROUP BY caller_key HAVING SUM(attempts) >= 16;
      CREATE INDEX caller_totals_attempts ON caller_totals (attempts, caller_key);

      -- Attempts per local day of the numbers marked nuisance for a company, by lower(trim(company)) and category
      -- (has_category 0 with category '' when the mark has none): the companies ranking. The attempt trigger adds
      -- to the caller's company of the moment; the triggers on numbers move the caller's whole history when its
      -- mark changes, so a later mark re-attributes past attempts, as when the company was looked up per query.
      CREATE TABLE company_daily (
        day           INTEGER NOT NULL,
        company       TEXT    NOT NULL,
        has_category  INTEGER NOT NULL,
        category      TEXT    NOT NULL COLLATE NOCASE,
        attempts      INTEGER NOT NULL,
        stopped       INTEGER NOT NULL,
        PRIMARY KEY (day, company, has_category, category)
      ) WITHOUT ROWID;
      INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE,
               SUM(d.attempts), SUM(d.stopped)
          FROM numbers m JOIN caller_daily d ON d.caller_key = m.caller_key
         WHERE m.label = 'nuisance' AND m.company <> ''
         GROUP BY d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE;

      DROP TRIGGER attempts_daily_aggregates;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
        VALUES (
          (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                 ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
          COALESCE(NEW.called_number, ''), NEW.verdict, NEW.refused_at IS NOT NULL, 1)
        ON CONFLICT (day, called_number, verdict, stopped) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key,
               (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               1, NEW.refused_at IS NOT NULL
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        UPDATE caller_totals SET attempts = attempts + 1 WHERE caller_key = NEW.caller_key;
        -- A caller becomes heavy: its days (a few rows, on the page just written) are summed once.
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, (SELECT SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key)
         WHERE NEW.caller_key IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM caller_totals WHERE caller_key = NEW.caller_key)
           AND (SELECT SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key) >= 16;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1, NEW.refused_at IS NOT NULL
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      CREATE TRIGGER numbers_company_insert AFTER INSERT ON numbers
      WHEN NEW.label = 'nuisance' AND NEW.company <> ''
      BEGIN
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT d.day, lower(trim(NEW.company)), NEW.category IS NOT NULL, COALESCE(NEW.category, ''), d.attempts, d.stopped
          FROM caller_daily d WHERE d.caller_key = NEW.caller_key
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
      END;
      CREATE TRIGGER numbers_company_delete AFTER DELETE ON numbers
      WHEN OLD.label = 'nuisance' AND OLD.company <> ''
      BEGIN
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT d.day, lower(trim(OLD.company)), OLD.category IS NOT NULL, COALESCE(OLD.category, ''), -d.attempts, -d.stopped
          FROM caller_daily d WHERE d.caller_key = OLD.caller_key
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
        DELETE FROM company_daily
         WHERE day IN (SELECT day FROM caller_daily WHERE caller_key = OLD.caller_key)
           AND company = lower(trim(OLD.company)) AND has_category = (OLD.category IS NOT NULL)
           AND category = COALESCE(OLD.category, '') AND attempts = 0 AND stopped = 0;
      END;
      -- Fires only when the attribution can change (a re-mark with the same values costs nothing).
      CREATE TRIGGER numbers_company_update AFTER UPDATE OF caller_key, label, company, category ON numbers
      WHEN ((OLD.label = 'nuisance' AND OLD.company <> '') OR (NEW.label = 'nuisance' AND NEW.company <> ''))
       AND NOT (OLD.caller_key = NEW.caller_key AND OLD.label IS NEW.label AND OLD.company IS NEW.company
                AND OLD.category IS NEW.category)
      BEGIN
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT d.day, lower(trim(OLD.company)), OLD.category IS NOT NULL, COALESCE(OLD.category, ''), -d.attempts, -d.stopped
          FROM caller_daily d WHERE d.caller_key = OLD.caller_key AND OLD.label = 'nuisance' AND OLD.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
        DELETE FROM company_daily
         WHERE day IN (SELECT day FROM caller_daily WHERE caller_key = OLD.caller_key)
           AND company = lower(trim(OLD.company)) AND has_category = (OLD.category IS NOT NULL)
           AND category = COALESCE(OLD.category, '') AND attempts = 0 AND stopped = 0;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT d.day, lower(trim(NEW.company)), NEW.category IS NOT NULL, COALESCE(NEW.category, ''), d.attempts, d.stopped
          FROM caller_daily d WHERE d.caller_key = NEW.caller_key AND NEW.label = 'nuisance' AND NEW.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
      END;
    `,
  },
  {
    version: 6,
    name: 'talk time of forwarded calls the PBX answered (from drachtio-server CDRs)',
    sql: `
      ALTER TABLE attempts ADD COLUMN talk_ms INTEGER;  -- ms from the PBX's answer to the BYE; forwarded calls only
    `,
  },
  {
    version: 7,
    name: 'the PBX registered to crocetta: its bindings survive a restart',
    sql: `
      CREATE TABLE pbx_bindings (
        aor             TEXT    NOT NULL,          -- canonical To URI, sip:user@host
        contact         TEXT    NOT NULL,          -- the Contact URI as registered
        expires_at      INTEGER NOT NULL,          -- ms since epoch; expired rows are ignored, dropped at the next change
        updated_at      INTEGER NOT NULL,
        call_id         TEXT    NOT NULL,
        cseq            INTEGER NOT NULL,
        source_address  TEXT    NOT NULL,          -- where the REGISTER came from (the PBX's address after NAT)
        source_port     INTEGER NOT NULL,
        transport       TEXT    NOT NULL,
        user_agent      TEXT,
        PRIMARY KEY (aor, contact)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'the human check: its result and how long it took',
    sql: `
      -- passed | no-digit | wrong-digit | hung-up; NULL when the attempt had no check. (CHECK is a keyword: check_result.)
      ALTER TABLE attempts ADD COLUMN check_result TEXT CHECK (check_result IN ('passed', 'no-digit', 'wrong-digit', 'hung-up'));
      ALTER TABLE attempts ADD COLUMN check_ms INTEGER;  -- ms from the answer to the result
      -- The callers who passed, read at start for check.rememberDays.
      CREATE INDEX attempts_check_passed ON attempts (time) WHERE check_result = 'passed';
    `,
  },
  {
    version: 9,
    name: "attempts' journal key: a row written to the answer's journal is found again by it at replay",
    sql: `
      -- The key the row had in the attempts journal (src/store/register/journal.ts); NULL when it was never
      -- journaled. Unique, so a replay after a crash inserts only what the register does not have yet.
      ALTER TABLE attempts ADD COLUMN journal_key INTEGER;
      CREATE UNIQUE INDEX attempts_journal_key ON attempts (journal_key) WHERE journal_key IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: 'cheaper per-attempt aggregates: one caller_totals upsert, no call_id index; stopped = crocetta refused',
    sql: `
      -- The aggregate trigger ran five statements per attempt, two of them (caller_totals: an UPDATE, then an INSERT
      -- guarded by NOT EXISTS and two sums of the caller's days) a fifth of SQLite's whole work per inserted attempt
      -- (instructions counted under callgrind, 20k attempts). One upsert from the caller's days does the same: a
      -- caller below 16 attempts writes nothing, a heavy one gets its sum. And "stopped" is what crocetta refused
      -- by its own action (the dashboard's "how many crocetta stopped"), by the action, as the register writes
      -- refused_at at insert; the rebuild counted refused_at IS NOT NULL, so a call the PBX declined later (an
      -- outcome update) was not stopped until a change of time zone rebuilt the aggregates, and then it was.
      DROP TRIGGER attempts_daily_aggregates;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
        VALUES (
          (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                 ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
          COALESCE(NEW.called_number, ''), NEW.verdict,
          substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce', 1)
        ON CONFLICT (day, called_number, verdict, stopped) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key,
               (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               1, substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key
        HAVING SUM(attempts) >= 16
        ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1,
               substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      -- Only the CSV import's duplicate check looked attempts up by call_id, together with the caller and the time:
      -- attempts_caller_time finds those as well. One index fewer to write per attempt.
      DROP INDEX attempts_call_id;

      -- The aggregates again from the attempts, with stopped as above: forgetting which zone they were built in makes
      -- the next start rebuild them in the configured one (src/store/reports/aggregates.ts), before any report.
      DELETE FROM settings WHERE key = 'aggregates.timeZone';
    `,
  },
  {
    version: CATEGORIES_BY_KEY,
    name: 'categories kept as typed brought to their key (energia -> energy)',
    sql: '-- no schema change: the rewrite maps the stored categories (categoriesByKey)',
    rewrite: categoriesByKey,
  },
  {
    version: 12,
    name: "the dashboard's calls let through that no PBX took (action no-pbx) counted apart from those that passed",
    sql: `
      -- daily_totals gains a dimension, unreached: the call was let through but no PBX was there to take it (pbx.uri
      -- empty and none registered: answered 480), which the register writes as its action (no-pbx), decided before
      -- the attempt is written, never updated: the trigger and the rebuild count it alike (aggregates.ts). Rows of
      -- before this migration have no such action: unreached 0, as a rebuild would count them. A small table (days x
      -- called numbers x verdicts): rewritten whole. The trigger goes first (a rename checks every trigger's tables).
      DROP TRIGGER attempts_daily_aggregates;
      CREATE TABLE daily_totals_next (
        day            INTEGER NOT NULL,
        called_number  TEXT    NOT NULL,
        verdict        TEXT    NOT NULL,
        stopped        INTEGER NOT NULL,
        unreached      INTEGER NOT NULL,
        attempts       INTEGER NOT NULL,
        PRIMARY KEY (day, called_number, verdict, stopped, unreached)
      ) WITHOUT ROWID;
      INSERT INTO daily_totals_next (day, called_number, verdict, stopped, unreached, attempts)
        SELECT day, called_number, verdict, stopped, 0, attempts FROM daily_totals;
      DROP TABLE daily_totals;
      ALTER TABLE daily_totals_next RENAME TO daily_totals;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        VALUES (
          (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                 ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
          COALESCE(NEW.called_number, ''), NEW.verdict,
          substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce',
          NEW.action = 'no-pbx', 1)
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key,
               (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               1, substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key
        HAVING SUM(attempts) >= 16
        ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1,
               substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;
    `,
  },
  {
    version: 13,
    name: "the dashboard's calls let through that could not be forwarded (action unroutable, 404/414) counted undelivered",
    sql: `
      -- A request let through whose called number crocetta could not read (action unroutable, refused 404 or 414)
      -- reached no PBX either: counted unreached (undelivered) with no-pbx, by its action, written at the insert and
      -- never updated, as the rebuild counts it (aggregates.ts UNREACHED). Never stopped: stopped 0.
      DROP TRIGGER attempts_daily_aggregates;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        VALUES (
          (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                 ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
          COALESCE(NEW.called_number, ''), NEW.verdict,
          substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce',
          NEW.action IN ('no-pbx', 'unroutable'), 1)
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key,
               (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               1, substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key
        HAVING SUM(attempts) >= 16
        ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT (NEW.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= NEW.time
                                      ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000,
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1,
               substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      -- The unroutable attempts written before move from passed (unreached 0) to unreached, by day, called number and
      -- verdict as the trigger counted them (the zone's offsets in force): one pass over the attempts. Only when the
      -- aggregates are complete (their zone recorded, no rebuild under way); else the next start's rebuild empties
      -- them and counts every attempt as above.
      CREATE TEMP TABLE unroutable_days AS
        SELECT (a.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= a.time
                                    ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000 AS day,
               COALESCE(a.called_number, '') AS called_number, a.verdict AS verdict, COUNT(*) AS n
          FROM attempts a
         WHERE a.action = 'unroutable'
           AND EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.timeZone')
           AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.rebuild')
         GROUP BY 1, 2, 3;
      UPDATE daily_totals SET attempts = attempts - u.n
        FROM temp.unroutable_days u
       WHERE daily_totals.day = u.day AND daily_totals.called_number = u.called_number
         AND daily_totals.verdict = u.verdict AND daily_totals.stopped = 0 AND daily_totals.unreached = 0;
      DELETE FROM daily_totals WHERE stopped = 0 AND unreached = 0 AND attempts = 0;
      INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT day, called_number, verdict, 0, 1, n FROM temp.unroutable_days WHERE true
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + excluded.attempts;
      DROP TABLE temp.unroutable_days;
    `,
  },
  {
    version: 14,
    name: "the dashboard's calls let through that reached nobody, known from their outcome, counted undelivered",
    sql: `
      -- Undelivered (unreached) is no longer only what the plan knew (no-pbx, unroutable) but also what the outcome
      -- says (unreached14): the check not passed, the PBX not answering or unavailable, no PBX at the forward. The
      -- insert trigger counts it from the row as inserted (an outcome known before the commit is in it).
      DROP TRIGGER attempts_daily_aggregates;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        VALUES (
          ${NEW_DAY_14},
          COALESCE(NEW.called_number, ''), NEW.verdict,
          substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce',
          ${unreached14('NEW')}, 1)
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key, ${NEW_DAY_14},
               1, substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key
        HAVING SUM(attempts) >= 16
        ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT ${NEW_DAY_14},
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1,
               substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      -- An outcome update that changes whether the attempt reached anybody moves its count in daily_totals, from
      -- unreached OLD to unreached NEW (stopped is the action's, never updated: 0 for either). Only when the
      -- aggregates hold the attempt (COUNTED_14); otherwise a rebuild counts it later from the row as it is then, and
      -- its mark's "moved" goes up: a chunk counted before this update (a read, outside the write lock) is then not
      -- added, the rebuild seeing its mark moved counts it again (aggregates.ts). Rankings count no such dimension.
      CREATE TRIGGER attempts_outcome_aggregates AFTER UPDATE OF outcome, final_status, check_result ON attempts
      WHEN ${unreached14('OLD')} <> ${unreached14('NEW')}
      BEGIN
        UPDATE daily_totals SET attempts = attempts - 1
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached14('OLD')} AND ${COUNTED_14};
        DELETE FROM daily_totals
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached14('OLD')} AND attempts = 0;
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT ${NEW_DAY_14}, COALESCE(NEW.called_number, ''), NEW.verdict, 0, ${unreached14('NEW')}, 1
         WHERE ${COUNTED_14}
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        UPDATE settings SET value = json_set(value, '$.moved', COALESCE(value->>'moved', 0) + 1)
         WHERE key = 'aggregates.rebuild' AND NOT ${COUNTED_14};
      END;

      -- The attempts written before that the outcome says reached nobody (and were not no-pbx or unroutable, already
      -- unreached) move from passed to unreached, by day, called number and verdict as the trigger counted them: one
      -- pass over the attempts. Only when the aggregates are complete (their zone recorded, no rebuild under way);
      -- else the next start's rebuild empties them and counts every attempt as above.
      CREATE TEMP TABLE outcome_unreached_days AS
        SELECT (a.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= a.time
                                    ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000 AS day,
               COALESCE(a.called_number, '') AS called_number, a.verdict AS verdict, COUNT(*) AS n
          FROM attempts a
         WHERE ${unreached14('a')} AND a.action NOT IN ('no-pbx', 'unroutable')
           AND EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.timeZone')
           AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.rebuild')
         GROUP BY 1, 2, 3;
      UPDATE daily_totals SET attempts = attempts - u.n
        FROM temp.outcome_unreached_days u
       WHERE daily_totals.day = u.day AND daily_totals.called_number = u.called_number
         AND daily_totals.verdict = u.verdict AND daily_totals.stopped = 0 AND daily_totals.unreached = 0;
      DELETE FROM daily_totals WHERE stopped = 0 AND unreached = 0 AND attempts = 0;
      INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT day, called_number, verdict, 0, 1, n FROM temp.outcome_unreached_days WHERE true
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + excluded.attempts;
      DROP TABLE temp.outcome_unreached_days;
    `,
  },
  {
    version: 15,
    name: "undelivered moved by the register's outcome updates that change it, not a trigger on every update; SMS index",
    sql: `
      -- Migration 14's outcome trigger ran on every outcome update (its WHEN evaluated, false for nearly all: ~6 µs of
      -- SQLite's thread a forwarded call). It goes: the register's outcome UPDATE of attempts leaves out the rows whose
      -- undelivered class it would change (rows.ts) and writes those few through the view attempt_outcomes, whose
      -- triggers write the row and move its count as migration 14's trigger did (the same statements; COUNTED_14 and
      -- the rebuild mark's "moved" as there). The start's replay of journaled outcomes and the ending of stale
      -- forwards write through the view as well. An UPDATE of attempts' outcome columns by hand moves nothing (a
      -- rebuild recounts: aggregates.ts).
      DROP TRIGGER attempts_outcome_aggregates;
      CREATE VIEW attempt_outcomes AS
        SELECT id, journal_key, time, caller_key, called_number, verdict, action, outcome, final_status, outcome_at,
               refused_at, played_ms, hung_up_by, check_result, check_ms, talk_ms
          FROM attempts;
      -- Only the outcome's columns are written; the others of the view are read (where, the count's cell).
      CREATE TRIGGER attempt_outcomes_write INSTEAD OF UPDATE ON attempt_outcomes
      BEGIN
        UPDATE attempts
           SET outcome = NEW.outcome, final_status = NEW.final_status, outcome_at = NEW.outcome_at,
               refused_at = NEW.refused_at, played_ms = NEW.played_ms, hung_up_by = NEW.hung_up_by,
               check_result = NEW.check_result, check_ms = NEW.check_ms, talk_ms = NEW.talk_ms
         WHERE id = OLD.id;
      END;
      CREATE TRIGGER attempt_outcomes_aggregates INSTEAD OF UPDATE ON attempt_outcomes
      WHEN ${unreached14('OLD')} <> ${unreached14('NEW')}
      BEGIN
        UPDATE daily_totals SET attempts = attempts - 1
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached14('OLD')} AND ${COUNTED_14};
        DELETE FROM daily_totals
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached14('OLD')} AND attempts = 0;
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT ${NEW_DAY_14}, COALESCE(NEW.called_number, ''), NEW.verdict, 0, ${unreached14('NEW')}, 1
         WHERE ${COUNTED_14}
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        UPDATE settings SET value = json_set(value, '$.moved', COALESCE(value->>'moved', 0) + 1)
         WHERE key = 'aggregates.rebuild' AND NOT ${COUNTED_14};
      END;

      -- The register's SMS view (kind=message) walked the time index through every call; messages are few.
      CREATE INDEX attempts_message_time ON attempts (time) WHERE kind = 'message';
    `,
  },
  {
    version: 16,
    name: "the dashboard's forwarded calls that rang and were not answered (drachtio's 408 after Timer C) counted passed",
    sql: `
      -- A forward the PBX answered provisionally (it rang) and never finally ends in drachtio-server's own 408 after
      -- its Timer C (185 s); one the PBX never answered at all, after Timer B (32 s). drachtio-server reports neither a
      -- provisional nor its 408 to the app, so both were timeout 408 and undelivered; the first reached the office
      -- and rang: passed, as an unanswered call (unreached16: the outcome 120 s or more after the attempt). The insert
      -- trigger and attempt_outcomes' count by it, as migrations 14 and 15 wrote them otherwise.
      DROP TRIGGER attempts_daily_aggregates;
      CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts
      BEGIN
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        VALUES (
          ${NEW_DAY_14},
          COALESCE(NEW.called_number, ''), NEW.verdict,
          substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce',
          ${unreached16('NEW')}, 1)
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        INSERT INTO caller_daily (caller_key, day, attempts, stopped)
        SELECT NEW.caller_key, ${NEW_DAY_14},
               1, substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
         WHERE NEW.caller_key IS NOT NULL
        ON CONFLICT (caller_key, day) DO UPDATE SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
        INSERT INTO caller_totals (caller_key, attempts)
        SELECT NEW.caller_key, SUM(attempts) FROM caller_daily WHERE caller_key = NEW.caller_key
        HAVING SUM(attempts) >= 16
        ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;
        INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
        SELECT ${NEW_DAY_14},
               lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, ''), 1,
               substr(NEW.action, 1, 6) IN ('reject', 'hangup') OR substr(NEW.action, 1, 8) = 'announce'
          FROM numbers m
         WHERE m.caller_key = NEW.caller_key AND m.label = 'nuisance' AND m.company <> ''
        ON CONFLICT (day, company, has_category, category) DO UPDATE
          SET attempts = attempts + 1, stopped = stopped + excluded.stopped;
      END;

      DROP TRIGGER attempt_outcomes_aggregates;
      CREATE TRIGGER attempt_outcomes_aggregates INSTEAD OF UPDATE ON attempt_outcomes
      WHEN ${unreached16('OLD')} <> ${unreached16('NEW')}
      BEGIN
        UPDATE daily_totals SET attempts = attempts - 1
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached16('OLD')} AND ${COUNTED_14};
        DELETE FROM daily_totals
         WHERE day = ${NEW_DAY_14} AND called_number = COALESCE(NEW.called_number, '') AND verdict = NEW.verdict
           AND stopped = 0 AND unreached = ${unreached16('OLD')} AND attempts = 0;
        INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT ${NEW_DAY_14}, COALESCE(NEW.called_number, ''), NEW.verdict, 0, ${unreached16('NEW')}, 1
         WHERE ${COUNTED_14}
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + 1;
        UPDATE settings SET value = json_set(value, '$.moved', COALESCE(value->>'moved', 0) + 1)
         WHERE key = 'aggregates.rebuild' AND NOT ${COUNTED_14};
      END;

      -- The forwards already in the register that rang out move from undelivered to passed, by day, called number
      -- and verdict as the trigger counted them: one pass over the attempts (their timeouts). Only when the
      -- aggregates are complete (their zone recorded, no rebuild under way); else the next start's rebuild, started
      -- over at this schema, counts every attempt by today's rule.
      CREATE TEMP TABLE rang_out_days AS
        SELECT (a.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= a.time
                                    ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000 AS day,
               COALESCE(a.called_number, '') AS called_number, a.verdict AS verdict, COUNT(*) AS n
          FROM attempts a
         WHERE a.outcome = 'timeout' AND ${unreached14('a')} AND NOT ${unreached16('a')}
           AND EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.timeZone')
           AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'aggregates.rebuild')
         GROUP BY 1, 2, 3;
      UPDATE daily_totals SET attempts = attempts - u.n
        FROM temp.rang_out_days u
       WHERE daily_totals.day = u.day AND daily_totals.called_number = u.called_number
         AND daily_totals.verdict = u.verdict AND daily_totals.stopped = 0 AND daily_totals.unreached = 1;
      DELETE FROM daily_totals WHERE stopped = 0 AND unreached = 1 AND attempts = 0;
      INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
        SELECT day, called_number, verdict, 0, 0, n FROM temp.rang_out_days WHERE true
        ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + excluded.attempts;
      DROP TABLE temp.rang_out_days;
    `,
  },
  {
    version: 17,
    name: '"let the next call through": the overrides the office set survive a restart',
    sql: `
      -- A number the office asked to let through once, whatever its mark or evidence: pending until a call uses it
      -- (the register deletes the row after that call's attempt; at start, one whose attempt is in the register but
      -- whose deletion a crash lost is dropped: load-index.ts), or until the office withdraws it. Set again: a new time.
      CREATE TABLE let_through (
        caller_key  TEXT    PRIMARY KEY,
        set_at      INTEGER NOT NULL,          -- ms since epoch; a call at or after it with reason allow-next used it
        by          TEXT    NOT NULL           -- panel | api | cli (as mark_history's)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 18,
    name: "a mark says where it came from: the office's own, or an import (which format)",
    sql: `
      -- NULL: the office marked the number itself (panel, API, CLI); otherwise the import that wrote the mark, as its
      -- history entry's by (import:json, import:csv for a crocetta export; import:fritzbox, import:list, ...). Marking
      -- by hand sets it back to NULL. Marks from before this version have NULL (their history keeps what is known).
      ALTER TABLE numbers ADD COLUMN mark_source TEXT;
      CREATE INDEX numbers_mark_source ON numbers (caller_key) WHERE mark_source IS NOT NULL;
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
 * The database's schema version (PRAGMA user_version; 0 for a new file), as it is: what an export reads it at
 * (sharing/export.ts) and what the aggregates' rebuild started on (reports/aggregates.ts). Refused when too new only
 * by knownSchemaVersion.
 */
export async function schemaVersionOf(db: Connection): Promise<number> {
  return (await db.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0;
}

/**
 * The database's schema version (schemaVersionOf), refused with SchemaTooNewError when above `target`: a register
 * written by a newer crocetta. migrate's check at the start, and `crocetta restore`'s on a backup before it is put in
 * place.
 */
export async function knownSchemaVersion(db: Connection, file: string, target = SCHEMA_VERSION): Promise<number> {
  const current = await schemaVersionOf(db);
  if (current > target) throw new SchemaTooNewError(file, current, target);
  return current;
}

/** The line logged before pending migrations run on an existing register (migrate). */
export const MIGRATING = 'register schema migrating; crocetta starts (SIP, the panel, a command) once it is done';

/**
 * Brings the database to SCHEMA_VERSION, all pending migrations in one transaction (all or nothing).
 * Returns the versions it applied; a migration's rewrite logs the rows it changed (on a register that existed before).
 */
export async function migrate(
  db: Connection,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
  logger: StoreLogger = silentLogger,
): Promise<number[]> {
  const target = migrations.length;
  await db.run('BEGIN IMMEDIATE');
  try {
    const current = await knownSchemaVersion(db, file, target);
    // Said before the work on a register that has rows to carry (not a new file): a rewrite of a big one (migration
    // 11) takes a while, and nothing (SIP, the panel, a CLI command) starts until it is done.
    if (current > 0 && current < target) logger.info({ file, from: current, to: target }, MIGRATING);
    const applied: number[] = [];
    const rewrites: Array<{ m: Migration; changed: Record<string, number> }> = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await db.exec(m.sql);
      if (m.rewrite) {
        const changed = await m.rewrite(db);
        // A register created now (version 0) has no rows to carry: its rewrite changed nothing and goes unsaid, so a
        // first start or a first CLI command does not report migrating categories nobody typed yet.
        if (current > 0) rewrites.push({ m, changed });
      }
      applied.push(m.version);
    }
    // PRAGMA takes no bound parameters; the value is an integer from this module, never from input.
    if (applied.length > 0) await db.exec(`PRAGMA user_version = ${Math.trunc(target)}`);
    await db.run('COMMIT');
    for (const { m, changed } of rewrites) {
      const rows = Object.values(changed).reduce((a, b) => a + b, 0);
      logger.info({ file, migration: m.version, rows, ...changed }, `register migration: ${m.name}`);
    }
    return applied;
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

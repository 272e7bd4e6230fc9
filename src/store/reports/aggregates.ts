/**
 * The per-day aggregates (caller_daily, daily_totals, company_daily; caller_totals) are kept by triggers in the
 * same transaction as each attempt insert or mark change (migrations 2, 5 and 10). Their days are the business's
 * calendar days: this module writes the configured time zone's UTC offsets into `time_zone_offsets` and, when the
 * zone differs from the one the aggregates were built in (first start after migration 10, or a changed
 * `timeZone`), rebuilds them from the attempts.
 *
 * The rebuild runs while calls are recorded (the service starts it in the background: SIP does not wait for it),
 * in short transactions, so the attempt writer never waits long for the write lock:
 *
 *   0. caller_daily, the large table, is emptied a range of callers per short transaction (`empty()`).
 *   1. begin (one transaction): the zone's offsets are rewritten, the four tables emptied (caller_daily of what the
 *      trigger added meanwhile), and the highest attempt id read: the watermark. From its commit on, the insert trigger
 *      counts every new attempt (id above the watermark) in the new zone, in the emptied tables.
 *   2. chunks of attempts up to the watermark, a range of callers each, then those without a caller by ranges of time
 *      (`nextChunk`): each chunk is first counted into temporary tables (a read: no
 *      write lock), then added to the aggregates in one short transaction that also moves the cursor. Attempts are
 *      never deleted and the columns counted (time, caller, called number, verdict, action) are never updated, so an
 *      attempt at or below the watermark is counted once, by its chunk, and one above it once, by the trigger. Only
 *      whether it reached anybody (UNREACHED) changes with an outcome update: the register's update moves its count
 *      (the view attempt_outcomes' trigger, migration 15, for the few updates that change it; migration 14's outcome
 *      trigger before) when the aggregates hold it (no mark, above the watermark, or behind the cursor: added), else
 *      counts up the mark's `moved`, so that a chunk counted before that update is not added: the mark it was counted
 *      from is no longer the mark (MarkMoved), and the chunk is counted again from the rows as they are.
 *      company_daily is added from the chunk's caller days joined to the marks of the moment, inside the write
 *      transaction, as the mark triggers move a caller's whole counted history when a mark changes: it stays the
 *      caller days of marked callers at every commit. caller_totals is set from the caller's counted days, as the
 *      trigger sets it.
 *   3. end (one transaction): the zone is recorded and the rebuild's mark removed.
 *
 * The mark (settings `aggregates.rebuild`: zone, schema version, watermark, cursor) is committed with each chunk, so
 * a crash or a kill leaves the next start able to go on from the last chunk committed; a different zone or schema
 * version starts over. Until the end, `aggregates.timeZone` is absent: the aggregates are not complete.
 */
import { offsetChanges } from './local-days.js';
import { stoppedSql, unreachedSql } from '../register/unreached.js';
import type { StoreLogger } from '../logger.js';
import type { Connection } from '../sqlite/connection.js';
import { schemaVersionOf } from '../sqlite/migrations.js';

const ZONE_KEY = 'aggregates.timeZone';
const REBUILD_KEY = 'aggregates.rebuild';

/** What the panel tells: counted, or being rebuilt (attempts counted so far of those to count). */
export type AggregatesStatus = { state: 'ready' } | { state: 'rebuilding'; done: number; total: number };

interface RebuildMark {
  timeZone: string;
  /** The schema version it started on (PRAGMA user_version): a migration since starts it over. */
  schema: number;
  /** Attempts with id up to the watermark are the rebuild's; those above it, the trigger's. */
  watermark: number;
  /** Attempts to count (up to the watermark), and counted so far. */
  total: number;
  counted: number;
  /** Callers counted up to this one (null: none yet); then the attempts without a caller, from this time on. */
  callerCursor: string | null;
  callersDone: boolean;
  nullCursor: number | null;
  startedAt: number;
  /** Set while caller_daily is being emptied, before the beginning (the other fields are absent then). */
  emptying?: boolean;
  /**
   * Outcome updates that changed whether an attempt not yet counted reached anybody (attempt_outcomes' trigger's,
   * migration 15; migration 14's outcome trigger's before).
   */
  moved?: number;
}

/** The offset in force at the attempt's time, as the trigger looks it up (0 before the first change). */
export const LOCAL_DAY = `(a.time + COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= a.time
                                         ORDER BY since_ms DESC LIMIT 1), 0)) / 86400000`;

/**
 * Stopped: crocetta refused the caller by its own action (isRefusalAction: reject…, announce…, hangup…), as the
 * trigger counts it (migration 10); a call the PBX declined later is not one.
 */
export const STOPPED = stoppedSql('a.action');

/**
 * Unreached (undelivered): let through, but it reached no PBX, as the row says (unreached.ts: the plan found none or
 * could not read the number, the check not passed, the PBX silent or unavailable, no PBX at the forward; not a
 * forward that rang out, drachtio's 408 after its Timer C). The insert
 * trigger counts it from the row as inserted; an outcome update that changes it moves the count (the register's
 * updates through the view attempt_outcomes, migration 15; migration 14's outcome trigger before): the dashboard
 * counts it apart from the calls that passed. Never stopped as well. 0 or 1.
 */
export const UNREACHED = unreachedSql({
  action: 'a.action',
  check: 'a.check_result',
  outcome: 'a.outcome',
  status: 'a.final_status',
  time: 'a.time',
  outcomeAt: 'a.outcome_at',
});

const CHUNK_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS rebuild_totals (
    day INTEGER NOT NULL, called_number TEXT NOT NULL, verdict TEXT NOT NULL, stopped INTEGER NOT NULL,
    unreached INTEGER NOT NULL, attempts INTEGER NOT NULL);
  CREATE TEMP TABLE IF NOT EXISTS rebuild_callers (
    caller_key TEXT NOT NULL, day INTEGER NOT NULL, attempts INTEGER NOT NULL, stopped INTEGER NOT NULL,
    PRIMARY KEY (caller_key, day)) WITHOUT ROWID;`;

/**
 * A chunk is a range of callers (through attempts(caller_key, time)): its caller days are added next to each other
 * in caller_daily, and in caller_daily_day next to each other within each day, so a transaction writes few pages.
 * (A range of attempt ids, in time order, scattered its caller days over the whole of caller_daily: on 10M attempts
 * each chunk rewrote most of the table's pages.) Then the attempts without a caller, by ranges of time.
 */
interface Chunk {
  /** SQL condition on `a` (the chunk's attempts, before the watermark is applied) and its parameters. */
  where: string;
  params: Array<string | number>;
  /** The mark once the chunk is added. */
  next: (mark: RebuildMark) => RebuildMark;
}

/** The last key of the next range: ?1 the range's start, ?2 attempts in it − 1. */
const NEXT_CALLER_FROM = `SELECT caller_key AS k FROM attempts WHERE caller_key >= ?1 ORDER BY caller_key LIMIT 1 OFFSET ?2`;
const NEXT_CALLER_AFTER = `SELECT caller_key AS k FROM attempts WHERE caller_key > ?1 ORDER BY caller_key LIMIT 1 OFFSET ?2`;
const NEXT_TIME = `SELECT time AS k FROM attempts WHERE caller_key IS NULL AND time >= ?1 ORDER BY time LIMIT 1 OFFSET ?2`;

async function nextChunk(db: Connection, mark: RebuildMark, size: number): Promise<Chunk | null> {
  if (!mark.callersDone) {
    const after = mark.callerCursor;
    const lower = after === null ? 'a.caller_key >= ?1' : 'a.caller_key > ?1';
    const from = after ?? '';
    const end = await db.get<{ k: string }>(after === null ? NEXT_CALLER_FROM : NEXT_CALLER_AFTER, [from, size - 1]);
    if (end === undefined)
      return { where: lower, params: [from], next: (m) => ({ ...m, callerCursor: null, callersDone: true }) };
    return {
      where: `${lower} AND a.caller_key <= ?2`,
      params: [from, end.k],
      next: (m) => ({ ...m, callerCursor: end.k }),
    };
  }
  if (mark.nullCursor === Number.MAX_SAFE_INTEGER) return null;
  const from = mark.nullCursor ?? Number.MIN_SAFE_INTEGER;
  const end = await db.get<{ k: number }>(NEXT_TIME, [from, size - 1]);
  // [from, until): until past the last time of the range (the same millisecond is never split).
  const until = end === undefined ? Number.MAX_SAFE_INTEGER : Math.max(end.k, from + 1);
  return {
    where: 'a.caller_key IS NULL AND a.time >= ?1 AND a.time < ?2',
    params: [from, until],
    next: (m) => ({ ...m, nullCursor: until }),
  };
}

/** The chunk's counts into the temporary tables: reads only, the write lock is not taken. ?`wm` the watermark. */
function countSql(where: string, wm: number): string[] {
  return [
    'DELETE FROM temp.rebuild_totals',
    'DELETE FROM temp.rebuild_callers',
    `INSERT INTO temp.rebuild_totals (day, called_number, verdict, stopped, unreached, attempts)
     SELECT ${LOCAL_DAY}, COALESCE(a.called_number, ''), a.verdict, ${STOPPED}, ${UNREACHED}, COUNT(*)
       FROM attempts a WHERE ${where} AND a.id <= ?${wm}
      GROUP BY 1, 2, 3, 4, 5`,
    `INSERT INTO temp.rebuild_callers (caller_key, day, attempts, stopped)
     SELECT a.caller_key, ${LOCAL_DAY}, COUNT(*), SUM(${STOPPED})
       FROM attempts a WHERE ${where} AND a.caller_key IS NOT NULL AND a.id <= ?${wm}
      GROUP BY 1, 2`,
  ];
}

/**
 * The chunk's counts added to the aggregates (inside the write transaction), and the totals of its callers, whose
 * days are all counted now (the trigger, meanwhile, sets a caller's total from its days counted so far, as here).
 */
const ADD_CHUNK = `
  INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
  SELECT day, called_number, verdict, stopped, unreached, attempts FROM temp.rebuild_totals WHERE true
  ON CONFLICT (day, called_number, verdict, stopped, unreached) DO UPDATE SET attempts = attempts + excluded.attempts;
  INSERT INTO caller_daily (caller_key, day, attempts, stopped)
  SELECT caller_key, day, attempts, stopped FROM temp.rebuild_callers WHERE true
  ON CONFLICT (caller_key, day) DO UPDATE
    SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
  INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
  SELECT d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE,
         SUM(d.attempts), SUM(d.stopped)
    FROM temp.rebuild_callers d CROSS JOIN numbers m ON m.caller_key = d.caller_key
   WHERE m.label = 'nuisance' AND m.company <> ''
   GROUP BY d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE
  ON CONFLICT (day, company, has_category, category) DO UPDATE
    SET attempts = attempts + excluded.attempts, stopped = stopped + excluded.stopped;
  INSERT INTO caller_totals (caller_key, attempts)
  SELECT c.caller_key, SUM(c.attempts) FROM caller_daily c
   WHERE c.caller_key IN (SELECT caller_key FROM temp.rebuild_callers)
   GROUP BY c.caller_key HAVING SUM(c.attempts) >= 16
  ON CONFLICT (caller_key) DO UPDATE SET attempts = excluded.attempts;`;

/** Emptied by the beginning (caller_daily of what the trigger added since the emptying), one statement each. */
const BEGIN_TABLES = ['daily_totals', 'caller_daily', 'caller_totals', 'company_daily'] as const;

/**
 * The first and last attempt ids, each from the end of the rowid tree. Not `SELECT MIN(id), MAX(id)`: SQLite's
 * min/max optimization takes one aggregate only, and with two it scanned all the attempts, inside the beginning's
 * write transaction (768 ms on 10M, the attempt writer waiting all along).
 */
export const ATTEMPT_IDS_SQL = 'SELECT (SELECT MIN(id) FROM attempts) AS first, (SELECT MAX(id) FROM attempts) AS last';

/** The write transaction aimed at (RebuildOptions.holdMs). */
const HOLD_MS = 40;

const SET_SETTING = `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

export interface RebuildOptions {
  /** Attempts in the first chunk; later chunks are sized to hold the write lock about `holdMs`. @defaultValue 1000 */
  chunkAttempts?: number;
  /**
   * The write transaction a chunk (or an emptying delete) aims at, in ms. @defaultValue 40: the attempt writer waits
   * that long plus its busy handler's next retry (SQLite's sleeps of 1, 2, 5, 10, 15, 20, 25… ms); at 100 the chunks
   * held 106 ms at p50 and 240 at p99 on 10M attempts, the writer's p99 158 ms.
   */
  holdMs?: number;
  /** Pause between chunks, in ms, so the attempt writer finds the lock free. @defaultValue 20 */
  pauseMs?: number;
  /** Milliseconds between two progress lines in the log. @defaultValue 30000 */
  progressLogMs?: number;
  /** Tests: called at each step, awaited (attempts written there race the rebuild at that point). */
  onStep?: (step: 'emptying' | 'begun' | 'counted' | 'added') => Promise<void> | void;
  /** caller_daily rows the first emptying transaction deletes (then sized as the chunks). @defaultValue 20000 */
  emptyRows?: number;
}

export interface RebuildStats {
  /** Transactions that added a chunk of attempts; before them, that emptied caller_daily. */
  chunks: number;
  emptyChunks: number;
  /** Time spent counting chunks (reads, no lock), waiting for the write lock, and holding it, in ms. */
  countMs: number;
  waitMs: number;
  holdMs: number;
  /** The longest write transaction, ms (BEGIN IMMEDIATE granted to COMMIT done), and the beginning's. */
  maxHoldMs: number;
  beginHoldMs: number;
  /** The beginning's statements, ms each (its COMMIT included), in order: where its hold goes. */
  beginSteps: Record<string, number>;
  ms: number;
}

async function readMarks(db: Connection): Promise<{ zone: unknown; mark: RebuildMark | null }> {
  const rows = await db.all<{ key: string; value: string }>('SELECT key, value FROM settings WHERE key IN (?, ?)', [
    ZONE_KEY,
    REBUILD_KEY,
  ]);
  const value = (key: string): unknown => {
    const row = rows.find((r) => r.key === key);
    return row === undefined ? null : (JSON.parse(row.value) as unknown);
  };
  return { zone: value(ZONE_KEY), mark: (value(REBUILD_KEY) as RebuildMark | null) ?? null };
}

/** True when the aggregates are not (completely) counted in `timeZone`: a rebuild is needed, or one is under way. */
export async function aggregatesNeedRebuild(db: Connection, timeZone: string): Promise<boolean> {
  const { zone, mark } = await readMarks(db);
  return zone !== timeZone || mark !== null;
}

/** The next transaction's size, to hold the write lock about `holdMs` after one of `size` held it `held` ms (×0.5 … ×2). */
function resized(size: number, held: number, holdMs: number): number {
  return Math.round(size * Math.min(2, Math.max(0.5, holdMs / Math.max(held, 1))));
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** Another rebuild moved the mark since this one read it: its chunk is not added (rolled back). */
class MarkMoved extends Error {}

/** Runs `fn` inside BEGIN IMMEDIATE … COMMIT; returns its value and how long the write lock was held, in ms. */
async function writeTransaction<T>(
  db: Connection,
  fn: () => Promise<T>,
): Promise<{ value: T; held: number; waited: number }> {
  const asked = performance.now();
  await db.run('BEGIN IMMEDIATE');
  const granted = performance.now();
  try {
    const value = await fn();
    await db.run('COMMIT');
    return { value, held: performance.now() - granted, waited: granted - asked };
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * One rebuild of the aggregates in `timeZone` on its own connection `db`, run by `run()`: from the start, or on from
 * where a stopped one left off. `status()` is what the panel shows meanwhile.
 */
export class AggregatesRebuild {
  private done = 0;
  private total = 0;
  private finished = false;
  /**
   * A rebuild of a register with no attempt (a new register's first start): its three lines ("rebuild needed",
   * "started", "rebuilt" for 0 attempts) are debug, not info: on a first install they read as a problem.
   */
  private quiet = false;

  /** A rebuild's own lines: info, or debug when quiet. */
  private say(obj: object, msg: string): void {
    if (this.quiet) this.logger.debug?.(obj, msg);
    else this.logger.info(obj, msg);
  }
  private readonly abort = new AbortController();
  readonly stats: RebuildStats = {
    chunks: 0,
    emptyChunks: 0,
    countMs: 0,
    waitMs: 0,
    holdMs: 0,
    maxHoldMs: 0,
    beginHoldMs: 0,
    beginSteps: {},
    ms: 0,
  };

  constructor(
    private readonly db: Connection,
    private readonly timeZone: string,
    private readonly logger: StoreLogger,
    private readonly options: RebuildOptions = {},
  ) {}

  status(): AggregatesStatus {
    return this.finished ? { state: 'ready' } : { state: 'rebuilding', done: this.done, total: this.total };
  }

  /** Stops between two chunks (what was committed stays; the next start goes on from there). */
  stop(): void {
    this.abort.abort();
  }

  /**
   * Rebuilds to the end (true), or until stop() (false). Rejects on an SQLite error (the mark stays). Another
   * rebuild of the same register at the same time (the command line while the service rebuilds) is noticed at the
   * next chunk's write, which checks that the mark is still the one its chunk was counted from: this one then goes
   * on from the other's mark (or ends, when the other finished).
   */
  async run(): Promise<boolean> {
    for (;;) {
      try {
        return await this.runOnce();
      } catch (err) {
        if (!(err instanceof MarkMoved)) throw err;
      }
    }
  }

  private async runOnce(): Promise<boolean> {
    const { db, timeZone, logger, options } = this;
    const signal = this.abort.signal;
    const step = async (name: 'emptying' | 'begun' | 'counted' | 'added') => options.onStep?.(name);
    const started = performance.now();
    const { zone, mark: found } = await readMarks(db);
    const schema = await schemaVersionOf(db);
    let mark =
      found !== null && found.emptying !== true && found.timeZone === timeZone && found.schema === schema
        ? found
        : null;
    if (mark === null && found === null && zone === timeZone) {
      this.finished = true; // nothing (more) to do: counted in this zone
      return true;
    }
    const holdMs = options.holdMs ?? HOLD_MS;
    const pauseMs = options.pauseMs ?? 20;
    if (mark === null) {
      this.quiet = (await db.get<{ last: number | null }>(ATTEMPT_IDS_SQL))?.last == null;
      if (!(await this.empty(schema, zone))) return this.stopped();
      const offsets = offsetChanges(timeZone);
      const steps = this.stats.beginSteps;
      let lapped = 0;
      const lap = (name: string) => {
        const now = performance.now();
        steps[name] = Math.round(now - lapped);
        lapped = now;
      };
      const begun = await writeTransaction(db, async (): Promise<RebuildMark> => {
        lapped = performance.now();
        await db.run('DELETE FROM settings WHERE key = ?', [ZONE_KEY]);
        await db.run('DELETE FROM time_zone_offsets');
        // One statement for the ~220 offsets (1990–2100), not one round trip to SQLite's thread each while the
        // write lock is held (the likely rest of the beginning's 1.5 s on 10M attempts under load; not measured apart).
        await db.run(
          `INSERT INTO time_zone_offsets (since_ms, offset_ms)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`,
          [JSON.stringify(offsets.map((c) => [c.sinceMs, c.offsetMs]))],
        );
        lap('offsets');
        for (const table of BEGIN_TABLES) {
          await db.run(`DELETE FROM ${table}`);
          lap(table);
        }
        // Read under the write lock: every attempt committed from here on has a higher id, and the trigger's.
        const ids = await db.get<{ first: number | null; last: number | null }>(ATTEMPT_IDS_SQL);
        // Attempts are never deleted: the ids up to the watermark are as many as the attempts.
        const total = ids?.last == null || ids.first == null ? 0 : ids.last - ids.first + 1;
        const value: RebuildMark = {
          timeZone,
          schema,
          watermark: ids?.last ?? 0,
          total,
          counted: 0,
          callerCursor: null,
          callersDone: false,
          nullCursor: null,
          startedAt: Date.now(),
        };
        await db.run(SET_SETTING, [REBUILD_KEY, JSON.stringify(value), Date.now()]);
        lap('watermark');
        return value;
      });
      lap('commit');
      mark = begun.value;
      this.stats.beginHoldMs = begun.held;
      this.stats.maxHoldMs = Math.max(this.stats.maxHoldMs, begun.held);
      this.say(
        { from: zone, to: timeZone, attempts: mark.total, holdMs: Math.round(this.stats.beginHoldMs), steps },
        'register aggregates: rebuild started (the dashboard and rankings are incomplete until it ends)',
      );
      await step('begun');
    } else {
      logger.info(
        { to: timeZone, attempts: mark.total, counted: mark.counted },
        'register aggregates: rebuild resumed where the previous run left it',
      );
    }
    this.total = mark.total;
    this.done = mark.counted;

    await db.exec(CHUNK_TABLES);
    let size = Math.max(1, options.chunkAttempts ?? 1000);
    const smallest = Math.min(100, size);
    const progressLogMs = options.progressLogMs ?? 30_000;
    let lastLog = performance.now();
    for (;;) {
      if (signal.aborted) return this.stopped();
      const base: RebuildMark = mark;
      const chunk = await nextChunk(db, base, size);
      if (chunk === null) break;
      const countStart = performance.now();
      const params = [...chunk.params, base.watermark];
      const [clearTotals, clearCallers, countTotals, countCallers] = countSql(chunk.where, params.length);
      await db.exec(`${clearTotals}; ${clearCallers}`);
      await db.run(countTotals ?? '', params);
      await db.run(countCallers ?? '', params);
      const counted =
        (await db.get<{ n: number | null }>('SELECT SUM(attempts) AS n FROM temp.rebuild_totals'))?.n ?? 0;
      this.stats.countMs += performance.now() - countStart;
      await step('counted');
      const next: RebuildMark = { ...chunk.next(base), counted: base.counted + counted };
      const { held, waited } = await writeTransaction(db, async () => {
        const now = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [REBUILD_KEY]);
        // Compared as JSON values: the outcome update's trigger rewrites the mark with SQLite's json_set.
        if (now === undefined || JSON.stringify(JSON.parse(now.value)) !== JSON.stringify(base)) throw new MarkMoved();
        await db.exec(ADD_CHUNK);
        await db.run(SET_SETTING, [REBUILD_KEY, JSON.stringify(next), Date.now()]);
      });
      mark = next;
      this.done = next.counted;
      this.stats.chunks++;
      this.stats.maxHoldMs = Math.max(this.stats.maxHoldMs, held);
      this.stats.holdMs += held;
      this.stats.waitMs += waited;
      // The next chunk holds the lock about holdMs (at most twice or half this one's size).
      size = Math.max(smallest, resized(size, held, holdMs));
      await step('added');
      if (performance.now() - lastLog >= progressLogMs) {
        lastLog = performance.now();
        logger.info(
          {
            to: timeZone,
            counted: this.done,
            attempts: this.total,
            percent: Math.floor((100 * this.done) / Math.max(1, this.total)),
          },
          'register aggregates: rebuild under way',
        );
      }
      if (pauseMs > 0) await sleep(pauseMs, signal);
    }
    await writeTransaction(db, async () => {
      await db.run('DELETE FROM settings WHERE key = ?', [REBUILD_KEY]);
      await db.run(SET_SETTING, [ZONE_KEY, JSON.stringify(timeZone), Date.now()]);
    });
    await db.exec('DROP TABLE IF EXISTS temp.rebuild_totals; DROP TABLE IF EXISTS temp.rebuild_callers');
    this.finished = true;
    this.stats.ms = performance.now() - started;
    this.say(
      {
        from: zone,
        to: timeZone,
        attempts: this.total,
        chunks: this.stats.chunks,
        emptyChunks: this.stats.emptyChunks,
        ms: Math.round(this.stats.ms),
        maxHoldMs: Math.round(this.stats.maxHoldMs),
        beginHoldMs: Math.round(this.stats.beginHoldMs),
        beginSteps: this.stats.beginSteps,
      },
      'register aggregates rebuilt for the time zone',
    );
    return true;
  }

  /**
   * Empties caller_daily (millions of rows on a large register: 2.8 s in one DELETE on 10M attempts, the attempt
   * writer waiting all along) a range of callers at a time, each in its own short transaction, before the beginning's
   * transaction, which then empties the rest (what the trigger added meanwhile) and the small tables. First the zone
   * is forgotten and the mark says emptying: after a stop or a crash here the next start empties again. False when
   * stopped.
   */
  private async empty(schema: number, zone: unknown): Promise<boolean> {
    const { db, timeZone, options, logger } = this;
    const holdMs = options.holdMs ?? HOLD_MS;
    const pauseMs = options.pauseMs ?? 20;
    const progressLogMs = options.progressLogMs ?? 30_000;
    // The operator's first word of the rebuild: emptying takes minutes on a large register, before "rebuild started".
    this.say(
      { from: zone, to: timeZone },
      "register aggregates: rebuild needed; emptying the per-caller days first (the dashboard, rankings, number pages and the register's ticks are incomplete until it ends; calls are not affected)",
    );
    await writeTransaction(db, async () => {
      await db.run('DELETE FROM settings WHERE key = ?', [ZONE_KEY]);
      await db.run(SET_SETTING, [REBUILD_KEY, JSON.stringify({ timeZone, schema, emptying: true }), Date.now()]);
    });
    let rows = Math.max(1, options.emptyRows ?? 20_000);
    let deleted = 0;
    let lastLog = performance.now();
    for (;;) {
      if (this.abort.signal.aborted) return false;
      const {
        value: more,
        held,
        waited,
      } = await writeTransaction(db, async () => {
        const end = await db.get<{ k: string }>(
          'SELECT caller_key AS k FROM caller_daily ORDER BY caller_key LIMIT 1 OFFSET ?',
          [rows - 1],
        );
        // Fewer than a transaction's worth left: deleted here too, so that the beginning deletes only what the trigger
        // adds from now on.
        if (end === undefined) {
          deleted += (await db.run('DELETE FROM caller_daily')).changes;
          return false;
        }
        deleted += (await db.run('DELETE FROM caller_daily WHERE caller_key <= ?', [end.k])).changes;
        return true;
      });
      this.stats.emptyChunks++;
      this.stats.maxHoldMs = Math.max(this.stats.maxHoldMs, held);
      this.stats.waitMs += waited;
      if (!more) return true;
      if (performance.now() - lastLog >= progressLogMs) {
        lastLog = performance.now();
        logger.info(
          { to: timeZone, rowsDeleted: deleted, transactions: this.stats.emptyChunks },
          'register aggregates: emptying the per-caller days before the rebuild',
        );
      }
      await options.onStep?.('emptying');
      rows = Math.max(Math.min(1000, rows), resized(rows, held, holdMs));
      if (pauseMs > 0) await sleep(pauseMs, this.abort.signal);
    }
  }

  private stopped(): false {
    this.logger.info(
      { to: this.timeZone, counted: this.done, attempts: this.total },
      'register aggregates: rebuild stopped; the next start goes on from here',
    );
    return false;
  }
}

/**
 * Makes the aggregates count days in `timeZone`, rebuilding them to the end before it resolves (the command line,
 * tests, benches; the service rebuilds in the background: panel-store.ts). Returns true when it had to rebuild them.
 */
export async function ensureAggregateTimeZone(
  db: Connection,
  timeZone: string,
  logger: StoreLogger,
  options: RebuildOptions = {},
): Promise<boolean> {
  if (!(await aggregatesNeedRebuild(db, timeZone))) return false;
  await new AggregatesRebuild(db, timeZone, logger, { pauseMs: 0, ...options }).run();
  return true;
}

/**
 * The per-day aggregates (caller_daily, daily_totals, company_daily; caller_totals) are kept by triggers in the
 * same transaction as each attempt insert or mark change (migrations 2 and 5). Their days are the business's
 * calendar days: this module writes the configured time zone's UTC offsets into `time_zone_offsets` and, when the
 * zone differs from the one the aggregates were built in (first start after the upgrade, or a changed `timeZone`),
 * rebuilds them from the attempts.
 */
import { offsetChanges } from './local-days.js';
import type { StoreLogger } from '../logger.js';
import type { Connection } from '../sqlite/connection.js';

const ZONE_KEY = 'aggregates.timeZone';

/**
 * The offset in force over each span of time, [since_ms, until_ms), with offset 0 before the first change (as the
 * trigger's COALESCE): the rebuild joins the attempts to these few spans through attempts(time), instead of
 * looking the offset up once per attempt.
 */
const ZONE_SPANS = `(
  SELECT since_ms, offset_ms, LEAD(since_ms, 1, 9223372036854775807) OVER (ORDER BY since_ms) AS until_ms
    FROM time_zone_offsets
  UNION ALL
  SELECT -9223372036854775808, 0, COALESCE(MIN(since_ms), 9223372036854775807) FROM time_zone_offsets)`;

/**
 * Stopped: crocetta refused the caller by its own action (isRefusalAction: reject…, announce…, hangup…), as the
 * trigger counts it (migration 10); a call the PBX declined later is not one.
 */
const STOPPED = "(substr(a.action, 1, 6) IN ('reject', 'hangup') OR substr(a.action, 1, 8) = 'announce')";

const REBUILD_SQL = `
  DELETE FROM daily_totals;
  DELETE FROM caller_daily;
  DELETE FROM caller_totals;
  DELETE FROM company_daily;
  INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
    SELECT (a.time + z.offset_ms) / 86400000, COALESCE(a.called_number, ''), a.verdict, ${STOPPED}, COUNT(*)
      FROM ${ZONE_SPANS} z JOIN attempts a ON a.time >= z.since_ms AND a.time < z.until_ms
     GROUP BY 1, 2, 3, 4;
  INSERT INTO caller_daily (caller_key, day, attempts, stopped)
    SELECT a.caller_key, (a.time + z.offset_ms) / 86400000, COUNT(*), SUM(${STOPPED})
      FROM ${ZONE_SPANS} z JOIN attempts a ON a.time >= z.since_ms AND a.time < z.until_ms
     WHERE a.caller_key IS NOT NULL
     GROUP BY 1, 2;
  INSERT INTO caller_totals (caller_key, attempts)
    SELECT caller_key, SUM(attempts) FROM caller_daily GROUP BY caller_key HAVING SUM(attempts) >= 16;
  INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
    SELECT d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE,
           SUM(d.attempts), SUM(d.stopped)
      FROM numbers m JOIN caller_daily d ON d.caller_key = m.caller_key
     WHERE m.label = 'nuisance' AND m.company <> ''
     GROUP BY d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE;`;

/** Makes the aggregates count days in `timeZone`; returns true when it had to rebuild them. */
export async function ensureAggregateTimeZone(db: Connection, timeZone: string, logger: StoreLogger): Promise<boolean> {
  const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [ZONE_KEY]);
  const current = row ? (JSON.parse(row.value) as unknown) : null;
  if (current === timeZone) return false;
  const started = Date.now();
  await db.run('BEGIN IMMEDIATE');
  try {
    await db.run('DELETE FROM time_zone_offsets');
    for (const change of offsetChanges(timeZone)) {
      await db.run('INSERT INTO time_zone_offsets (since_ms, offset_ms) VALUES (?, ?)', [
        change.sinceMs,
        change.offsetMs,
      ]);
    }
    await db.exec(REBUILD_SQL);
    await db.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [ZONE_KEY, JSON.stringify(timeZone), Date.now()],
    );
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  logger.info(
    { from: current, to: timeZone, ms: Date.now() - started },
    'register aggregates rebuilt for the time zone',
  );
  return true;
}

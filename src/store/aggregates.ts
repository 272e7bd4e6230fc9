/**
 * The per-day aggregates (caller_daily, daily_totals) are kept by a trigger in the same transaction as each
 * attempt insert (migration 2). Their days are the business's calendar days: this module writes the configured
 * time zone's UTC offsets into `time_zone_offsets` and, when the zone differs from the one the aggregates were
 * built in (first start after the upgrade, or a changed `timeZone`), rebuilds them from the attempts.
 */
import { offsetChanges } from './local-days.js';
import type { StoreLogger } from './logger.js';
import type { Connection } from './sqlite.js';

const ZONE_KEY = 'aggregates.timeZone';

const OFFSET_AT = `COALESCE((SELECT offset_ms FROM time_zone_offsets WHERE since_ms <= a.time
                              ORDER BY since_ms DESC LIMIT 1), 0)`;

const REBUILD_SQL = `
  DELETE FROM daily_totals;
  DELETE FROM caller_daily;
  INSERT INTO daily_totals (day, called_number, verdict, stopped, attempts)
    SELECT (a.time + ${OFFSET_AT}) / 86400000, COALESCE(a.called_number, ''), a.verdict, a.refused_at IS NOT NULL, COUNT(*)
      FROM attempts a GROUP BY 1, 2, 3, 4;
  INSERT INTO caller_daily (caller_key, day, attempts, stopped)
    SELECT a.caller_key, (a.time + ${OFFSET_AT}) / 86400000, COUNT(*), SUM(a.refused_at IS NOT NULL)
      FROM attempts a WHERE a.caller_key IS NOT NULL GROUP BY 1, 2;`;

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
      await db.run('INSERT INTO time_zone_offsets (since_ms, offset_ms) VALUES (?, ?)', [change.sinceMs, change.offsetMs]);
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
  logger.info({ from: current, to: timeZone, ms: Date.now() - started }, 'register aggregates rebuilt for the time zone');
  return true;
}

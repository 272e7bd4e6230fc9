/** The callers who passed the human check, read once at start (the register then keeps them in memory). */
import type { Connection } from '../sqlite/connection.js';

/** Passes older than this are forgotten at start (check.rememberDays and "no second chance" look no further). */
export const CHECK_PASSES_DAYS = 3650;

export async function loadCheckPasses(db: Connection, since: number): Promise<Map<string, number>> {
  const rows = await db.all<{ caller_key: string; at: number }>(
    `SELECT caller_key, MAX(COALESCE(outcome_at, time)) AS at FROM attempts
      WHERE check_result = 'passed' AND time >= ? AND caller_key IS NOT NULL GROUP BY caller_key`,
    [since],
  );
  return new Map(rows.map((r) => [r.caller_key, r.at]));
}

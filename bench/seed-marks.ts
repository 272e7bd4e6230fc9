/**
 * The marked numbers the SIP benches refuse (bench/sip.ts, bench/sip-handler.ts): `count` numbers +3902100xxxxx
 * marked nuisance on 1 Nov 2026, 50 companies, category energy, inserted in one statement.
 */
import type { Connection } from '../src/store/sqlite/connection.js';

/** When the benches' marks were made (ms). */
export const MARKED_AT = Date.parse('2026-11-01T10:00:00Z');

export async function seedMarkedNumbers(db: Connection, count: number): Promise<void> {
  await db.run(
    `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
     INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
     SELECT '+3902100' || substr('00000' || i, -5), 'nuisance', ?, 'Company ' || (i % 50), 'energy', ? FROM c`,
    [count - 1, MARKED_AT, MARKED_AT],
  );
}

/**
 * A register written straight into its file, for tests and benches that need a large one fast: the schema of a new
 * register, then rows in one SQL statement each (a recursive CTE), not one record() per row.
 */
import { openRegister } from '../../src/store/register/register.js';
import { Connection } from '../../src/store/sqlite/connection.js';

/** When the seeded marks were made: 1 Nov 2026, 10:00 UTC. */
export const SEEDED_AT = Date.parse('2026-11-01T10:00:00Z');

/**
 * A new register at `file` with `marks` numbers marked nuisance, +39021xxxxxxx from +390210000000 on, of 50 companies
 * (`Company 0` … `Company 49`), category energy, all marked at SEEDED_AT.
 */
export async function seedMarks(file: string, marks: number): Promise<void> {
  await (await openRegister({ file, lookbackDays: 30 })).close();
  if (marks === 0) return;
  const db = await Connection.open(file);
  try {
    await db.run(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
       SELECT '+39021' || substr('0000000' || i, -7), 'nuisance', ?, 'Company ' || (i % 50), 'energy', ? FROM c`,
      [marks - 1, SEEDED_AT, SEEDED_AT],
    );
  } finally {
    await db.close();
  }
}

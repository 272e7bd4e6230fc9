/**
 * Fills the learned index's block counts at start-up with one GROUP BY over the marks (one row per small block
 * and label, never one per number), since the bulk mark load bypasses EvidenceIndex.setMark.
 */
import type { EvidenceIndex } from './evidence-index.js';
import type { Connection } from './sqlite.js';

export async function loadBlockCounts(db: Connection, index: EvidenceIndex): Promise<number> {
  const drop = index.learned.blockDropDigits;
  const rows = await db.all<{ block: string; label: 'nuisance' | 'trusted'; n: number }>(
    `SELECT substr(caller_key, 2, length(caller_key) - 1 - ?) AS block, label, count(*) AS n FROM numbers
      WHERE label IS NOT NULL AND caller_key GLOB '+[1-9]*' AND substr(caller_key, 2) NOT GLOB '*[^0-9]*'
        AND length(caller_key) > ? + 3
      GROUP BY block, label`,
    [drop, drop],
  );
  for (const r of rows) index.learned.addBlockMembers(Number(r.block), r.label, r.n);
  return rows.length;
}

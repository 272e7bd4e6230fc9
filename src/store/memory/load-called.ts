/** Fills the learned index at start-up with the numbers the business called (CDR imports), within the window. */
import type { EvidenceIndex } from './evidence-index.js';
import type { Connection } from '../sqlite/connection.js';

export async function loadCalledNumbers(db: Connection, index: EvidenceIndex, since: number): Promise<number> {
  const rows = await db.all<{ caller_key: string; last_at: number }>('SELECT caller_key, last_at FROM called_numbers WHERE last_at >= ?', [since]);
  for (const r of rows) index.learned.addCalledByUs(r.caller_key, r.last_at);
  return rows.length;
}

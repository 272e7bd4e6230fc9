/**
 * Fills the evidence index at start-up: marks from `numbers`, attempt and refusal times from `attempts` within
 * the look-back window. Reads in keyset pages so that a million rows never sit in memory at once.
 */
import { EvidenceIndex } from './evidence-index.js';
import type { Clock } from '../screening/types.js';
import type { MarkLabel } from '../screening/types.js';
import type { Connection } from './sqlite.js';

const PAGE = 5000;

interface MarkRow {
  caller_key: string;
  label: MarkLabel;
  marked_at: number | null;
  company: string | null;
  category: string | null;
}

interface ActivityRow {
  id: number;
  caller_key: string;
  time: number;
  refused_at: number | null;
}

export interface IndexLoadStats {
  marks: number;
  attempts: number;
  refusals: number;
  durationMs: number;
}

export async function loadIndex(
  db: Connection,
  options: { lookbackDays: number; clock: Clock },
): Promise<{ index: EvidenceIndex; stats: IndexLoadStats }> {
  const started = performance.now();
  const count = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM numbers WHERE label IS NOT NULL');
  const expectedMarks = count?.n ?? 0;
  const index = new EvidenceIndex({ ...options, expectedMarks: Math.max(1024, expectedMarks + (expectedMarks >> 4)) });

  let marks = 0;
  let after = '';
  for (;;) {
    const rows = await db.all<MarkRow>(
      `SELECT caller_key, label, marked_at, company, category FROM numbers
        WHERE caller_key > ? AND label IS NOT NULL ORDER BY caller_key LIMIT ?`,
      [after, PAGE],
    );
    for (const r of rows) {
      index.setMark({
        callerKey: r.caller_key,
        label: r.label,
        at: r.marked_at ?? 0,
        company: r.company,
        category: r.category,
      });
    }
    marks += rows.length;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE) break;
    after = last.caller_key;
  }

  let attempts = 0;
  let refusals = 0;
  let afterTime = index.cutoff();
  let afterId = -1;
  for (;;) {
    const rows = await db.all<ActivityRow>(
      `SELECT id, caller_key, time, refused_at FROM attempts
        WHERE (time, id) > (?, ?) AND caller_key IS NOT NULL ORDER BY time, id LIMIT ?`,
      [afterTime, afterId, PAGE],
    );
    for (const r of rows) {
      index.addAttempt(r.caller_key, r.time);
      attempts++;
      if (r.refused_at !== null) {
        index.addRefusal(r.caller_key, r.refused_at);
        refusals++;
      }
    }
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE) break;
    afterTime = last.time;
    afterId = last.id;
  }

  return { index, stats: { marks, attempts, refusals, durationMs: performance.now() - started } };
}

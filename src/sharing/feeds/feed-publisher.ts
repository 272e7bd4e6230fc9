/**
 * Builds our feed from the register. The version is the last `mark_history` id: every change of a mark moves it,
 * so "changes after version V" are the numbers with a history row after V. Listed: numbers marked nuisance, E.164
 * only, never a number the business called. A number that left the list travels as a tombstone, but only if it
 * was ever listed (a number marked trusted and never nuisance is never named). A caller known to us only from
 * withheld calls (Privacy: id) is never named either: its number is not ours to give (src/panel/withheld.ts).
 */
import { createHash } from 'node:crypto';
import { onlyWithheld } from '../../store/register/queries.js';
import type { Connection } from '../../store/sqlite/connection.js';
import { FEED_FORMAT, FEED_FORMAT_VERSION, type FeedEntry, type FeedPayload, type FeedRemoval } from './feed-format.js';

interface Row {
  caller_key: string;
  label: string | null;
  company: string | null;
  category: string | null;
  marked_at: number | null;
  called: number;
  was_nuisance: number;
  last_by: string | null;
  attempts: number;
  first_seen: number | null;
  last_seen: number | null;
}

const STATS = `
  (SELECT COUNT(*) FROM attempts a WHERE a.caller_key = k.caller_key) AS attempts,
  (SELECT MIN(time) FROM attempts a WHERE a.caller_key = k.caller_key) AS first_seen,
  (SELECT MAX(time) FROM attempts a WHERE a.caller_key = k.caller_key) AS last_seen,
  EXISTS (SELECT 1 FROM called_numbers c WHERE c.caller_key = k.caller_key) AS called`;

const FULL_SQL = `
  SELECT k.caller_key, k.label, k.company, k.category, k.marked_at, 1 AS was_nuisance, NULL AS last_by, ${STATS}
    FROM numbers k
   WHERE k.label = 'nuisance' AND k.caller_key LIKE '+%' AND NOT ${onlyWithheld('k.caller_key')}
   ORDER BY k.caller_key`;

const CHANGED_SQL = `
  WITH changed AS (SELECT DISTINCT caller_key FROM mark_history WHERE id > ? AND caller_key LIKE '+%')
  SELECT k.caller_key, n.label, n.company, n.category, n.marked_at,
         EXISTS (SELECT 1 FROM mark_history h WHERE h.caller_key = k.caller_key AND h.label = 'nuisance') AS was_nuisance,
         (SELECT h.by FROM mark_history h WHERE h.caller_key = k.caller_key ORDER BY h.id DESC LIMIT 1) AS last_by,
         ${STATS}
    FROM changed k LEFT JOIN numbers n ON n.caller_key = k.caller_key
   WHERE NOT ${onlyWithheld('k.caller_key')}
   ORDER BY k.caller_key`;

/** Marks cleared on appeal carry this `by` in the history (see appeals.ts). */
export const APPEAL_BY = 'appeal';

export async function currentVersion(db: Connection): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(id) AS v FROM mark_history');
  return row?.v ?? 0;
}

/** The feed of the changes after `since` (0: the full list). Run inside one read transaction (a snapshot). */
export async function buildFeed(db: Connection, since: number, now: number): Promise<FeedPayload> {
  const version = await currentVersion(db);
  const full = since === 0 || since > version;
  const rows = full ? await db.all<Row>(FULL_SQL) : await db.all<Row>(CHANGED_SQL, [since]);
  const entries: FeedEntry[] = [];
  const removed: FeedRemoval[] = [];
  for (const r of rows) {
    if (r.label === 'nuisance' && r.called === 0) {
      entries.push({
        number: r.caller_key,
        company: r.company,
        category: r.category,
        attempts: r.attempts,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        markedAt: r.marked_at ?? 0,
      });
    } else if (!full && r.was_nuisance === 1) {
      removed.push({ number: r.caller_key, cleared: r.last_by === APPEAL_BY ? 'appeal' : 'unmarked' });
    }
  }
  return {
    format: FEED_FORMAT,
    formatVersion: FEED_FORMAT_VERSION,
    version,
    since: full ? 0 : since,
    full,
    issuedAt: now,
    entries,
    removed,
  };
}

/** sha256 of the E.164 text, hex: what a friend hashes to ask about a number without naming it. */
export function numberHash(e164: string): string {
  return createHash('sha256').update(e164, 'utf8').digest('hex');
}

export interface PrefixMatch {
  hash: string;
  company: string | null;
  category: string | null;
}

/**
 * k-anonymity: the listed numbers whose hash starts with `prefix` (hex), as full hashes. The asker compares them
 * with its own number's hash; we never learn which number it had in mind, only a prefix shared by many.
 */
export async function listedByHashPrefix(db: Connection, prefix: string): Promise<PrefixMatch[]> {
  const rows = await db.all<{ caller_key: string; company: string | null; category: string | null }>(
    `SELECT caller_key, company, category FROM numbers k
      WHERE k.label = 'nuisance' AND k.caller_key LIKE '+%'
        AND NOT EXISTS (SELECT 1 FROM called_numbers c WHERE c.caller_key = k.caller_key)`,
  );
  const out: PrefixMatch[] = [];
  for (const r of rows) {
    const hash = numberHash(r.caller_key);
    if (hash.startsWith(prefix)) out.push({ hash, company: r.company, category: r.category });
  }
  return out;
}

/**
 * Read queries of the register: the one listing of attempts (the register's API and the panel's register page and
 * CSV, through Reports), a caller's counts, its history of marks. They run on a read-only connection (WAL lets them
 * proceed while the writer commits) and see committed rows only. The WHERE clause is assembled from constant
 * fragments; every value is a bound parameter.
 */
import type { MarkLabel } from '../../screening/types.js';
import { asciiCase, foldRawKey, hasLetters } from '../memory/raw-key-case.js';
import { SELECT_ATTEMPT_SQL, attemptFromRow, type AttemptRow } from './rows.js';
import type { Connection, SqlValue } from '../sqlite/connection.js';
import type { Attempt, AttemptQuery, MarkHistoryEntry } from './types.js';

export const DEFAULT_LIMIT = 100;

/**
 * SQL condition: the caller key `column` is known to the register only from withheld attempts (Privacy: id): none
 * with the number shown (asked first: for a caller shown as usual the (caller_key, time) index walk ends at its
 * first attempt), and at least one attempt. The panel shows such callers by a token (src/panel/withheld.ts) and
 * sends their numbers to no friend (exports, feed).
 */
export function onlyWithheld(column: string): string {
  return `(NOT EXISTS (SELECT 1 FROM attempts w0 WHERE w0.caller_key = ${column} AND w0.withheld = 0)
    AND EXISTS (SELECT 1 FROM attempts w1 WHERE w1.caller_key = ${column}))`;
}
export const MAX_LIMIT = 1000;

function clampLimit(limit: number | undefined, fallback = DEFAULT_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Attempts matching the query, newest first (by time, then id); `before`/`beforeId` page on from a previous last row. */
export async function listAttempts(db: Connection, q: AttemptQuery): Promise<Attempt[]> {
  const { sql, params } = listAttemptsSql(q);
  const rows = await db.all<AttemptRow>(sql, params);
  return rows.map(attemptFromRow);
}

/**
 * listAttempts' statement and its parameters. Its plan walks the time index newest first (attempts_time), or, for the
 * messages alone (`kind = 'message'`, the panel's SMS view), the index of the messages only (attempts_message_time,
 * migration 15: SQLite reads the bound kind when it plans), not every call in between.
 */
export function listAttemptsSql(q: AttemptQuery): { sql: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (sql: string, ...values: SqlValue[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (q.callerKey !== undefined) add('caller_key = ?', q.callerKey);
  if (q.calledNumber !== undefined) add('called_number = ?', q.calledNumber);
  if (q.since !== undefined) add('time >= ?', q.since);
  if (q.until !== undefined) add('time < ?', q.until);
  if (q.verdict !== undefined) add('verdict = ?', q.verdict);
  if (q.kind !== undefined) add('kind = ?', q.kind);
  if (q.action !== undefined)
    add("(action = ? OR action LIKE ? ESCAPE '\\')", q.action, `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`);
  if (q.withheld !== undefined) add('withheld = ?', q.withheld ? 1 : 0);
  if (q.text !== undefined && q.text !== '') {
    const p = likePattern(q.text);
    const n = q.numberText !== undefined && q.numberText !== '' ? likePattern(q.numberText) : p;
    const shown = q.callerSearchShownOnly === true ? 'withheld = 0 AND ' : '';
    const tagged = q.searchWithheldOf ?? [];
    const byTag =
      tagged.length === 0 ? '' : ` OR (withheld = 1 AND caller_key IN (${tagged.map(() => '?').join(', ')}))`;
    add(
      `((${shown}(caller_e164 LIKE ? ESCAPE '\\' OR caller_raw LIKE ? ESCAPE '\\' OR caller_e164 LIKE ? ESCAPE '\\' OR caller_raw LIKE ? ESCAPE '\\' OR caller_name LIKE ? ESCAPE '\\')) OR user_agent LIKE ? ESCAPE '\\'${byTag})`,
      p,
      p,
      n,
      n,
      p,
      p,
      ...tagged,
    );
  }
  if (q.before !== undefined) add('(time < ? OR (time = ? AND id < ?))', q.before.time, q.before.time, q.before.id);
  if (q.beforeId !== undefined) add('(time, id) < (SELECT time, id FROM attempts WHERE id = ?)', q.beforeId);
  params.push(clampLimit(q.limit));
  const sql = `${SELECT_ATTEMPT_SQL}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ?`;
  return { sql, params };
}

/** A caller's attempts counted; `withheld`: only its withheld ones (true) or only the others (false). */
export async function attemptStats(
  db: Connection,
  callerKey: string,
  withheld?: boolean,
): Promise<{ attempts: number; firstSeen: number | null; lastSeen: number | null }> {
  const only = withheld === undefined ? '' : ` AND withheld = ${withheld ? 1 : 0}`;
  const row = await db.get<{ n: number; first: number | null; last: number | null }>(
    `SELECT COUNT(*) AS n, MIN(time) AS first, MAX(time) AS last FROM attempts WHERE caller_key = ?${only}`,
    [callerKey],
  );
  return { attempts: row?.n ?? 0, firstSeen: row?.first ?? null, lastSeen: row?.last ?? null };
}

interface HistoryRow {
  caller_key: string;
  label: MarkLabel | 'none';
  company: string | null;
  category: string | null;
  at: number;
  by: string;
}

export async function listMarkHistory(db: Connection, callerKey: string, limit?: number): Promise<MarkHistoryEntry[]> {
  const rows = await db.all<HistoryRow>(
    `SELECT caller_key, label, company, category, at, by FROM mark_history
      WHERE caller_key = ? ORDER BY at DESC, id DESC LIMIT ?`,
    [callerKey, clampLimit(limit)],
  );
  return rows.map((r) => ({
    callerKey: r.caller_key,
    label: r.label,
    company: r.company,
    category: r.category,
    at: r.at,
    by: r.by,
  }));
}

/** The case variants of a text's lead up to its first `n` ASCII letters (`pr` → `PR`, `Pr`, `pR`, `pr`). */
function leadVariants(text: string, n: number): string[] {
  let variants = [''];
  let letters = 0;
  for (let i = 0; i < text.length && letters < n; i++) {
    const c = text.charAt(i);
    if (/[A-Za-z]/.test(c)) {
      letters++;
      variants = variants.flatMap((v) => [`${v}${c.toUpperCase()}`, `${v}${c.toLowerCase()}`]);
    } else variants = variants.map((v) => `${v}${c}`);
  }
  return variants;
}

/**
 * The spellings of a raw key that `table`'s `caller_key` holds (numbers: its primary key; attempts: its
 * (caller_key, time) index), itself included; only the first found unless `all`. Every case variant of a text lies
 * between its upper- and its lower-case spelling; the variants of its first three letters split that into at most
 * eight narrow ranges of the index, walked one distinct key at a time.
 */
async function spellingsIn(
  db: Connection,
  table: 'numbers' | 'attempts',
  key: string,
  all: boolean,
): Promise<string[]> {
  const found: string[] = [];
  const folded = foldRawKey(key);
  const text = key.slice(4);
  for (const lead of leadVariants(text, 3)) {
    const rest = text.slice(lead.length);
    const high = `raw:${lead}${asciiCase(rest, false)}`;
    let after = `raw:${lead}${asciiCase(rest, true)}`;
    let op = '>=';
    for (;;) {
      const row = await db.get<{ caller_key: string }>(
        `SELECT caller_key FROM ${table} WHERE caller_key ${op} ? AND caller_key <= ? ORDER BY caller_key LIMIT 1`,
        [after, high],
      );
      if (row === undefined) break;
      if (foldRawKey(row.caller_key) === folded) {
        found.push(row.caller_key);
        if (!all) return found;
      }
      after = row.caller_key;
      op = '>';
    }
  }
  return found;
}

/** Another spelling of a raw key that `table` holds (spellingsIn), or null. */
async function spellingIn(db: Connection, table: 'numbers' | 'attempts', key: string): Promise<string | null> {
  return (await spellingsIn(db, table, key, false))[0] ?? null;
}

/**
 * Every spelling of a raw key its attempts are kept under (`raw:Amazon`, `raw:AMAZON`: one sender, raw-key-case.ts),
 * none when it has none; a key with no letters (a number) is its only spelling.
 */
export async function attemptSpellings(db: Connection, key: string): Promise<string[]> {
  return hasLetters(key) ? spellingsIn(db, 'attempts', key, true) : [key];
}

/**
 * The key of a caller's mark row: its own, else another spelling's of a raw key (the first in the index when several are
 * marked), else null.
 */
export async function markedSpelling(db: Connection, key: string): Promise<string | null> {
  if ((await db.get('SELECT 1 FROM numbers WHERE caller_key = ?', [key])) !== undefined) return key;
  return hasLetters(key) ? spellingIn(db, 'numbers', key) : null;
}

/**
 * The spelling the register keeps for a caller named by hand (the panel's and the API's URLs, the CLI): a sender ID
 * typed in another case (`raw:promo-energia`) names the sender whose texts the register has (`raw:PROMO-ENERGIA`),
 * else the one marked; any other key, or one the register has nothing of in any case, as typed.
 */
export async function keptSpelling(db: Connection, key: string): Promise<string> {
  if (!hasLetters(key)) return key;
  if ((await db.get('SELECT 1 FROM attempts WHERE caller_key = ? LIMIT 1', [key])) !== undefined) return key;
  const texted = await spellingIn(db, 'attempts', key);
  if (texted !== null) return texted;
  if ((await db.get('SELECT 1 FROM numbers WHERE caller_key = ?', [key])) !== undefined) return key;
  return (await spellingIn(db, 'numbers', key)) ?? key;
}

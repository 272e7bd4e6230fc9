/**
 * The numbers ranking: the callers with the most attempts in a period of local days, most first, ties by key.
 *
 * Summing every caller's days in a long period is a scan of millions of `caller_daily` rows. Instead the callers
 * are walked from the heaviest all-time total down (`caller_totals`, migration 5): a caller's attempts in any
 * period are at most its all-time total, so once the N-th best count found so far is above the total of the next
 * caller in line, nobody left can enter the top N and the answer is exact. Only callers with
 * HEAVY_CALLER_ATTEMPTS or more have a total (so an occasional caller's attempt writes nothing there); everyone
 * else has made fewer. When the N-th best count is below that bar, or the walk would take longer than the scan,
 * the period is summed directly as before. Short periods are summed directly from the start.
 */
import type { Connection, SqlValue } from '../sqlite/connection.js';

/** Callers with this many attempts or more have their all-time total in `caller_totals` (migration 5). */
export const HEAVY_CALLER_ATTEMPTS = 16;

/** When summing the period directly is the cheaper way (tests set both to exercise each path). */
export interface RankTuning {
  /**
   * A period with at most this many attempts is summed directly (~60 ms on the bench machine at 150,000): a short
   * period is cheap to sum, and it is where the walk most often cannot be exact (fewer than N callers reach
   * HEAVY_CALLER_ATTEMPTS in it), which would cost the walk and then the sum. @defaultValue 150000
   */
  directAttempts: number;
  /** Past this many callers examined, the walk gives up and the period is summed. @defaultValue 20000 */
  maxCandidates: number;
  /** Told which way each ranking was answered (tests, bench). */
  observe?: (how: 'scan' | 'walk') => void;
}

const TUNING: RankTuning = { directAttempts: 150_000, maxCandidates: 20_000 };
const FIRST_PAGE = 64;
const MAX_PAGE = 2048;

export interface RankedCaller {
  callerKey: string;
  attempts: number;
  stopped: number;
}

export interface TopCallersQuery {
  /** Local days [sinceDay, untilDay). */
  sinceDay: number;
  untilDay: number;
  /** Only numbers whose mark has this category (compared without ASCII case). */
  category?: string;
  limit: number;
}

const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** SQLite's BINARY order of TEXT (UTF-8 bytes, that is code points), which JS's `<` (UTF-16 units) is not. */
export function compareBinary(a: string, b: string): number {
  if (!SURROGATE_OR_ABOVE.test(a) && !SURROGATE_OR_ABOVE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function byRank(a: { callerKey: string; attempts: number }, b: { callerKey: string; attempts: number }): number {
  return b.attempts - a.attempts || compareBinary(a.callerKey, b.callerKey);
}

/** The straightforward query: sums every caller's days in the period. Exact, and the reference of the tests. */
export async function topCallersByScan(db: Connection, q: TopCallersQuery): Promise<RankedCaller[]> {
  const rows =
    q.category === undefined
      ? await db.all<{ caller_key: string; n: number; s: number }>(
          `SELECT caller_key, SUM(attempts) AS n, SUM(stopped) AS s FROM caller_daily
            WHERE day >= ? AND day < ? GROUP BY caller_key ORDER BY n DESC, caller_key LIMIT ?`,
          [q.sinceDay, q.untilDay, q.limit],
        )
      : await db.all<{ caller_key: string; n: number; s: number }>(
          `SELECT d.caller_key, SUM(d.attempts) AS n, SUM(d.stopped) AS s
             FROM numbers m JOIN caller_daily d ON d.caller_key = m.caller_key AND d.day >= ? AND d.day < ?
            WHERE m.category = ? COLLATE NOCASE
            GROUP BY d.caller_key ORDER BY n DESC, d.caller_key LIMIT ?`,
          [q.sinceDay, q.untilDay, q.category, q.limit],
        );
  return rows.map((r) => ({ callerKey: r.caller_key, attempts: r.n, stopped: r.s }));
}

/** The top `limit` callers of the period; the same rows, in the same order, as `topCallersByScan`. */
export async function topCallers(
  db: Connection,
  q: TopCallersQuery,
  tuning: RankTuning = TUNING,
): Promise<RankedCaller[]> {
  if (q.sinceDay >= q.untilDay) return [];
  if (q.category === undefined) {
    const period = await db.get<{ n: number | null }>(
      'SELECT SUM(attempts) AS n FROM daily_totals WHERE day >= ? AND day < ?',
      [q.sinceDay, q.untilDay],
    );
    if ((period?.n ?? 0) <= tuning.directAttempts) {
      tuning.observe?.('scan');
      return topCallersByScan(db, q);
    }
  }
  const walked = await walkHeaviest(db, q, tuning.maxCandidates);
  tuning.observe?.(walked === undefined ? 'scan' : 'walk');
  return walked ?? topCallersByScan(db, q);
}

/** The walk from the heaviest callers down; undefined when it cannot be exact or would cost more than a scan. */
async function walkHeaviest(
  db: Connection,
  q: TopCallersQuery,
  maxCandidates: number,
): Promise<RankedCaller[] | undefined> {
  const pages = q.category === undefined ? heavyCallers(db, q) : callersInCategory(db, q);
  let best: Array<{ callerKey: string; attempts: number }> = [];
  let examined = 0;
  let size = Math.max(FIRST_PAGE, q.limit * 2);
  for (;;) {
    // Only a count at least the current N-th can enter the top N, and a count is at most the caller's total.
    const bar = best.length >= q.limit ? (best[q.limit - 1]?.attempts ?? 1) : 1;
    const page = await pages.next(size, bar);
    const last = page.at(-1);
    if (last === undefined) {
      // Every candidate that could enter examined: the others' totals are below the bar, and callers without a
      // total have fewer than HEAVY_CALLER_ATTEMPTS in all (none for a category: its numbers are all candidates).
      const nth = best[q.limit - 1];
      if (q.category !== undefined || (nth !== undefined && nth.attempts >= HEAVY_CALLER_ATTEMPTS))
        return withStopped(db, best, q);
      return undefined;
    }
    examined += page.length;
    const entering = page.flatMap((c) => (c.n !== null && c.n >= bar ? [{ callerKey: c.k, attempts: c.n }] : []));
    if (entering.length > 0) best = [...best, ...entering].sort(byRank).slice(0, q.limit);
    const nth = best[q.limit - 1];
    if (nth !== undefined && nth.attempts > last.total) return withStopped(db, best, q);
    if (examined >= maxCandidates) return undefined;
    size = Math.min(size * 2, MAX_PAGE);
  }
}

/** The attempts refused in the period, for the callers of the answer only. */
async function withStopped(
  db: Connection,
  best: ReadonlyArray<{ callerKey: string; attempts: number }>,
  q: TopCallersQuery,
): Promise<RankedCaller[]> {
  const rows = await db.all<{ caller_key: string; s: number }>(
    `SELECT caller_key, SUM(stopped) AS s FROM caller_daily
      WHERE caller_key IN (SELECT value FROM json_each(?)) AND day >= ? AND day < ?
      GROUP BY caller_key`,
    [JSON.stringify(best.map((b) => b.callerKey)), q.sinceDay, q.untilDay],
  );
  const stopped = new Map(rows.map((r) => [r.caller_key, r.s]));
  return best.map((b) => ({ ...b, stopped: stopped.get(b.callerKey) ?? 0 }));
}

/** A candidate's attempts in the period (NULL: none), as a correlated subquery on caller_daily's primary key. */
const periodAttempts = (key: string) =>
  `(SELECT SUM(d.attempts) FROM caller_daily d WHERE d.caller_key = ${key} AND d.day >= ? AND d.day < ?)`;

interface Candidate {
  k: string;
  /** All-time attempts. */
  total: number;
  /** Attempts in the period (null: none). */
  n: number | null;
}

interface CandidatePages {
  /**
   * The next `size` callers in order of all-time attempts, most first, with their count in the period; only
   * callers whose total reaches `bar`; empty when there are no more.
   */
  next(size: number, bar: number): Promise<Candidate[]>;
}

/** Callers with HEAVY_CALLER_ATTEMPTS or more, down caller_totals(attempts, caller_key), keyset-paged. */
function heavyCallers(db: Connection, q: TopCallersQuery): CandidatePages {
  let after: [number, string] | undefined;
  return {
    async next(size, bar) {
      const params: SqlValue[] = [q.sinceDay, q.untilDay, bar];
      let keyset = '';
      if (after !== undefined) {
        keyset = 'AND (t.attempts, t.caller_key) < (?, ?)';
        params.push(...after);
      }
      params.push(size);
      const rows = await db.all<Candidate>(
        `SELECT t.caller_key AS k, t.attempts AS total, ${periodAttempts('t.caller_key')} AS n FROM caller_totals t
          WHERE t.attempts >= ? ${keyset} ORDER BY t.attempts DESC, t.caller_key DESC LIMIT ?`,
        params,
      );
      const last = rows.at(-1);
      if (last !== undefined) after = [last.total, last.k];
      return rows;
    },
  };
}

/**
 * Every number marked with the category, heaviest first (listed once, counted in pages); a number without a total
 * has made fewer than HEAVY_CALLER_ATTEMPTS attempts in all, which is its bound.
 */
function callersInCategory(db: Connection, q: TopCallersQuery): CandidatePages {
  let all: Array<{ k: string; total: number }> | undefined;
  let at = 0;
  return {
    async next(size, bar) {
      all ??= await db.all<{ k: string; total: number }>(
        `SELECT m.caller_key AS k, COALESCE(t.attempts, ?) AS total
           FROM numbers m LEFT JOIN caller_totals t ON t.caller_key = m.caller_key
          WHERE m.category = ? COLLATE NOCASE
          ORDER BY total DESC`,
        [HEAVY_CALLER_ATTEMPTS - 1, q.category ?? null],
      );
      const page = all.slice(at, at + size).filter((c) => c.total >= bar);
      at = page.length < size ? all.length : at + size;
      if (page.length === 0) return [];
      const counted = await db.all<{ k: string; n: number | null }>(
        `SELECT j.value AS k, ${periodAttempts('j.value')} AS n FROM json_each(?) j`,
        [q.sinceDay, q.untilDay, JSON.stringify(page.map((c) => c.k))],
      );
      const n = new Map(counted.map((c) => [c.k, c.n]));
      return page.map((c) => ({ ...c, n: n.get(c.k) ?? null }));
    },
  };
}

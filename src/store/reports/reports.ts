/**
 * The panel's read side: dashboard counts, rankings of numbers and companies, the filtered register.
 * Counts come from the aggregates kept by triggers (caller_daily, daily_totals, company_daily, caller_totals), so
 * they stay fast on a register of millions of attempts (the numbers ranking: rank-numbers.ts); rows come from
 * `attempts` through its (time) and (caller_key, time) indexes with keyset paging. A company is the one on the caller's mark *now*: marking a number later
 * attributes its past attempts to that company, which is what the business wants to know.
 */
import type { Mark, Verdict } from '../../screening/types.js';
import { LOCAL_DAY, STOPPED, type AggregatesStatus } from './aggregates.js';
import { topCallers } from './rank-numbers.js';
import { listAttempts, onlyWithheld } from '../register/queries.js';
import type { Connection, SqlValue } from '../sqlite/connection.js';
import type { Attempt, AttemptQuery } from '../register/types.js';

export interface Totals {
  attempts: number;
  stopped: number;
}

/**
 * The dashboard's counts: the attempts, those crocetta stopped, and those it let through that reached no PBX
 * (undelivered: none was there to take it, 480, action no-pbx; or the number called could not be read, 404/414,
 * action unroutable); the rest passed.
 */
export interface CallTotals extends Totals {
  unreached: number;
}

export interface DayTotals extends CallTotals {
  day: number;
  byVerdict: Record<Verdict, number>;
}

export interface NumberRank extends Totals {
  callerKey: string;
  label: 'nuisance' | 'trusted' | null;
  company: string | null;
  category: string | null;
  /** The display name of its latest attempt that showed its number. */
  displayName: string | null;
}

export interface CompanyRank extends Totals {
  company: string;
  category: string | null;
  /** Numbers marked nuisance for this company (with or without attempts in the period). */
  numbers: number;
}

/** A period of local days: [sinceDay, untilDay). */
export interface DayRange {
  sinceDay: number;
  untilDay: number;
}

/** Distinct called numbers the rebuild-time listing below looks at, at most (junk called numbers included). */
const CALLED_NUMBERS_SCANNED = 2000;

/**
 * The distinct called numbers of the attempts since a time, without reading millions of attempts: a skip scan of the
 * (called_number, time) index, one seek to each next distinct number and one to its latest attempt, for at most
 * ?1 distinct numbers (a scanner dialling random extensions leaves many).
 */
export const CALLED_NUMBERS_FROM_ATTEMPTS_SQL = `
  WITH RECURSIVE seen(v, n) AS (
    SELECT (SELECT MIN(called_number) FROM attempts WHERE called_number > ''), 1
    UNION ALL
    SELECT (SELECT MIN(called_number) FROM attempts WHERE called_number > seen.v), n + 1
      FROM seen WHERE seen.v IS NOT NULL AND n < ?1
  )
  SELECT v FROM seen
   WHERE v IS NOT NULL AND (SELECT MAX(time) FROM attempts WHERE called_number = seen.v) >= ?2
   ORDER BY 1 LIMIT 200`;

const EMPTY_VERDICTS = (): Record<Verdict, number> => ({ trusted: 0, unknown: 0, suspect: 0, nuisance: 0 });

/** A caller's mark as the panel shows it beside its rows (the register's page): what, and whose company. */
export type MarkNow = Pick<Mark, 'label' | 'company' | 'category'>;

export class Reports {
  /**
   * @param aggregates whether the counts above are complete or being rebuilt (aggregates.ts); the panel says so
   *   beside them.
   */
  constructor(
    private readonly db: Connection,
    readonly aggregates: () => AggregatesStatus = () => ({ state: 'ready' }),
  ) {}

  /** Totals per local day in the range (every day present, zero when quiet). */
  async perDay(range: DayRange): Promise<DayTotals[]> {
    const rows = await this.db.all<{ day: number; verdict: string; stopped: number; unreached: number; n: number }>(
      `SELECT day, verdict, stopped, unreached, SUM(attempts) AS n FROM daily_totals
        WHERE day >= ? AND day < ? GROUP BY day, verdict, stopped, unreached`,
      [range.sinceDay, range.untilDay],
    );
    const days = new Map<number, DayTotals>();
    for (let d = range.sinceDay; d < range.untilDay; d++) {
      days.set(d, { day: d, attempts: 0, stopped: 0, unreached: 0, byVerdict: EMPTY_VERDICTS() });
    }
    for (const r of rows) {
      const t = days.get(r.day);
      if (t === undefined) continue;
      t.attempts += r.n;
      if (r.stopped) t.stopped += r.n;
      if (r.unreached) t.unreached += r.n;
      if (r.verdict in t.byVerdict) t.byVerdict[r.verdict as Verdict] += r.n;
    }
    return [...days.values()];
  }

  /** Totals over a range of local days. */
  async totals(range: DayRange): Promise<CallTotals> {
    const row = await this.db.get<{ n: number | null; s: number | null; u: number | null }>(
      `SELECT SUM(attempts) AS n, SUM(CASE WHEN stopped THEN attempts ELSE 0 END) AS s,
              SUM(CASE WHEN unreached THEN attempts ELSE 0 END) AS u FROM daily_totals
        WHERE day >= ? AND day < ?`,
      [range.sinceDay, range.untilDay],
    );
    return { attempts: row?.n ?? 0, stopped: row?.s ?? 0, unreached: row?.u ?? 0 };
  }

  /**
   * Totals per called number (our numbers, the DIDs the calls came in on) over a range of local days, from
   * daily_totals; attempts with no called number are left out.
   */
  async totalsByCalled(range: DayRange): Promise<Map<string, Totals>> {
    const rows = await this.db.all<{ called: string; n: number; s: number }>(
      `SELECT called_number AS called, SUM(attempts) AS n, SUM(CASE WHEN stopped THEN attempts ELSE 0 END) AS s
         FROM daily_totals WHERE day >= ? AND day < ? AND called_number <> '' GROUP BY called_number`,
      [range.sinceDay, range.untilDay],
    );
    return new Map(rows.map((r) => [r.called, { attempts: r.n, stopped: r.s }]));
  }

  /** The numbers with the most attempts in the range, optionally only those marked in a category. */
  async rankNumbers(range: DayRange & { category?: string; limit?: number }): Promise<NumberRank[]> {
    const limit = Math.min(Math.max(range.limit ?? 20, 1), 500);
    const top = await topCallers(this.db, {
      sinceDay: range.sinceDay,
      untilDay: range.untilDay,
      limit,
      ...(range.category !== undefined && { category: range.category }),
    });
    return Promise.all(
      top.map(async (r) => ({ ...(await this.describe(r.callerKey)), attempts: r.attempts, stopped: r.stopped })),
    );
  }

  /**
   * Companies (from the marks of nuisance numbers) by attempts in the range, most first; companies whose numbers
   * were quiet in the range are listed with 0, so "the one that bothered least" can be one that did not call.
   * The counts come from `company_daily`, which follows the marks (a later mark re-attributes past attempts).
   */
  async rankCompanies(range: DayRange & { category?: string }): Promise<CompanyRank[]> {
    const params: SqlValue[] = [];
    let markCategory = '';
    let dayCategory = '';
    if (range.category !== undefined) {
      markCategory = 'AND category = ? COLLATE NOCASE';
      dayCategory = 'AND has_category = 1 AND category = ?';
      params.push(range.category);
    }
    params.push(range.sinceDay, range.untilDay);
    if (range.category !== undefined) params.push(range.category);
    const rows = await this.db.all<{ company: string; category: string | null; numbers: number; n: number; s: number }>(
      `SELECT g.company, g.category, g.numbers, COALESCE(c.n, 0) AS n, COALESCE(c.s, 0) AS s
         FROM (SELECT lower(trim(company)) AS key, MIN(company) AS company, MAX(category) AS category, COUNT(*) AS numbers
                 FROM numbers
                WHERE label = 'nuisance' AND company IS NOT NULL AND company <> '' ${markCategory}
                GROUP BY 1) g
         LEFT JOIN (SELECT company AS key, SUM(attempts) AS n, SUM(stopped) AS s FROM company_daily
                     WHERE day >= ? AND day < ? ${dayCategory}
                     GROUP BY company) c ON c.key = g.key
        ORDER BY n DESC, g.company`,
      params,
    );
    return rows.map((r) => ({
      company: r.company,
      category: r.category,
      numbers: r.numbers,
      attempts: r.n,
      stopped: r.s,
    }));
  }

  /** Categories and companies used in marks, for the panel's choices. */
  async markVocabulary(): Promise<{ categories: string[]; companies: string[] }> {
    const cats = await this.db.all<{ v: string }>(
      "SELECT DISTINCT category AS v FROM numbers WHERE category IS NOT NULL AND category <> '' ORDER BY 1 LIMIT 200",
    );
    const comps = await this.db.all<{ v: string }>(
      "SELECT DISTINCT company AS v FROM numbers WHERE company IS NOT NULL AND company <> '' ORDER BY 1 LIMIT 500",
    );
    return { categories: cats.map((r) => r.v), companies: comps.map((r) => r.v) };
  }

  /**
   * Our called numbers seen since the local day `sinceDay` (which starts at `sinceTime`), for the register's filter.
   * From daily_totals; while the aggregates are rebuilt (daily_totals emptied, then refilled oldest attempts first, so
   * the recent days come last), from the attempts instead, so the filter does not lose our busiest numbers for the
   * rebuild's minutes.
   */
  async calledNumbers(sinceDay: number, sinceTime: number): Promise<string[]> {
    const rows =
      this.aggregates().state === 'rebuilding'
        ? await this.db.all<{ v: string }>(CALLED_NUMBERS_FROM_ATTEMPTS_SQL, [CALLED_NUMBERS_SCANNED, sinceTime])
        : await this.db.all<{ v: string }>(
            "SELECT DISTINCT called_number AS v FROM daily_totals WHERE day >= ? AND called_number <> '' ORDER BY 1 LIMIT 200",
            [sinceDay],
          );
    return rows.map((r) => r.v);
  }

  /** One page of the register, newest first (the same listing as Register.attempts, on the panel's connection). */
  register(q: AttemptQuery): Promise<Attempt[]> {
    return listAttempts(this.db, q);
  }

  /** All-time attempts per caller (the ticks of the paper register), for the callers on a page. */
  async ticks(callerKeys: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.perCaller<{ caller_key: string; n: number }>(
      callerKeys,
      (list) =>
        `SELECT caller_key, SUM(attempts) AS n FROM caller_daily WHERE caller_key IN (${list}) GROUP BY caller_key`,
    );
    return new Map(rows.map((r) => [r.caller_key, r.n]));
  }

  /** The marks of the callers on a page (at most 500), as the register holds them: the callers marked only. */
  async marks(callerKeys: readonly string[]): Promise<Map<string, MarkNow>> {
    const rows = await this.perCaller<MarkNow & { caller_key: string }>(
      callerKeys,
      (list) =>
        `SELECT caller_key, label, company, category FROM numbers WHERE caller_key IN (${list}) AND label IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.caller_key, { label: r.label, company: r.company, category: r.category }]));
  }

  /** Of these callers (at most 500), each one's attempts withheld and shown, all-time (the panel's ticks apart). */
  async withheldCounts(callerKeys: readonly string[]): Promise<Map<string, { withheld: number; shown: number }>> {
    const rows = await this.perCaller<{ caller_key: string; w: number; n: number }>(
      callerKeys,
      (list) =>
        `SELECT caller_key, SUM(withheld) AS w, COUNT(*) AS n FROM attempts WHERE caller_key IN (${list}) GROUP BY caller_key`,
    );
    return new Map(rows.map((r) => [r.caller_key, { withheld: r.w, shown: r.n - r.w }]));
  }

  /**
   * The callers of withheld attempts between `since` and `until` (ms, either open): the register's search by a
   * withheld caller's name (`A8EF`) picks among them (src/panel/withheld.ts). A scan of those attempts, made only
   * for such a search.
   */
  async withheldCallers(since?: number, until?: number): Promise<string[]> {
    const rows = await this.db.all<{ k: string }>(
      'SELECT DISTINCT caller_key AS k FROM attempts WHERE withheld = 1 AND caller_key IS NOT NULL AND time >= ? AND time < ?',
      [since ?? 0, until ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map((r) => r.k);
  }

  /** The rows of a query over these callers (once each, the first 500): `sql` given their `IN` list's placeholders. */
  private async perCaller<Row>(callerKeys: readonly string[], sql: (list: string) => string): Promise<Row[]> {
    const keys = [...new Set(callerKeys)].slice(0, 500);
    return keys.length === 0 ? [] : this.db.all<Row>(sql(keys.map(() => '?').join(', ')), keys);
  }

  /**
   * Of these caller keys, those the register knows only from withheld attempts (the panel shows them as tokens:
   * src/panel/withheld.ts).
   */
  async onlyWithheld(callerKeys: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const keys = [...new Set(callerKeys)];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const list = chunk.map(() => '(?)').join(', ');
      const sql = `WITH keys(k) AS (VALUES ${list}) SELECT k FROM keys WHERE ${onlyWithheld('keys.k')}`;
      for (const r of await this.db.all<{ k: string }>(sql, chunk)) out.add(r.k);
    }
    return out;
  }

  /**
   * A caller's withheld attempts (or those that showed its number) per local day, oldest first, from `sinceDay`:
   * counted from its rows as caller_daily counts them, for a number whose page shows one way of calling only.
   */
  async callerDaysBy(callerKey: string, sinceDay: number, withheld: boolean): Promise<Array<{ day: number } & Totals>> {
    return this.db.all<{ day: number; attempts: number; stopped: number }>(
      `SELECT ${LOCAL_DAY} AS day, COUNT(*) AS attempts, SUM(${STOPPED}) AS stopped FROM attempts a
        WHERE a.caller_key = ? AND a.withheld = ? GROUP BY 1 HAVING day >= ? ORDER BY 1`,
      [callerKey, withheld ? 1 : 0, sinceDay],
    );
  }

  /** A caller's attempts per local day (its timeline of ticks), oldest first, from `sinceDay`. */
  async callerDays(callerKey: string, sinceDay: number): Promise<Array<{ day: number } & Totals>> {
    const rows = await this.db.all<{ day: number; attempts: number; stopped: number }>(
      'SELECT day, attempts, stopped FROM caller_daily WHERE caller_key = ? AND day >= ? ORDER BY day',
      [callerKey, sinceDay],
    );
    return rows;
  }

  private async describe(callerKey: string): Promise<Omit<NumberRank, 'attempts' | 'stopped'>> {
    const mark = await this.db.get<{ label: NumberRank['label']; company: string | null; category: string | null }>(
      'SELECT label, company, category FROM numbers WHERE caller_key = ?',
      [callerKey],
    );
    // The display name of its latest attempt that showed its number: a withheld one's was withheld with the number.
    const last = await this.db.get<{ caller_name: string | null }>(
      'SELECT caller_name FROM attempts WHERE caller_key = ? AND withheld = 0 ORDER BY time DESC LIMIT 1',
      [callerKey],
    );
    return {
      callerKey,
      label: mark?.label ?? null,
      company: mark?.company ?? null,
      category: mark?.category ?? null,
      displayName: last?.caller_name ?? null,
    };
  }
}

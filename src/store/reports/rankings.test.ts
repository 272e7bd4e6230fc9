/**
 * The rankings from caller_totals / company_daily (migration 5) against the straightforward queries they replaced,
 * on a small generated register: a few heavy callers and many light ones, companies spelt several ways, categories
 * in both cases, re-marks, cleared and deleted marks, attempts across DST changes, and a change of time zone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAggregateTimeZone } from './aggregates.js';
import { localDay, offsetChanges } from './local-days.js';
import { mulberry32 as prng } from '../../../test/support/prng.js';
import { silentLogger } from '../logger.js';
import { MIGRATIONS, migrate } from '../sqlite/migrations.js';
import { openPanelStore } from './panel-store.js';
import {
  HEAVY_CALLER_ATTEMPTS,
  topCallers,
  topCallersByScan,
  type RankTuning,
  type TopCallersQuery,
} from './rank-numbers.js';
import type { CompanyRank } from './reports.js';
import { Reports } from './reports.js';
import { openRegister } from '../register/register.js';
import { Connection } from '../sqlite/connection.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const END = Date.parse('2026-11-05T09:30:00+01:00');
const DAY = 86_400_000;
const CALLERS = 240;
const COMPANIES = ['Acme', 'acme ', ' ACME', 'Beta Srl', 'Gamma', 'gamma', 'Delta', ''];
const CATEGORIES = ['energy', 'Energy', 'telecom', 'TELECOM', 'insurance', null];

const keyOf = (i: number) => (i % 37 === 5 ? `raw-ä${i}` : `+39333${String(1_000_000 + i)}`);

/** Zipf-like: caller i is drawn in proportion to 1/(i+1), so a few are heavy and most call a few times. */
function zipf(random: () => number): number {
  const h = Array.from({ length: CALLERS }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
  let u = random() * h;
  for (let i = 0; i < CALLERS; i++) {
    u -= 1 / (i + 1);
    if (u <= 0) return i;
  }
  return CALLERS - 1;
}

async function addAttempts(
  db: Connection,
  random: () => number,
  count: number,
  from: number,
  to: number,
): Promise<void> {
  await db.run('BEGIN');
  for (let n = 0; n < count; n++) {
    const time = Math.floor(from + random() * (to - from));
    const key = random() < 0.03 ? null : keyOf(zipf(random));
    const refused = random() < 0.4;
    await db.run(
      `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
         action, fail_open, call_id, outcome, refused_at)
       VALUES (?, 'call', ?, 'from', ?, ?, ?, 0.5, '[]', ?, 0, ?, 'answered', ?)`,
      [
        time,
        key,
        key === null ? 1 : 0,
        `+3906${n % 3}`,
        refused ? 'nuisance' : 'unknown',
        refused ? 'reject' : 'allow',
        `c${n}`,
        refused ? time : null,
      ],
    );
  }
  await db.run('COMMIT');
}

/** A mark as the register wrote it before migration 18 (no mark_source): the old-register test writes it at 4. */
const MARK_SQL = `
  INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (caller_key) DO UPDATE SET label = excluded.label, marked_at = excluded.marked_at,
    company = excluded.company, category = excluded.category, updated_at = excluded.updated_at`;

async function mark(db: Connection, random: () => number, i: number): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const label = random() < 0.8 ? 'nuisance' : pick(['trusted', null]);
  const company = random() < 0.1 ? null : pick(COMPANIES);
  await db.run(MARK_SQL, [keyOf(i), label, END, company, pick(CATEGORIES), END]);
}

/** The companies ranking as it was before migration 5: the company looked up per query. */
async function companiesByScan(
  db: Connection,
  sinceDay: number,
  untilDay: number,
  category?: string,
): Promise<CompanyRank[]> {
  const rows = await db.all<{ company: string; category: string | null; numbers: number; n: number; s: number }>(
    `SELECT MIN(m.company) AS company, MAX(m.category) AS category, COUNT(DISTINCT m.caller_key) AS numbers,
            COALESCE(SUM(d.attempts), 0) AS n, COALESCE(SUM(d.stopped), 0) AS s
       FROM numbers m
       LEFT JOIN caller_daily d ON d.caller_key = m.caller_key AND d.day >= ? AND d.day < ?
      WHERE m.label = 'nuisance' AND m.company IS NOT NULL AND m.company <> '' ${category === undefined ? '' : 'AND m.category = ? COLLATE NOCASE'}
      GROUP BY lower(trim(m.company))
      ORDER BY n DESC, company`,
    category === undefined ? [sinceDay, untilDay] : [sinceDay, untilDay, category],
  );
  return rows.map((r) => ({
    company: r.company,
    category: r.category,
    numbers: r.numbers,
    attempts: r.n,
    stopped: r.s,
  }));
}

const WALK: RankTuning = { directAttempts: 0, maxCandidates: 1e9 };
const GIVE_UP_EARLY: RankTuning = { directAttempts: 0, maxCandidates: 3 };

/** Every ranking over many periods, limits and categories, new way against old way. Returns how each was answered. */
async function expectSameRankings(
  db: Connection,
  reports: Reports,
  today: number,
): Promise<Record<'scan' | 'walk', number>> {
  const ways = { scan: 0, walk: 0 };
  const periods: Array<[number, number]> = [1, 2, 7, 30, 90, 200, 365, 600].map((k) => [today - k + 1, today + 1]);
  periods.push([today - 120, today - 60], [today - 400, today - 300], [today + 5, today + 9], [today, today]);
  for (const [sinceDay, untilDay] of periods) {
    for (const category of [undefined, 'energy', 'ENERGY', 'telecom', 'insurance', 'none such']) {
      expect(await reports.rankCompanies({ sinceDay, untilDay, ...(category !== undefined && { category }) })).toEqual(
        await companiesByScan(db, sinceDay, untilDay, category),
      );
      for (const limit of [1, 3, 10, 25]) {
        const q: TopCallersQuery = { sinceDay, untilDay, limit, ...(category !== undefined && { category }) };
        const expected = await topCallersByScan(db, q);
        const observe = (how: 'scan' | 'walk') => {
          ways[how] += 1;
        };
        expect(await topCallers(db, q, { ...WALK, observe }), JSON.stringify(q)).toEqual(expected);
        expect(await topCallers(db, q, GIVE_UP_EARLY)).toEqual(expected);
        expect(await topCallers(db, q)).toEqual(expected);
        const ranked = await reports.rankNumbers(q);
        expect(ranked.map((r) => [r.callerKey, r.attempts, r.stopped])).toEqual(
          expected.map((r) => [r.callerKey, r.attempts, r.stopped]),
        );
      }
    }
  }
  return ways;
}

/** caller_daily, caller_totals and company_daily against the attempts and marks, counted in JS. */
async function expectAggregatesOfAttempts(db: Connection, timeZone: string): Promise<void> {
  const attempts = await db.all<{ caller_key: string; time: number; refused: number }>(
    'SELECT caller_key, time, refused_at IS NOT NULL AS refused FROM attempts WHERE caller_key IS NOT NULL',
  );
  const daily = new Map<string, [number, number]>();
  const totals = new Map<string, number>();
  for (const a of attempts) {
    const k = `${a.caller_key}|${localDay(a.time, timeZone)}`;
    const d = daily.get(k) ?? [0, 0];
    daily.set(k, [d[0] + 1, d[1] + a.refused]);
    totals.set(a.caller_key, (totals.get(a.caller_key) ?? 0) + 1);
  }
  const rows = await db.all<{ caller_key: string; day: number; attempts: number; stopped: number }>(
    'SELECT * FROM caller_daily',
  );
  expect(new Map(rows.map((r) => [`${r.caller_key}|${r.day}`, [r.attempts, r.stopped]]))).toEqual(daily);
  const t = await db.all<{ caller_key: string; attempts: number }>('SELECT * FROM caller_totals');
  expect(new Map(t.map((r) => [r.caller_key, r.attempts]))).toEqual(
    new Map([...totals].filter(([, n]) => n >= HEAVY_CALLER_ATTEMPTS)),
  );
  const expected = `SELECT d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE,
                           SUM(d.attempts), SUM(d.stopped)
                      FROM numbers m JOIN caller_daily d ON d.caller_key = m.caller_key
                     WHERE m.label = 'nuisance' AND m.company <> ''
                     GROUP BY 1, 2, 3, COALESCE(m.category, '') COLLATE NOCASE`;
  const kept = 'SELECT day, company, has_category, category, attempts, stopped FROM company_daily';
  const stale = await db.get<{ n: number }>(
    `SELECT (SELECT COUNT(*) FROM (${kept} EXCEPT ${expected})) + (SELECT COUNT(*) FROM (${expected} EXCEPT ${kept})) AS n`,
  );
  expect(stale?.n).toBe(0);
}

describe('rankings from caller_totals and company_daily', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('return what the straightforward queries return, through re-marks, new attempts and a change of zone', async () => {
    const file = dir.file('r.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const panel = await openPanelStore({ file, timeZone: 'Europe/Rome' });
    await panel.close();
    const db = await Connection.open(file);
    const reports = new Reports(db);
    const random = prng(7);
    const today = localDay(END, 'Europe/Rome');

    for (let i = 0; i < CALLERS; i += 2) await mark(db, random, i);
    await addAttempts(db, random, 2500, END - 420 * DAY, END);
    const heavy = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM caller_totals WHERE attempts >= ?', [
      HEAVY_CALLER_ATTEMPTS,
    ]);
    expect(heavy?.n).toBeGreaterThan(5);
    const first = await expectSameRankings(db, reports, today);
    expect(first.walk).toBeGreaterThan(50); // the walk answered many of them itself, not only the fallback
    await expectAggregatesOfAttempts(db, 'Europe/Rome');

    // Re-marks: other companies and categories, cleared labels, deleted rows, first marks of numbers with a past.
    for (let i = 0; i < CALLERS; i += 3) await mark(db, random, i);
    await db.run("UPDATE numbers SET label = NULL, company = NULL, category = NULL WHERE caller_key LIKE '%7'");
    await db.run("DELETE FROM numbers WHERE caller_key LIKE '%3'");
    await db.run("UPDATE numbers SET category = upper(category) WHERE caller_key LIKE '%1'");
    await db.run("UPDATE numbers SET updated_at = updated_at + 1 WHERE caller_key LIKE '%2'");
    await addAttempts(db, random, 800, END - 30 * DAY, END + DAY);
    await expectSameRankings(db, reports, today);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');

    // Another zone: the rebuild joins the attempts to the zone's spans of constant offset.
    expect(await ensureAggregateTimeZone(db, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'America/New_York');
    await expectSameRankings(db, reports, localDay(END, 'America/New_York'));
    await db.close();
  });

  it('break a tie across two pages of the walk by the smaller number, as the query did', async () => {
    const file = dir.file('tie.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const db = await Connection.open(file);
    const day = (n: number) => END - n * DAY;
    const insert = async (key: string, times: number[]) => {
      for (const time of times) {
        await db.run(
          `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, verdict, score, reasons, action, fail_open,
             call_id, outcome) VALUES (?, 'call', ?, 'from', 0, 'unknown', 0.5, '[]', 'allow', 0, 'c', 'answered')`,
          [time, key],
        );
      }
    };
    await db.run('BEGIN');
    // 63 heavier callers, all quiet in the period, fill the walk's first page with the later of the tied two.
    for (let i = 0; i < 63; i++)
      await insert(
        `+3950${String(i).padStart(3, '0')}`,
        Array.from({ length: 21 }, (_, k) => day(300 + k)),
      );
    await insert(
      '+3990999',
      Array.from({ length: 20 }, (_, k) => day(k)),
    );
    await insert(
      '+3910000',
      Array.from({ length: 20 }, (_, k) => day(k)),
    );
    await db.run('COMMIT');
    const q: TopCallersQuery = { sinceDay: localDay(day(30), 'UTC'), untilDay: localDay(END, 'UTC') + 1, limit: 1 };
    let how = '';
    const got = await topCallers(db, q, { ...WALK, observe: (h) => (how = h) });
    expect(how).toBe('walk');
    expect(got).toEqual(await topCallersByScan(db, q));
    expect(got.map((r) => r.callerKey)).toEqual(['+3910000']);
    await db.close();
  });

  it('are built by migration 5 from a register written before it', async () => {
    const file = dir.file('old.sqlite');
    const db = await Connection.open(file);
    await migrate(db, file, MIGRATIONS.slice(0, 4));
    // What the aggregates module wrote before migration 5 (its rebuild now needs migration 5's tables).
    for (const c of offsetChanges('Europe/Rome')) {
      await db.run('INSERT INTO time_zone_offsets (since_ms, offset_ms) VALUES (?, ?)', [c.sinceMs, c.offsetMs]);
    }
    const random = prng(11);
    for (let i = 0; i < CALLERS; i += 2) await mark(db, random, i);
    await addAttempts(db, random, 1500, END - 200 * DAY, END);
    expect(await migrate(db, file, MIGRATIONS.slice(0, 5))).toEqual([5]);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    await expectSameRankings(db, new Reports(db), localDay(END, 'Europe/Rome'));
    await db.close();
  });
});

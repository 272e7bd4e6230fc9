/**
 * The per-day aggregates (daily_totals, caller_daily, caller_totals, company_daily) as the register keeps them, against
 * a recomputation in JS from the attempts and the marks: after a mixed workload written through the register (journal
 * on, as the service runs), across local midnights and a DST change, with outcome updates (calls the PBX declined
 * later), talk times, marks given, changed and cleared, callers crossing the heavy-caller threshold; again after a
 * change of time zone (the rebuild), and after migration 10 on a register written before it; and the rebuild as the
 * service runs it, in chunks, while attempts are recorded and marks change at every step of it, stopped half-way and
 * taken up again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTEMPT_IDS_SQL, AggregatesRebuild, aggregatesNeedRebuild, ensureAggregateTimeZone } from './aggregates.js';
import { localDay, offsetChanges } from './local-days.js';
import { openRebuildConnection } from './panel-store.js';
import { HEAVY_CALLER_ATTEMPTS } from './rank-numbers.js';
import { mulberry32 as prng } from '../../../test/support/prng.js';
import { silentLogger } from '../logger.js';
import { openRegister } from '../register/register.js';
import { replayJournal } from '../register/replay-journal.js';
import { outcomeParams } from '../register/rows.js';
import { endStaleForwards } from '../register/stale-forwards.js';
import { isRefusalAction } from '../register/refusal.js';
import { NO_PBX_ACTION, UNROUTABLE_ACTION, type OutcomeUpdate } from '../register/types.js';
import { MIGRATIONS, migrate } from '../sqlite/migrations.js';
import { Connection } from '../sqlite/connection.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';

/** Europe/Rome leaves summer time at 2026-10-25T01:00:00Z; the attempts cover the days around it. */
const DST_END = Date.parse('2026-10-25T01:00:00Z');
const HOUR = 3_600_000;
const ACTIONS = [
  'allow',
  'allow',
  'reject:607',
  'reject',
  'announce-early',
  'announce-answer',
  'hangup',
  'tag',
  'no-pbx',
  'unroutable',
];
const VERDICTS = ['unknown', 'nuisance', 'trusted', 'suspect'] as const;
const CALLED = ['+390212345678', '+390287654321', null];
const COMPANIES = ['Acme', ' acme', 'Beta Srl', ''];
const CATEGORIES = ['energy', 'Energy', null];

interface AttemptRow {
  caller_key: string | null;
  time: number;
  called_number: string | null;
  verdict: string;
  action: string;
  outcome: string;
  final_status: number | null;
  check_result: string | null;
  /** Absent before the column was added (NULL: no outcome known). */
  outcome_at?: number | null;
}

/**
 * Whether the row says the attempt reached no PBX (the dashboard's undelivered), written out here from the cases:
 * not stopped, and no PBX at the plan or the number unreadable, the check not passed, the PBX silent (408) or
 * unavailable (503), no PBX at the forward (crocetta's failed 480) or the proxy failed (failed, no status); from
 * migration 16 on, not a forward that rang out: drachtio's 408 (timeout 408) known two minutes or more after the
 * attempt came (its Timer C, 185 s; Timer B, 32 s, when the PBX never answered).
 */
function undelivered(a: AttemptRow): boolean {
  return undeliveredBy(a, a.outcome === 'timeout' && (a.outcome_at ?? a.time) - a.time >= 120_000);
}

/** Undelivered as migrations 14 and 15 counted it: a forward that rang out as well. */
function undelivered14(a: AttemptRow): boolean {
  return undeliveredBy(a, false);
}

function undeliveredBy(a: AttemptRow, rangOut: boolean): boolean {
  if (isRefusalAction(a.action)) return false;
  if (a.action === NO_PBX_ACTION || a.action === UNROUTABLE_ACTION) return true;
  if (a.check_result === 'no-digit' || a.check_result === 'wrong-digit' || a.check_result === 'hung-up') return true;
  const silentOrUnavailable = a.final_status === 408 || a.final_status === 503;
  if (
    ['timeout', 'declined', 'failed'].includes(a.outcome) &&
    silentOrUnavailable &&
    !(rangOut && a.final_status === 408)
  )
    return true;
  return a.outcome === 'failed' && (a.final_status === null || a.final_status === 480);
}

/** Outcome updates: some leave the attempt undelivered (when it was let through), others not. */
const OUTCOMES: ReadonlyArray<Omit<OutcomeUpdate, 'at'>> = [
  { outcome: 'declined', finalStatus: 603, refused: true },
  { outcome: 'answered', finalStatus: 200, refused: false },
  { outcome: 'declined', finalStatus: 503, refused: false },
  { outcome: 'timeout', finalStatus: 408, refused: false },
  { outcome: 'timeout', finalStatus: null, refused: false },
  { outcome: 'failed', finalStatus: 480, refused: false },
  { outcome: 'failed', finalStatus: null, refused: false },
  { outcome: 'declined', finalStatus: 480, refused: false },
  { outcome: 'rejected', finalStatus: 200, refused: true, check: 'no-digit' },
  { outcome: 'rejected', finalStatus: 200, refused: true, check: 'wrong-digit' },
  { outcome: 'answered', finalStatus: 200, refused: false, check: 'hung-up' },
  { outcome: 'forwarded', finalStatus: null, refused: false, check: 'passed' },
];

/** The k-th of OUTCOMES (in turn), at `at`. */
const outcomeUpdate = (k: number, at: number): OutcomeUpdate => ({
  ...(OUTCOMES[k % OUTCOMES.length] as Omit<OutcomeUpdate, 'at'>),
  at,
});

interface NumberRow {
  caller_key: string;
  label: string | null;
  company: string | null;
  category: string | null;
}

const add = (m: Map<string, number[]>, key: string, values: number[]) => {
  const was = m.get(key) ?? values.map(() => 0);
  m.set(
    key,
    was.map((v, i) => v + (values[i] ?? 0)),
  );
};

/**
 * A register at schema `version` (11 or later), its aggregates counted in Europe/Rome, and how to write an attempt
 * into it as that version's register did (the n-th, an hour apart, around the end of summer time).
 */
async function oldRegister(file: string, version: number) {
  const db = await Connection.open(file);
  await migrate(db, file, MIGRATIONS.slice(0, version));
  await db.run('DELETE FROM time_zone_offsets');
  for (const c of offsetChanges('Europe/Rome'))
    await db.run('INSERT INTO time_zone_offsets (since_ms, offset_ms) VALUES (?, ?)', [c.sinceMs, c.offsetMs]);
  // Counted in Europe/Rome (migration 10 left the zone to the first start's rebuild: none here, no attempt yet).
  await db.run(
    `INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.timeZone', '"Europe/Rome"', 0)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
  /** `outcomeAfter`: ms from the attempt to its outcome (outcome_at; null: none recorded). */
  const insert = (
    n: number,
    action: string,
    outcome: string,
    status: number | null,
    verdict = 'unknown',
    outcomeAfter: number | null = null,
  ) => {
    const time = DST_END - 30 * HOUR + n * HOUR;
    return db.run(
      `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
         action, fail_open, call_id, outcome, final_status, outcome_at)
       VALUES (?, 'call', ?, 'from', 0, '+3902', ?, 0.5, '[]', ?, 0, ?, ?, ?, ?)`,
      [
        time,
        `+3911${n % 3}`,
        verdict,
        action,
        `c${n}`,
        outcome,
        status,
        outcomeAfter === null ? null : time + outcomeAfter,
      ],
    );
  };
  return { db, insert };
}

/** Undelivered as migrations 12 and 13 counted it: by the action only (their trigger knew nothing else). */
const byAction = (a: AttemptRow): boolean => a.action === NO_PBX_ACTION || a.action === UNROUTABLE_ACTION;

/**
 * Every aggregate table equals what the attempts and marks give, counted here in JS (undelivered as `unreachedOf`
 * says: the register's schema's rule).
 */
async function expectAggregatesOfAttempts(
  db: Connection,
  timeZone: string,
  unreachedOf: (a: AttemptRow) => boolean = undelivered,
): Promise<void> {
  const attempts = await db.all<AttemptRow>('SELECT * FROM attempts');
  const numbers = await db.all<NumberRow>('SELECT caller_key, label, company, category FROM numbers');
  const company = new Map(
    numbers
      .filter((n) => n.label === 'nuisance' && n.company !== null && n.company !== '')
      .map((n) => [
        n.caller_key,
        `${(n.company ?? '').trim().toLowerCase()}|${n.category === null ? 0 : 1}|${(n.category ?? '').toLowerCase()}`,
      ]),
  );
  const totals = new Map<string, number[]>();
  const daily = new Map<string, number[]>();
  const byCaller = new Map<string, number[]>();
  const companies = new Map<string, number[]>();
  for (const a of attempts) {
    const day = localDay(a.time, timeZone);
    const stopped = isRefusalAction(a.action) ? 1 : 0;
    // Before migration 9 added it, no check_result column: undefined here, as null.
    const unreached = unreachedOf({ ...a, check_result: a.check_result ?? null }) ? 1 : 0;
    add(totals, `${day}|${a.called_number ?? ''}|${a.verdict}|${stopped}|${unreached}`, [1]);
    if (a.caller_key === null) continue;
    add(daily, `${a.caller_key}|${day}`, [1, stopped]);
    add(byCaller, a.caller_key, [1]);
    const c = company.get(a.caller_key);
    if (c !== undefined) add(companies, `${day}|${c}`, [1, stopped]);
  }
  const heavy = new Map([...byCaller].filter(([, [n = 0]]) => n >= HEAVY_CALLER_ATTEMPTS));

  const kept = async <T>(sql: string, key: (r: T) => string, values: (r: T) => number[]) =>
    new Map((await db.all<T>(sql)).map((r) => [key(r), values(r)]));
  expect(
    await kept<{
      day: number;
      called_number: string;
      verdict: string;
      stopped: number;
      /** Absent before migration 12. */
      unreached?: number;
      attempts: number;
    }>(
      'SELECT * FROM daily_totals',
      (r) => `${r.day}|${r.called_number}|${r.verdict}|${r.stopped}|${r.unreached ?? 0}`,
      (r) => [r.attempts],
    ),
  ).toEqual(totals);
  expect(
    await kept<{ caller_key: string; day: number; attempts: number; stopped: number }>(
      'SELECT * FROM caller_daily',
      (r) => `${r.caller_key}|${r.day}`,
      (r) => [r.attempts, r.stopped],
    ),
  ).toEqual(daily);
  expect(
    await kept<{ caller_key: string; attempts: number }>(
      'SELECT * FROM caller_totals',
      (r) => r.caller_key,
      (r) => [r.attempts],
    ),
  ).toEqual(heavy);
  expect(
    await kept<{
      day: number;
      company: string;
      has_category: number;
      category: string;
      attempts: number;
      stopped: number;
    }>(
      'SELECT * FROM company_daily WHERE attempts <> 0 OR stopped <> 0',
      (r) => `${r.day}|${r.company}|${r.has_category}|${r.category.toLowerCase()}`,
      (r) => [r.attempts, r.stopped],
    ),
  ).toEqual(companies);
}

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('the per-day aggregates', () => {
  it('equal a recomputation from the attempts after a mixed workload, across midnights, DST and a change of zone', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const setup = await Connection.open(file);
    await ensureAggregateTimeZone(setup, 'Europe/Rome', silentLogger);
    await setup.close();

    const register = await openRegister({ file, lookbackDays: 30, journal: true });
    const random = prng(12);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const callers = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? `raw-${i}` : `+39333${1_000_000 + i}`));
    // Caller 0 is heavy from the start; caller 1 crosses the threshold in the middle of the run.
    const callerOf = (n: number) =>
      n % 23 === 0 ? null : n % 4 === 0 ? callers[0] : n % 9 === 0 ? callers[1] : pick(callers);
    const markSome = async (at: number) => {
      for (const key of callers.slice(0, 12)) {
        if (random() < 0.5) continue;
        const label = pick(['nuisance', 'nuisance', 'trusted', 'none'] as const);
        await register.mark(key ?? '', { label, company: pick(COMPANIES), category: pick(CATEGORIES), at, by: 'test' });
      }
    };
    const ids: number[] = [];
    const recordBetween = async (count: number, from: number, to: number) => {
      const pending: Promise<number>[] = [];
      for (let n = 0; n < count; n++) {
        // Minutes around local midnights (22:00–00:00 UTC in either offset) and the DST change.
        const time = Math.floor(from + random() * (to - from));
        pending.push(
          register.record(
            newAttempt(callerOf(ids.length + n) ?? null, time, {
              action: pick(ACTIONS),
              verdict: pick(VERDICTS),
              calledNumber: pick(CALLED),
            }),
          ),
        );
      }
      ids.push(...(await Promise.all(pending)));
    };

    await markSome(DST_END - 60 * HOUR);
    await recordBetween(150, DST_END - 50 * HOUR, DST_END - 20 * HOUR);
    // Outcome updates: forwarded calls the PBX declined later (a refusal of the caller), others answered, talk time;
    // the PBX silent or unavailable, no PBX at the forward, the check not passed (undelivered), or passed.
    for (const id of ids.slice(0, 80)) {
      const declined = random() < 0.4;
      register.updateOutcome(id, {
        outcome: declined ? 'declined' : 'answered',
        finalStatus: declined ? 603 : 200,
        refused: declined,
        at: DST_END - 19 * HOUR,
      });
      if (!declined) register.recordTalk(id, { talkMs: 12_345, answeredAt: DST_END - 19 * HOUR });
    }
    for (const [k, id] of ids.slice(80).entries()) {
      register.updateOutcome(id, outcomeUpdate(k, DST_END - 19 * HOUR));
      // Some of them twice: undelivered, then known otherwise (and back), as a retransmission or a replay could.
      if (k % 5 === 0) register.updateOutcome(id, outcomeUpdate(k + 3, DST_END - 18 * HOUR));
    }
    await markSome(DST_END - 10 * HOUR);
    await recordBetween(150, DST_END - 4 * HOUR, DST_END + 4 * HOUR);
    await markSome(DST_END + 5 * HOUR);
    await recordBetween(100, DST_END + 20 * HOUR, DST_END + 30 * HOUR);
    // One caller stays one attempt short of heavy, another reaches it exactly, over several days.
    for (const [key, count] of [
      ['+39444000015', HEAVY_CALLER_ATTEMPTS - 1],
      ['+39444000016', HEAVY_CALLER_ATTEMPTS],
    ] as const) {
      for (let k = 0; k < count; k++)
        await register.record(newAttempt(key, DST_END - 40 * HOUR + k * 5 * HOUR, { action: pick(ACTIONS) }));
    }
    await register.flush();
    await register.close();

    const db = await Connection.open(file);
    const declined = await db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM attempts WHERE refused_at IS NOT NULL AND action NOT LIKE 'reject%' AND action NOT LIKE 'announce%' AND action NOT LIKE 'hangup%'",
    );
    expect(declined?.n).toBeGreaterThan(10); // calls the PBX declined: refused, but not stopped by crocetta
    // Undelivered known from the outcome only (not no-pbx or unroutable), and counted so by the trigger.
    const late = await db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM attempts WHERE action NOT IN ('no-pbx', 'unroutable')
        AND action NOT LIKE 'reject%' AND action NOT LIKE 'announce%' AND action NOT LIKE 'hangup%'
        AND (check_result IN ('no-digit', 'wrong-digit', 'hung-up') OR final_status IN (408, 480, 503))`,
    );
    expect(late?.n).toBeGreaterThan(10);
    const heavy = await db.all<{ caller_key: string }>('SELECT caller_key FROM caller_totals');
    expect(heavy.map((r) => r.caller_key)).toEqual(expect.arrayContaining([callers[0], callers[1], '+39444000016']));
    await expectAggregatesOfAttempts(db, 'Europe/Rome');

    // A change of zone rebuilds the aggregates from the attempts: the same counts, in the other zone's days.
    expect(await ensureAggregateTimeZone(db, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'America/New_York');
    await db.close();
  });

  it('are rebuilt after migration 10 on a register written before it, with the PBX-declined calls not stopped', async () => {
    const file = dir.file('old.sqlite');
    const db = await Connection.open(file);
    await migrate(db, file, MIGRATIONS.slice(0, 9));
    await db.run("UPDATE settings SET value = '\"Europe/Rome\"' WHERE key = 'aggregates.timeZone'");
    for (const c of offsetChanges('Europe/Rome'))
      await db.run('INSERT INTO time_zone_offsets (since_ms, offset_ms) VALUES (?, ?)', [c.sinceMs, c.offsetMs]);
    await db.run(
      "INSERT INTO numbers (caller_key, label, company, updated_at) VALUES ('+39111', 'nuisance', 'Acme', 0)",
    );
    await db.run('BEGIN');
    for (let n = 0; n < 40; n++) {
      const time = DST_END - 30 * HOUR + n * HOUR;
      const action = n % 3 === 0 ? 'reject:607' : 'allow';
      await db.run(
        `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
           action, fail_open, call_id, outcome, refused_at)
         VALUES (?, 'call', ?, 'from', 0, '+3902', 'unknown', 0.5, '[]', ?, 0, ?, 'forwarded', ?)`,
        [time, n % 2 === 0 ? '+39111' : '+39222', action, `c${n}`, action === 'allow' ? null : time],
      );
    }
    // Calls the PBX declined later, as an outcome update sets them; before migration 10, a rebuild (a change of zone)
    // counted them as stopped: here the aggregates are left as that rebuild left them.
    await db.run(
      "UPDATE attempts SET refused_at = time + 1000, outcome = 'declined' WHERE action = 'allow' AND id % 4 = 0",
    );
    await db.run(`UPDATE caller_daily SET stopped = (SELECT COUNT(*) FROM attempts a WHERE a.caller_key = caller_daily.caller_key
                    AND (a.time + 3600000 * (1 + (a.time < ${DST_END}))) / 86400000 = caller_daily.day AND a.refused_at IS NOT NULL)`);
    await db.run('COMMIT');
    await expect(expectAggregatesOfAttempts(db, 'Europe/Rome')).rejects.toThrow();

    expect(await migrate(db, file, MIGRATIONS.slice(0, 10))).toEqual([10]);
    // As the service opens it: the later migrations too, then the rebuild.
    await migrate(db, file);
    // As the service and the command line open the panel's connection right after the register.
    expect(await ensureAggregateTimeZone(db, 'Europe/Rome', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    const index = await db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'attempts_call_id'",
    );
    expect(index?.n).toBe(0);
    await db.close();
  });

  it('keep their counts through migration 12 and count a call no PBX took apart from then on', async () => {
    const file = dir.file('eleven.sqlite');
    const { db, insert } = await oldRegister(file, 11);
    // Before it, a call no PBX took was written as let through (allow), answered 480 by an outcome update.
    for (let n = 0; n < 12; n++) {
      await (n % 4 === 0
        ? insert(n, 'allow', 'failed', 480)
        : insert(n, n % 4 === 1 ? 'reject' : 'allow', 'answered', 200));
    }
    const before = await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4');
    expect(before.length).toBeGreaterThan(0);

    expect(await migrate(db, file, MIGRATIONS.slice(0, 12))).toEqual([12]);
    // The same rows, none unreached: the old 480s stay let through, as a rebuild counts them (by the action).
    expect(
      await db.all('SELECT day, called_number, verdict, stopped, attempts FROM daily_totals ORDER BY 1, 2, 3, 4'),
    ).toEqual(before);
    expect(await db.get('SELECT COUNT(*) AS n FROM daily_totals WHERE unreached <> 0')).toEqual({ n: 0 });
    expect(await aggregatesNeedRebuild(db, 'Europe/Rome')).toBe(false);
    await expectAggregatesOfAttempts(db, 'Europe/Rome', byAction);

    // From then on the trigger counts a no-pbx attempt apart, as the rebuild does.
    for (let n = 12; n < 20; n++) await insert(n, n % 2 === 0 ? NO_PBX_ACTION : 'allow', 'failed', 480);
    const unreached = await db.get<{ n: number }>('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached');
    expect(unreached?.n).toBe(4);
    await expectAggregatesOfAttempts(db, 'Europe/Rome', byAction);
    // (Today's rebuild counts by today's rule: crocetta's own 480 at the forward is undelivered since migration 14.)
    expect(await ensureAggregateTimeZone(db, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'America/New_York');
    await db.close();
  });

  it('count the unroutable requests (404/414) undelivered from migration 13 on, those written before it moved', async () => {
    const file = dir.file('twelve.sqlite');
    const { db, insert } = await oldRegister(file, 12);
    // Before it, a request whose called number could not be read counted as passed (unreached 0).
    for (let n = 0; n < 30; n++) {
      const action = [UNROUTABLE_ACTION, 'allow', NO_PBX_ACTION, 'reject', UNROUTABLE_ACTION][n % 5] ?? 'allow';
      const status = action === UNROUTABLE_ACTION ? (n % 2 === 0 ? 404 : 414) : action === 'allow' ? 200 : 480;
      await insert(
        n,
        action,
        action === 'allow' ? 'answered' : 'rejected',
        status,
        n % 3 === 0 ? 'suspect' : 'unknown',
      );
    }
    const unreachedNow = 'SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached';
    expect(await db.get(unreachedNow)).toEqual({ n: 6 }); // the no-pbx ones only
    await expect(expectAggregatesOfAttempts(db, 'Europe/Rome')).rejects.toThrow();

    expect(await migrate(db, file, MIGRATIONS.slice(0, 13))).toEqual([13]);
    // The 12 unroutable ones moved to unreached, by day, called number and verdict, as the rebuild counts them.
    expect(await db.get(unreachedNow)).toEqual({ n: 18 });
    expect(await db.get('SELECT COUNT(*) AS n FROM daily_totals WHERE attempts <= 0')).toEqual({ n: 0 });
    expect(await aggregatesNeedRebuild(db, 'Europe/Rome')).toBe(false);
    await expectAggregatesOfAttempts(db, 'Europe/Rome', byAction);

    // From then on the trigger counts an unroutable request apart, as the rebuild does.
    for (let n = 30; n < 36; n++) await insert(n, n % 2 === 0 ? UNROUTABLE_ACTION : 'tag', 'rejected', 404);
    expect(await db.get(unreachedNow)).toEqual({ n: 21 });
    await expectAggregatesOfAttempts(db, 'Europe/Rome', byAction);
    expect(await ensureAggregateTimeZone(db, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'America/New_York');
    await db.close();
  });

  it('leave the counts of a rebuild under way at migration 13 to the rebuild, which counts the unroutable undelivered', async () => {
    const file = dir.file('twelve-rebuilding.sqlite');
    const { db, insert } = await oldRegister(file, 12);
    for (let n = 0; n < 12; n++) await insert(n, n % 2 === 0 ? UNROUTABLE_ACTION : 'allow', 'rejected', 404);
    // Stopped half-way (a kill during the rebuild): the mark is there, the zone not recorded.
    await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
    await db.run(
      `INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.rebuild', '{"timeZone":"Europe/Rome","schema":12,"emptying":true}', 0)`,
    );
    const before = await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5');
    expect(await migrate(db, file)).toEqual([13, 14, 15, 16, 17, 18]);
    expect(await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5')).toEqual(before);
    expect(await ensureAggregateTimeZone(db, 'Europe/Rome', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    expect(await db.get('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached')).toEqual({ n: 6 });
    await db.close();
  });

  it('count the calls that reached nobody, known from their outcome, undelivered from migration 14 on, old ones moved', async () => {
    const file = dir.file('thirteen.sqlite');
    const { db, insert } = await oldRegister(file, 13);
    // Before it, the outcome did not count: a forward the PBX left unanswered or refused 503, crocetta's 480 at the
    // forward, a check not passed, all counted as passed (unreached 0).
    const cases = [
      ['allow', 'declined', 503],
      ['allow', 'timeout', 408],
      ['tag', 'failed', 480],
      ['allow', 'failed', null],
      ['allow', 'answered', 200],
      ['allow', 'declined', 486],
      ['reject', 'failed', null], // stopped, never undelivered too
      [NO_PBX_ACTION, 'failed', 480],
      ['check', 'rejected', 200],
      ['check', 'failed', 480],
      ['allow', 'timeout', null],
    ] as const;
    for (let n = 0; n < 44; n++) {
      const [action, outcome, status] = cases[n % cases.length] ?? cases[0];
      await insert(n, action, outcome, status, n % 3 === 0 ? 'suspect' : 'unknown');
    }
    // The checks: not passed (wrong digit, hung up), then passed and no PBX (failed 480).
    await db.run(
      "UPDATE attempts SET check_result = CASE WHEN id % 2 = 0 THEN 'wrong-digit' ELSE 'hung-up' END WHERE action = 'check' AND outcome = 'rejected'",
    );
    await db.run("UPDATE attempts SET check_result = 'passed' WHERE action = 'check' AND outcome = 'failed'");
    const unreachedNow = 'SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached';
    expect(await db.get(unreachedNow)).toEqual({ n: 4 }); // the no-pbx ones only
    await expectAggregatesOfAttempts(db, 'Europe/Rome', byAction);

    expect(await migrate(db, file, MIGRATIONS.slice(0, 14))).toEqual([14]);
    // 4 each of 503, 408, failed 480, failed with no status, the two checks: 24 moved, by day, called number, verdict.
    expect(await db.get(unreachedNow)).toEqual({ n: 28 });
    expect(await db.get('SELECT COUNT(*) AS n FROM daily_totals WHERE attempts <= 0')).toEqual({ n: 0 });
    expect(await aggregatesNeedRebuild(db, 'Europe/Rome')).toBe(false);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');

    // From then on an outcome update moves the count, both ways, and an insert with its outcome counts it at once.
    await db.run("UPDATE attempts SET outcome = 'declined', final_status = 503 WHERE outcome = 'answered'");
    await db.run(
      "UPDATE attempts SET outcome = 'answered', final_status = 200 WHERE outcome = 'timeout' AND final_status = 408",
    );
    await db.run(
      "UPDATE attempts SET outcome = 'answered', final_status = 200, talk_ms = 5 WHERE outcome = 'answered'",
    );
    await insert(44, 'allow', 'timeout', 408);
    await insert(45, 'reject', 'timeout', 408);
    expect(await db.get(unreachedNow)).toEqual({ n: 29 });
    expect(await db.get('SELECT COUNT(*) AS n FROM daily_totals WHERE attempts <= 0')).toEqual({ n: 0 });
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    expect(await ensureAggregateTimeZone(db, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'America/New_York');
    await db.close();
  });

  it('leave the counts of a rebuild under way at migration 14 to the rebuild', async () => {
    const file = dir.file('thirteen-rebuilding.sqlite');
    const { db, insert } = await oldRegister(file, 13);
    for (let n = 0; n < 12; n++)
      await insert(n, 'allow', n % 2 === 0 ? 'timeout' : 'answered', n % 2 === 0 ? 408 : 200);
    await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
    await db.run(
      `INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.rebuild', '{"timeZone":"Europe/Rome","schema":13,"emptying":true}', 0)`,
    );
    const before = await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5');
    expect(await migrate(db, file)).toEqual([14, 15, 16, 17, 18]);
    expect(await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5')).toEqual(before);
    expect(await ensureAggregateTimeZone(db, 'Europe/Rome', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    expect(await db.get('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached')).toEqual({ n: 6 });
    await db.close();
  });

  it("move the count from migration 15 on by the register's outcome updates, replays and stale forwards only", async () => {
    const file = dir.file('fourteen.sqlite');
    const { db, insert } = await oldRegister(file, 14);
    // Forwards still ringing (two of them with a status the PBX gave before: 503), answered, a PBX unavailable.
    for (let n = 0; n < 24; n++)
      await insert(
        n,
        n % 5 === 4 ? 'reject' : 'allow',
        'forwarded',
        n % 8 === 7 ? 503 : null,
        n % 3 ? 'unknown' : 'suspect',
      );
    await db.run("UPDATE attempts SET outcome = 'declined', final_status = 503 WHERE id IN (1, 2)");
    const before = await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5');
    expect(await db.get('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached')).toEqual({ n: 2 });
    expect(await migrate(db, file)).toEqual([15, 16, 17, 18]);
    expect(await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5')).toEqual(before);
    // No trigger on an update of attempts: an answered call's outcome update runs none.
    const triggers = await db.all<{ name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attempts'",
    );
    expect(triggers.filter((t) => /\bUPDATE\b[^;]*\bON\s+attempts\b/i.test(t.sql.split('BEGIN')[0] ?? ''))).toEqual([]);
    // By hand, on attempts: the count does not move (a rebuild would recount); the register's statements move it.
    await db.run("UPDATE attempts SET outcome = 'timeout', final_status = 408 WHERE id = 3");
    expect(await db.get('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached')).toEqual({ n: 2 });
    await db.run("UPDATE attempts SET outcome = 'forwarded', final_status = NULL WHERE id = 3");
    await db.close();

    const warned: string[] = [];
    const logger = { ...silentLogger, warn: (_obj: object, msg: string) => void warned.push(msg) };
    const register = await openRegister({ file, lookbackDays: 3650, logger });
    // One UPDATE of outcomes at a time (flushed after each group): some change the count, some not, some back.
    for (const [k, id] of [1, 2, 3, 4, 5, 6, 9, 10, 11, 12].entries())
      register.updateOutcome(id, outcomeUpdate(k, DST_END));
    await register.flush();
    for (const [k, id] of [1, 3, 5, 13, 14].entries()) register.updateOutcome(id, outcomeUpdate(k + 3, DST_END + 1));
    await register.flush();
    await register.close();
    expect(warned).toEqual([]); // every update found its row (none left out by the first statement and lost)
    const after = await Connection.open(file);
    await expectAggregatesOfAttempts(after, 'Europe/Rome');
    // A journaled outcome replayed at start (503: undelivered), and the forwards a previous run left ringing.
    const replayed = await replayJournal(
      after,
      [
        {
          path: 'j',
          columns: ['journal_key'],
          rows: [],
          updates: [{ kind: 'outcome', params: [...outcomeParams(18, outcomeUpdate(2, DST_END + 2)), null] }],
          unreadable: 0,
        },
      ],
      ['journal_key'],
      silentLogger,
    );
    expect(replayed).toMatchObject({ updated: 1, unchanged: 0 });
    await after.close();
    expect(await endStaleForwards(file, { now: DST_END + 3, since: 0 })).toBeGreaterThan(5);
    const end = await Connection.open(file);
    expect(
      await end.get("SELECT COUNT(*) AS n FROM attempts WHERE outcome = 'timeout' AND final_status = 503"),
    ).toEqual({
      n: 3,
    });
    await expectAggregatesOfAttempts(end, 'Europe/Rome');
    await end.close();
  });

  it('count a forward that rang out (drachtio 408 after Timer C) passed from migration 16 on, old ones moved', async () => {
    const file = dir.file('fifteen.sqlite');
    const { db, insert } = await oldRegister(file, 15);
    const TIMER_B = 32_000;
    const TIMER_C = 185_000;
    // drachtio's 408 after Timer B (the PBX never answered: undelivered) and after Timer C (it rang: passed from 16),
    // a PBX's own 408 and 503 as late (undelivered still), the reaper's timeout without a status, answered calls.
    const cases = [
      ['allow', 'timeout', 408, TIMER_B],
      ['allow', 'timeout', 408, TIMER_C],
      ['tag', 'timeout', 408, TIMER_C + 40_000],
      ['allow', 'declined', 408, TIMER_C],
      ['allow', 'declined', 503, TIMER_C],
      ['allow', 'timeout', null, 200_000],
      ['allow', 'answered', 200, 5_000],
      ['reject', 'timeout', 408, TIMER_C], // stopped: never undelivered
      ['allow', 'timeout', 408, null],
    ] as const;
    for (let n = 0; n < 36; n++) {
      const [action, outcome, status, after] = cases[n % cases.length] ?? cases[0];
      await insert(n, action, outcome, status, n % 3 === 0 ? 'suspect' : 'unknown', after);
    }
    const unreachedNow = 'SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached';
    // Before it: every timeout 408 let through (Timer B, Timer C twice, no time), the PBX's 408 and 503: 6 of 9.
    expect(await db.get(unreachedNow)).toEqual({ n: 24 });
    await expectAggregatesOfAttempts(db, 'Europe/Rome', undelivered14);

    expect(await migrate(db, file)).toEqual([16, 17, 18]);
    // The two rung out of each 9 moved to passed, by day, called number and verdict: 8 moved.
    expect(await db.get(unreachedNow)).toEqual({ n: 16 });
    expect(await db.get('SELECT COUNT(*) AS n FROM daily_totals WHERE attempts <= 0')).toEqual({ n: 0 });
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    // An insert with its outcome already known counts by the new rule (answering first, a late record).
    await insert(36, 'allow', 'timeout', 408, 'unknown', TIMER_C);
    await insert(37, 'allow', 'timeout', 408, 'unknown', TIMER_B);
    expect(await db.get(unreachedNow)).toEqual({ n: 17 });
    // Forwards still ringing, ended by the register's outcome updates: moved through attempt_outcomes both ways.
    for (let n = 38; n < 46; n++) await insert(n, 'allow', 'forwarded', null);
    await db.close();
    const register = await openRegister({ file, lookbackDays: 3650, logger: silentLogger });
    const timeOf = (id: number) => DST_END - 30 * HOUR + (id - 1) * HOUR;
    for (let id = 39; id <= 46; id++)
      register.updateOutcome(id, {
        outcome: 'timeout',
        finalStatus: 408,
        refused: false,
        at: timeOf(id) + (id % 2 === 0 ? TIMER_C : TIMER_B),
      });
    await register.flush();
    // A rung-out one answered after all (a replay of its real end), one Timer B's later told as rung out.
    register.updateOutcome(40, { outcome: 'answered', finalStatus: 200, refused: false, at: timeOf(40) + TIMER_C + 1 });
    register.updateOutcome(41, { outcome: 'timeout', finalStatus: 408, refused: false, at: timeOf(41) + TIMER_C });
    await register.flush();
    await register.close();
    const after = await Connection.open(file);
    expect(await after.get(unreachedNow)).toEqual({ n: 17 + 3 });
    await expectAggregatesOfAttempts(after, 'Europe/Rome');
    expect(await ensureAggregateTimeZone(after, 'America/New_York', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(after, 'America/New_York');
    await after.close();
  });

  it('leave the counts of a rebuild under way at migration 16 to the rebuild, which counts a rung-out forward passed', async () => {
    const file = dir.file('fifteen-rebuilding.sqlite');
    const { db, insert } = await oldRegister(file, 15);
    for (let n = 0; n < 12; n++) await insert(n, 'allow', 'timeout', 408, 'unknown', n % 2 === 0 ? 185_000 : 32_000);
    await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
    await db.run(
      `INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.rebuild', '{"timeZone":"Europe/Rome","schema":15,"emptying":true}', 0)`,
    );
    const before = await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5');
    expect(await migrate(db, file)).toEqual([16, 17, 18]);
    expect(await db.all('SELECT * FROM daily_totals ORDER BY 1, 2, 3, 4, 5')).toEqual(before);
    expect(await ensureAggregateTimeZone(db, 'Europe/Rome', silentLogger)).toBe(true);
    await expectAggregatesOfAttempts(db, 'Europe/Rome');
    expect(await db.get('SELECT SUM(attempts) AS n FROM daily_totals WHERE unreached')).toEqual({ n: 6 });
    await db.close();
  });

  describe('rebuilt in chunks while the register records', () => {
    const TZ = 'Europe/Rome';

    /** A register with attempts and marks, its aggregates counted in UTC (as another zone before the rebuild). */
    async function registerWithAttempts(file: string) {
      const register = await openRegister({ file, lookbackDays: 30, journal: true });
      const random = prng(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const callers = Array.from({ length: 20 }, (_, i) => `+39333${2_000_000 + i}`);
      let n = 0;
      const one = () => {
        n++;
        const time = Math.floor(DST_END - 50 * HOUR + random() * 80 * HOUR);
        const caller = n % 19 === 0 ? null : n % 3 === 0 ? (callers[0] ?? null) : pick(callers);
        return register.record(
          newAttempt(caller, time, { action: pick(ACTIONS), verdict: pick(VERDICTS), calledNumber: pick(CALLED) }),
        );
      };
      const record = (count: number) => Promise.all(Array.from({ length: count }, one));
      const markOne = (at: number) =>
        register.mark(pick(callers.slice(0, 8)), {
          label: pick(['nuisance', 'nuisance', 'trusted', 'none'] as const),
          company: pick(COMPANIES),
          category: pick(CATEGORIES),
          at,
          by: 'test',
        });
      for (let k = 0; k < 6; k++) await markOne(DST_END - 60 * HOUR);
      const ids = await record(400);
      let u = 0;
      /** An outcome update of one of the first 400 attempts (OUTCOMES in turn), committed. */
      const updateOne = async () => {
        const id = ids[Math.floor(random() * ids.length)] ?? 0;
        register.updateOutcome(id, outcomeUpdate(u++, DST_END));
        await register.flush();
      };
      return { register, record, markOne, updateOne, recorded: () => n };
    }

    it('count every attempt once: those before it by its chunks, those recorded during it by the trigger', async () => {
      const file = dir.file('race.sqlite');
      const w = await registerWithAttempts(file);
      const db = await Connection.open(file);
      // As migration 10 does: the next start rebuilds.
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      expect(await aggregatesNeedRebuild(db, TZ)).toBe(true);
      const before = w.recorded();
      const steps: string[] = [];
      const statuses: number[] = [];
      let concurrent: Promise<unknown>[] = [];
      const rebuild = new AggregatesRebuild(db, TZ, silentLogger, {
        chunkAttempts: 37,
        emptyRows: 15,
        holdMs: 0, // chunks stay small: many steps to race
        pauseMs: 0,
        onStep: async (step) => {
          steps.push(step);
          const s = rebuild.status();
          if (s.state === 'rebuilding') statuses.push(s.done);
          // Right after the beginning, between a chunk's count and its write, after its write: attempts committed
          // there (each awaited), others still in flight while the rebuild goes on, and a mark changed.
          await w.record(3);
          concurrent.push(w.record(2));
          if (steps.length % 4 === 0) await w.markOne(DST_END);
        },
      });
      expect(await rebuild.run()).toBe(true);
      await Promise.all(concurrent);
      concurrent = [];
      await w.register.flush();
      expect(rebuild.status()).toEqual({ state: 'ready' });
      expect(rebuild.stats.chunks).toBeGreaterThan(5);
      expect(rebuild.stats.emptyChunks).toBeGreaterThan(2); // caller_daily emptied in several transactions first
      expect(steps.filter((s) => s === 'emptying').length).toBe(rebuild.stats.emptyChunks - 1);
      expect(steps.filter((s) => s === 'counted').length).toBe(rebuild.stats.chunks);
      // The watermark: the attempts there were at the beginning (after those recorded while caller_daily was emptied).
      expect(statuses.at(-1)).toBeGreaterThan(before);
      expect(statuses.at(-1)).toBeLessThanOrEqual(before + 5 * (rebuild.stats.emptyChunks + 1));
      expect(w.recorded() - before).toBeGreaterThan(5 * rebuild.stats.chunks); // recorded during the rebuild
      expect(await aggregatesNeedRebuild(db, TZ)).toBe(false);
      await expectAggregatesOfAttempts(db, TZ);
      // And the trigger goes on counting afterwards.
      await w.record(30);
      await w.register.flush();
      await expectAggregatesOfAttempts(db, TZ);
      await w.register.close();
      await db.close();
    });

    it('count an attempt once when its outcome changes whether it reached anybody, before or after its chunk', async () => {
      const file = dir.file('outcomes.sqlite');
      const w = await registerWithAttempts(file);
      const db = await Connection.open(file);
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      const resumed: string[] = [];
      const logger = {
        ...silentLogger,
        info: (_obj: object, msg: string) => void (msg.includes('resumed') && resumed.push(msg)),
      };
      const rebuild = new AggregatesRebuild(db, TZ, logger, {
        chunkAttempts: 37,
        emptyRows: 15,
        holdMs: 0,
        pauseMs: 0,
        // Outcomes of attempts below the watermark, counted by a chunk already, by none yet, or by the one just
        // counted and not added: each changes whether the attempt reached anybody, or not.
        onStep: async () => {
          for (let k = 0; k < 3; k++) await w.updateOne();
          await w.record(1);
        },
      });
      expect(await rebuild.run()).toBe(true);
      await w.register.flush();
      // A chunk counted before an update of its attempts was counted again (the mark moved).
      expect(resumed.length).toBeGreaterThan(0);
      await expectAggregatesOfAttempts(db, TZ);
      for (let k = 0; k < 30; k++) await w.updateOne();
      await expectAggregatesOfAttempts(db, TZ);
      await w.register.close();
      await db.close();
    });

    it('stopped half-way, is taken up again where it stopped; a different zone starts it over', async () => {
      const file = dir.file('resume.sqlite');
      const w = await registerWithAttempts(file);
      let db = await Connection.open(file);
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      let chunks = 0;
      const first: AggregatesRebuild = new AggregatesRebuild(db, TZ, silentLogger, {
        chunkAttempts: 50,
        holdMs: 0,
        pauseMs: 0,
        onStep: async (step) => {
          if (step === 'added' && ++chunks === 3) first.stop();
          await w.record(2);
        },
      });
      expect(await first.run()).toBe(false);
      const half = first.status();
      expect(half).toMatchObject({ state: 'rebuilding', total: 400 });
      expect(half.state === 'rebuilding' && half.done > 0 && half.done < 400).toBe(true);
      // As after a kill: the connection goes, attempts keep coming (the next start's journal replay, or imports).
      await db.close();
      await w.record(25);
      await w.register.flush();
      db = await Connection.open(file);
      expect(await aggregatesNeedRebuild(db, TZ)).toBe(true);
      const second = new AggregatesRebuild(db, TZ, silentLogger, { chunkAttempts: 50, holdMs: 0, pauseMs: 0 });
      expect(second.status().state).toBe('rebuilding');
      expect(await second.run()).toBe(true);
      expect(second.stats.beginHoldMs).toBe(0); // went on: did not empty the tables again
      expect(second.stats.chunks).toBeGreaterThan(1);
      await expectAggregatesOfAttempts(db, TZ);

      // Stopped again half-way, then asked for another zone: starts over, in that zone.
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      let n = 0;
      const third: AggregatesRebuild = new AggregatesRebuild(db, TZ, silentLogger, {
        chunkAttempts: 100,
        onStep: (step) => {
          if (step === 'added' && ++n === 2) third.stop();
        },
      });
      expect(await third.run()).toBe(false);
      const fourth = new AggregatesRebuild(db, 'America/New_York', silentLogger, { pauseMs: 0 });
      expect(await fourth.run()).toBe(true);
      expect(fourth.stats.beginHoldMs).toBeGreaterThan(0);
      await expectAggregatesOfAttempts(db, 'America/New_York');

      // Stopped while emptying caller_daily (before the beginning): the next start empties again and rebuilds.
      const fifth: AggregatesRebuild = new AggregatesRebuild(db, TZ, silentLogger, {
        emptyRows: 10,
        onStep: (step) => {
          if (step === 'emptying') fifth.stop();
        },
      });
      expect(await fifth.run()).toBe(false);
      expect(fifth.stats.beginHoldMs).toBe(0);
      expect(await aggregatesNeedRebuild(db, TZ)).toBe(true);
      const sixth = new AggregatesRebuild(db, TZ, silentLogger, { pauseMs: 0 });
      expect(await sixth.run()).toBe(true);
      expect(sixth.stats.beginHoldMs).toBeGreaterThan(0);
      await expectAggregatesOfAttempts(db, TZ);
      await w.register.close();
      await db.close();
    });

    it("of a register with no attempt (a new register's first start) say nothing at the info level", async () => {
      const file = dir.file('new.sqlite');
      const register = await openRegister({ file, lookbackDays: 30, journal: true });
      await register.close();
      const db = await Connection.open(file);
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      const info: string[] = [];
      const debug: string[] = [];
      const logger = {
        ...silentLogger,
        info: (_obj: object, msg: string) => void info.push(msg),
        debug: (_obj: object, msg: string) => void debug.push(msg),
      };
      const rebuild = new AggregatesRebuild(db, TZ, logger, { pauseMs: 0 });
      expect(await rebuild.run()).toBe(true);
      expect(info).toEqual([]);
      // Still there for whoever reads debug lines.
      expect(debug.filter((m) => m.startsWith('register aggregates')).length).toBe(3);
      await db.close();
    });

    it('say in the log that they begin by emptying the per-caller days, and how far the emptying is', async () => {
      const file = dir.file('log.sqlite');
      const w = await registerWithAttempts(file);
      const db = await Connection.open(file);
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      const lines: Array<{ msg: string; obj: Record<string, unknown> }> = [];
      const logger = {
        ...silentLogger,
        info: (obj: object, msg: string) => void lines.push({ msg, obj: obj as Record<string, unknown> }),
      };
      const rebuild = new AggregatesRebuild(db, TZ, logger, { emptyRows: 15, progressLogMs: 0, pauseMs: 0 });
      expect(await rebuild.run()).toBe(true);
      const msgs = lines.map((l) => l.msg);
      expect(msgs[0]).toMatch(/^register aggregates: rebuild needed; emptying the per-caller days first/);
      expect(lines[0]?.obj).toMatchObject({ from: null, to: TZ });
      const emptying = lines.filter(
        (l) => l.msg === 'register aggregates: emptying the per-caller days before the rebuild',
      );
      expect(emptying.length).toBe(rebuild.stats.emptyChunks - 1);
      const deleted = emptying.map((l) => Number(l.obj.rowsDeleted));
      expect(deleted[0]).toBeGreaterThan(0);
      expect(deleted).toEqual([...deleted].sort((a, b) => a - b));
      expect(
        msgs.indexOf('register aggregates: rebuild started (the dashboard and rankings are incomplete until it ends)'),
      ).toBe(emptying.length + 1);
      // Where the beginning's hold went, statement by statement, its COMMIT included.
      const started = lines.find((l) => l.msg.startsWith('register aggregates: rebuild started'));
      expect(Object.keys(started?.obj.steps as object)).toEqual([
        'offsets',
        'daily_totals',
        'caller_daily',
        'caller_totals',
        'company_daily',
        'watermark',
        'commit',
      ]);
      expect(rebuild.stats.beginSteps).toBe(started?.obj.steps);
      // The background rebuild's own connection commits without an fsync (synchronous NORMAL, 1).
      const own = await openRebuildConnection(file);
      expect((await own.get<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous).toBe(1);
      await own.close();
      await w.register.close();
      await db.close();
    });

    it('read the watermark (and the start the register size) from the ends of the attempts, not a scan of them', async () => {
      const db = await Connection.open(dir.file('plan.sqlite'));
      await migrate(db, dir.file('plan.sqlite'));
      const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${ATTEMPT_IDS_SQL}`);
      expect(plan.map((p) => p.detail).filter((d) => /attempts/.test(d))).toEqual([
        'SEARCH attempts',
        'SEARCH attempts',
      ]);
      await db.close();
    });

    it('run twice at once (the command line while the service rebuilds), still count every attempt once', async () => {
      const file = dir.file('twice.sqlite');
      const w = await registerWithAttempts(file);
      const a = await Connection.open(file);
      const b = await Connection.open(file);
      for (const db of [a, b]) db.setBusyTimeout(5000);
      await a.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      const options = { chunkAttempts: 20, holdMs: 0, pauseMs: 0, onStep: () => w.record(1).then(() => undefined) };
      const one = new AggregatesRebuild(a, TZ, silentLogger, options);
      const two = new AggregatesRebuild(b, TZ, silentLogger, options);
      expect(await Promise.all([one.run(), two.run()])).toEqual([true, true]);
      expect(one.stats.chunks + two.stats.chunks).toBeGreaterThan(5);
      await w.register.flush();
      await expectAggregatesOfAttempts(a, TZ);
      await w.register.close();
      await a.close();
      await b.close();
    });
  });
});

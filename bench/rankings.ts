/**
 * bench/rankings.ts: the panel's dashboard and rankings queries on a register of 10M attempts.
 *
 *   npm run bench:rankings [-- --attempts 10000000 --keep /path/file.sqlite | --reuse /path/file.sqlite]
 *
 * `--reuse FILE` generates the register into FILE the first time and reuses it afterwards (the generation takes
 * minutes): each run works on a copy, so FILE stays as generated (a file from an older crocetta is migrated on the
 * copy, and the migration's time printed).
 *
 * Generates the register with one recursive-CTE INSERT in one transaction (a year of attempts, 20 DIDs, 1M
 * occasional callers and 5,000 call-centre numbers making 30% of the attempts, marked nuisance for 40 companies
 * in 6 categories), builds the per-day aggregates as the insert trigger would, then times each query the
 * dashboard, the rankings page and the register page run (median and worst of 7, after one warm-up), against a
 * 100 ms target. Baseline in the same run: the same counts straight from `attempts` (no aggregates), and the
 * trigger's cost per insert (20,000 attempts in one transaction with and without it, alternated, median of 3).
 *
 * Last, the start after an upgrade that rebuilds the aggregates (migration 10, a change of `timeZone`; skip with
 * `--no-upgrade`; `--upgrade-only` skips the queries and the trigger's cost; `--no-before` the old rebuild): as
 * before this change (9a6c7f3), one transaction that rebuilds them before the start goes on (SIP connects after it:
 * the time to SIP-ready), then as the service does now: the register and the panel's store opened as
 * open-stores.ts opens them (the rebuild in the background; SIP-ready when they are open) while a writer records
 * attempts through the register at `--rate` per second (default 200) until the rebuild ends, then as long again
 * without it: each attempt's wait from record() to its commit, the rebuild's longest write transaction, the event
 * loop's longest delay, and a check that the aggregates count every attempt once.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAggregateTimeZone } from '../src/store/reports/aggregates.js';
import { localDay, weekStart, dayStart } from '../src/store/reports/local-days.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { openRegister } from '../src/store/index.js';
import { openPanelStore } from '../src/store/reports/panel-store.js';
import { newAttempt } from '../src/store/test-fixtures.js';
import { Connection } from '../src/store/sqlite/connection.js';
import { textArg } from './args.js';

let ATTEMPTS = Number(textArg('attempts') ?? 10_000_000);
const TZ = 'Europe/Rome';
const NOW = Date.parse('2026-11-05T09:30:00+01:00');
const YEAR = 365 * 86_400_000;
const TARGET_MS = 100;

const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-rankings-'));
const reuse = textArg('reuse');
const file = (reuse === undefined ? textArg('keep') : undefined) ?? join(dir, 'register.sqlite');
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function elapsed(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** The aggregate trigger as the latest migration that (re)creates it defines it. */
const TRIGGER_SQL = MIGRATIONS.map((m) => /CREATE TRIGGER attempts_daily_aggregates[\s\S]*?END;/.exec(m.sql)?.[0])
  .filter((sql) => sql !== undefined)
  .at(-1);
if (!TRIGGER_SQL) throw new Error('no migration defines the aggregate trigger');

const ATTEMPT_INDEXES = [
  'CREATE INDEX attempts_caller_time ON attempts (caller_key, time)',
  'CREATE INDEX attempts_time ON attempts (time)',
  'CREATE INDEX attempts_called_time ON attempts (called_number, time)',
];

/** One row per i: hot call-centre numbers (30%) are refused as nuisance; the rest mostly pass. */
function generateSql(from: number, count: number, start: number, step: number): string {
  return `
    INSERT INTO attempts (time, kind, caller_key, caller_e164, caller_raw, caller_name, caller_source, withheld,
      called_number, verdict, score, reasons, action, fail_open, call_id, source_address, user_agent, outcome,
      final_status, outcome_at, refused_at, message_length, message_text)
    WITH RECURSIVE seq(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM seq WHERE i < ${from + count - 1}),
    gen AS (
      SELECT i, ${start} + CAST(i * ${step} AS INTEGER) AS t, (i % 10) < 3 AS hot,
             CASE WHEN (i % 10) < 3 THEN '+3902' || (1000000 + abs(random()) % 5000)
                  ELSE '+393' || (100000000 + abs(random()) % 1000000) END AS k
        FROM seq)
    SELECT t, 'call', k, k, substr(k, 4), CASE WHEN hot THEN 'Offerte Luce Gas' ELSE NULL END, 'from', 0,
           '+3906123400' || printf('%02d', i % 20),
           CASE WHEN hot THEN 'nuisance' WHEN i % 17 = 0 THEN 'suspect' ELSE 'unknown' END,
           CASE WHEN hot THEN 0.95 WHEN i % 17 = 0 THEN 0.6 ELSE 0.1 END, '[]',
           CASE WHEN hot THEN 'reject:607' WHEN i % 17 = 0 THEN 'tag' ELSE 'allow' END, 0,
           'call-' || i, '203.0.113.' || (i % 250), 'Carrier-SBC/1.0',
           CASE WHEN hot THEN 'rejected' ELSE 'answered' END, CASE WHEN hot THEN 607 ELSE 200 END,
           NULL, CASE WHEN hot THEN t ELSE NULL END, NULL, NULL
      FROM gen`;
}

async function timeIt(
  label: string,
  fn: () => Promise<unknown>,
  results: Array<[string, number, number]>,
): Promise<void> {
  await fn();
  const times: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  results.push([label, times[3] ?? 0, times[6] ?? 0]);
}

/** Generates the register into `file`: attempts, their indexes, marks, then the aggregates rebuilt at start-up. */
async function generate(db: Connection): Promise<void> {
  await db.exec(
    'PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY',
  );
  await ensureAggregateTimeZone(db, TZ, silent);

  // 1. The register: 10M attempts in one transaction, indexes built after the load (as a restore would).
  let t0 = performance.now();
  await db.exec('DROP TRIGGER attempts_daily_aggregates');
  for (const name of ['attempts_caller_time', 'attempts_time', 'attempts_called_time'])
    await db.exec(`DROP INDEX ${name}`);
  const start = NOW - YEAR;
  await db.exec('BEGIN');
  await db.exec(generateSql(0, ATTEMPTS, start, YEAR / ATTEMPTS));
  await db.exec('COMMIT');
  console.log(`generated ${ATTEMPTS.toLocaleString('en')} attempts in ${elapsed(t0)}`);
  t0 = performance.now();
  for (const sql of ATTEMPT_INDEXES) await db.exec(sql);
  console.log(`attempts indexes built in ${elapsed(t0)}`);
  await db.exec(`INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
    WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < 4999)
    SELECT '+3902' || (1000000 + i), 'nuisance', ${start}, 'Company ' || (i % 40),
           CASE (i % 40) % 6 WHEN 0 THEN 'energy' WHEN 1 THEN 'telecom' WHEN 2 THEN 'insurance'
                WHEN 3 THEN 'finance' WHEN 4 THEN 'water' ELSE 'other' END, ${start} FROM seq`);
  // The aggregates as the insert trigger would have counted them (zone and offsets already Rome's, from the first
  // ensureAggregateTimeZone): 9a6c7f3's one-transaction rebuild, the quickest way to build them (not timed here).
  t0 = performance.now();
  await db.exec('BEGIN');
  await db.exec(REBUILD_SQL_9A6C7F3);
  await db.exec('COMMIT');
  console.log(`aggregates built in ${elapsed(t0)}`);
  await db.exec(TRIGGER_SQL ?? '');
  await db.exec('ANALYZE');
}

/** The rebuild before this change (9a6c7f3, src/store/reports/aggregates.ts): one statement per table, in one transaction (daily_totals.unreached, migration 12, 0: that version had no no-pbx action). */
const ZONE_SPANS_9A6C7F3 = `(
  SELECT since_ms, offset_ms, LEAD(since_ms, 1, 9223372036854775807) OVER (ORDER BY since_ms) AS until_ms
    FROM time_zone_offsets
  UNION ALL
  SELECT -9223372036854775808, 0, COALESCE(MIN(since_ms), 9223372036854775807) FROM time_zone_offsets)`;
const STOPPED_9A6C7F3 = "(substr(a.action, 1, 6) IN ('reject', 'hangup') OR substr(a.action, 1, 8) = 'announce')";
const REBUILD_SQL_9A6C7F3 = `
  DELETE FROM daily_totals;
  DELETE FROM caller_daily;
  DELETE FROM caller_totals;
  DELETE FROM company_daily;
  INSERT INTO daily_totals (day, called_number, verdict, stopped, unreached, attempts)
    SELECT (a.time + z.offset_ms) / 86400000, COALESCE(a.called_number, ''), a.verdict, ${STOPPED_9A6C7F3}, 0, COUNT(*)
      FROM ${ZONE_SPANS_9A6C7F3} z JOIN attempts a ON a.time >= z.since_ms AND a.time < z.until_ms
     GROUP BY 1, 2, 3, 4;
  INSERT INTO caller_daily (caller_key, day, attempts, stopped)
    SELECT a.caller_key, (a.time + z.offset_ms) / 86400000, COUNT(*), SUM(${STOPPED_9A6C7F3})
      FROM ${ZONE_SPANS_9A6C7F3} z JOIN attempts a ON a.time >= z.since_ms AND a.time < z.until_ms
     WHERE a.caller_key IS NOT NULL
     GROUP BY 1, 2;
  INSERT INTO caller_totals (caller_key, attempts)
    SELECT caller_key, SUM(attempts) FROM caller_daily GROUP BY caller_key HAVING SUM(attempts) >= 16;
  INSERT INTO company_daily (day, company, has_category, category, attempts, stopped)
    SELECT d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE,
           SUM(d.attempts), SUM(d.stopped)
      FROM numbers m JOIN caller_daily d ON d.caller_key = m.caller_key
     WHERE m.label = 'nuisance' AND m.company <> ''
     GROUP BY d.day, lower(trim(m.company)), m.category IS NOT NULL, COALESCE(m.category, '') COLLATE NOCASE;`;

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/** The start after an upgrade that rebuilds the aggregates, before (one transaction) and now (background). */
async function upgradeStart(): Promise<void> {
  const rate = Number(textArg('rate') ?? 200);
  const forget = async () => {
    const db = await Connection.open(file);
    await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
    await db.close();
  };
  console.log('\nstart after an upgrade that rebuilds the aggregates (migration 10, a change of timeZone)');

  // Before: the start waited for the rebuild, in one transaction, before SIP connected (--no-before skips it).
  let reg: Awaited<ReturnType<typeof openRegister>>;
  let t0: number;
  if (!process.argv.includes('--no-before')) {
    await forget();
    t0 = performance.now();
    reg = await openRegister({ file, lookbackDays: 30, journal: true });
    const opened = performance.now() - t0;
    const old = await Connection.open(file);
    const t1 = performance.now();
    await old.exec('BEGIN IMMEDIATE');
    await old.exec(REBUILD_SQL_9A6C7F3);
    await old.run(
      `INSERT INTO settings (key, value, updated_at) VALUES ('aggregates.timeZone', ?, 0)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [JSON.stringify(TZ)],
    );
    await old.exec('COMMIT');
    const oldRebuild = performance.now() - t1;
    await old.close();
    console.log(
      `  before (9a6c7f3's rebuild, one transaction, before SIP): SIP-ready after ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
        `(register opened in ${(opened / 1000).toFixed(1)} s, rebuild ${(oldRebuild / 1000).toFixed(1)} s holding the write lock throughout)`,
    );
    await reg.close();
  }

  // Now: the register and the panel's store as open-stores.ts opens them; SIP connects once they are open.
  await forget();
  const ended: Array<Record<string, unknown>> = [];
  const logger = {
    info: (obj: object, msg: string) => {
      if (msg.startsWith('register aggregates rebuilt')) ended.push(obj as Record<string, unknown>);
    },
    warn: () => undefined,
    error: (obj: object, msg: string) => console.error(msg, obj),
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  // Where the waits come from: the rebuild's steps (aggregates.ts onStep), the event loop's stalls and the WAL's size,
  // each with its time, to put beside the writer's worst waits.
  const steps: Array<[number, string]> = [];
  const stalls: Array<[number, number]> = [];
  const walSizes: Array<[number, number]> = [];
  let tick = performance.now();
  const stallTimer = setInterval(() => {
    const now = performance.now();
    if (now - tick > 60) stalls.push([tick, now - tick - 10]);
    tick = now;
  }, 10);
  const walTimer = setInterval(() => {
    try {
      walSizes.push([performance.now(), statSync(`${file}-wal`).size]);
    } catch {
      // no WAL yet
    }
  }, 250);
  t0 = performance.now();
  reg = await openRegister({ file, lookbackDays: 30, journal: true });
  const panel = await openPanelStore({
    file,
    timeZone: TZ,
    logger,
    rebuild: 'background',
    rebuildOptions: { onStep: (step) => void steps.push([performance.now(), step]) },
  });
  const ready = performance.now() - t0;
  loop.enable();
  console.log(`  now: SIP-ready after ${(ready / 1000).toFixed(2)} s (${JSON.stringify(panel.aggregates())})`);
  const waits: number[] = [];
  const during: number[] = [];
  const timed: Array<[number, number]> = [];
  let rebuilding = true;
  void panel.rebuilt.then(() => (rebuilding = false));
  const tRebuild = performance.now();
  let sent = 0;
  let lost = 0;
  const writer = async (untilMs: () => number, into: number[]) => {
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let k = 0; ; k++) {
      const due = start + (k * 1000) / rate;
      if (due > untilMs()) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      sent++;
      pending.push(
        reg
          .record(
            newAttempt(`+3933${1_000_000 + (sent % 5000)}`, Date.now(), { action: sent % 3 ? 'allow' : 'reject:607' }),
          )
          .then(
            () => {
              into.push(performance.now() - t);
              if (into === during) timed.push([t, performance.now() - t]);
            },
            () => void lost++,
          ),
      );
    }
    await Promise.all(pending);
  };
  let untilEnd = Infinity;
  void panel.rebuilt.then(() => (untilEnd = performance.now()));
  await writer(() => (rebuilding ? Infinity : untilEnd), during);
  const rebuildMs = performance.now() - tRebuild;
  const loopMax = loop.max / 1e6;
  const loopP99 = loop.percentile(99) / 1e6;
  loop.disable();
  clearInterval(stallTimer);
  clearInterval(walTimer);
  // The same writer as long again without the rebuild (capped at 30 s): the baseline.
  const baseUntil = performance.now() + Math.min(rebuildMs, 30_000);
  await writer(() => baseUntil, waits);
  await reg.flush();
  const stats = ended[0] ?? {};
  console.log(
    `  rebuild in the background: ${(Number(stats.ms ?? rebuildMs) / 1000).toFixed(1)} s, ` +
      `${String(stats.emptyChunks)} transactions emptying caller_daily, then ${String(stats.chunks)} adding chunks; ` +
      `longest write transaction ${String(stats.maxHoldMs)} ms (the beginning's: ${String(stats.beginHoldMs)} ms: ${JSON.stringify(stats.beginSteps)})`,
  );
  const fmt = (xs: number[]) =>
    `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms, worst ${quantile(xs, 1).toFixed(1)} ms (${xs.length} attempts)`;
  console.log(`  attempt writer at ${rate}/s, record() to commit, during the rebuild: ${fmt(during)}`);
  console.log(`  the same writer after it (baseline):                      ${fmt(waits)}`);
  console.log(
    `  event loop delay during the rebuild: p99 ${loopP99.toFixed(1)} ms, max ${loopMax.toFixed(1)} ms; attempts lost: ${lost}`,
  );
  // The phase of the rebuild at a time: what its last step before it says runs next.
  const NEXT: Record<string, string> = {
    emptying: 'emptying caller_daily (pause, next delete)',
    begun: 'counting a chunk (reads)',
    counted: "a chunk's write transaction",
    added: 'pause, counting the next chunk',
  };
  const phaseAt = (t: number): string => {
    const last = steps.filter(([at]) => at <= t).at(-1);
    if (last === undefined) return 'emptying caller_daily (first deletes)';
    const next = steps.find(([at]) => at > t);
    if (last[1] === 'emptying' && next?.[1] === 'begun') return "emptying's last delete or the beginning's transaction";
    return NEXT[last[1]] ?? last[1];
  };
  const walAt = (t: number): string => {
    const near = walSizes.filter(([at]) => at <= t + 500).at(-1);
    return near === undefined ? '?' : `${(near[1] / 1e6).toFixed(0)} MB`;
  };
  const at = (t: number) => `${((t - tRebuild) / 1000).toFixed(1).padStart(6)} s`;
  console.log("  the writer's 8 worst waits (time since the rebuild began, wait, the rebuild's phase then, WAL size):");
  for (const [t, w] of [...timed].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(
      `    ${at(t)}  ${w.toFixed(0).padStart(5)} ms  ${phaseAt(t)}; ends in: ${phaseAt(t + w)}; WAL ${walAt(t)}`,
    );
  const writes = steps.flatMap(([t, s], i) => {
    const prev = steps[i - 1];
    return s === 'added' && prev?.[1] === 'counted' ? [[prev[0], t - prev[0]] as [number, number]] : [];
  });
  const empties = steps.flatMap(([t, s], i) => {
    const prev = steps[i - 1];
    return s === 'emptying' && prev?.[1] === 'emptying' ? [[prev[0], t - prev[0]] as [number, number]] : [];
  });
  const begun = steps.find(([, s]) => s === 'begun')?.[0];
  const lastEmptying = steps.filter(([, s]) => s === 'emptying').at(-1)?.[0];
  console.log(
    `  rebuild steps: ${empties.length + 1} emptying transactions (slowest step incl. the pause ${Math.max(0, ...empties.map((e) => e[1])).toFixed(0)} ms), ` +
      `last emptying + beginning ${begun !== undefined && lastEmptying !== undefined ? (begun - lastEmptying).toFixed(0) : '?'} ms (at ${begun !== undefined ? at(begun) : '?'}), ` +
      `${writes.length} chunk writes: p50 ${quantile(
        writes.map((w) => w[1]),
        0.5,
      ).toFixed(0)} ms, p99 ${quantile(
        writes.map((w) => w[1]),
        0.99,
      ).toFixed(0)} ms, ` +
      `slowest ${[...writes]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([t, d]) => `${d.toFixed(0)} ms at ${at(t).trim()}`)
        .join(', ')}`,
  );
  console.log(
    `  event loop stalls over 50 ms: ${stalls.length}; longest ${[...stalls]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([t, d]) => `${d.toFixed(0)} ms at ${at(t).trim()} (${phaseAt(t)})`)
      .join(', ')}; ` + `WAL largest ${(Math.max(0, ...walSizes.map((w) => w[1])) / 1e6).toFixed(0)} MB`,
  );
  const check = await panel.reports.totals({ sinceDay: -1e9, untilDay: 1e9 });
  const counter = await Connection.open(file);
  const count = (await counter.get<{ n: number }>('SELECT COUNT(*) AS n FROM attempts'))?.n ?? 0;
  await counter.close();
  console.log(
    `  check: daily_totals count ${check.attempts.toLocaleString('en')} attempts, the register holds ${count.toLocaleString('en')}: ${check.attempts === count ? 'each once' : 'MISMATCH'}`,
  );
  await panel.close();
  await reg.close();
}

async function main(): Promise<void> {
  const fresh = reuse === undefined || !existsSync(reuse);
  if (!fresh) copyFileSync(reuse, file);
  const t0 = performance.now();
  const reg = await openRegister({ file, lookbackDays: 1 });
  await reg.close();
  if (!fresh) console.log(`reused a copy of ${reuse} (opened and migrated in ${elapsed(t0)})`);
  const db = await Connection.open(file);
  if (fresh) {
    await generate(db);
    if (reuse !== undefined) copyFileSync(file, reuse);
  } else ATTEMPTS = (await db.get<{ n: number }>('SELECT MAX(id) AS n FROM attempts'))?.n ?? 0;
  const rows = await db.get<{ a: number; b: number; c: number }>(
    'SELECT (SELECT COUNT(*) FROM caller_daily) AS a, (SELECT COUNT(*) FROM daily_totals) AS b, (SELECT COUNT(*) FROM company_daily) AS c',
  );
  console.log(
    `aggregates: caller_daily ${rows?.a.toLocaleString('en')} rows, daily_totals ${rows?.b.toLocaleString('en')}, company_daily ${rows?.c.toLocaleString('en')}`,
  );

  if (process.argv.includes('--upgrade-only')) {
    await db.close();
    await upgradeStart();
    return;
  }

  // 2. The queries, on a fresh connection as the panel has.
  await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
  const panel = await openPanelStore({ file, timeZone: TZ });
  const reports = panel.reports;
  const reader = await Connection.open(file);
  const today = localDay(NOW, TZ);
  const week = { sinceDay: weekStart(today), untilDay: today + 1 };
  const last = (n: number) => ({ sinceDay: today - n + 1, untilDay: today + 1 });
  const results: Array<[string, number, number]> = [];
  await timeIt(
    'dashboard: today + week totals, 30-day chart, top 10 this week',
    () =>
      Promise.all([
        reports.totals({ sinceDay: today, untilDay: today + 1 }),
        reports.totals(week),
        reports.perDay(last(30)),
        reports.rankNumbers({ ...week, limit: 10 }),
      ]),
    results,
  );
  await timeIt('rankings: companies, last 30 days', () => reports.rankCompanies(last(30)), results);
  await timeIt('rankings: companies, last 365 days', () => reports.rankCompanies(last(365)), results);
  await timeIt(
    'rankings: companies, 365 days, category energy',
    () => reports.rankCompanies({ ...last(365), category: 'energy' }),
    results,
  );
  await timeIt('rankings: numbers, last 7 days', () => reports.rankNumbers({ ...last(7), limit: 20 }), results);
  await timeIt('rankings: numbers, last 30 days', () => reports.rankNumbers({ ...last(30), limit: 20 }), results);
  await timeIt('rankings: numbers, last 90 days', () => reports.rankNumbers({ ...last(90), limit: 20 }), results);
  await timeIt('rankings: numbers, last 365 days', () => reports.rankNumbers({ ...last(365), limit: 20 }), results);
  await timeIt(
    'rankings: numbers, 365 days, category energy',
    () => reports.rankNumbers({ ...last(365), category: 'energy', limit: 20 }),
    results,
  );
  await timeIt(
    'register: first page (51 rows) + ticks',
    async () => {
      const page = await reports.register({ limit: 51 });
      await reports.ticks(page.flatMap((a) => (a.callerKey ? [a.callerKey] : [])));
    },
    results,
  );
  await timeIt(
    'register: verdict=suspect, action=tag, one DID',
    () => reports.register({ verdict: 'suspect', action: 'tag', calledNumber: '+390612340007', limit: 51 }),
    results,
  );
  await timeIt('register: text search "Offerte"', () => reports.register({ text: 'Offerte', limit: 51 }), results);
  await timeIt(
    'number page: one caller, a year of ticks',
    () => reports.callerDays('+39021000042', today - 365),
    results,
  );
  // Baseline: what the dashboard's week totals and top 10 cost straight from the attempts table.
  const weekMs = dayStart(week.sinceDay, TZ);
  await timeIt(
    'baseline, no aggregates: week totals from attempts',
    () => reader.get('SELECT COUNT(*), SUM(refused_at IS NOT NULL) FROM attempts WHERE time >= ?', [weekMs]),
    results,
  );
  await timeIt(
    'baseline, no aggregates: top 10 numbers this week from attempts',
    () =>
      reader.all(
        'SELECT caller_key, COUNT(*) AS n FROM attempts WHERE time >= ? GROUP BY caller_key ORDER BY n DESC LIMIT 10',
        [weekMs],
      ),
    results,
  );

  console.log('\nquery                                                         median     worst   (target ≤ 100 ms)');
  for (const [label, median, worst] of results) {
    const flag = label.startsWith('baseline') ? '' : median <= TARGET_MS ? ' ok' : ' OVER';
    console.log(`${label.padEnd(62)} ${median.toFixed(1).padStart(7)} ms ${worst.toFixed(1).padStart(7)} ms${flag}`);
  }

  // 3. What the trigger costs each insert, on top of this register: 20,000 attempts with and without it,
  // alternated after a warm-up (the first transaction on a cold cache is the slowest, whichever goes first).
  const n = 20_000;
  const insertTime = async (): Promise<number> => {
    const t = performance.now();
    await db.exec('BEGIN');
    await db.exec(generateSql(ATTEMPTS + 1_000_000 + Math.floor(Math.random() * 1e8), n, NOW, 1000));
    await db.exec('COMMIT');
    return performance.now() - t;
  };
  await insertTime();
  const withTimes: number[] = [];
  const withoutTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    withTimes.push(await insertTime());
    await db.exec('DROP TRIGGER attempts_daily_aggregates');
    withoutTimes.push(await insertTime());
    await db.exec(TRIGGER_SQL ?? '');
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
  const withTrigger = median(withTimes);
  const without = median(withoutTimes);
  console.log(
    `\ninsert ${n.toLocaleString('en')} attempts in one transaction (median of 3): ${withTrigger.toFixed(0)} ms with the aggregate trigger, ` +
      `${without.toFixed(0)} ms without (${(((withTrigger - without) * 1000) / n).toFixed(1)} µs per attempt)`,
  );
  const over = results.filter(([l, m]) => !l.startsWith('baseline') && m > TARGET_MS).length;
  console.log(
    `rankings: ${results.length - 2 - over}/${results.length - 2} panel queries within ${TARGET_MS} ms on ${ATTEMPTS.toLocaleString('en')} attempts`,
  );

  await reader.close();
  await panel.close();
  await db.close();
  if (!process.argv.includes('--no-upgrade')) await upgradeStart();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    rmSync(dir, { recursive: true, force: true });
  });

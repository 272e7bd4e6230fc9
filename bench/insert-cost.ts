/**
 * bench/insert-cost.ts: what SQLite's thread spends per attempt row of a refusal, by variant of the schema, in one
 * process: the service's INSERT (one JSON parameter, json_each) of batches of `--batch` refusals of marked callers
 * (bench/seed-marks.ts' numbers, as bench:sip refuses them) into a register made by the migrations, timed as wall
 * time of the statement (node-sqlite3 runs it on its pool thread while the main thread waits: the wall time is that
 * thread's) and as the process's CPU beside it.
 *
 *   npx tsx bench/insert-cost.ts [--rows 20000] [--batch 100] [--rounds 3]
 *
 * Variants: the schema as migrated; without the aggregates trigger; without attempts_time and attempts_called_time;
 * without both; each on a fresh copy of the same seeded register, alternating, rounds × variants.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegister } from '../src/store/index.js';
import { Connection, type SqlValue } from '../src/store/sqlite/connection.js';
import { attemptLine, attemptParams, INSERT_ATTEMPTS_JSON_SQL, insertAttemptsSql } from '../src/store/register/rows.js';
import { newAttempt } from '../src/store/test-fixtures.js';
import { seedMarkedNumbers } from './seed-marks.js';
import { numberArg } from './args.js';

const ROWS = numberArg('rows', 20000);
const BATCH = numberArg('batch', 100);
const ROUNDS = numberArg('rounds', 3);

const VARIANTS: Record<string, string[]> = {
  schema: [],
  'no trigger': ['DROP TRIGGER attempts_daily_aggregates'],
  'no time indexes': ['DROP INDEX attempts_time', 'DROP INDEX attempts_called_time'],
  'no trigger, no attempts index': [
    'DROP TRIGGER attempts_daily_aggregates',
    'DROP INDEX attempts_time',
    'DROP INDEX attempts_called_time',
    'DROP INDEX attempts_caller_time',
    'DROP INDEX attempts_journal_key',
    'DROP INDEX attempts_check_passed',
  ],
  'values (bound), schema': [],
  'jsonb_each, schema': [],
  'no trigger, no time indexes': [
    'DROP TRIGGER attempts_daily_aggregates',
    'DROP INDEX attempts_time',
    'DROP INDEX attempts_called_time',
  ],
};

/** Variants that keep the trigger less one of its statements (the one naming this table). */
const TRIGGER_PARTS: Record<string, string> = {
  'trigger less daily_totals': 'INSERT INTO daily_totals',
  'trigger less caller_daily': 'INSERT INTO caller_daily',
  'trigger less caller_totals': 'INSERT INTO caller_totals',
  'trigger less company_daily': 'INSERT INTO company_daily',
};
for (const name of Object.keys(TRIGGER_PARTS)) VARIANTS[name] = [];

function rowLine(i: number, key: number, time: number): string {
  const caller = `+3902100${String(i % 10000).padStart(5, '0')}`;
  const a = newAttempt(caller, time, {
    callerRaw: caller,
    calledNumber: '+390612345678',
    verdict: 'nuisance',
    score: 0.95,
    reasons: [
      {
        code: 'marked-nuisance',
        text: `marked nuisance by you on 1 Nov 2026 (Company ${i % 50}, energy)`,
        weight: 0.95,
        params: { markedAt: '2026-11-01T10:00:00.000Z', company: `Company ${i % 50}`, category: 'energy' },
      },
    ],
    action: 'reject:607',
    callId: `${i}-12345@127.0.0.1`,
    sourceAddress: '127.0.0.1',
    userAgent: 'SIPp',
    outcome: 'rejected',
    finalStatus: 607,
  });
  return attemptLine(attemptParams(a, key));
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'insert-cost-'));
  const seed = join(dir, 'seed.sqlite');
  await (await openRegister({ file: seed, lookbackDays: 30 })).close();
  const c = await Connection.open(seed);
  await seedMarkedNumbers(c, 10000);
  await c.exec('PRAGMA journal_mode = WAL');
  await c.close();
  const start = Date.now();
  let key = 1;
  console.log(
    `bench/insert-cost: ${ROWS} refusal rows in batches of ${BATCH}, ${ROUNDS} rounds, ${new Date().toISOString()}`,
  );
  for (let r = 1; r <= ROUNDS; r++) {
    const names = Object.keys(VARIANTS);
    for (const name of r % 2 === 1 ? names : [...names].reverse()) {
      const file = join(dir, `v${r}.sqlite`);
      copyFileSync(seed, file);
      const db = await Connection.open(file);
      await db.exec('PRAGMA journal_mode = WAL');
      await db.exec('PRAGMA synchronous = NORMAL');
      for (const sql of VARIANTS[name] ?? []) await db.exec(sql);
      const part = TRIGGER_PARTS[name];
      if (part !== undefined) {
        const row = await db.get<{ sql: string }>(
          "SELECT sql FROM sqlite_master WHERE name = 'attempts_daily_aggregates'",
        );
        const body = (row?.sql ?? '').replace(/^[\s\S]*?BEGIN/, '').replace(/END\s*$/, '');
        const statements = body.split(/;\s*(?=INSERT|UPDATE)/).map((t) => t.trim().replace(/;$/, ''));
        await db.exec('DROP TRIGGER attempts_daily_aggregates');
        const kept = statements.filter((t) => !t.includes(part));
        await db.exec(
          `CREATE TRIGGER attempts_daily_aggregates AFTER INSERT ON attempts BEGIN ${kept.map((t) => `${t};`).join('\n')} END`,
        );
      }
      const bound = name.startsWith('values');
      const sql = name.startsWith('jsonb_each')
        ? INSERT_ATTEMPTS_JSON_SQL.replace('json_each(', 'jsonb_each(')
        : INSERT_ATTEMPTS_JSON_SQL.replace('jsonb_each(', 'json_each(');
      const insert = await db.prepare(bound ? insertAttemptsSql(BATCH) : sql);
      let wall = 0;
      const cpu0 = cpuMs();
      for (let i = 0; i < ROWS; i += BATCH) {
        let text = '[';
        for (let k = 0; k < BATCH; k++) text += (k === 0 ? '' : ',') + rowLine(i + k, key++, start + i + k);
        text += ']';
        const params = bound ? (JSON.parse(text) as SqlValue[][]).flat() : [text];
        const t0 = performance.now();
        await insert.run(params);
        wall += performance.now() - t0;
      }
      const cpu = cpuMs() - cpu0;
      await insert.finalize();
      await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      await db.close();
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      console.log(
        `  round ${r} ${name.padEnd(28)} statement wall ${((wall * 1000) / ROWS).toFixed(1).padStart(6)} µs/row, process CPU ${((cpu * 1000) / ROWS).toFixed(1).padStart(6)} µs/row (rows built on the main thread included)`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();

/**
 * Migration 11 on a register written before 1c619f6, when the JSON API, the CLI and imports kept a category as typed
 * (`energia`, ` Energia `, `Telecomunicazioni`): opened, the rankings and actions.byCategory read one category.
 */
import { copyFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, knownCategoryKey } from '../../screening/categories.js';
import { caller } from '../../screening/test-fixtures.js';
import { classify } from '../../screening/classify.js';
import { DEFAULT_ACTION_POLICY, chooseAction, type Action } from '../../screening/policy.js';
import { DEFAULT_SCREENING_RULES } from '../../screening/rules.js';
import { openRegister } from '../register/register.js';
import { Reports } from '../reports/reports.js';
import type { StoreLogger } from '../logger.js';
import { Connection } from './connection.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const DAY = 86_400_000;
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY);

/** number, company, category as an old crocetta stored it, attempts in the last days. */
const MARKS: ReadonlyArray<[string, string, string | null, number]> = [
  ['+390645001001', 'Luce Facile', 'energia', 3],
  ['+390645001002', 'Luce Facile', ' Energia ', 2],
  ['+390645001003', 'Luce Facile', 'energy', 2],
  ['+390645001004', 'luce facile ', 'Luce e gas', 1],
  ['+393471112233', 'Rete Uno', 'Telecomunicazioni', 4],
  ['+390113001001', 'Sole Srl', 'Fotovoltaico', 1],
  ['+390113001002', 'Sole Srl', ' pannelli ', 1],
  ['+390113001003', 'Nessuna', null, 1],
];

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** A register at schema 10 filled as the API, the CLI, an import and a friend's feed wrote it before 1c619f6. */
async function oldRegister(file: string): Promise<void> {
  const db = await Connection.open(file);
  await migrate(db, file, MIGRATIONS.slice(0, 10));
  await db.run('BEGIN');
  let call = 0;
  for (const [number, company, category, attempts] of MARKS) {
    for (let i = 0; i < attempts; i++) {
      const time = NOW - (i + 1) * DAY;
      await db.run(
        `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
           action, fail_open, call_id, outcome, refused_at)
         VALUES (?, 'call', ?, 'from', 0, '+390212345678', 'nuisance', 0.9, '[]', 'reject:607', 0, ?, 'rejected', ?)`,
        [time, number, `c${call++}`, time],
      );
    }
    await db.run(
      `INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
       VALUES (?, 'nuisance', ?, ?, ?, ?)`,
      [number, NOW - 10 * DAY, company, category, NOW - 10 * DAY],
    );
    await db.run(
      "INSERT INTO mark_history (caller_key, label, company, category, at, by) VALUES (?, 'nuisance', ?, ?, ?, 'api')",
      [number, company, category, NOW - 10 * DAY],
    );
  }
  await db.run(
    `INSERT INTO friends (id, name, url, public_key, token, weight, added_at)
     VALUES (1, 'Studio Rossi', 'https://rossi.example/feed', 'AAAA', 't', 0.5, 0)`,
  );
  await db.run(
    `INSERT INTO friend_reports (friend_id, caller_key, company, category, attempts) VALUES
       (1, '+390645009001', 'Luce Facile', 'Energia', 5), (1, '+393479990000', 'Rete Uno', 'telefonia', 2),
       (1, '+390113009001', 'Sole Srl', 'Fotovoltaico', 1)`,
  );
  await db.run('COMMIT');
  await db.close();
}

async function column(db: Connection, table: string): Promise<Array<string | null>> {
  const rows = await db.all<{ v: string | null }>(
    `SELECT DISTINCT category AS v FROM ${table} ORDER BY 1 COLLATE BINARY`,
  );
  return rows.map((r) => r.v);
}

describe('migration 11: categories kept as typed', () => {
  it('brings every known name to its key in the marks, their history, friends and the rankings; once', async () => {
    const file = dir.file('old.sqlite');
    await oldRegister(file);
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const logger: StoreLogger = {
      info: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }),
      warn: () => undefined,
      error: () => undefined,
    };
    const register = await openRegister({ file, lookbackDays: 30, logger });

    const migrated = lines.filter((l) => l.obj['migration'] === 11);
    expect(migrated).toHaveLength(1);
    // numbers: energia, " Energia ", "Luce e gas", Telecomunicazioni; the same in mark_history; two friend reports.
    expect(migrated[0]?.obj).toMatchObject({ rows: 10, numbers: 4, mark_history: 4, friend_reports: 2 });

    // actions.byCategory.energy applies to a number marked " Energia " through the API before.
    const reject486: Action = { kind: 'reject', status: 486 };
    const policy = { ...DEFAULT_ACTION_POLICY, byCategory: { energy: reject486 } };
    for (const number of ['+390645001001', '+390645001002', '+390645001004']) {
      const identity = caller(number);
      const decision = classify({
        identity,
        evidence: register.evidenceFor(number),
        now: NOW,
        rules: DEFAULT_SCREENING_RULES,
      });
      expect(decision.verdict).toBe('nuisance');
      expect(chooseAction(decision, identity, policy)).toEqual(reject486);
    }
    await register.close();

    const db = await Connection.open(file);
    const reports = new Reports(db);
    const range = { sinceDay: TODAY - 30, untilDay: TODAY + 1 };
    // The company's four numbers and eight attempts in one category, as the rankings' energy filter shows them.
    expect(await reports.rankCompanies({ ...range, category: 'energy' })).toEqual([
      { company: 'Luce Facile', category: 'energy', numbers: 4, attempts: 8, stopped: 8 },
    ]);
    expect((await reports.rankNumbers({ ...range, category: 'energy' })).map((r) => r.callerKey).sort()).toEqual([
      '+390645001001',
      '+390645001002',
      '+390645001003',
      '+390645001004',
    ]);
    expect((await reports.rankCompanies({ ...range, category: 'telecom' })).map((r) => r.attempts)).toEqual([4]);
    // The office's own words stay as they are, blanks included.
    expect((await reports.markVocabulary()).categories).toEqual([' pannelli ', 'Fotovoltaico', 'energy', 'telecom']);
    expect(await column(db, 'mark_history')).toEqual([null, ' pannelli ', 'Fotovoltaico', 'energy', 'telecom']);
    expect(await column(db, 'friend_reports')).toEqual(['Fotovoltaico', 'energy', 'telecom']);
    expect(await column(db, 'company_daily')).toEqual(['', ' pannelli ', 'Fotovoltaico', 'energy', 'telecom']);
    await db.close();

    // Opened again: nothing left to do, nothing logged.
    lines.length = 0;
    await (await openRegister({ file, lookbackDays: 30, logger })).close();
    expect(lines.filter((l) => l.obj['migration'] === 11)).toEqual([]);
  });
});

/**
 * Migration 11's rewrite as it shipped in b2ebe50: each category an UPDATE of its rows, numbers_company_update moving
 * company_daily a mark at a time. The reference the bulk rewrite must equal.
 */
async function rowByRow(db: Connection): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (const table of ['numbers', 'mark_history', 'friend_reports']) {
    const rows = await db.all<{ category: string }>(
      `SELECT DISTINCT category FROM ${table} WHERE category IS NOT NULL`,
    );
    let n = 0;
    for (const { category } of rows) {
      const key = knownCategoryKey(category);
      if (key === undefined || key === category) continue;
      n += (await db.run(`UPDATE ${table} SET category = ? WHERE category = ?`, [key, category])).changes;
    }
    changed[table] = n;
  }
  return changed;
}

/** Every spelling of every known category (name in each language, key, case, blanks, synonyms) and some others. */
function everySpelling(): Array<string | null> {
  const words = new Set<string>();
  for (const [key, names] of Object.entries(CATEGORY_NAMES)) {
    for (const w of [key, names.it, names.en]) {
      words.add(w);
      words.add(w.toUpperCase());
      words.add(w.charAt(0).toUpperCase() + w.slice(1));
      words.add(` ${w} `);
    }
  }
  for (const w of ['Telecomunicazioni', 'telefonia mobile', 'Luce e gas', ' luce', 'GAS', 'assicurazione'])
    words.add(w);
  for (const w of ['Fotovoltaico', ' pannelli ', 'energie', '']) words.add(w);
  return [...words, null];
}

/** A schema-10 register: for each spelling, marks of several kinds with attempts on a few days, history, a feed. */
async function registerOfEverySpelling(file: string): Promise<void> {
  const db = await Connection.open(file);
  await migrate(db, file, MIGRATIONS.slice(0, 10));
  await db.run('BEGIN');
  await db.run(
    `INSERT INTO friends (id, name, url, public_key, token, weight, added_at)
     VALUES (1, 'Studio Rossi', 'https://rossi.example/feed', 'AAAA', 't', 0.5, 0)`,
  );
  const kinds: ReadonlyArray<[string | null, string | null]> = [
    ['nuisance', 'Luce Facile'],
    ['nuisance', ' luce facile'],
    ['nuisance', 'Rete Uno'],
    ['nuisance', ''],
    ['nuisance', null],
    ['trusted', 'Rete Uno'],
    [null, 'Luce Facile'],
  ];
  let n = 0;
  let call = 0;
  for (const category of everySpelling()) {
    for (const [label, company] of kinds) {
      const number = `+39064500${String(n++).padStart(4, '0')}`;
      // 1 to 3 days, the same days for many numbers, so company_daily's rows gather several marks.
      for (let day = 0; day <= n % 3; day++) {
        const time = NOW - (day + 1) * DAY;
        const action = (n + day) % 2 === 0 ? 'reject:607' : 'forward';
        await db.run(
          `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
             action, fail_open, call_id, outcome, refused_at)
           VALUES (?, 'call', ?, 'from', 0, '+390212345678', 'nuisance', 0.9, '[]', ?, 0, ?, 'rejected', NULL)`,
          [time, number, action, `c${call++}`],
        );
      }
      await db.run(
        'INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        [number, label, NOW - 10 * DAY, company, category, NOW - 10 * DAY],
      );
      await db.run(
        'INSERT INTO mark_history (caller_key, label, company, category, at, by) VALUES (?, ?, ?, ?, ?, ?)',
        [number, label ?? 'none', company, category, NOW - 10 * DAY, 'api'],
      );
      await db.run(
        `INSERT INTO friend_reports (friend_id, caller_key, company, category, attempts) VALUES (1, ?, ?, ?, 2)`,
        [number, company, category],
      );
    }
  }
  await db.run('COMMIT');
  await db.close();
}

/** Every row of the tables migration 11 touches, and the schema, in a fixed order. */
async function dump(file: string): Promise<Record<string, unknown[]>> {
  const db = await Connection.open(file);
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of [
    ['numbers', 'SELECT * FROM numbers ORDER BY caller_key'],
    ['mark_history', 'SELECT * FROM mark_history ORDER BY id'],
    ['friend_reports', 'SELECT * FROM friend_reports ORDER BY friend_id, caller_key'],
    ['company_daily', 'SELECT * FROM company_daily ORDER BY day, company, has_category, category COLLATE BINARY'],
    ['caller_daily', 'SELECT * FROM caller_daily ORDER BY caller_key, day'],
    ['schema', 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name'],
    ['version', 'PRAGMA user_version'],
  ] as const) {
    out[name] = await db.all(sql);
  }
  await db.close();
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** company_daily's rows with each known category as its key (the spelling of a NOCASE column aside). */
function byKey(d: Record<string, unknown[]>): unknown[] {
  return (d['company_daily'] as Array<{ day: number; company: string; has_category: number; category: string }>)
    .map((r) => ({ ...r, category: knownCategoryKey(r.category) ?? r.category }))
    .sort(
      (x, y) =>
        x.day - y.day || cmp(x.company, y.company) || x.has_category - y.has_category || cmp(x.category, y.category),
    );
}

describe('migration 11 in bulk', () => {
  it('leaves the register as the row-by-row rewrite does, for every spelling of every category', async () => {
    const bulk = dir.file('bulk.sqlite');
    const reference = dir.file('reference.sqlite');
    await registerOfEverySpelling(bulk);
    copyFileSync(bulk, reference);
    const before = await dump(bulk);

    const b = await Connection.open(bulk);
    await migrate(b, bulk, MIGRATIONS.slice(0, 11));
    await b.close();
    const r = await Connection.open(reference);
    await migrate(r, reference, [...MIGRATIONS.slice(0, 10), { ...MIGRATIONS[10]!, rewrite: rowByRow }]);
    await r.close();

    const after = await dump(bulk);
    const ref = await dump(reference);
    expect({ ...after, company_daily: byKey(after) }).toEqual({ ...ref, company_daily: byKey(ref) });
    // company_daily's category is NOCASE: the row-by-row rewrite left a day's row spelled as the case variant that
    // created it (CHARITY for charity); in bulk every known category there is spelled as its key.
    const notKey = (d: Record<string, unknown[]>): unknown[] =>
      (d['company_daily'] as Array<{ category: string }>).filter((r) => {
        const key = knownCategoryKey(r.category);
        return key !== undefined && key !== r.category;
      });
    expect(notKey(ref)).not.toEqual([]);
    expect(notKey(after)).toEqual([]);
    // The case is not empty: marks, history, feed and company_daily all changed, and the migration ran.
    for (const table of ['numbers', 'mark_history', 'friend_reports', 'company_daily']) {
      expect(after[table]).not.toEqual(before[table]);
    }
    expect(after['version']).toEqual([{ user_version: 11 }]);
  });
});

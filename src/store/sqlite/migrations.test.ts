import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATING, MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError, migrate } from './migrations.js';
import { openRegister } from '../register/register.js';
import { Connection } from './connection.js';
import { tempDir, type TempDir } from '../test-tmp.js';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

async function userVersion(file: string): Promise<number> {
  const db = await Connection.open(file, { readOnly: true });
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  await db.close();
  return row?.user_version ?? -1;
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('create the schema on a fresh file, in a directory made on the way, with WAL', async () => {
    const file = dir.file('deep/er/register.sqlite');
    const register = await openRegister({ file, lookbackDays: 30 });
    await register.close();
    expect(await userVersion(file)).toBe(SCHEMA_VERSION);
    const db = await Connection.open(file, { readOnly: true });
    const tables = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual([
      'appeals',
      'attempts',
      'called_numbers',
      'caller_daily',
      'caller_totals',
      'company_daily',
      'daily_totals',
      'friend_reports',
      'friends',
      'let_through',
      'mark_history',
      'numbers',
      'pbx_bindings',
      'settings',
      'time_zone_offsets',
    ]);
    const indexes = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    expect(indexes.map((i) => i.name)).toEqual([
      'appeals_caller',
      'attempts_called_time',
      'attempts_caller_time',
      'attempts_check_passed',
      'attempts_journal_key',
      'attempts_message_time',
      'attempts_time',
      'caller_daily_day',
      'caller_totals_attempts',
      'friend_reports_caller',
      'mark_history_caller_at',
      'numbers_category',
      'numbers_company',
      'numbers_mark_source',
    ]);
    expect((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode).toBe('wal');
    await db.close();
  });

  it('apply nothing when the file is already up to date', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const db = await Connection.open(file);
    expect(await migrate(db, file)).toEqual([]);
    await db.close();
    await (await openRegister({ file, lookbackDays: 30 })).close();
    expect(await userVersion(file)).toBe(SCHEMA_VERSION);
  });

  it('refuse a database written by a newer crocetta, leaving it untouched', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const db = await Connection.open(file);
    await db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    await db.close();
    const opening = openRegister({ file, lookbackDays: 30 });
    await expect(opening).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(opening).rejects.toThrow(/newer crocetta/);
    expect(await userVersion(file)).toBe(SCHEMA_VERSION + 1);
  });

  it('say before migrating an existing register what start-up waits for; not for a new file, nor when current', async () => {
    const file = dir.file('register.sqlite');
    const db = await Connection.open(file);
    const lines: Array<[unknown, string]> = [];
    const logger = {
      info: (o: unknown, msg: string) => lines.push([o, msg]),
      warn: () => undefined,
      error: () => undefined,
    };
    await migrate(db, file, MIGRATIONS.slice(0, 10), logger);
    expect(lines).toEqual([]);
    const seenByRewrite: Array<Array<[unknown, string]>> = [];
    const last = {
      version: 11,
      name: 'slow rewrite',
      sql: '',
      rewrite: () => {
        seenByRewrite.push([...lines]);
        return Promise.resolve({});
      },
    };
    expect(await migrate(db, file, [...MIGRATIONS.slice(0, 10), last], logger)).toEqual([11]);
    expect(seenByRewrite).toEqual([[[{ file, from: 10, to: 11 }, MIGRATING]]]);
    lines.length = 0;
    expect(await migrate(db, file, [...MIGRATIONS.slice(0, 10), last], logger)).toEqual([]);
    expect(lines).toEqual([]);
    await db.close();
  });

  it('roll back every step of a failing migration', async () => {
    const file = dir.file('register.sqlite');
    const db = await Connection.open(file);
    const broken = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE x (a); SELEC nonsense;' },
    ];
    await expect(migrate(db, file, broken)).rejects.toThrow();
    const tables = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
    expect(tables).toEqual([]);
    await db.close();
    expect(await userVersion(file)).toBe(0);
  });
});

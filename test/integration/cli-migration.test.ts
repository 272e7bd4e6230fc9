/**
 * A CLI command that opens a register written before migration 11 says what the migration changed, on stderr, as
 * the service logs it: the command itself runs the migration (ensureSchema), so without this the change went
 * unsaid. Spawned as a user runs it, against a real SQLite file at schema 10; and a new register, which has nothing
 * to migrate, says nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/store/sqlite/connection.js';
import { MIGRATING, MIGRATIONS, SCHEMA_VERSION, migrate } from '../../src/store/sqlite/migrations.js';
import { runCli } from '../support/cli-process.js';

const LINE = 'register migration: categories kept as typed brought to their key (energia -> energy)';

/** A register at schema 10 with two marks whose category was kept as typed, one as its key. */
async function oldRegister(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'crocetta-cli-migration-')), 'register.sqlite');
  const db = await Connection.open(file);
  await migrate(db, file, MIGRATIONS.slice(0, 10));
  for (const [number, category] of [
    ['+390645001001', 'energia'],
    ['+390645001002', 'Telefonia'],
    ['+390645001003', 'energy'],
  ] as const) {
    await db.run(
      "INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at) VALUES (?, 'nuisance', 1, NULL, ?, 1)",
      [number, category],
    );
  }
  await db.close();
  return file;
}

describe('the CLI on a register before migration 11', () => {
  it("says the migration's lines (before: what it waits for; after: what it changed) on stderr once, in text or as JSON with --json; standard output stays the command's", async () => {
    const file = await oldRegister();
    const env = { CROCETTA_DB: file, LOG_LEVEL: 'silent' };
    const first = await runCli(['lookup', '+390645001001'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(
      `crocetta: ${MIGRATING} (file=${file} from=10 to=${SCHEMA_VERSION})\n` +
        `crocetta: ${LINE} (file=${file} migration=11 rows=2 numbers=2 mark_history=0 friend_reports=0)\n`,
    );
    expect(first.stdout).toMatch(/^\+390645001001: nuisance/);
    // Migrated once: the next command says nothing.
    const again = await runCli(['lookup', '+390645001001'], env);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });

    const other = await oldRegister();
    const json = await runCli(['--json', 'mark', '+390645001003', 'none'], { ...env, CROCETTA_DB: other });
    expect(json.code).toBe(0);
    const [before, after] = json.stderr.trimEnd().split('\n');
    expect(JSON.parse(before ?? '')).toEqual({ notice: MIGRATING, file: other, from: 10, to: SCHEMA_VERSION });
    expect(JSON.parse(after ?? '')).toEqual({
      notice: LINE,
      file: other,
      migration: 11,
      rows: 2,
      numbers: 2,
      mark_history: 0,
      friend_reports: 0,
    });
    expect(JSON.parse(json.stdout)).toEqual({ number: '+390645001003', label: 'none' });
  });

  it('on a register it creates (a first command on a new install) says nothing of a migration: there was nothing to carry', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crocetta-cli-migration-')), 'new.sqlite');
    const env = { CROCETTA_DB: file, LOG_LEVEL: 'silent' };
    const first = await runCli(
      ['mark', '+390245550001', 'nuisance', '--company', 'Energia Amica', '--category', 'energia'],
      env,
    );
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^\+390245550001 marked nuisance/);
  });
});

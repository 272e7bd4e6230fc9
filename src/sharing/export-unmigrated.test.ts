/**
 * `crocetta export` reads and never migrates: run by a newer crocetta before its service's first start, it reads a
 * register migration 11 has not reached, where a known category is kept as typed (`energia`). It writes what the
 * same register exports once migrated, and leaves the file as it was.
 */
import { copyFileSync } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Connection } from '../store/sqlite/connection.js';
import { MIGRATIONS, migrate } from '../store/sqlite/migrations.js';
import { tempDir, type TempDir } from '../store/test-tmp.js';
import { exportRegister, writeNuisanceList } from './export.js';

const T0 = Date.parse('2026-11-03T09:15:00.123Z');
let dir: TempDir;
beforeEach(() => {
  dir = tempDir('crocetta-export-');
});
afterEach(() => dir.remove());

/** A register at schema 10, its marks as the API and the CLI kept them before 1c619f6. */
async function schema10(file: string): Promise<void> {
  const db = await Connection.open(file);
  await migrate(db, file, MIGRATIONS.slice(0, 10));
  const marks: Array<[string, string, string | null, string | null]> = [
    ['+390645001001', 'nuisance', 'Luce Facile', 'energia'],
    ['+390645001002', 'nuisance', null, ' Telefonia '],
    ['+390645001003', 'nuisance', null, 'Fotovoltaico'],
    ['+390645001004', 'nuisance', null, null],
    ['+390645001005', 'trusted', null, 'Assicurazioni'],
  ];
  for (const [number, label, company, category] of marks) {
    await db.run(
      'INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [number, label, T0, company, category, T0],
    );
    await db.run(
      "INSERT INTO mark_history (caller_key, label, company, category, at, by) VALUES (?, ?, ?, ?, ?, 'api')",
      [number, label, company, category, T0],
    );
  }
  await db.close();
}

async function text(write: (out: Writable) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

const exports = (file: string) => ({
  json: () => text((out) => exportRegister(file, out, { format: 'json', now: T0 })),
  csv: () => text((out) => exportRegister(file, out, { format: 'csv', now: T0 })),
  fritzbox: () => text((out) => writeNuisanceList('fritzbox', file, out)),
  htable: () => text((out) => writeNuisanceList('kamailio-htable', file, out)),
});

async function userVersion(file: string): Promise<number> {
  const db = await Connection.open(file, { readOnly: true });
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  await db.close();
  return row?.user_version ?? -1;
}

describe('export of a register migration 11 has not reached', () => {
  it('writes each known category as its key, as the migrated register does, and migrates nothing', async () => {
    const old = dir.file('old.sqlite');
    await schema10(old);
    const migrated = dir.file('migrated.sqlite');
    copyFileSync(old, migrated);
    const db = await Connection.open(migrated);
    await migrate(db, migrated);
    await db.close();

    for (const kind of ['json', 'csv', 'fritzbox', 'htable'] as const) {
      expect(await exports(old)[kind](), kind).toEqual(await exports(migrated)[kind]());
    }
    const json = await exports(old).json();
    expect(json).toContain('"category":"energy"');
    expect(json).toContain('"category":"telecom"');
    expect(json).toContain('"category":"insurance"');
    expect(json).toContain('"category":"Fotovoltaico"');
    expect(json).not.toMatch(/energia|Telefonia|Assicurazioni/);
    expect(await exports(old).htable()).toContain('telecom');
    expect(await userVersion(old)).toBe(10);
  });
});

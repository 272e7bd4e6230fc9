/**
 * `crocetta restore <backup>`, spawned as a user runs it: after a crash the register's -wal and the attempts journal
 * are beside it, and a backup copied over the file by hand has them applied to it; the command moves them aside with
 * the register, refuses while the service holds the register, and refuses a file that is not a backup.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock } from '../../src/store/instance-lock.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { runCli } from '../support/cli-process.js';

const A = '+390212345001';
const B = '+390212345002';

async function marked(file: string, number: string): Promise<boolean> {
  const db = await Connection.open(file);
  try {
    const row = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM numbers WHERE caller_key = ? AND label = 'nuisance'",
      [number],
    );
    return (row?.n ?? 0) > 0;
  } finally {
    await db.close();
  }
}

/** A register with A marked, its backup, then B marked and a crash's leftovers: B's pages in a -wal, a journal. */
async function crashedRegister(): Promise<{ dir: string; file: string; backup: string; env: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-cli-restore-'));
  const file = join(dir, 'register.sqlite');
  const backup = join(dir, 'backup.sqlite');
  const env = { CROCETTA_DB: file, LOG_LEVEL: 'silent' };
  expect((await runCli(['mark', A, 'nuisance'], env)).code).toBe(0);
  expect((await runCli(['backup', backup], env)).code).toBe(0);
  // A connection held open keeps the -wal in place while B is marked; its bytes are what a kill -9 leaves.
  const holder = await Connection.open(file);
  await holder.get('PRAGMA journal_mode = WAL');
  expect((await runCli(['mark', B, 'nuisance'], env)).code).toBe(0);
  const wal = readFileSync(`${file}-wal`);
  expect(wal.length).toBeGreaterThan(0);
  await holder.close();
  writeFileSync(`${file}-wal`, wal);
  writeFileSync(`${file}.journal.3`, '{"journal":"crocetta attempts journal","columns":["journal_key"]}\n');
  return { dir, file, backup, env };
}

describe('crocetta restore', () => {
  it('puts the backup in place: the crash leftovers a copy by hand would apply are moved aside with the register', async () => {
    const { dir, file, backup, env } = await crashedRegister();

    // What the command replaces: a copy over the file, with the leftovers beside it, still has B.
    const byHand = mkdtempSync(join(tmpdir(), 'crocetta-cli-restore-hand-'));
    copyFileSync(backup, join(byHand, 'register.sqlite'));
    copyFileSync(`${file}-wal`, join(byHand, 'register.sqlite-wal'));
    expect(await marked(join(byHand, 'register.sqlite'), B)).toBe(true);

    const res = await runCli(['--json', 'restore', backup], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { marks: number; replaced: string };
    expect(out.marks).toBe(1);
    expect(readdirSync(out.replaced).sort()).toEqual([
      'register.sqlite',
      'register.sqlite-wal',
      'register.sqlite.journal.3',
    ]);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}.journal.3`)).toBe(false);
    expect(await marked(file, A)).toBe(true);
    expect(await marked(file, B)).toBe(false);
    // The register it replaced is whole in its folder: B is there.
    expect(await marked(join(out.replaced, 'register.sqlite'), B)).toBe(true);

    const looked = await runCli(['--json', 'lookup', B], env);
    expect(looked.code).toBe(0);
    expect(JSON.parse(looked.stdout)).not.toMatchObject({ verdict: 'nuisance' });
    expect(readdirSync(dir).filter((n) => n.startsWith('register.sqlite.restoring'))).toEqual([]);
  });

  it('refuses while crocetta runs on the register, a file that is not a backup, and one from a newer crocetta; the register untouched', async () => {
    const { dir, file, backup, env } = await crashedRegister();
    const lock = await acquireInstanceLock(file);
    try {
      const running = await runCli(['restore', backup], env);
      expect(running.code).toBe(1);
      expect(running.stderr).toContain('stop it first');
    } finally {
      await lock.release();
    }
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a register\n'.repeat(100));
    const notDb = await runCli(['restore', text], env);
    expect(notDb.code).toBe(65);
    expect(notDb.stderr).toContain('not a crocetta backup');
    const empty = join(dir, 'empty.sqlite');
    const db = await Connection.open(empty);
    await db.exec('CREATE TABLE t (x)');
    await db.close();
    const other = await runCli(['restore', empty], env);
    expect(other.code).toBe(65);
    expect(other.stderr).toContain('not a crocetta register');
    expect((await runCli(['restore', join(dir, 'missing.sqlite')], env)).code).toBe(66);
    // A backup from a newer crocetta: refused now in the start's words, rather than put in place for the next start
    // to refuse.
    const newer = join(dir, 'newer.sqlite');
    copyFileSync(backup, newer);
    const future = await Connection.open(newer);
    await future.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    await future.close();
    const fromNewer = await runCli(['restore', newer], env);
    expect(fromNewer.code).toBe(65);
    expect(fromNewer.stderr).toContain(
      `has schema version ${SCHEMA_VERSION + 1}, this crocetta knows up to ${SCHEMA_VERSION}: ` +
        'it was written by a newer crocetta; upgrade crocetta or use a backup made for this version',
    );
    expect(fromNewer.stderr).toContain('the register is untouched');
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('before-restore'))).toEqual([]);
    expect(await marked(file, B)).toBe(true);
  });
});

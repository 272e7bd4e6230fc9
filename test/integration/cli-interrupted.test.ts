/**
 * `crocetta export --output FILE` and `dossier --out FILE` stopped by Ctrl-C (SIGINT) or SIGTERM while they write: the
 * temporary beside FILE (`.FILE.crocetta.<pid>.<host>.<hex>.tmp`, src/cli/output.ts intoFile) is removed, FILE is byte for byte the file it
 * was, and the exit code is the conventional one (130, 143). The CLI is spawned as a user runs it, on a register large
 * enough (200,000 marks: a 36 MB JSON export, ~2 s of writing here) to be signalled once its temporary has bytes in it.
 * SIGKILL cannot be caught: the temporary it leaves is removed by the next export to the same file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/store/sqlite/connection.js';
import { spawnService, type ServiceProcess } from '../support/cli-process.js';
import { SEEDED_AT, seedMarks } from '../support/seed-register.js';

const MARKS = 200_000;
const CALLER = '+393331234567';
const CALLER_ATTEMPTS = 200_000;

let dir = '';
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-cli-interrupted-'));
  const file = join(dir, 'register.sqlite');
  await seedMarks(file, MARKS);
  const db = await Connection.open(file);
  // One caller's many calls, for a dossier that takes a while to read.
  await db.run(
    `INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, called_number, verdict, score, reasons,
                           action, fail_open, call_id, outcome)
     WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
     SELECT ? + i * 1000, 'call', ?, 'from', 0, '+390612345678', 'nuisance', 0.9, '[]', 'reject:607', 0,
            'many-' || i, 'rejected'
       FROM c`,
    [CALLER_ATTEMPTS - 1, SEEDED_AT, CALLER],
  );
  await db.close();
  env = { CROCETTA_DB: file, LOG_LEVEL: 'silent' };
}, 60_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The temporaries beside `name` in `folder`. */
const temporaries = (folder: string, name: string): string[] =>
  readdirSync(folder).filter((f) => f.startsWith(`.${name}.`) && f.endsWith('.tmp'));

/** Resolves once a temporary of `name` holds at least `bytes` bytes (the command is writing it). */
async function writing(run: ServiceProcess, folder: string, name: string, bytes: number): Promise<void> {
  const end = Date.now() + 60_000;
  let exited = false;
  void run.exited.then(() => (exited = true));
  for (;;) {
    const found = temporaries(folder, name).find((t) => {
      try {
        return statSync(join(folder, t)).size >= bytes;
      } catch {
        return false; // renamed or removed in between
      }
    });
    if (found !== undefined) return;
    if (exited || Date.now() > end)
      throw new Error(`no temporary of ${name} with ${bytes} bytes before the command ended:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a CLI command stopped while it writes its output file', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'export --output stopped by %s: the temporary removed, the old file intact, exit %i',
    async (signal, code) => {
      const folder = mkdtempSync(join(dir, 'out-'));
      const target = join(folder, 'marks.json');
      const old = Buffer.from('{"the":"export of yesterday"}\n\u0000\u00ff', 'latin1');
      writeFileSync(target, old);
      const run = await spawnService(env, {
        entry: 'src/cli/main.ts',
        args: ['export', '--format', 'json', '--output', target],
      });
      await writing(run, folder, 'marks.json', 64 * 1024);
      run.child.kill(signal);
      const exit = await run.exited;
      // (Before: the temporary stayed, and the process died of the signal.)
      expect(temporaries(folder, 'marks.json')).toEqual([]);
      expect(readdirSync(folder)).toEqual(['marks.json']);
      expect(readFileSync(target).equals(old)).toBe(true);
      expect(exit, run.output()).toBe(code);
      expect(run.output()).toContain(`crocetta: stopped by ${signal}: ${target} left as it was`);
    },
  );

  it('export --output killed with SIGKILL leaves its temporary; the next export to the same file removes it', async () => {
    const folder = mkdtempSync(join(dir, 'out-'));
    const target = join(folder, 'marks.json');
    writeFileSync(target, '{"the":"export of yesterday"}\n');
    const args = ['export', '--format', 'json', '--output', target];
    const killed = await spawnService(env, { entry: 'src/cli/main.ts', args });
    await writing(killed, folder, 'marks.json', 64 * 1024);
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const [left] = temporaries(folder, 'marks.json'); // nothing can remove it then
    expect(left).toBeDefined();
    // A short export this time (no calls were made: its header alone), to the same file.
    const next = await spawnService(env, { entry: 'src/cli/main.ts', args: [...args, '--only', 'called'] });
    expect(await next.exited, next.output()).toBe(0);
    // (Before: the dead run's temporary stayed beside the file, for good.)
    expect(readdirSync(folder)).toEqual(['marks.json']);
    expect(readFileSync(target, 'utf8')).toMatch(/^\{"format":"crocetta-register"/);
    expect(next.output()).toContain(
      `crocetta: removed ${join(folder, left ?? '')}, the temporary of a run that was killed`,
    );
  });

  it('dossier --out stopped by SIGINT while it reads the register: no temporary, the old file intact, exit 130', async () => {
    const folder = mkdtempSync(join(dir, 'out-'));
    const target = join(folder, 'dossier.html');
    const old = Buffer.from('<p>the dossier of last week</p>\n');
    writeFileSync(target, old);
    const run = await spawnService(env, {
      entry: 'src/cli/main.ts',
      args: ['dossier', '--number', CALLER, '--out', target],
    });
    await writing(run, folder, 'dossier.html', 0);
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(readdirSync(folder)).toEqual(['dossier.html']);
    expect(readFileSync(target).equals(old)).toBe(true);
    expect(exit, run.output()).toBe(130);
  });
});

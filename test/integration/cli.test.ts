/**
 * The `crocetta` CLI, spawned as a user runs it, against the register of a running crocetta (real app, drachtio
 * double, real SQLite file): backup while attempts are being written, import/lookup/export, exit codes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/store/sqlite/connection.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildMessage } from '../support/drachtio-double.js';
import { runCli, spawnService, type CliRun } from '../support/cli-process.js';
import { openRegister } from '../../src/store/register/register.js';
import { fixtureDataFile } from '../support/fixture-data.js';
import { screenOf } from '../support/terminal-screen.js';

const cli = (args: string[], env: Record<string, string>): Promise<CliRun> => runCli(args, env);

let h: Harness;
let env: Record<string, string>;
beforeAll(async () => {
  h = await startHarness();
  env = { CROCETTA_DB: join(h.dir, 'register.sqlite'), LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await h.stop();
});

describe('crocetta CLI', () => {
  it('backup while calls are being registered gives a consistent database (integrity_check ok)', async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      const t0 = h.clock.now();
      while (writing) {
        const batch = Array.from({ length: 50 }, (_, i) =>
          h.app.register.record(newAttempt(`+3902${String(1_000_000 + written + i)}`, t0 + written + i)),
        );
        await Promise.all(batch);
        written += batch.length;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const target = join(h.dir, 'backup.sqlite');
    const res = await cli(['--json', 'backup', target], env);
    writing = false;
    await writer;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ integrity: 'ok' });
    expect(existsSync(`${target}-wal`)).toBe(false);
    const db = await Connection.open(target, { readOnly: true });
    const check = await db.get<{ integrity_check: string }>('PRAGMA integrity_check');
    const rows = await db.get<{ n: number }>('SELECT count(*) AS n FROM attempts');
    const totals = await db.get<{ n: number }>('SELECT sum(attempts) AS n FROM daily_totals');
    await db.close();
    expect(check?.integrity_check).toBe('ok');
    expect(rows?.n).toBeGreaterThan(0);
    expect(totals?.n).toBe(rows?.n); // the aggregates of the same transactions: one snapshot
    expect(written).toBeGreaterThan(rows?.n ?? 0);
  });

  it('imports the FTC file, looks a number up (--json), and exports it as a FRITZ!Box phonebook', async () => {
    const imported = await cli(['--json', 'import', 'ftc', fixtureDataFile('ftc-dnc-complaints-2021-07-08.csv')], env);
    expect(imported.code).toBe(0);
    expect((JSON.parse(imported.stdout) as { written: { mark: number } }).written.mark).toBeGreaterThan(5000);
    const looked = await cli(['--json', 'lookup', '+14703352559'], env);
    expect(looked.code).toBe(0);
    expect(JSON.parse(looked.stdout)).toMatchObject({ number: '+14703352559', verdict: 'nuisance' });
    const xml = await cli(['export', '--format', 'fritzbox'], env);
    expect(xml.code).toBe(0);
    expect(xml.stdout).toContain('<number type="home" prio="1" id="0">+14703352559</number>');
  });

  it('counts in words a person reads: "1 mark", "2 marks", "1 line" (never "2 mark")', async () => {
    const one = join(h.dir, 'one.txt');
    writeFileSync(one, '+390212345011\n');
    const two = join(h.dir, 'two.txt');
    writeFileSync(two, '# two call centres\n+390212345021\n+390212345022\n');
    const first = await cli(['import', 'list', one], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^read 1 line in [\d.]+ s: written 1 mark; unchanged nothing$/m);
    const second = await cli(['import', 'list', two], env);
    expect(second.stdout).toMatch(/^read 3 lines in [\d.]+ s: written 2 marks; unchanged nothing$/m);
    const again = await cli(['import', 'list', two], env);
    expect(again.stdout).toMatch(/written nothing; unchanged 2 marks$/m);
    const out = join(h.dir, 'marks.json');
    const exported = await cli(['export', '--only', 'mark', '--output', out], env);
    expect(exported.stdout).toMatch(/^exported to .*marks\.json: \d+ marks$/m);
  });

  it('let-through: the next call of a number marked nuisance let through once, --withdraw undoes it', async () => {
    const number = '+390212345040';
    const firstReason = async () => {
      const looked = await cli(['--json', 'lookup', number], env);
      return (JSON.parse(looked.stdout) as { reasons: string[] }).reasons[0];
    };
    expect((await cli(['mark', number, 'nuisance'], env)).code).toBe(0);
    const set = await cli(['let-through', number], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^\+390212345040: its next call will be let through, once \(/);
    expect(await firstReason()).toMatch(/^let through once: you asked on /);
    const withdrawn = await cli(['--json', 'let-through', number, '--withdraw'], env);
    expect(JSON.parse(withdrawn.stdout)).toEqual({ number, letThrough: null });
    expect(await firstReason()).toMatch(/^marked nuisance by you/);
  });

  it('keeps a category named in Italian as its key, as the panel forms do: mark and import (user41)', async () => {
    const list = join(h.dir, 'telefonia.txt');
    writeFileSync(list, '+390212345031\n');
    expect((await cli(['mark', '+390212345030', 'nuisance', '--category', 'Energia'], env)).code).toBe(0);
    expect((await cli(['import', 'list', list, '--as', 'nuisance', '--category', 'telefonia'], env)).code).toBe(0);
    const db = await Connection.open(env.CROCETTA_DB ?? '', { readOnly: true });
    const rows = await db.all<{ caller_key: string; category: string }>(
      "SELECT caller_key, category FROM numbers WHERE caller_key IN ('+390212345030', '+390212345031') ORDER BY 1",
    );
    await db.close();
    expect(rows).toEqual([
      { caller_key: '+390212345030', category: 'energy' },
      { caller_key: '+390212345031', category: 'telecom' },
    ]);
  });

  it("marks a text message's sender by its raw: key and a short code as typed; a bare sender ID is refused with its raw: name (sms49)", async () => {
    expect((await cli(['mark', 'raw:PROMO-ENERGIA', 'nuisance', '--category', 'marketing'], env)).code).toBe(0);
    const short = await cli(['--json', 'mark', '48018', 'nuisance'], env);
    expect(JSON.parse(short.stdout)).toEqual({ number: 'raw:48018', label: 'nuisance' });
    const bare = await cli(['mark', 'PROMO-ENERGIA', 'nuisance'], env);
    expect(bare.code).toBe(64);
    expect(bare.stderr).toMatch(/a text message's sender ID is named raw:PROMO-ENERGIA/);
    // Typed in another case: the same sender, its mark written where it was (senders49).
    const lower = await cli(['--json', 'mark', 'raw:promo-energia', 'nuisance', '--category', 'marketing'], env);
    expect(JSON.parse(lower.stdout)).toEqual({ number: 'raw:PROMO-ENERGIA', label: 'nuisance' });
    const db = await Connection.open(env.CROCETTA_DB ?? '', { readOnly: true });
    const rows = await db.all<{ caller_key: string; label: string }>(
      "SELECT caller_key, label FROM numbers WHERE caller_key LIKE 'raw:%' ORDER BY 1",
    );
    await db.close();
    expect(rows).toEqual([
      { caller_key: 'raw:48018', label: 'nuisance' },
      { caller_key: 'raw:PROMO-ENERGIA', label: 'nuisance' },
    ]);
    // A sender ID that only texted: its next one is a text, its letters no evidence against it.
    const sms = h.double.injectRequest(buildMessage({ from: 'IntesaSP', to: '+390255550100', body: 'Codice 123456' }));
    await sms.waitForFinal();
    await h.app.register.flush();
    const looked = JSON.parse((await cli(['--json', 'lookup', 'raw:IntesaSP'], env)).stdout) as {
      number: string;
      verdict: string;
      reasons: string[];
    };
    expect(looked).toMatchObject({ number: 'raw:IntesaSP', verdict: 'unknown' });
    expect(looked.reasons.join('; ')).not.toMatch(/not a valid number/);
    const cased = JSON.parse((await cli(['--json', 'lookup', 'raw:INTESASP'], env)).stdout) as { number: string };
    expect(cased).toMatchObject({ number: 'raw:IntesaSP', attempts: 1 });
    // Its next text let through: said of a text (texts50; it said "its next call").
    const let1 = await cli(['let-through', 'raw:intesasp'], env);
    expect(let1.stdout).toMatch(/^raw:IntesaSP: its next text will be let through, once \(/);
    const undo = await cli(['let-through', 'raw:IntesaSP', '--withdraw'], env);
    expect(undo.stdout).toMatch(/^raw:IntesaSP: "let the next text through" withdrawn \(/);
  });

  it('export refuses a register written by a newer crocetta as every other command does, before any output (it exported it; senders49)', async () => {
    const dir = join(h.dir, 'newer-export');
    mkdirSync(dir);
    const own = { ...env, CROCETTA_DB: join(dir, 'register.sqlite') };
    expect((await cli(['mark', '+390212345678', 'nuisance'], own)).code).toBe(0);
    const db = await Connection.open(own.CROCETTA_DB);
    await db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    await db.close();
    const words =
      `has schema version ${SCHEMA_VERSION + 1}, this crocetta knows up to ${SCHEMA_VERSION}: ` +
      'it was written by a newer crocetta; upgrade crocetta or use a backup made for this version';
    const other = await cli(['lookup', '+390212345678'], own);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(words);
    const kept = join(dir, 'kept.xml');
    writeFileSync(kept, 'the export before\n');
    for (const format of ['json', 'csv', 'fritzbox', 'kamailio-htable']) {
      const out = await cli(['export', '--format', format], own);
      expect({ format, code: out.code, stdout: out.stdout }).toEqual({ format, code: other.code, stdout: '' });
      expect(out.stderr).toBe(other.stderr);
      const toFile = await cli(['export', '--format', format, '--output', kept], own);
      expect(toFile.code).toBe(1);
      expect(readFileSync(kept, 'utf8')).toBe('the export before\n');
      const fresh = join(dir, `${format}.out`);
      expect((await cli(['export', '--format', format, '--output', fresh], own)).code).toBe(1);
      expect(existsSync(fresh)).toBe(false);
    }
  });

  it('says what is wrong, with sysexits codes: refused import 65, usage 64, missing file 66', async () => {
    const bad = join(h.dir, 'bad.txt');
    writeFileSync(bad, '+390212345678\nnot a number\n');
    const refused = await cli(['import', 'list', bad], env);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(/line 2: not a phone number/);
    expect(refused.stderr).toMatch(/nothing was imported/);
    expect((await cli(['import', 'xls', bad], env)).code).toBe(64);
    expect((await cli(['lookup', 'hello'], env)).code).toBe(64);
    expect((await cli(['import', 'list', join(h.dir, 'none.txt')], env)).code).toBe(66);
  });

  it('a refused import on a terminal clears its progress bar: none left at 100% above the error (there was)', async () => {
    const bad = join(h.dir, 'bad-on-a-terminal.txt');
    writeFileSync(bad, '+390212345678\nnot a number\n');
    // stderr as a terminal: the bar is drawn only there.
    const onTerminal = { ...env, NODE_OPTIONS: '--import=data:text/javascript,process.stderr.isTTY=true' };
    const refused = await cli(['import', 'list', bad], onTerminal);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain('100%'); // drawn while the file was read
    expect(screenOf(refused.stderr)).toEqual([
      'crocetta: import refused: line 2: not a phone number (not-a-number): "not a number"',
      'nothing was imported (use --lenient to skip bad rows)',
    ]);
    const good = join(h.dir, 'good-on-a-terminal.txt');
    writeFileSync(good, '+390212345031\n');
    const imported = await cli(['import', 'list', good], onTerminal);
    expect(imported.code).toBe(0);
    expect(screenOf(imported.stderr)).toEqual(['importing list [##############################] 100%']);
  });

  it('a file that cannot be read (here a directory) is said in one line, exit 66, nothing imported, no crash', async () => {
    const folder = join(h.dir, 'not-a-file');
    mkdirSync(folder);
    const marks = async () => {
      const db = await Connection.open(env.CROCETTA_DB ?? '', { readOnly: true });
      try {
        return (await db.get<{ n: number }>('SELECT count(*) AS n FROM numbers'))?.n;
      } finally {
        await db.close();
      }
    };
    const before = await marks();
    // One format per reader: lines (list), CSV rows (csv), XML (fritzbox).
    for (const format of ['list', 'csv', 'fritzbox']) {
      const res = await cli(['import', format, folder], env);
      expect({ format, code: res.code, stderr: res.stderr }).toEqual({
        format,
        code: 66,
        stderr: `crocetta: cannot read ${folder}: EISDIR: illegal operation on a directory, read\nnothing was imported\n`,
      });
    }
    const json = await cli(['--json', 'import', 'json', folder], env);
    expect(json.code).toBe(66);
    expect(JSON.parse(json.stderr)).toEqual({
      error: `cannot read ${folder}: EISDIR: illegal operation on a directory, read\nnothing was imported`,
      details: { reason: 'EISDIR: illegal operation on a directory, read' },
    });
    expect(await marks()).toBe(before);
  });

  it('an output that cannot be written is said in one line: cannot create 73, a failed write 74, no crash', async () => {
    const folder = join(h.dir, 'not-a-file-either');
    mkdirSync(folder);
    for (const format of ['json', 'csv', 'fritzbox', 'kamailio-htable']) {
      const res = await cli(['export', '--format', format, '--output', folder], env);
      expect({ format, code: res.code, stderr: res.stderr }).toEqual({
        format,
        code: 73,
        stderr: `crocetta: cannot write ${folder}: EISDIR: illegal operation on a directory, open '${folder}'\n`,
      });
    }
    // A full disk: every write to /dev/full fails with ENOSPC.
    if (!existsSync('/dev/full')) return;
    for (const format of ['json', 'fritzbox']) {
      const res = await cli(['export', '--format', format, '--output', '/dev/full'], env);
      expect({ format, code: res.code, stderr: res.stderr }).toEqual({
        format,
        code: 74,
        stderr: 'crocetta: cannot write /dev/full: ENOSPC: no space left on device, write\n',
      });
    }
    const stdout = await runCli(['export', '--format', 'csv'], env, { stdoutTo: '/dev/full' });
    expect(stdout).toEqual({
      code: 74,
      stdout: '',
      stderr: 'crocetta: cannot write to standard output: ENOSPC: no space left on device, write\n',
    });
  });

  it('dossier --out says an output it cannot write as export does: 73, a failed write 74 (it said 1)', async () => {
    const folder = join(h.dir, 'no-dossier-here');
    mkdirSync(folder);
    const dossier = (out: string) =>
      cli(['dossier', '--number', '+390212345011', '--format', 'csv', '--out', out], env);
    const created = await dossier(folder);
    expect({ code: created.code, stderr: created.stderr }).toEqual({
      code: 73,
      stderr: `crocetta: cannot write ${folder}: EISDIR: illegal operation on a directory, open '${folder}'\n`,
    });
    const written = join(h.dir, 'dossier.csv');
    const good = await dossier(written);
    expect(good.code).toBe(0);
    expect(good.stderr).toMatch(/^.*dossier\.csv: \d+ breach(es)? in \d+ calls?\n$/);
    const csv = await cli(['dossier', '--number', '+390212345011', '--format', 'csv'], env);
    expect(readFileSync(written, 'utf8')).toBe(csv.stdout);
    if (!existsSync('/dev/full')) return;
    const full = await dossier('/dev/full');
    expect({ code: full.code, stderr: full.stderr }).toEqual({
      code: 74,
      stderr: 'crocetta: cannot write /dev/full: ENOSPC: no space left on device, write\n',
    });
  });

  it('export --output and dossier --out write whole or not at all: a register read that fails keeps the file they replace (they emptied it)', async () => {
    const folder = join(h.dir, 'kept');
    mkdirSync(folder);
    const table = join(folder, 'crocetta_nuisance');
    const numbers = join(folder, '..', 'kept-numbers.txt');
    writeFileSync(numbers, '+390212345098\n');
    expect((await cli(['import', 'list', numbers], env)).code).toBe(0);
    const good = await cli(['export', '--format', 'kamailio-htable'], env);
    expect(good.stdout).toContain('+390212345098:0:0:');
    expect(good.code).toBe(0);
    writeFileSync(table, good.stdout);
    // A register that cannot be read: the read fails once the output would have been opened.
    const broken = { ...env, CROCETTA_DB: join(h.dir, 'not-a-register.sqlite') };
    writeFileSync(broken.CROCETTA_DB, 'this is not a SQLite database\n'.repeat(200));
    for (const args of [
      ['export', '--format', 'kamailio-htable', '-o', table],
      ['dossier', '--number', '+390212345011', '--format', 'csv', '--out', table],
    ]) {
      const failed = await cli(args, broken);
      expect({ args, code: failed.code, stderr: failed.stderr }).toEqual({
        args,
        code: 1,
        stderr: 'crocetta: SQLITE_NOTADB: file is not a database\n',
      });
      expect(readFileSync(table, 'utf8'), args.join(' ')).toBe(good.stdout);
      expect(readdirSync(folder), 'no temporary left beside it').toEqual(['crocetta_nuisance']);
    }
    // Read as it should be: the same bytes as on standard output, in place of the old file.
    writeFileSync(numbers, '+390212345099\n');
    expect((await cli(['import', 'list', numbers], env)).code).toBe(0);
    const next = await cli(['export', '--format', 'kamailio-htable'], env);
    const written = await cli(['export', '--format', 'kamailio-htable', '-o', table], env);
    expect(written.code).toBe(0);
    expect(next.stdout).not.toBe(good.stdout);
    expect(readFileSync(table, 'utf8')).toBe(next.stdout);
    expect(readdirSync(folder)).toEqual(['crocetta_nuisance']);
  });

  it('lookup leaves the aggregates alone; rebuild-aggregates rebuilds them with progress, stops on Ctrl-C (130) or SIGTERM (143) and goes on', async () => {
    // A register of its own whose aggregates must be rebuilt (as after migration 10 or a change of timeZone).
    const file = join(h.dir, 'rebuild.sqlite');
    const register = await openRegister({ file, lookbackDays: 30 });
    const t0 = Date.parse('2026-11-01T08:00:00Z');
    await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        register.record(newAttempt(i % 7 === 0 ? null : `+39333${1_000_000 + (i % 40)}`, t0 + i * 600_000)),
      ),
    );
    await register.close();
    const db = await Connection.open(file);
    await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
    const zone = async () =>
      (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'aggregates.timeZone'"))?.value;
    const own = { ...env, CROCETTA_DB: file };

    // lookup shows no aggregates: it answers without rebuilding them.
    const looked = await cli(['--json', 'lookup', '+393331000001'], own);
    expect(looked.code).toBe(0);
    expect((JSON.parse(looked.stdout) as { number: string }).number).toBe('+393331000001');
    expect(await zone()).toBeUndefined();

    // Stopped by Ctrl-C after its first chunk (a long pause after each): what was counted stays.
    const overlay = join(h.dir, 'slow-rebuild.yaml');
    writeFileSync(overlay, 'store:\n  aggregatesRebuildPauseMs: 600000\n');
    const slow = await spawnService(
      { ...own, CROCETTA_CONFIG: overlay },
      { entry: 'src/cli/main.ts', args: ['rebuild-aggregates'] },
    );
    await slow.waitFor(/^rebuild started/m);
    const mark = async () =>
      (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'aggregates.rebuild'"))?.value;
    for (let i = 0; i < 600 && !(JSON.parse((await mark()) ?? '{}') as { counted?: number }).counted; i++)
      await new Promise((r) => setTimeout(r, 50)); // until its first chunk is committed (then it pauses)
    slow.child.kill('SIGINT');
    expect(await slow.exited).toBe(130);
    expect(slow.output()).toMatch(/stopped: \d+ of 600 attempts counted; run it again, or start crocetta, to go on/);
    expect(await zone()).toBeUndefined();

    // Stopped by SIGTERM (a service manager, `timeout`): the same stop, told apart by its code, 143 (it was 130).
    const termed = await spawnService(
      { ...own, CROCETTA_CONFIG: overlay },
      { entry: 'src/cli/main.ts', args: ['rebuild-aggregates'] },
    );
    await termed.waitFor(/^rebuild resumed/m);
    termed.child.kill('SIGTERM');
    expect(await termed.exited, termed.output()).toBe(143);
    expect(termed.output()).toMatch(/stopped: \d+ of 600 attempts counted; run it again, or start crocetta, to go on/);
    expect(await zone()).toBeUndefined();

    // Run again: goes on from there and ends; the counts are the attempts', each once.
    const rebuilt = await cli(['rebuild-aggregates'], own);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/^rebuild resumed where the previous run left it \(.*counted=[1-9]/m);
    expect(rebuilt.stdout).toMatch(/^aggregates rebuilt in Europe\/Rome \([\d.]+ s\)$/m);
    expect(await zone()).toBe('"Europe/Rome"');
    const counts = await db.get<{ counted: number; attempts: number }>(
      'SELECT (SELECT SUM(attempts) FROM daily_totals) AS counted, (SELECT COUNT(*) FROM attempts) AS attempts',
    );
    expect(counts).toEqual({ counted: 600, attempts: 600 });
    const again = await cli(['--json', 'rebuild-aggregates'], own);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ rebuilt: false, timeZone: 'Europe/Rome' });
    await db.close();
  });
});

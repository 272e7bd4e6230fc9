/**
 * `crocetta restore <backup>`: puts a backup (`crocetta backup`) in the register's place, with the service stopped.
 *
 * Copying the backup over the register file by hand is not a restore. After a crash (`kill -9`, a power cut) the
 * register's write-ahead log (`<file>-wal`) and the attempts journal (`<file>.journal.<n>`) are still beside it: the
 * next open applies the -wal to whatever file bears the register's name (SQLite replays it page by page) and the
 * service replays the journal into it, so the "restored" register held what was written after the backup (seen
 * with a real crash: 15 attempts in the backup, 17 after the copy), or pages of two registers mixed when a
 * checkpoint had run between the backup and the crash.
 *
 * Here: the backup is checked first (SQLite's integrity check, a crocetta register, a schema this crocetta knows: a
 * backup from a newer crocetta is refused now, not at the next start); the service's own lock is taken, so a restore
 * is refused while crocetta runs on that register; the backup is copied beside the register with
 * SQLite's backup (a backup that has a -wal of its own is read whole; a copy that fails touches nothing); then the
 * register and what belongs to it (-wal, -shm, journal segments) are moved together into a folder
 * `<file>.before-restore-<time>` (a whole register again: open it there to read what the restore replaced) and the
 * copy is renamed into its place. The next start migrates an older backup as any older register.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { acquireInstanceLock, InstanceLockedError, type InstanceLock } from '../store/instance-lock.js';
import { segmentFiles } from '../store/register/journal.js';
import { Connection } from '../store/sqlite/connection.js';
import { knownSchemaVersion, SchemaTooNewError } from '../store/sqlite/migrations.js';
import { cliConfig, type GlobalOptions } from './context.js';
import { CliError, EXIT, counted, print } from './output.js';

/** What the backup holds, read before anything is touched. */
interface BackupContents {
  attempts: number;
  marks: number;
}

async function readBackup(source: string): Promise<BackupContents> {
  let db: Connection;
  try {
    db = await Connection.open(source, { readOnly: true });
  } catch (err) {
    throw new CliError(`cannot open ${source}: ${err instanceof Error ? err.message : String(err)}`, EXIT.noInput);
  }
  try {
    let check: string;
    try {
      check = (await db.get<{ integrity_check: string }>('PRAGMA integrity_check'))?.integrity_check ?? 'no answer';
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new CliError(`${source} is not a crocetta backup (${why}): the register is untouched`, EXIT.dataError);
    }
    if (check !== 'ok')
      throw new CliError(
        `${source} fails SQLite's integrity check (${check}): the register is untouched`,
        EXIT.dataError,
      );
    let contents: BackupContents;
    try {
      const attempts = (await db.get<{ n: number }>('SELECT count(*) AS n FROM attempts'))?.n ?? 0;
      const marks = (await db.get<{ n: number }>('SELECT count(*) AS n FROM numbers WHERE label IS NOT NULL'))?.n ?? 0;
      contents = { attempts, marks };
    } catch {
      throw new CliError(
        `${source} is an SQLite file but not a crocetta register (no attempts or numbers): the register is untouched`,
        EXIT.dataError,
      );
    }
    // A backup from a newer crocetta (a schema this one does not know) would be put in place and then refused by the
    // next start (migrate's SchemaTooNewError): refused here, in the start's own words, before anything is touched.
    try {
      await knownSchemaVersion(db, source);
    } catch (err) {
      if (err instanceof SchemaTooNewError)
        throw new CliError(`${err.message}: the register is untouched`, EXIT.dataError);
      throw err;
    }
    return contents;
  } finally {
    await db.close();
  }
}

/** The register's own files beside it: the file, its -wal and -shm, the attempts journal's segments. */
function registerFiles(file: string): string[] {
  const own = [file, `${file}-wal`, `${file}-shm`].filter((path) => existsSync(path));
  return [...own, ...segmentFiles(file).map((segment) => segment.path)];
}

export async function restore(source: string, g: GlobalOptions): Promise<void> {
  const config = cliConfig(g);
  const file = config.store.file;
  if (!existsSync(source)) throw new CliError(`no such file: ${source}`, EXIT.noInput);
  if (resolve(source) === resolve(file))
    throw new CliError(`${source} is the register itself: name a backup made with crocetta backup`, EXIT.usage);
  const contents = await readBackup(source);

  let lock: InstanceLock;
  try {
    lock = await acquireInstanceLock(file);
  } catch (err) {
    if (err instanceof InstanceLockedError) {
      const who = err.holder === null ? 'another process' : `process ${err.holder.pid} on ${err.holder.host}`;
      throw new CliError(
        `crocetta is running on the register ${file} (${who}): stop it first, then restore; nothing was changed`,
        EXIT.failure,
      );
    }
    throw err;
  }
  try {
    // The backup is copied beside the register first (the same file system, so the rename below is one step): a copy
    // that fails (a full disk) leaves the register and its files as they were, nothing moved aside.
    const temporary = `${file}.restoring.${process.pid}`;
    rmSync(temporary, { force: true });
    try {
      const db = await Connection.open(source, { readOnly: true });
      try {
        db.setBusyTimeout(5000);
        await db.backupTo(temporary);
      } finally {
        await db.close();
      }
    } catch (err) {
      rmSync(temporary, { force: true });
      const why = err instanceof Error ? err.message : String(err);
      throw new CliError(`cannot copy ${source} beside the register (${why}): the register is untouched`, EXIT.ioError);
    }
    const present = registerFiles(file);
    let aside: string | null = null;
    if (present.length > 0) {
      aside = `${file}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      mkdirSync(aside);
      for (const path of present) renameSync(path, join(aside, basename(path)));
    }
    renameSync(temporary, file);
    const result = { file, from: source, ...contents, replaced: aside };
    print(
      g.json === true,
      result,
      () =>
        `register ${file} restored from ${source} (${counted(contents.attempts, 'attempt', 'attempts')}, ` +
        `${counted(contents.marks, 'mark', 'marks')})` +
        (aside === null
          ? ''
          : `; the register it replaced, with its -wal and journal, is in ${aside}/ (delete it when you no longer need it)`),
    );
  } finally {
    await lock.release();
  }
}

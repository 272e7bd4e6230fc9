/**
 * One service per register file. Two crocetta services on the same `store.file` would write the same attempts
 * journal segments (`<store.file>.journal.<n>`) and replay, then delete, each other's, and the second would end the
 * first one's forwarded calls as "left open by the previous run": the second start is refused instead, with one
 * line naming the file and the process that holds it.
 *
 * The lock is the operating system's, so that a service killed with `kill -9` (or a power cut, or a container
 * stopped hard) leaves nothing that blocks the next start: `<store.file>.lock` is a small SQLite file on which the
 * service holds a write transaction (SQLite's RESERVED lock, an fcntl lock the kernel drops when the process ends)
 * for as long as it runs. The holder's pid, host and start time are committed in it first, so that the refused
 * process can read them (a RESERVED lock lets others read). No pid is trusted to tell whether a holder is alive: a
 * pid reused after a reboot, or pid 1 in every container, cannot block a start.
 *
 * The command line (`crocetta export`, `lookup`, `mark`, `import`, `backup`, `dossier`, `feed`) does not take it: it
 * never records attempts nor writes the journal, SQLite's own locks order its writes beside the running service's,
 * and it must keep working while the service runs.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { Connection, sqliteCode } from './sqlite/connection.js';

/** Who holds the lock, as the holder wrote it. */
export interface LockHolder {
  pid: number;
  host: string;
  since: number;
}

/** Another process holds the register file's lock: the message is the one line the operator reads. */
export class InstanceLockedError extends Error {
  override name = 'InstanceLockedError';
  constructor(
    readonly file: string,
    readonly holder: LockHolder | null,
  ) {
    const who =
      holder === null
        ? 'another process'
        : `process ${holder.pid} on ${holder.host}, started ${new Date(holder.since).toISOString()}`;
    super(
      `another crocetta already uses the register ${file} (${who}): stop it first, or give this one a register of ` +
        `its own (CROCETTA_DB / store.file); two services on one register would mix up its attempts journal`,
    );
  }
}

export interface InstanceLock {
  /** The lock file beside the register. */
  readonly lockFile: string;
  /** Ends the transaction and closes the lock file: the next service may start. */
  release(): Promise<void>;
}

/** How long a start waits for a lock another process is taking or leaving at that moment. */
const BUSY_MS = 1000;

async function holderOf(db: Connection): Promise<LockHolder | null> {
  try {
    const row = await db.get<LockHolder>('SELECT pid, host, since FROM holder LIMIT 1');
    return row ?? null;
  } catch {
    return null; // no table yet (its first holder is creating it), or the holder is committing
  }
}

/** BEGIN IMMEDIATE: true when this connection now holds the write lock, false when another process does. */
async function begin(db: Connection): Promise<boolean> {
  try {
    await db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (err) {
    if (sqliteCode(err) === 'SQLITE_BUSY') return false;
    throw err;
  }
}

/** Takes `<file>.lock` for this process, or throws InstanceLockedError naming the process that holds it. */
export async function acquireInstanceLock(file: string, now: () => number = Date.now): Promise<InstanceLock> {
  const lockFile = `${file}.lock`;
  // The lock is taken before the register is opened (which creates its folder too): a register in a folder that
  // does not exist yet (CROCETTA_DB=/var/lib/crocetta/register.sqlite on a new machine) is created, not refused.
  let db: Connection;
  try {
    mkdirSync(dirname(lockFile), { recursive: true });
    db = await Connection.open(lockFile);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot open the register's lock file ${lockFile} (CROCETTA_DB / store.file): ${why}`, {
      cause: err,
    });
  }
  try {
    db.setBusyTimeout(BUSY_MS);
    if (!(await begin(db))) throw new InstanceLockedError(file, await holderOf(db));
    await db.exec(
      'CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since INTEGER NOT NULL)',
    );
    await db.run('DELETE FROM holder');
    await db.run('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)', [process.pid, hostname(), now()]);
    await db.exec('COMMIT');
    // Held from here until release() or the end of the process (a process that took it in between is named).
    if (!(await begin(db))) throw new InstanceLockedError(file, await holderOf(db));
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    lockFile,
    release: () => db.close(), // closing rolls the open transaction back: the lock is free
  };
}

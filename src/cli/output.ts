/** What the CLI prints: text for people, `--json` for scripts; errors on stderr with a sysexits code. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { open, readdir, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** sysexits(3) codes the CLI exits with. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataError: 65,
  noInput: 66,
  /** An output file that cannot be created (a directory, a missing folder, no permission). */
  cantCreate: 73,
  /** A write that failed (a full disk, an I/O error). */
  ioError: 74,
  config: 78,
  /** Stopped by Ctrl-C (128 + SIGINT), with what was done kept. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

/** The signals that stop a command mid-write, and the conventional exit code of each (128 + its number). */
const STOPPING_SIGNALS = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

/** What stopOnSignals gives back: the exit code of the first stopping signal (null: none yet), and `off`. */
export interface StopSignals {
  code(): number | null;
  off(): void;
}

/**
 * The first SIGINT or SIGTERM calls `stop` (a command that winds down by itself, keeping what it did) and decides the
 * exit code, 130 or 143. A signal of the other kind after it changes neither, until the process exits (`off()` then
 * leaves its listener): Ctrl-C, then a service manager's SIGTERM while the command winds down, is still a Ctrl-C, and
 * the register is closed as it would be (without the listener the SIGTERM would kill the process mid-close). Each
 * listener is `once`: the same signal twice takes Node's own exit, to force a command that does not wind down.
 * `off()` before any signal removes both. `signals` is the process, or a test's emitter.
 */
export function stopOnSignals(stop: () => void, signals: NodeJS.EventEmitter = process): StopSignals {
  let code: number | null = null;
  const listeners = Object.entries(STOPPING_SIGNALS).map(([signal, exit]) => {
    const listener = (): void => {
      if (code !== null) return;
      code = exit;
      stop();
    };
    signals.once(signal, listener);
    return () => signals.off(signal, listener);
  });
  return {
    code: () => code,
    off: () => {
      if (code !== null) return;
      for (const off of listeners) off();
    },
  };
}

/** An error the CLI reports in one line and exits with its code (no stack: it is not a bug). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** "1 mark", "2 marks": a count with its noun in the right number. */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The register's record kinds as a person reads them in a count. */
const KIND_NOUNS: Record<string, [string, string]> = {
  mark: ['mark', 'marks'],
  history: ['mark history entry', 'mark history entries'],
  attempt: ['attempt', 'attempts'],
  called: ['call we made', 'calls we made'],
};

/** "2 marks, 1 attempt", or `none` when every count is zero. */
export function kindCounts(counts: Readonly<Record<string, number>>, none = 'nothing'): string {
  return (
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => {
        const [one, many] = KIND_NOUNS[k] ?? [k, k];
        return counted(n, one, many);
      })
      .join(', ') || none
  );
}

/**
 * `write` into the file `path`, whole or not at all: into a new temporary file beside it
 * (`.<name>.crocetta.<pid>.<host>.<random>.tmp`, temporaryOf, in the same folder, so that the rename is one step of
 * one file system), synced and renamed over `path` once `write`
 * and every write succeeded; removed when anything failed, and `path` as it was (an export or a dossier whose register
 * read fails half-way used to leave an empty or half-written file, over the good one it had emptied). A file replaced
 * keeps its permissions; a symbolic link is followed (the file it points to is replaced). A path that is not a
 * regular file (a device, a pipe: `/dev/stdout`) is written into directly, as before: it cannot be renamed over.
 * A path that cannot be written (a directory, a missing folder, no permission) is said before anything is read, exit
 * 73, in the words of an `open` of `path`; a write that fails (a full disk) ends the command, exit 74.
 * Ctrl-C (SIGINT) or SIGTERM while the temporary exists removes it and ends the process at once, 130 or 143, `path`
 * as it was (removedOnSignal). A SIGKILL (`kill -9`), a crash of the machine, can still leave the temporary: the next
 * write of the same file removes it (removeStaleTemporaries).
 */
export async function intoFile<T>(path: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const target = await targetOf(path);
  if (target === null) return intoStream(path, await created(path, () => open(path, 'w')), write, false);
  await removeStaleTemporaries(target.file);
  const temporary = temporaryOf(target.file);
  // Watched before it exists, and created synchronously: once the file is there, a signal can only find it watched
  // (an asynchronous open creates it on a worker thread, and a Ctrl-C seen before its callback found nothing to
  // remove it: the suite caught that under load).
  const unwatch = removedOnSignal(temporary, path);
  try {
    // Said as an open of `path` (the temporary is an internal name): the same words as when `path` itself was opened.
    const handle = await created(path, () => openCreated(temporary), temporary);
    try {
      if (target.mode !== null) await handle.chmod(target.mode);
      const result = await intoStream(path, handle, write, true);
      try {
        await rename(temporary, target.file);
      } catch (err) {
        throw new CliError(`cannot write ${path}: ${(err as Error).message}`, EXIT.cantCreate);
      }
      return result;
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true }).catch(() => undefined);
      throw err;
    }
  } finally {
    unwatch();
  }
}

/** This machine's name as a temporary carries it: letters, digits and dashes, at most 32 (a pid is per machine). */
export const TEMPORARY_HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 32) || 'host';

/** The marker of crocetta's temporaries of `file`, before the pid. */
const temporaryPrefix = (file: string): string => `.${basename(file)}.crocetta.`;

/**
 * A new temporary name for `file`, beside it: `.<name>.crocetta.<pid>.<host>.<random>.tmp`. The pid and the machine
 * say whose it is, so that a temporary left by a process that is gone can be told from one being written
 * (removeStaleTemporaries); the random part keeps two writes of one process apart.
 */
function temporaryOf(file: string): string {
  return join(
    dirname(file),
    `${temporaryPrefix(file)}${process.pid}.${TEMPORARY_HOST}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

/**
 * How long a temporary of `file` must have been left untouched (its mtime) before any write of `file` removes it,
 * whatever its name says: a run that writes touches its temporary with every chunk, so one untouched for a day belongs
 * to no run (session 29–30's `.<name>.<random>.tmp` that names no process, another machine's in a shared folder, or
 * this machine's whose pid a later process took, e.g. after a reboot). A run stopped (SIGSTOP) longer than that and
 * resumed fails its rename, exit 73, the file as it was: nothing is lost.
 */
export const STALE_TEMPORARY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the temporaries of `file` that crocetta commands left when they were killed (`kill -9`, the OOM killer, a
 * crash): at once one named by temporaryOf on this machine by a process that no longer exists; and any of `file`'s
 * (temporaryOf's name, or session 29–30's `.<name>.<random>.tmp`) untouched for STALE_TEMPORARY_MS. Never a fresh one
 * whose process may run (an export writing it now, another machine's, a live pid's), nor any other file.
 * Said on stderr, one line each; one that cannot be removed is left (not this write's failure).
 */
async function removeStaleTemporaries(file: string): Promise<void> {
  const folder = dirname(file);
  const prefix = temporaryPrefix(file);
  const old = `.${basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return; // the write's own open says what is wrong with the folder
  }
  for (const name of names) {
    const why = name.startsWith(prefix)
      ? await whyStale(join(folder, name), name.slice(prefix.length))
      : name.startsWith(old) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(old.length))
        ? await untouched(join(folder, name))
        : null;
    if (why === null) continue;
    try {
      await rm(join(folder, name));
      process.stderr.write(
        `crocetta: removed ${join(folder, name)}, the temporary of a run that was killed (${why})\n`,
      );
    } catch {
      // Removed meanwhile by another run, or not ours to remove: left.
    }
  }
}

/** Why temporaryOf's temporary `path` (`rest`: its name after the prefix) is stale, null when it may be in use. */
async function whyStale(path: string, rest: string): Promise<string | null> {
  const own = /^(\d{1,10})\.([A-Za-z0-9-]+)\.[0-9a-f]{12}\.tmp$/.exec(rest);
  if (own === null) return null;
  if (own[2] === TEMPORARY_HOST && !processExists(Number(own[1]))) return `process ${own[1]} is gone`;
  return untouched(path);
}

/** `untouched for N hours` when `path` was last written STALE_TEMPORARY_MS ago or more, else null. */
async function untouched(path: string): Promise<string | null> {
  try {
    const age = Date.now() - (await stat(path)).mtimeMs;
    return age >= STALE_TEMPORARY_MS ? `untouched for ${Math.floor(age / 3_600_000)} hours` : null;
  } catch {
    return null;
  }
}

/** Whether a process `pid` exists on this machine (another user's too: EPERM); this process's own pid included. */
function processExists(pid: number): boolean {
  if (pid <= 0 || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A new file `file` (refused when it exists), created synchronously, then opened for writing. */
async function openCreated(file: string): Promise<FileHandle> {
  closeSync(openSync(file, 'wx'));
  return open(file, 'r+');
}

/**
 * Until the returned function is called: on SIGINT or SIGTERM, `temporary` removed (synchronously: nothing else runs
 * in between), one line on stderr, and the process ended with 130 or 143. Exiting at once rather than unwinding: the
 * writer (a register read) cannot be stopped half-way, and nothing else is left to clean up (the register is only
 * read; `path` was never opened for writing). A listener on the signal replaces Node's own exit, so it must exit.
 */
function removedOnSignal(temporary: string, path: string): () => void {
  const listeners = Object.entries(STOPPING_SIGNALS).map(([signal, code]) => {
    const listener = (): void => {
      try {
        rmSync(temporary, { force: true });
        process.stderr.write(`crocetta: stopped by ${signal}: ${path} left as it was\n`);
      } finally {
        process.exit(code);
      }
    };
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => {
    for (const off of listeners) off();
  };
}

/**
 * The regular file `path` names (its real path, links followed, and its permission bits), null when `path` exists and
 * is something else (a device, a pipe); a new file (`mode` null) when it does not exist. Opened to be checked, never
 * changed: for writing, neither created nor truncated, so that a directory or a file without write permission is
 * refused in the words of the open that used to empty it; without waiting for a reader (a pipe with none: ENXIO).
 */
async function targetOf(path: string): Promise<{ file: string; mode: number | null } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { file: path, mode: null };
    if (code === 'ENXIO') return null;
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, EXIT.cantCreate);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return null;
    return { file: await realpath(path), mode: info.mode & 0o7777 };
  } finally {
    await handle.close();
  }
}

/** `opening()`, or exit 73 in the words of an open of `path` (`instead`: the name opened, said as `path`). */
async function created(path: string, opening: () => Promise<FileHandle>, instead?: string): Promise<FileHandle> {
  try {
    return await opening();
  } catch (err) {
    const message = (err as Error).message;
    throw new CliError(
      `cannot write ${path}: ${instead === undefined ? message : message.replace(instead, path)}`,
      EXIT.cantCreate,
    );
  }
}

/**
 * `write` into `handle`, then closed (flushed to the disk first when `sync`: a file about to be renamed over another,
 * so that the rename never names a file whose data is not on the disk yet); a write that fails (a full disk) exits
 * 74. The file stream's 'error' had no listener (the CLI crashed with its stack), and the writers wait for 'drain',
 * which a failed stream never sends.
 */
async function intoStream<T>(
  path: string,
  handle: FileHandle,
  write: (out: Writable) => Promise<T>,
  sync: boolean,
): Promise<T> {
  const out = handle.createWriteStream({ flush: sync });
  const failed = new Promise<never>((_resolve, reject) => out.once('error', reject));
  try {
    const result = await Promise.race([write(out), failed]);
    out.end();
    await Promise.race([finished(out), failed]);
    return result;
  } catch (err) {
    const errored = out.errored;
    out.destroy(); // closes the file
    if (errored !== null) throw new CliError(`cannot write ${path}: ${errored.message}`, EXIT.ioError);
    throw err;
  }
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** A log line's fields as `key=value`, space-separated (an error object left out), for a notice on stderr. */
export function fieldsText(obj: object): string {
  return Object.entries(obj)
    .filter(([k]) => k !== 'err')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Where a progress bar is drawn: stderr, or a test's stand-in. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress bar on a terminal (stderr), nothing otherwise; at most ~10 redraws a second. `end()` when the work is
 * done draws it full; `clear()` when it failed wipes it from its line, so the error is printed in its place: a
 * bar left at 100% (what end() drew for a failed import too) said the work was complete.
 */
export function progressBar(
  label: string,
  total: number,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): { update(done: number): void; end(): void; clear(): void } {
  const tty = stream.isTTY === true;
  let last = 0;
  /** The length of the bar on the terminal's line, 0 when none is drawn. */
  let drawn = 0;
  const draw = (done: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const full = Math.round(ratio * width);
    const line = `${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(ratio * 100).toFixed(0).padStart(3)}%`;
    stream.write(`\r${line}`);
    drawn = line.length;
  };
  return {
    update(done) {
      if (!tty) return;
      const at = now();
      if (at - last < 100) return;
      last = at;
      draw(done);
    },
    end() {
      if (!tty) return;
      draw(total);
      stream.write('\n');
      drawn = 0;
    },
    clear() {
      if (!tty || drawn === 0) return;
      stream.write(`\r${' '.repeat(drawn)}\r`);
      drawn = 0;
    },
  };
}

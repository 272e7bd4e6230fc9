/** What the CLI prints: text for people, `--json` for scripts; errors on stderr with a sysexits code. */
import { open } from 'node:fs/promises';
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
} as const;

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
 * `write` into the file `path`, created or emptied first: a path that cannot be written (a directory, a missing
 * folder, no permission) is said before anything is read, exit 73; a write that fails (a full disk) ends the
 * command, exit 74. The file stream's 'error' had no listener (the CLI crashed with its stack), and the writers
 * wait for 'drain', which a failed stream never sends.
 */
export async function intoFile<T>(path: string, write: (out: Writable) => Promise<T>): Promise<T> {
  let out: Writable;
  try {
    out = (await open(path, 'w')).createWriteStream();
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, EXIT.cantCreate);
  }
  const failed = new Promise<never>((_resolve, reject) => out.once('error', reject));
  try {
    const result = await Promise.race([write(out), failed]);
    out.end();
    await Promise.race([finished(out), failed]);
    return result;
  } catch (err) {
    if (out.errored !== null) throw new CliError(`cannot write ${path}: ${out.errored.message}`, EXIT.ioError);
    throw err;
  }
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
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

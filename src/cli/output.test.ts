import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { CliError, EXIT, intoFile, STALE_TEMPORARY_MS, stopOnSignals, TEMPORARY_HOST } from './output.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-into-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n+390212345678:0:0:Example:0\n';

/** Writes `text` and waits until the stream took it (as the exporters do, a line at a time). */
const put = (out: Writable, text: string): Promise<void> =>
  new Promise((resolve, reject) => out.write(text, (err) => (err ? reject(err) : resolve())));

describe('intoFile: the output file is written whole or not at all', () => {
  it('a write that fails half-way (the register read) leaves the file as it was, byte for byte, and no temporary', async () => {
    const file = join(dir, 'crocetta_nuisance');
    writeFileSync(file, GOOD);
    const failure = new Error('SQLITE_CORRUPT: database disk image is malformed');
    await expect(
      intoFile(file, async (out) => {
        await put(out, 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n');
        await put(out, '+390200000001:0:0:half:0\n');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['crocetta_nuisance']);
  });

  it('a failing write into a new file leaves no file at all', async () => {
    const file = join(dir, 'dossier.csv');
    await expect(
      intoFile(file, async (out) => {
        await put(out, 'time,number\n');
        throw new Error('the register read failed');
      }),
    ).rejects.toThrow('the register read failed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces the file once the whole is written: meanwhile it holds the old content, then the new bytes', async () => {
    const file = join(dir, 'crocetta_nuisance');
    writeFileSync(file, GOOD);
    chmodSync(file, 0o640);
    const next = `${GOOD}+393471234567:0:0:nuisance:0\n`;
    const seenMeanwhile: string[] = [];
    const result = await intoFile(file, async (out) => {
      await put(out, next.slice(0, 40));
      seenMeanwhile.push(readFileSync(file, 'utf8'));
      await put(out, next.slice(40));
      seenMeanwhile.push(readFileSync(file, 'utf8'));
      return 2;
    });
    expect(result).toBe(2);
    expect(seenMeanwhile).toEqual([GOOD, GOOD]);
    expect(readFileSync(file, 'utf8')).toBe(next);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['crocetta_nuisance']);
  });

  it('follows a symbolic link: the file it points to is replaced, the link stays', async () => {
    const file = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(file, 'old\n');
    symlinkSync(file, link);
    await intoFile(link, (out) => put(out, 'new\n'));
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['link.csv', 'real.csv']);
    expect(readFileSync(link, 'utf8')).toBe('new\n');
  });

  it('writes straight into what is not a regular file (a device), with nothing created beside it', async () => {
    const before = readdirSync('/dev').filter((f) => f.endsWith('.tmp'));
    expect(await intoFile('/dev/null', (out) => put(out, 'discarded\n').then(() => 'done'))).toBe('done');
    expect(readdirSync('/dev').filter((f) => f.endsWith('.tmp'))).toEqual(before);
  });

  it('says a folder that does not exist as an open of the path itself, exit 73, before anything is written', async () => {
    const file = join(dir, 'missing', 'out.csv');
    let called = false;
    const failed = await intoFile(file, () => {
      called = true;
      return Promise.resolve();
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(CliError);
    expect(failed).toMatchObject({
      code: EXIT.cantCreate,
      message: `cannot write ${file}: ENOENT: no such file or directory, open '${file}'`,
    });
    expect(called).toBe(false);
  });
});

describe('intoFile: temporaries a killed run left (kill -9) are removed by the next write of the same file', () => {
  const host = TEMPORARY_HOST;
  /** The pid of a process that has ended (a node that exited at once). */
  const gone = (): number => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    if (pid === undefined) throw new Error('no child process');
    return pid;
  };

  it("removes its own kind of temporary whose process is gone, and only that: a live process's, another machine's, session 30's, another file's stay", async () => {
    const file = join(dir, 'marks.json');
    writeFileSync(file, 'old\n');
    const dead = gone();
    const stale = `.marks.json.crocetta.${dead}.${host}.0123456789ab.tmp`;
    const kept = [
      `.marks.json.crocetta.${process.pid}.${host}.0123456789ab.tmp`, // a run that is writing (this process)
      `.marks.json.crocetta.${process.ppid}.${host}.0123456789ab.tmp`, // another live process
      `.marks.json.crocetta.${dead}.another-machine.0123456789ab.tmp`, // a shared folder: not this machine's pid
      `.marks.json.0123456789ab.tmp`, // session 30's name: no process named (and fresh: the next test)
      `.other.json.crocetta.${dead}.${host}.0123456789ab.tmp`, // another file's
    ];
    for (const name of [stale, ...kept]) writeFileSync(join(dir, name), 'half an export');
    await intoFile(file, (out) => put(out, 'new\n'));
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['marks.json', ...kept].sort());
  });

  it("removes any of the file's temporaries untouched for a day: session 29-30's name, another machine's, a pid taken since; fresh ones stay", async () => {
    const file = join(dir, 'marks.json');
    writeFileSync(file, 'old\n');
    const dead = gone();
    const stale = [
      `.marks.json.0123456789ab.tmp`, // session 29-30's name: no process named
      `.marks.json.crocetta.${dead}.another-machine.0123456789ab.tmp`, // a shared folder's, its run long gone
      `.marks.json.crocetta.${process.ppid}.${host}.0123456789ab.tmp`, // its pid taken since (a reboot)
    ];
    const fresh = [
      `.marks.json.abcdef012345.tmp`, // the same names, written an hour ago: their run may still be writing
      `.marks.json.crocetta.${dead}.another-machine.abcdef012345.tmp`,
      `.marks.json.crocetta.${process.ppid}.${host}.abcdef012345.tmp`,
    ];
    const others = [
      `.marks.json.0123456789ab.tmp.keep`, // not a temporary's name, as old as the stale ones
      `.marks.json.x0123456789ab.tmp`,
      `.other.json.0123456789ab.tmp`, // another file's
    ];
    const kept = [...fresh, ...others];
    const now = Date.now() / 1000;
    for (const name of [...stale, ...kept]) {
      writeFileSync(join(dir, name), 'half an export');
      const seconds = (fresh.includes(name) ? 3_600_000 : STALE_TEMPORARY_MS) / 1000 + 60;
      utimesSync(join(dir, name), now - seconds, now - seconds);
    }
    const said: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => said.push(String(chunk)) > 0);
    try {
      await intoFile(file, (out) => put(out, 'new\n'));
    } finally {
      stderr.mockRestore();
    }
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['marks.json', ...kept].sort());
    expect(said.sort()).toEqual(
      stale
        .map(
          (name) =>
            `crocetta: removed ${join(dir, name)}, the temporary of a run that was killed (untouched for 24 hours)\n`,
        )
        .sort(),
    );
  });

  it('names its temporary with its pid and this machine, so that a later run can tell it is gone', async () => {
    const file = join(dir, 'dossier.html');
    let seen: string[] = [];
    await intoFile(file, (out) => {
      seen = readdirSync(dir);
      return put(out, '<p>x</p>\n');
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(
      new RegExp(`^\\.dossier\\.html\\.crocetta\\.${process.pid}\\.${host}\\.[0-9a-f]{12}\\.tmp$`),
    );
  });
});

describe('stopOnSignals', () => {
  it.each([
    ['SIGINT', 'SIGTERM', EXIT.interrupted],
    ['SIGTERM', 'SIGINT', EXIT.terminated],
  ])('%s then %s: stopped once, the first one decides the code, before and after off()', (first, second, code) => {
    const signals = new EventEmitter();
    let stops = 0;
    const stopping = stopOnSignals(() => stops++, signals);
    expect(stopping.code()).toBeNull();
    signals.emit(first);
    signals.emit(second);
    expect(stopping.code()).toBe(code);
    expect(stops).toBe(1);
    // The command wound down; the other kind's listener stays until the process exits, so that it cannot kill it.
    const fresh = stopOnSignals(() => stops++, signals);
    signals.emit(first);
    fresh.off();
    expect(signals.listenerCount(second)).toBe(1);
    signals.emit(second);
    expect([fresh.code(), stops]).toEqual([code, 2]);
  });

  it('listens once for each: the same signal twice is left to Node (its own exit); off() before any removes both', () => {
    const signals = new EventEmitter();
    stopOnSignals(() => undefined, signals);
    signals.emit('SIGINT');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    const untouched = new EventEmitter();
    stopOnSignals(() => undefined, untouched).off();
    expect(untouched.listenerCount('SIGINT') + untouched.listenerCount('SIGTERM')).toBe(0);
  });
});

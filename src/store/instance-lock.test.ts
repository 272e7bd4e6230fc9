import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, InstanceLockedError, type InstanceLock } from './instance-lock.js';
import { tempDir, type TempDir } from './test-tmp.js';

let dir: TempDir;
const held: InstanceLock[] = [];

afterEach(async () => {
  for (const lock of held.splice(0)) await lock.release();
  dir?.remove();
});

describe('the register file lock', () => {
  it('refuses a second holder, naming the file and the process that holds it; free again once released', async () => {
    dir = tempDir('crocetta-lock-');
    const file = dir.file('register.sqlite');
    const first = await acquireInstanceLock(file, () => Date.parse('2026-12-02T13:00:00Z'));
    held.push(first);
    expect(first.lockFile).toBe(`${file}.lock`);

    const refused = await acquireInstanceLock(file).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(InstanceLockedError);
    const err = refused as InstanceLockedError;
    expect(err.holder).toEqual({ pid: process.pid, host: hostname(), since: Date.parse('2026-12-02T13:00:00Z') });
    expect(err.message).toBe(
      `another crocetta already uses the register ${file} (process ${process.pid} on ${hostname()}, started ` +
        `2026-12-02T13:00:00.000Z): stop it first, or give this one a register of its own (CROCETTA_DB / ` +
        `store.file); two services on one register would mix up its attempts journal`,
    );

    // Another register file is another lock.
    held.push(await acquireInstanceLock(dir.file('other.sqlite')));

    await first.release();
    held.splice(held.indexOf(first), 1);
    const again = await acquireInstanceLock(file);
    held.push(again);
  });

  it("creates the register's folder when it does not exist yet, so a new CROCETTA_DB path starts", async () => {
    dir = tempDir('crocetta-lock-');
    const file = dir.file('new/folder/register.sqlite');
    const lock = await acquireInstanceLock(file);
    held.push(lock);
    expect(existsSync(`${file}.lock`)).toBe(true);
  });

  it('names the lock file when it cannot be opened', async () => {
    dir = tempDir('crocetta-lock-');
    writeFileSync(dir.file('not-a-folder'), 'a file where the folder should be');
    const file = dir.file('not-a-folder/register.sqlite');
    await expect(acquireInstanceLock(file)).rejects.toThrow(
      `cannot open the register's lock file ${file}.lock (CROCETTA_DB / store.file): `,
    );
  });
});

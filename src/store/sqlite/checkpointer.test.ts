import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegister, type OpenedRegister } from '../register/register.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';

let dir: TempDir;
let register: OpenedRegister | undefined;
beforeEach(() => (dir = tempDir()));
afterEach(async () => {
  await register?.close();
  register = undefined;
  dir.remove();
});

/**
 * The WAL index (the -shm file, SQLite's wal.c): the header's mxFrame (frames in the WAL) at byte 16, and the
 * checkpoint info's nBackfill (frames already copied into the database file) at byte 96, native byte order.
 */
function walIndex(file: string): { frames: number; copied: number } {
  const shm = readFileSync(`${file}-shm`);
  return { frames: shm.readUInt32LE(16), copied: shm.readUInt32LE(96) };
}

describe('WAL checkpoints beside the commits (checkpointer.ts)', () => {
  it('copies the WAL into the database as attempts come, before SQLite would in a commit (1,000 pages)', async () => {
    const file = dir.file('register.sqlite');
    register = await openRegister({ file, lookbackDays: 7 });
    for (let n = 0; n < 60; n++) await register.record(newAttempt(`+39333${String(n).padStart(7, '0')}`, 1e12 + n));
    let wal = walIndex(file);
    for (let i = 0; i < 100 && wal.copied === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      wal = walIndex(file);
    }
    expect(wal.frames).toBeGreaterThan(0);
    expect(wal.frames).toBeLessThan(1000); // SQLite's own checkpoint has not run
    expect(wal.copied).toBeGreaterThan(0); // the checkpointer's has, after 50 rows
    expect(wal.copied).toBeGreaterThan(wal.frames / 2);
  }, 30_000);
});

/**
 * How many write() calls the attempts journal costs the main thread: the updates given to the register in one run of
 * JavaScript (the outcomes and talk times of the attempts of one commit, which all wait for their ids) share one.
 * node:fs is wrapped to count writeSync (the journal's only way to write); the lines are read back from the files.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import { openRegister, type OpenedRegister } from './register.js';

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeSync: vi.fn(real.writeSync) };
});

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

let dir: TempDir;
const open: OpenedRegister[] = [];

beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  dir.remove();
});

describe('journal writes of updates', () => {
  it('the outcomes and talk times given in one run are one write(), and a kill -9 after that run keeps them all', async () => {
    const register = await openRegister({ file: dir.file('register.sqlite'), lookbackDays: 7, journal: true });
    open.push(register);
    const callers = ['+393331000001', '+393331000002', '+393331000003'];
    const ids = await Promise.all(
      callers.map((c, i) => register.record(newAttempt(c, T0 + i, { outcome: 'forwarded', callId: `w-${i}` }))),
    );
    await register.flush();
    const writes = vi.mocked(fs.writeSync);
    writes.mockClear();
    ids.forEach((id, i) => {
      register.updateOutcome(id, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 1000 + i });
      register.recordTalk(id, { talkMs: 2000 + i, answeredAt: T0 + 1000 + i });
    });
    await Promise.resolve();
    expect(writes).toHaveBeenCalledTimes(1);

    // kill -9 now (nothing committed since the flush): the next start replays the six lines.
    const crashed = tempDir();
    try {
      for (const name of readdirSync(dir.path)) copyFileSync(dir.file(name), crashed.file(name));
      const again = await openRegister({ file: crashed.file('register.sqlite'), lookbackDays: 7, journal: true });
      const rows = await again.attempts({});
      await again.close();
      expect(rows.map((r) => [r.id, r.outcome, r.talkMs]).sort()).toEqual(
        ids.map((id, i) => [id, 'answered', 2000 + i]).sort(),
      );
    } finally {
      crashed.remove();
    }
  });

  it('an update refused at once (the queue at its cap) is settled once its line is written: the segment goes at close', async () => {
    const file = dir.file('register.sqlite');
    const register = await openRegister({
      file,
      lookbackDays: 7,
      journal: true,
      journaledCommitIntervalMs: 600_000,
      spoolMaxWrites: 2,
    });
    const id = await register.record(newAttempt('+393331000009', T0, { outcome: 'forwarded' }));
    // Committed at once (the writer was idle); the updates now wait for the interval: two fit, the third is refused.
    for (let i = 1; i <= 3; i++)
      register.updateOutcome(id, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + i });
    await register.close();
    expect(readdirSync(dir.path).filter((f) => f.startsWith('register.sqlite.journal.'))).toEqual([]);
  });
});

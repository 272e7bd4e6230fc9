import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchInfo } from './batch-writer.js';
import type { StoreLogger } from '../logger.js';
import { openRegister, type OpenRegisterOptions, type OpenedRegister } from '../register/register.js';
import { Connection } from './connection.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const CALLER = '+393331234567';
const now = Date.now();

let dir: TempDir;
let register: OpenedRegister | undefined;
let errors: string[];
let batches: BatchInfo[];

const logger: StoreLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: (_obj, msg) => errors.push(msg),
};

async function openWith(over: Partial<OpenRegisterOptions> = {}): Promise<OpenedRegister> {
  register = await openRegister({
    file: dir.file('register.sqlite'),
    lookbackDays: 30,
    logger,
    onBatch: (b) => batches.push(b),
    ...over,
  });
  return register;
}

beforeEach(() => {
  dir = tempDir();
  errors = [];
  batches = [];
});
afterEach(async () => {
  await register?.close().catch(() => undefined);
  register = undefined;
  dir.remove();
});

describe('a write SQLite refuses for itself', () => {
  it('is lost alone: the rest of its batch commits, the index keeps the call, the error is logged', async () => {
    const r = await openWith();
    // Another connection (an operator's tool, a bug) makes inserts with this Call-ID fail.
    const other = await Connection.open(dir.file('register.sqlite'));
    await other.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON attempts WHEN NEW.call_id = 'boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    await other.close();

    const good = r.record(newAttempt(CALLER, now - 2));
    const bad = r.record(newAttempt(CALLER, now - 1, { callId: 'boom' }));
    await expect(bad).rejects.toThrow(/disk on fire/);
    await expect(good).resolves.toBeGreaterThan(0); // same batch, but not taken down with it
    expect(r.ready).toBe(true); // the disk is fine: nothing to hold
    expect(errors).toEqual(['register write refused by SQLite: this write is lost']);
    expect(r.evidenceFor(CALLER).attempts).toEqual([now - 2, now - 1]); // the calls did happen

    const later = await r.record(newAttempt(CALLER, now));
    expect(later).toBeGreaterThan(0);
    expect((await r.attempts({})).map((a) => a.time)).toEqual([now, now - 2]);
    // The pair failed, then each was written alone: the good one committed, the bad one failed again.
    expect(batches.map((b) => [b.size, b.ok])).toEqual([
      [2, false],
      [1, true],
      [1, false],
      [1, true],
    ]);
  });

  it('does not crash the process when the connection is gone; outcome updates are logged', async () => {
    const r = await openWith();
    const id = await r.record(newAttempt(CALLER, now));
    // Close the writer under the register (what a broken disk or a bug would look like from here).
    type Finalizable = { finalize(): Promise<void> };
    const internals = r as unknown as { writer: Connection; statements: Record<string, Finalizable | Finalizable[]> };
    await Promise.all(
      Object.values(internals.statements)
        .flat()
        .map((s) => s.finalize()),
    );
    await internals.writer.close();
    const lost = r.record(newAttempt(CALLER, now + 1));
    r.updateOutcome(id, { outcome: 'declined', finalStatus: 603, refused: true, at: now + 2 });
    await expect(lost).rejects.toThrow();
    await r.flush();
    expect(r.ready).toBe(false);
    expect(r.evidenceFor(CALLER)).toMatchObject({ attempts: [now, now + 1], refusals: [now + 2] });
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('group commit', () => {
  it('commits a write that finds the writer idle at once, without any timer', async () => {
    const r = await openWith();
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate'] });
    try {
      // With timers frozen, a writer that waits for a window (or any timer) never commits: the test times out.
      await expect(r.record(newAttempt(CALLER, now))).resolves.toBeGreaterThan(0);
      await expect(r.record(newAttempt(CALLER, now + 1))).resolves.toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
    expect(batches.map((b) => b.size)).toEqual([1, 1]);
  }, 5000);

  it('groups the writes made in one turn, and those that arrive while a commit runs', async () => {
    const r = await openWith({ batchMaxSize: 10 });
    await Promise.all(Array.from({ length: 4 }, (_, i) => r.record(newAttempt(CALLER, now + i))));
    expect(batches.map((b) => b.size)).toEqual([4]);

    const first = r.record(newAttempt(CALLER, now + 10));
    await Promise.resolve(); // the commit of `first` has started
    const during = Array.from({ length: 25 }, (_, i) => r.record(newAttempt(CALLER, now + 11 + i)));
    const ids = await Promise.all([first, ...during]);
    expect(batches.map((b) => b.size)).toEqual([4, 1, 10, 10, 5]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('takes a write made the moment the previous batch is acknowledged (no write is left without a batch)', async () => {
    const r = await openWith();
    for (let round = 0; round < 5; round++) {
      // Hangs (test timeout) if the second write lands in the queue as the commit loop winds down unnoticed.
      const next = await new Promise<number>((resolve) => {
        void r.record(newAttempt(CALLER, now + round)).then(() => resolve(r.record(newAttempt(CALLER, now + round))));
      });
      expect(next).toBeGreaterThan(0);
    }
  }, 5000);

  it('close commits what is queued and refuses what comes after', async () => {
    const r = await openWith();
    const a = r.record(newAttempt(CALLER, now));
    const closing = r.close();
    await expect(r.record(newAttempt(CALLER, now + 1))).rejects.toThrow(/closed/);
    await closing;
    await expect(a).resolves.toBeGreaterThan(0);
  });
});

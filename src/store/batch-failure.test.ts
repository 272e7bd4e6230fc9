import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchInfo } from './batch-writer.js';
import type { StoreLogger } from './logger.js';
import { openRegister, type OpenRegisterOptions, type OpenedRegister } from './register.js';
import { Connection } from './sqlite.js';
import { newAttempt } from './test-fixtures.js';
import { tempDir, type TempDir } from './test-tmp.js';

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

describe('a failing batch', () => {
  it('rejects only its own writes, keeps the index, logs, and the next batch commits', async () => {
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
    await expect(good).rejects.toThrow(/disk on fire/); // same batch: all or nothing
    expect(r.ready).toBe(false);
    expect(errors).toHaveLength(1);
    expect(r.evidenceFor(CALLER).attempts).toEqual([now - 2, now - 1]); // the calls did happen

    const later = await r.record(newAttempt(CALLER, now));
    expect(later).toBeGreaterThan(0);
    expect(r.ready).toBe(true);
    expect((await r.attempts({})).map((a) => a.time)).toEqual([now]);
    expect(batches.map((b) => b.ok)).toEqual([false, true]);
  });

  it('fails with SQLITE_BUSY while another process holds the write lock, then recovers', async () => {
    const r = await openWith({ busyTimeoutMs: 50 });
    const other = await Connection.open(dir.file('register.sqlite'));
    await other.run('BEGIN IMMEDIATE');
    await expect(r.record(newAttempt(CALLER, now))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    await other.run('COMMIT');
    await other.close();
    await expect(r.record(newAttempt(CALLER, now))).resolves.toBeGreaterThan(0);
    expect(r.ready).toBe(true);
  });

  it('does not crash the process when the connection is gone; outcome updates are logged', async () => {
    const r = await openWith();
    const id = await r.record(newAttempt(CALLER, now));
    // Close the writer under the register (what a broken disk or a bug would look like from here).
    const internals = r as unknown as { writer: Connection; statements: Record<string, { finalize(): Promise<void> }> };
    await Promise.all(Object.values(internals.statements).map((s) => s.finalize()));
    await internals.writer.close();
    const lost = r.record(newAttempt(CALLER, now + 1));
    r.updateOutcome(id, { outcome: 'declined', finalStatus: 603, refused: true, at: now + 2 });
    await expect(lost).rejects.toThrow();
    await r.flush();
    expect(r.ready).toBe(false);
    expect(r.evidenceFor(CALLER)).toMatchObject({ attempts: [now, now + 1], refusals: [now + 2] });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('commits a full queue at once without waiting for the window', async () => {
    const r = await openWith({ batchWindowMs: 60_000, batchMaxSize: 10 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => r.record(newAttempt(CALLER, now + i))));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(batches.map((b) => b.size)).toEqual([10]);
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

  it('flush commits what waits for the window; close flushes', async () => {
    const r = await openWith({ batchWindowMs: 60_000 });
    const a = r.record(newAttempt(CALLER, now));
    await r.flush();
    await expect(a).resolves.toBeGreaterThan(0);
    const b = r.record(newAttempt(CALLER, now + 1));
    await r.close();
    await expect(b).resolves.toBeGreaterThan(0);
  });
});

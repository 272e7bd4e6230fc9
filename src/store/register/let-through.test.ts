/**
 * "Let the next call through" in the register (table let_through, migration 17): set, withdrawn and set again across
 * restarts of a real SQLite file; used by the call whose attempt carries the `allow-next` reason; and what a kill -9
 * between that attempt and the deletion of its row leaves: never an override lost while the call that used it is.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync } from 'node:fs';
import { openRegister, type OpenRegisterOptions, type OpenedRegister } from './register.js';
import { newAttempt } from '../test-fixtures.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import { Connection } from '../sqlite/connection.js';
import { attemptParams, INSERT_ATTEMPT_SQL } from './rows.js';
import type { NewAttempt } from './types.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const CALLER = '+390298765432';

let dir: TempDir;
let clock: ManualClock;
const open: OpenedRegister[] = [];

async function openAt(file = dir.file('register.sqlite'), over: Partial<OpenRegisterOptions> = {}) {
  const register = await openRegister({ file, lookbackDays: 7, clock, ...over });
  open.push(register);
  return register;
}

async function reopen(register: OpenedRegister, over: Partial<OpenRegisterOptions> = {}) {
  await register.close();
  return openAt(dir.file('register.sqlite'), over);
}

/** kill -9 now: the register's files as they are, opened (with the journal, which replays what it holds). */
async function afterKill(): Promise<OpenedRegister> {
  const crashed = tempDir();
  for (const name of readdirSync(dir.path)) copyFileSync(dir.file(name), crashed.file(name));
  const register = await openAt(crashed.file('register.sqlite'), { journal: true });
  const close = register.close.bind(register);
  register.close = () => close().finally(() => crashed.remove());
  return register;
}

/** The call the override let through, as screening records it. */
function letThroughCall(setAt: number, time: number, over: Partial<NewAttempt> = {}): NewAttempt {
  return newAttempt(CALLER, time, {
    verdict: 'trusted',
    score: 0,
    reasons: [
      {
        code: 'allow-next',
        text: 'let through once: you asked on 7 Dec 2026 to let the next call through',
        weight: 0,
        params: { setAt: new Date(setAt).toISOString() },
      },
    ],
    ...over,
  });
}

async function rowsOf(file: string): Promise<Array<{ caller_key: string; set_at: number; by: string }>> {
  const db = await Connection.open(file, { readOnly: true });
  try {
    return await db.all('SELECT caller_key, set_at, by FROM let_through');
  } finally {
    await db.close();
  }
}

beforeEach(() => {
  dir = tempDir();
  clock = new ManualClock(T0);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  dir.remove();
});

describe('"let the next call through" in the register', () => {
  it('is kept across a restart; withdrawn, it is gone; set again, it has the new time', async () => {
    let register = await openAt();
    await register.letThrough(CALLER, T0, 'panel');
    expect(register.letThroughSince(CALLER)).toBe(T0);
    expect(register.evidenceFor(CALLER).allowNext).toBe(T0);

    register = await reopen(register);
    expect(register.letThroughSince(CALLER)).toBe(T0);
    expect(register.evidenceFor(CALLER).allowNext).toBe(T0);
    expect(register.loadStats.letThrough).toBe(1);

    await register.letThrough(CALLER, null, 'panel');
    expect(register.evidenceFor(CALLER).allowNext).toBeUndefined();
    register = await reopen(register);
    expect(register.letThroughSince(CALLER)).toBeNull();

    await register.letThrough(CALLER, T0 + 1000, 'api');
    await register.letThrough(CALLER, T0 + 5000, 'cli');
    register = await reopen(register);
    expect(register.letThroughSince(CALLER)).toBe(T0 + 5000);
    expect(await rowsOf(dir.file('register.sqlite'))).toEqual([{ caller_key: CALLER, set_at: T0 + 5000, by: 'cli' }]);
  });

  it('a mark leaves it pending', async () => {
    let register = await openAt();
    await register.letThrough(CALLER, T0, 'panel');
    await register.mark(CALLER, { label: 'nuisance', company: null, category: null, at: T0 + 10, by: 'panel' });
    expect(register.letThroughSince(CALLER)).toBe(T0);
    register = await reopen(register);
    expect(register.letThroughSince(CALLER)).toBe(T0);
  });

  it('the call that uses it ends it, in memory at once and in the register after its attempt', async () => {
    let register = await openAt();
    await register.letThrough(CALLER, T0, 'panel');
    const recorded = register.record(letThroughCall(T0, T0 + 60_000));
    expect(register.letThroughSince(CALLER)).toBeNull();
    expect(register.evidenceFor(CALLER).allowNext).toBeUndefined();
    await recorded;
    await register.flush();
    expect(await rowsOf(dir.file('register.sqlite'))).toEqual([]);
    register = await reopen(register);
    expect(register.letThroughSince(CALLER)).toBeNull();
  });

  it('answering first (indexLater), the call ends it once the index learns it', async () => {
    let register = await openAt(undefined, { journal: true });
    await register.letThrough(CALLER, T0, 'panel');
    const recorded = register.record(letThroughCall(T0, T0 + 60_000), { journalNow: true, indexLater: true });
    register.indexOwed();
    expect(register.letThroughSince(CALLER)).toBeNull();
    await recorded;
    await register.flush();
    register = await reopen(register, { journal: true });
    expect(register.letThroughSince(CALLER)).toBeNull();
  });

  it('a call at or after a newer setting does not end it (the newer one stays)', async () => {
    const register = await openAt();
    await register.letThrough(CALLER, T0, 'panel');
    await register.record(letThroughCall(T0, T0 + 60_000));
    await register.letThrough(CALLER, T0 + 120_000, 'panel');
    await register.flush();
    const again = await reopen(register);
    expect(again.letThroughSince(CALLER)).toBe(T0 + 120_000);
  });

  describe('killed between the attempt that used it and the deletion of its row', () => {
    it('attempt committed, row left: the next start drops it (used once, as asked)', async () => {
      const register = await openAt();
      await register.letThrough(CALLER, T0, 'panel');
      await register.close();
      // What a kill -9 after the attempt's commit and before the deletion's leaves in the file.
      const db = await Connection.open(dir.file('register.sqlite'));
      await db.run(INSERT_ATTEMPT_SQL, attemptParams(letThroughCall(T0, T0 + 60_000)));
      // An attempt from before the override (an earlier one it let through) does not count.
      await db.run(INSERT_ATTEMPT_SQL, attemptParams(letThroughCall(T0 - 5000, T0 - 1000)));
      await db.close();
      const again = await openAt();
      expect(again.letThroughSince(CALLER)).toBeNull();
      expect(await rowsOf(dir.file('register.sqlite'))).toEqual([]);
    });

    it('attempt journaled, not committed: replayed at start, then the override is dropped', async () => {
      const register = await openAt(undefined, { journal: true, journaledCommitIntervalMs: 600_000 });
      await register.letThrough(CALLER, T0, 'panel'); // the writer's first commit: the interval starts
      void register.record(letThroughCall(T0, T0 + 60_000, { callId: 'through-1' }), { journalNow: true });
      const again = await afterKill();
      expect((await again.attempts({ callerKey: CALLER })).map((a) => a.callId)).toEqual(['through-1']);
      expect(again.letThroughSince(CALLER)).toBeNull();
    });

    it('attempt neither journaled nor committed: the override is still pending (the next call let through too)', async () => {
      const register = await openAt();
      await register.letThrough(CALLER, T0, 'panel');
      void register.record(letThroughCall(T0, T0 + 60_000, { callId: 'through-2' }));
      const again = await afterKill();
      expect(await again.attempts({ callerKey: CALLER })).toEqual([]);
      expect(again.letThroughSince(CALLER)).toBe(T0);
    });
  });
});

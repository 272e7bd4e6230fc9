import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NO_EVIDENCE, type CallerEvidence } from '../../screening/types.js';
import { isRefusalAction } from './refusal.js';
import {
  JOURNALED_COMMIT_INTERVAL_MS,
  JOURNALED_COMMIT_ROWS,
  openRegister,
  type OpenRegisterOptions,
  type OpenedRegister,
} from './register.js';
import { newAttempt } from '../test-fixtures.js';
import { silentLogger } from '../logger.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import { Connection } from '../sqlite/connection.js';
import { RegisterQueueFullError } from '../sqlite/batch-writer.js';
import { attemptParams, INSERT_ATTEMPT_SQL, INSERTED_ATTEMPT_COLUMNS, joinOutcome, joinTalk } from './rows.js';
import type { Attempt } from './types.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 3, 9, 0, 0);
const CALLER = '+393331234567';

let dir: TempDir;
let clock: ManualClock;
const open: OpenedRegister[] = [];

async function openAt(over: Partial<OpenRegisterOptions> = {}): Promise<OpenedRegister> {
  const register = await openRegister({ file: dir.file('register.sqlite'), lookbackDays: 7, clock, ...over });
  open.push(register);
  return register;
}

beforeEach(() => {
  dir = tempDir();
  clock = new ManualClock(T0);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  dir.remove();
});

/**
 * kill -9 now: the register's files copied as they are, then opened twice with the journal (the second start must change
 * nothing); CALLER's attempts as each start sees them.
 */
async function startsAfterKill(): Promise<Attempt[][]> {
  const crashed = tempDir();
  try {
    for (const name of readdirSync(dir.path)) copyFileSync(dir.file(name), crashed.file(name));
    const starts: Attempt[][] = [];
    for (let round = 0; round < 2; round++) {
      const again = await openRegister({
        file: crashed.file('register.sqlite'),
        lookbackDays: 7,
        clock,
        journal: true,
      });
      starts.push(await again.attempts({ callerKey: CALLER }));
      await again.close();
    }
    return starts;
  } finally {
    crashed.remove();
  }
}

describe('isRefusalAction', () => {
  it.each([
    ['reject', true],
    ['reject:486', true],
    ['announce-early', true],
    ['announce-answer', true],
    ['hangup', true],
    ['allow', false],
    ['tag', false],
    ['redirect', false],
  ])('%s → %s', (action, refused) => expect(isRefusalAction(action)).toBe(refused));
});

describe('record', () => {
  it('shows the attempt in the evidence at once, before it is committed, and resolves with its id', async () => {
    const register = await openAt();
    expect(register.evidenceFor(CALLER)).toBe(NO_EVIDENCE);
    const pending = register.record(newAttempt(CALLER, T0 - 1000));
    expect(register.evidenceFor(CALLER)).toMatchObject({ mark: null, attempts: [T0 - 1000], refusals: [] }); // + the DIDs called (learned index)
    const id = await pending;
    expect(id).toBeGreaterThan(0);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ id, callerKey: CALLER, time: T0 - 1000, action: 'allow', withheld: false });
  });

  it('keeps every field of the attempt, reasons included', async () => {
    const register = await openAt();
    const attempt = newAttempt('raw:ABC', T0, {
      kind: 'message',
      callerName: 'Mario «Rossi»',
      verdict: 'suspect',
      score: 0.72,
      reasons: [
        {
          code: 'unparsable-number',
          text: 'the number "ABC" is not a phone number',
          weight: 0.5,
          params: { raw: 'ABC' },
        },
      ],
      action: 'tag',
      failOpen: true,
      finalStatus: 200,
      outcome: 'answered',
      messageLength: 12,
      messageText: 'hello; DROP',
    });
    const id = await register.record(attempt);
    const [row] = await register.attempts({});
    expect(row).toEqual({ ...attempt, id, outcomeAt: null, refusedAt: null, check: null, checkMs: null });
  });

  it('resolves a batch of concurrent attempts with distinct ids in order', async () => {
    const register = await openAt({ batchMaxSize: 7 });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => register.record(newAttempt(CALLER, T0 + i))));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(30);
    expect(register.evidenceFor(CALLER).attempts).toHaveLength(30);
  });

  it('does not index withheld callers', async () => {
    const register = await openAt();
    await register.record(newAttempt(null, T0));
    expect((await register.attempts({})).length).toBe(1);
  });

  it('reloads attempts and refusals within the look-back window after a reopen', async () => {
    const first = await openAt();
    await first.record(newAttempt(CALLER, T0 - 8 * DAY, { action: 'reject:607' })); // outside the window
    await first.record(newAttempt(CALLER, T0 - 3 * DAY, { action: 'reject:607' }));
    const id = await first.record(newAttempt(CALLER, T0 - 2 * DAY));
    first.updateOutcome(id, { outcome: 'declined', finalStatus: 603, refused: true, at: T0 - 2 * DAY + 5000 });
    await first.record(newAttempt('raw:unknown', T0 - DAY));
    await first.close();

    const again = await openAt();
    expect(again.loadStats).toMatchObject({ attempts: 3, refusals: 2 });
    expect(again.evidenceFor(CALLER)).toEqual({
      mark: null,
      attempts: [T0 - 3 * DAY, T0 - 2 * DAY],
      refusals: [T0 - 3 * DAY, T0 - 2 * DAY + 5000],
    });
    expect(again.evidenceFor('raw:unknown').attempts).toEqual([T0 - DAY]);
  });

  it('is refused once closed', async () => {
    const register = await openAt();
    await register.close();
    await expect(register.record(newAttempt(CALLER, T0))).rejects.toThrow(/closed/);
    expect(register.ready).toBe(false);
  });
});

describe('refusals', () => {
  it('count a refusing action at the attempt time, at once', async () => {
    const register = await openAt();
    const pending = register.record(newAttempt(CALLER, T0 - 60_000, { action: 'announce-early' }));
    expect(register.evidenceFor(CALLER).refusals).toEqual([T0 - 60_000]);
    await pending;
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row?.refusedAt).toBe(T0 - 60_000);
  });

  it('count an outcome update that refused, at once, and store it', async () => {
    const register = await openAt();
    const id = await register.record(newAttempt(CALLER, T0 - 60_000));
    register.updateOutcome(id, { outcome: 'declined', finalStatus: 603, refused: true, at: T0 - 50_000 });
    expect(register.evidenceFor(CALLER).refusals).toEqual([T0 - 50_000]);
    await register.flush();
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({
      outcome: 'declined',
      finalStatus: 603,
      outcomeAt: T0 - 50_000,
      refusedAt: T0 - 50_000,
    });
  });

  it('are not counted twice for one attempt', async () => {
    const register = await openAt();
    const id = await register.record(newAttempt(CALLER, T0 - 60_000, { action: 'reject:607' }));
    register.updateOutcome(id, { outcome: 'rejected', finalStatus: 607, refused: true, at: T0 - 59_000 });
    expect(register.evidenceFor(CALLER).refusals).toEqual([T0 - 60_000]);
    await register.flush();
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ outcome: 'rejected', refusedAt: T0 - 60_000 });
  });

  it('reach the index after commit for attempts recorded before a restart', async () => {
    const first = await openAt();
    const id = await first.record(newAttempt(CALLER, T0 - 60_000));
    await first.close();
    const again = await openAt();
    again.updateOutcome(id, { outcome: 'declined', finalStatus: 486, refused: true, at: T0 - 1000 });
    await again.flush();
    expect(again.evidenceFor(CALLER).refusals).toEqual([T0 - 1000]);
  });

  it("leave out the PBX's decline of a withheld call, on every path, and after a reopen (session 50)", async () => {
    const withheld = (time: number) => newAttempt(CALLER, time, { withheld: true });
    const declined = (at: number) => ({ outcome: 'declined' as const, finalStatus: 603, refused: true, at });
    const first = await openAt();
    // Joined to its row before its INSERT, by the record() promise.
    const joined = first.record(withheld(T0 - 60_000));
    first.updateOutcome(joined, declined(T0 - 59_000));
    // Committed, its id among the recent ones.
    const recent = await first.record(withheld(T0 - 50_000));
    first.updateOutcome(recent, declined(T0 - 49_000));
    const older = await first.record(withheld(T0 - 40_000));
    await first.flush();
    expect(first.evidenceFor(CALLER).refusals).toEqual([]);
    await first.close();
    // Committed before a restart: its caller and withholding read back from its row.
    const again = await openAt();
    again.updateOutcome(older, declined(T0 - 1000));
    await again.flush();
    expect(again.evidenceFor(CALLER).refusals).toEqual([]);
    await again.close();
    const third = await openAt();
    expect(third.evidenceFor(CALLER)).toMatchObject({
      attempts: [T0 - 60_000, T0 - 50_000, T0 - 40_000],
      refusals: [],
    });
    // Still refusals in the register.
    const rows = await third.attempts({ callerKey: CALLER });
    expect(rows.map((r) => r.refusedAt)).toEqual([T0 - 1000, T0 - 49_000, T0 - 59_000]);
  });

  it('ignore a non-refusing outcome', async () => {
    const register = await openAt();
    const id = await register.record(newAttempt(CALLER, T0 - 60_000));
    register.updateOutcome(id, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 });
    await register.flush();
    expect(register.evidenceFor(CALLER).refusals).toEqual([]);
  });
});

describe('look-back window', () => {
  it('drops times that leave the window as the clock moves, and the caller with them', async () => {
    const register = await openAt();
    await register.record(newAttempt(CALLER, T0 - 6 * DAY, { action: 'reject' }));
    await register.record(newAttempt(CALLER, T0 - DAY));
    const before = register.evidenceFor(CALLER);
    expect(before.attempts).toEqual([T0 - 6 * DAY, T0 - DAY]);
    clock.advance(2 * DAY);
    expect(register.evidenceFor(CALLER)).toMatchObject({ mark: null, attempts: [T0 - DAY], refusals: [] }); // + the DIDs called (learned index)
    expect(before.attempts).toEqual([T0 - 6 * DAY, T0 - DAY]); // evidence already handed out never changes
    clock.advance(7 * DAY);
    expect(register.evidenceFor(CALLER)).toBe(NO_EVIDENCE);
  });

  it('ignores attempts older than the window', async () => {
    const register = await openAt();
    await register.record(newAttempt(CALLER, T0 - 10 * DAY));
    expect(register.evidenceFor(CALLER)).toBe(NO_EVIDENCE);
  });
});

describe('marks', () => {
  it('set, change and clear a mark, at once in the index and with history in the database', async () => {
    const register = await openAt();
    const marking = register.mark(CALLER, {
      label: 'nuisance',
      company: 'Acme Energia',
      category: 'energy',
      at: T0,
      by: 'panel',
    });
    expect(register.evidenceFor(CALLER).mark).toEqual({
      label: 'nuisance',
      at: T0,
      company: 'Acme Energia',
      category: 'energy',
    });
    await marking;
    await register.mark(CALLER, { label: 'trusted', company: null, category: null, at: T0 + 1, by: 'api' });
    expect(register.evidenceFor(CALLER).mark).toMatchObject({ label: 'trusted', company: null });
    await register.mark(CALLER, { label: 'none', company: null, category: null, at: T0 + 2, by: 'api' });
    expect(register.evidenceFor(CALLER)).toBe(NO_EVIDENCE);

    const history = await register.markHistory(CALLER);
    expect(history.map((h) => [h.label, h.by, h.at])).toEqual([
      ['none', 'api', T0 + 2],
      ['trusted', 'api', T0 + 1],
      ['nuisance', 'panel', T0],
    ]);
    expect(history[2]).toMatchObject({ company: 'Acme Energia', category: 'energy' });
  });

  it('survive a reopen, cleared ones stay cleared, raw keys included', async () => {
    const first = await openAt();
    await first.mark(CALLER, { label: 'nuisance', company: 'Acme', category: null, at: T0, by: 'panel' });
    await first.mark('+33612345678', { label: 'trusted', company: null, category: null, at: T0, by: 'panel' });
    await first.mark('+33612345678', { label: 'none', company: null, category: null, at: T0 + 1, by: 'panel' });
    await first.mark('raw:PROMO', { label: 'nuisance', company: null, category: 'promo', at: T0, by: 'import' });
    await first.close();
    const again = await openAt();
    expect(again.loadStats.marks).toBe(2);
    expect(again.evidenceFor(CALLER).mark).toEqual({ label: 'nuisance', at: T0, company: 'Acme', category: null });
    expect(again.evidenceFor('+33612345678')).toBe(NO_EVIDENCE);
    expect(again.evidenceFor('raw:PROMO').mark).toMatchObject({ label: 'nuisance', category: 'promo' });
  });

  it('appear in the number summary with the attempt counts', async () => {
    const register = await openAt();
    await register.mark(CALLER, { label: 'nuisance', company: null, category: null, at: T0, by: 'api' });
    await register.record(newAttempt(CALLER, T0 - 5000));
    await register.record(newAttempt(CALLER, T0 - 1000));
    await register.record(newAttempt('+393330000000', T0));
    expect(await register.numberSummary(CALLER)).toEqual({
      callerKey: CALLER,
      mark: { label: 'nuisance', at: T0, company: null, category: null },
      attempts: 2,
      firstSeen: T0 - 5000,
      lastSeen: T0 - 1000,
    });
    expect(await register.numberSummary('+390000')).toMatchObject({ mark: null, attempts: 0, firstSeen: null });
  });
});

describe('attempts query', () => {
  it('filters by caller, called number and time, newest first, and pages with beforeId', async () => {
    const register = await openAt();
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        await register.record(
          newAttempt(i % 2 === 0 ? CALLER : '+393330000000', T0 + i * 1000, {
            calledNumber: i < 5 ? '+3902111' : '+3902222',
          }),
        ),
      );
    }
    const mine = await register.attempts({ callerKey: CALLER });
    expect(mine.map((a) => a.time)).toEqual([8, 6, 4, 2, 0].map((i) => T0 + i * 1000));
    expect((await register.attempts({ calledNumber: '+3902222' })).map((a) => a.id)).toEqual(ids.slice(5).reverse());
    expect((await register.attempts({ since: T0 + 3000, until: T0 + 5000 })).map((a) => a.id)).toEqual([
      ids[4],
      ids[3],
    ]);

    const page1 = await register.attempts({ limit: 4 });
    const page2 = await register.attempts({ limit: 4, beforeId: page1[3]?.id ?? 0 });
    const page3 = await register.attempts({ limit: 4, beforeId: page2[3]?.id ?? 0 });
    expect([...page1, ...page2, ...page3].map((a) => a.id)).toEqual([...ids].reverse());
  });

  it('treats odd inputs as data, never as SQL', async () => {
    const register = await openAt();
    await register.record(newAttempt(CALLER, T0));
    expect(await register.attempts({ callerKey: "' OR 1=1 --" })).toEqual([]);
    expect(await register.attempts({ limit: 0 })).toHaveLength(1);
    expect(await register.attempts({ limit: 1e9 })).toHaveLength(1);
  });
});

describe('attempts inserted as one JSON parameter (one INSERT per batch)', () => {
  /** Every column of the attempts with `callId`, each with its SQLite type, as SQLite stores it. */
  async function stored(file: string, callIds: string[]): Promise<Record<string, unknown>[]> {
    const db = await Connection.open(file, { readOnly: true });
    try {
      const cols = INSERTED_ATTEMPT_COLUMNS.filter((c) => c !== 'journal_key');
      const select = cols.map((c) => `${c}, typeof(${c}) AS ${c}_type, hex(${c}) AS ${c}_hex`).join(', ');
      const out: Record<string, unknown>[] = [];
      for (const callId of callIds) {
        const row = await db.get<Record<string, unknown>>(`SELECT ${select} FROM attempts WHERE call_id = ?`, [callId]);
        out.push(row ?? {});
      }
      return out;
    } finally {
      await db.close();
    }
  }

  it('stores exactly what binding each value stored: types, doubles, NUL, emoji, lone surrogates, escapes', async () => {
    const odd = [
      newAttempt('+393330000001', T0, { callerName: 'a\u0000b', score: 0.1 + 0.2, callId: 'odd-1' }),
      newAttempt('raw:\ud800x', T0 + 1, { callerName: 'é😀 "q" \\ud800 \n\t', score: 5e-324, callId: 'odd-2' }),
      newAttempt(null, T0 + 2, { callerName: '\udc00', score: 1, messageLength: 2 ** 53 - 1, callId: 'odd-3' }),
      newAttempt('+393330000004', T0 + 3, {
        reasons: [{ code: 'x\u2028', text: '\ud83d', params: { n: 1.5 } }] as never,
        score: 0.999999999999,
        action: 'reject:607',
        finalStatus: 607,
        callId: 'odd-4',
      }),
    ];
    const ids = odd.map((a) => a.callId);
    // The bound path: each value a parameter of the one-row INSERT.
    const boundFile = dir.file('bound.sqlite');
    await (await openRegister({ file: boundFile, lookbackDays: 7, clock })).close();
    const db = await Connection.open(boundFile);
    for (const a of odd) await db.run(INSERT_ATTEMPT_SQL, attemptParams(a));
    await db.close();
    // The register's path.
    const register = await openAt();
    await Promise.all(odd.map((a) => register.record(a)));
    await register.close();
    const json = await stored(dir.file('register.sqlite'), ids);
    expect(json.map((r) => r.call_id)).toEqual(ids);
    expect(json).toEqual(await stored(boundFile, ids));
  });

  it('stores a row its outcome and talk time joined before its commit as binding its changed values stored', async () => {
    // Joined, the INSERT's line is the journal line's head (kept) and the values from the outcome on (serialized
    // again): odd text on both sides of the split, the message text after it.
    const odd = [
      newAttempt('raw:\ud800x', T0, { callerName: 'é😀 "q" \\ud800', outcome: 'forwarded', callId: 'joined-odd-1' }),
      newAttempt(null, T0 + 1, {
        callerName: '\udc00',
        outcome: 'forwarded',
        messageLength: 3,
        messageText: 'a\ud83d\u0000"',
        callId: 'joined-odd-2',
      }),
    ];
    const update = { outcome: 'answered' as const, finalStatus: 200, refused: false, at: T0 + 3000 };
    const talk = { talkMs: 1500.4, answeredAt: T0 + 3000 };
    const ids = odd.map((a) => a.callId);
    const boundFile = dir.file('bound.sqlite');
    await (await openRegister({ file: boundFile, lookbackDays: 7, clock })).close();
    const db = await Connection.open(boundFile);
    for (const a of odd) {
      const params = attemptParams(a);
      joinOutcome(params, update);
      joinTalk(params, 1500);
      await db.run(INSERT_ATTEMPT_SQL, params);
    }
    await db.close();
    const sizes: number[] = [];
    const register = await openAt({ journal: true, onBatch: (b) => sizes.push(b.size) });
    const recorded = odd.map((a) => register.record(a));
    for (const r of recorded) {
      register.updateOutcome(r, update);
      register.recordTalk(r, talk);
    }
    await Promise.all(recorded);
    await register.close();
    expect(sizes).toEqual([2]); // both joined their rows: no UPDATE
    const json = await stored(dir.file('register.sqlite'), ids);
    expect(json.map((r) => [r.call_id, r.outcome, r.talk_ms])).toEqual(ids.map((id) => [id, 'answered', 1500]));
    expect(json).toEqual(await stored(boundFile, ids));
  });

  it('gives each attempt of a large batch its own id (journal key and call id agree with the id resolved)', async () => {
    const register = await openAt({ journal: true });
    const attempts = Array.from({ length: 700 }, (_, i) => newAttempt(`+39333${1_000_000 + (i % 37)}`, T0 + i));
    const ids = await Promise.all(attempts.map((a) => register.record(a)));
    const rows = await register.attempts({ limit: 1000 });
    const byId = new Map(rows.map((r) => [r.id, r.callId]));
    expect(new Set(ids).size).toBe(700);
    expect(ids.map((id) => byId.get(id))).toEqual(attempts.map((a) => a.callId));
  });
});

describe('outcome and talk time of one attempt', () => {
  const answered = { outcome: 'answered' as const, finalStatus: 200, refused: false, at: T0 + 3000 };
  const talk = { talkMs: 1500.4, answeredAt: T0 + 3000 };

  /**
   * A journaled register with one forwarded attempt committed; `batchesOf(work)`: the number of writes in each batch
   * committed while `work` ran.
   */
  async function forwardedAttempt() {
    const sizes: number[] = [];
    const register = await openAt({ journal: true, onBatch: (b) => sizes.push(b.size) });
    const id = await register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    const batchesOf = async (work: () => Promise<void>): Promise<number[]> => {
      const from = sizes.length;
      await work();
      return sizes.slice(from);
    };
    return { register, id, batchesOf };
  }

  function expectTalkLearned(register: OpenedRegister): void {
    const [learned, ...more] = register.evidenceFor(CALLER).talks ?? [];
    expect(more).toEqual([]);
    expect(learned?.at).toBe(T0 + 3000);
    expect(learned?.seconds).toBeCloseTo(1.5004, 6);
  }

  it('a talk time that comes while the outcome update waits in the queue joins its statement: one write, both stored, the index learns the talk', async () => {
    const { register, id, batchesOf } = await forwardedAttempt();
    const batches = await batchesOf(async () => {
      register.updateOutcome(id, answered);
      register.recordTalk(id, talk);
      await register.flush();
    });
    expect(batches).toEqual([1]);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ id, outcome: 'answered', finalStatus: 200, outcomeAt: T0 + 3000, talkMs: 1500 });
    expectTalkLearned(register);
  });

  it('a talk time that comes after its outcome was written is written by itself', async () => {
    const { register, id, batchesOf } = await forwardedAttempt();
    const batches = await batchesOf(async () => {
      register.updateOutcome(id, answered);
      await register.flush();
      register.recordTalk(id, talk);
      await register.flush();
    });
    expect(batches).toEqual([1, 1]);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ outcome: 'answered', talkMs: 1500 });
    expectTalkLearned(register);
  });

  it('joined, both are journaled: killed before their commit, the next start replays both, and a second start changes nothing', async () => {
    const register = await openAt({ journal: true });
    const id = await register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    await register.flush();
    register.updateOutcome(id, answered);
    register.recordTalk(id, talk);
    // kill -9 now: the files as they are before the commit (nothing runs on the writer: everything before was flushed).
    const starts = await startsAfterKill();
    starts.forEach((rows, i) =>
      expect(rows[0], `start ${i + 1}`).toMatchObject({ id, outcome: 'answered', outcomeAt: T0 + 3000, talkMs: 1500 }),
    );
  });
});

describe('an outcome and talk time given with the attempt before its commit (its record() promise)', () => {
  const answered = { outcome: 'answered' as const, finalStatus: 200, refused: false, at: T0 + 3000 };
  const talk = { talkMs: 1500.4, answeredAt: T0 + 3000 };

  async function journaled() {
    const sizes: number[] = [];
    // A long interval: the attempt waits in the queue until flush(), as a forwarded call's does for the PBX's answer.
    const register = await openAt({
      journal: true,
      journaledCommitIntervalMs: 600_000,
      onBatch: (b) => sizes.push(b.size),
    });
    await register.record(newAttempt('+393330000009', T0 - 10)); // the writer's first commit: the interval starts
    await register.flush();
    sizes.length = 0;
    return { register, sizes };
  }

  it('join the row: one write (the INSERT carries both), no UPDATE; the index learns the talk time', async () => {
    const { register, sizes } = await journaled();
    const recorded = register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    register.updateOutcome(recorded, answered);
    register.recordTalk(recorded, talk);
    const id = await register.caughtUp().then(() => recorded);
    expect(sizes).toEqual([1]);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ id, outcome: 'answered', finalStatus: 200, outcomeAt: T0 + 3000, talkMs: 1500 });
    expect(row?.refusedAt).toBeNull();
    const [learned, ...more] = register.evidenceFor(CALLER).talks ?? [];
    expect(more).toEqual([]);
    expect(learned?.at).toBe(T0 + 3000);
  });

  it('a refusing outcome sets refused_at once and counts in the index at once; a later one replaces the outcome', async () => {
    const { register, sizes } = await journaled();
    const recorded = register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    register.updateOutcome(recorded, { outcome: 'declined', finalStatus: 603, refused: true, at: T0 + 1000 });
    expect(register.evidenceFor(CALLER).refusals).toEqual([T0 + 1000]);
    register.updateOutcome(recorded, { outcome: 'declined', finalStatus: 486, refused: true, at: T0 + 2000 });
    expect(register.evidenceFor(CALLER).refusals).toEqual([T0 + 1000]);
    await register.caughtUp();
    expect(sizes).toEqual([1]);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ outcome: 'declined', finalStatus: 486, outcomeAt: T0 + 2000, refusedAt: T0 + 1000 });
  });

  it('given once the row is on its way to SQLite, or with what the INSERT does not carry, wait for the id: the same row', async () => {
    const { register, sizes } = await journaled();
    const recorded = register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    const committed = register.caughtUp(); // the INSERT is built now
    register.updateOutcome(recorded, { ...answered, hungUpBy: 'caller' });
    register.recordTalk(recorded, talk);
    await committed;
    await register.flush();
    expect(sizes).toEqual([1, 1]); // the INSERT, then one UPDATE of the outcome with its talk time
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ id: await recorded, outcome: 'answered', hungUpBy: 'caller', talkMs: 1500 });
  });

  it('killed before the commit, the next start replays the attempt with both (by its journal key), once', async () => {
    const { register } = await journaled();
    const recorded = register.record(newAttempt(CALLER, T0, { outcome: 'forwarded', callId: 'joined-1' }));
    register.updateOutcome(recorded, answered);
    register.recordTalk(recorded, talk);
    await Promise.resolve(); // the attempt's journal line (written in a microtask)
    const starts = await startsAfterKill();
    starts.forEach((rows, i) => {
      expect(rows, `start ${i + 1}`).toHaveLength(1);
      expect(rows[0], `start ${i + 1}`).toMatchObject({ callId: 'joined-1', outcome: 'answered', talkMs: 1500 });
    });
  });
});

describe('record() with journalNow', () => {
  it('journals the attempt before it returns: told at once, and a kill -9 right then replays it', async () => {
    const register = await openAt({ journal: true });
    await register.record(newAttempt(CALLER, T0)); // the writer was idle: committed at once
    let journaled = false;
    const second = register.record(
      { ...newAttempt(CALLER, T0 + 10), callId: 'now-1' },
      { onJournaled: () => (journaled = true), journalNow: true },
    );
    // No microtask has run: the line is in the journal already (the files copied now are what kill -9 leaves).
    expect(journaled).toBe(true);
    const starts = await startsAfterKill();
    for (const rows of starts) expect(rows.map((r) => r.callId).sort()).toContain('now-1');
    await second;
  });

  it('tells nothing of an attempt the full write queue refuses (store.spoolMaxWrites): lost, as without journalNow', async () => {
    const register = await openAt({ journal: true, spoolMaxWrites: 1 });
    const first = register.record(newAttempt(CALLER, T0)); // queued: the queue is at its cap until it commits
    let journaled = false;
    const lost = register.record(
      { ...newAttempt(CALLER, T0 + 10), callId: 'lost-1' },
      { onJournaled: () => (journaled = true), journalNow: true },
    );
    expect(journaled).toBe(false);
    await expect(lost).rejects.toBeInstanceOf(RegisterQueueFullError);
    expect(journaled).toBe(false); // nor from the grouped write, which ran meanwhile
    await first;
  });
});

describe('record() with indexLater', () => {
  /** The index itself, read without the register's catching up (indexOwed): what it has learned so far. */
  function learned(register: OpenedRegister): { attempts: readonly number[]; refusals: readonly number[] } {
    return (register as unknown as { learned: { evidenceFor(key: string): CallerEvidence } }).learned.evidenceFor(
      CALLER,
    );
  }

  it('journaled at once, the index learns the attempt at indexOwed, once', async () => {
    const register = await openAt({ journal: true });
    await register.record(newAttempt(CALLER, T0)); // the writer was idle: committed at once
    const recorded = register.record(
      { ...newAttempt(CALLER, T0 + 10, { action: 'reject:607' }), callId: 'later-1' },
      { journalNow: true, indexLater: true },
    );
    expect(learned(register)).toMatchObject({ attempts: [T0], refusals: [] });
    register.indexOwed();
    expect(learned(register)).toMatchObject({ attempts: [T0, T0 + 10], refusals: [T0 + 10] });
    register.indexOwed();
    expect(register.evidenceFor(CALLER)).toMatchObject({ attempts: [T0, T0 + 10], refusals: [T0 + 10] });
    await recorded;
  });

  it('is learned before any read of the index, when nobody called indexOwed', async () => {
    const register = await openAt({ journal: true });
    await register.record(newAttempt(CALLER, T0));
    const recorded = register.record(
      { ...newAttempt(CALLER, T0 + 10), callId: 'later-2' },
      { journalNow: true, indexLater: true },
    );
    expect(learned(register).attempts).toEqual([T0]);
    expect(register.evidenceFor(CALLER).attempts).toEqual([T0, T0 + 10]);
    await recorded;
  });

  it('is learned at once when the attempt is not journaled at once (the queue full, or no journal)', async () => {
    const full = await openAt({ journal: true, spoolMaxWrites: 1 });
    const first = full.record(newAttempt(CALLER, T0));
    const lost = full.record(newAttempt(CALLER, T0 + 10), { journalNow: true, indexLater: true });
    expect(learned(full).attempts).toEqual([T0, T0 + 10]); // as without indexLater: learned, then lost
    await expect(lost).rejects.toBeInstanceOf(RegisterQueueFullError);
    await first;
    await full.close();
    dir.remove();
    dir = tempDir();
    const plain = await openAt();
    const recorded = plain.record(newAttempt(CALLER, T0), { journalNow: true, indexLater: true });
    expect(learned(plain).attempts).toEqual([T0]);
    await recorded;
  });
});

describe("the writer's interval with the journal (journaledCommitIntervalMs)", () => {
  it('is 50 ms by default: a journaled attempt recorded right after a commit waits for it, nobody waiting for that commit', async () => {
    const started: number[] = [];
    const register = await openAt({ journal: true, onBatch: (b) => started.push(performance.now() - b.durationMs) });
    const before = performance.now();
    await register.record(newAttempt(CALLER, T0)); // the writer was idle: committed at once
    let journaledAt = NaN;
    const second = register.record(newAttempt(CALLER, T0 + 10), {
      onJournaled: () => (journaledAt = performance.now()),
    });
    await second;
    expect(started).toHaveLength(2);
    expect(journaledAt - before).toBeLessThan(JOURNALED_COMMIT_INTERVAL_MS); // durable long before its commit
    // A timer never fires early: the second commit started no sooner than the interval after the first one.
    expect(JOURNALED_COMMIT_INTERVAL_MS).toBe(50);
    expect((started[1] ?? 0) - before).toBeGreaterThanOrEqual(JOURNALED_COMMIT_INTERVAL_MS - 1);
  });

  it('holds back the journaled attempts a loaded node gathers in one interval (120 at 2,430 calls/s): one commit at its pace, not one per 32', async () => {
    const started: number[] = [];
    const sizes: number[] = [];
    const register = await openAt({
      journal: true,
      journaledCommitIntervalMs: 600_000,
      onBatch: (b) => {
        started.push(performance.now() - b.durationMs);
        sizes.push(b.size);
      },
    });
    await register.record(newAttempt(CALLER, T0)); // the writer was idle: committed at once
    expect(JOURNALED_COMMIT_ROWS).toBeGreaterThanOrEqual(200);
    let journaled = 0;
    const all = Array.from({ length: 200 }, (_, i) =>
      register.record(newAttempt(CALLER, T0 + 1 + i), { onJournaled: () => journaled++ }),
    );
    // The journal's write and the writer's look at its queue are microtasks queued by the records above: both ran.
    await Promise.resolve();
    await Promise.resolve();
    expect(journaled).toBe(200);
    const flushedAt = performance.now();
    await register.flush();
    await Promise.all(all);
    // Nothing started the second commit before flush(): the 200 waited for the interval (ten minutes here).
    expect(sizes).toEqual([1, 200]);
    expect(started[1]).toBeGreaterThanOrEqual(flushedAt);
  });

  it('does not hold back a number the office called (it is not journaled): committed at once', async () => {
    let batches = 0;
    let onBatch = (): void => undefined;
    const register = await openAt({
      journal: true,
      journaledCommitIntervalMs: 600_000,
      onBatch: () => {
        batches++;
        onBatch();
      },
    });
    await register.record(newAttempt(CALLER, T0)); // a commit: the next journaled one would wait ten minutes
    const committed = new Promise<void>((resolve) => (onBatch = resolve));
    register.noteCalledByUs('+390299999999', T0);
    await committed;
    expect(batches).toBe(2);
    const db = await Connection.open(dir.file('register.sqlite'), { readOnly: true });
    try {
      expect(await db.all('SELECT caller_key FROM called_numbers')).toEqual([{ caller_key: '+390299999999' }]);
    } finally {
      await db.close();
    }
  }, 20_000);
});

describe('outcome updates of several attempts committed together (one UPDATE of all of them)', () => {
  const OTHER = '+393339999999';
  const THIRD = '+393338888888';

  it('stores each its own values, a talk time joined to one, keeps what an update leaves out, and the index learns them', async () => {
    const sizes: number[] = [];
    const register = await openAt({ journal: true, onBatch: (b) => sizes.push(b.size) });
    const [a, b, c] = await Promise.all([
      register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' })),
      register.record(newAttempt(OTHER, T0 + 1, { outcome: 'forwarded' })),
      register.record(newAttempt(THIRD, T0 + 2, { action: 'check', outcome: 'pending' })),
    ]);
    await register.flush();
    const from = sizes.length;
    register.updateOutcome(a ?? 0, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 3000 });
    register.updateOutcome(b ?? 0, { outcome: 'declined', finalStatus: 486, refused: true, at: T0 + 4000 });
    register.updateOutcome(c ?? 0, {
      outcome: 'answered',
      finalStatus: 200,
      refused: false,
      at: T0 + 5000,
      playedMs: 1234.5,
      hungUpBy: 'caller',
      check: 'passed',
      checkMs: 800,
    });
    register.recordTalk(a ?? 0, { talkMs: 1500.4, answeredAt: T0 + 3000 });
    register.updateOutcome(999_999, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 }); // no such attempt
    await register.flush();
    expect(sizes.slice(from)).toEqual([4]); // one batch (the talk time rode with its outcome)
    const rows = new Map((await register.attempts({})).map((r) => [r.id, r]));
    expect(rows.get(a ?? 0)).toMatchObject({
      outcome: 'answered',
      finalStatus: 200,
      outcomeAt: T0 + 3000,
      refusedAt: null,
      talkMs: 1500,
      check: null,
    });
    expect(rows.get(b ?? 0)).toMatchObject({
      outcome: 'declined',
      finalStatus: 486,
      outcomeAt: T0 + 4000,
      refusedAt: T0 + 4000,
    });
    expect(rows.get(c ?? 0)).toMatchObject({
      outcome: 'answered',
      playedMs: 1234.5,
      hungUpBy: 'caller',
      check: 'passed',
      checkMs: 800,
    });
    expect(register.evidenceFor(OTHER).refusals).toEqual([T0 + 4000]);
    expect(register.evidenceFor(CALLER).talks).toHaveLength(1);
    expect(register.evidenceFor(CALLER).talks?.secondsOf(0)).toBeCloseTo(1.5004, 6);
    expect(register.checkPassedAt(THIRD)).toBe(T0 + 5000);

    // A later update that leaves them out keeps what was stored; a refusal is not moved by a later one.
    register.updateOutcome(c ?? 0, { outcome: 'declined', finalStatus: 603, refused: true, at: T0 + 6000 });
    register.updateOutcome(b ?? 0, { outcome: 'declined', finalStatus: 603, refused: true, at: T0 + 7000 });
    await register.flush();
    const [after] = await register.attempts({ callerKey: THIRD });
    expect(after).toMatchObject({
      outcome: 'declined',
      finalStatus: 603,
      refusedAt: T0 + 6000,
      playedMs: 1234.5,
      hungUpBy: 'caller',
      check: 'passed',
      checkMs: 800,
    });
    const [second] = await register.attempts({ callerKey: OTHER });
    expect(second).toMatchObject({ finalStatus: 603, outcomeAt: T0 + 7000, refusedAt: T0 + 4000 });
  });

  it('two updates of one attempt queued together are applied in order: the later one stays', async () => {
    const register = await openAt({ journal: true });
    const id = await register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    await register.flush();
    register.updateOutcome(id, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 1000 });
    register.updateOutcome(id, { outcome: 'declined', finalStatus: 486, refused: true, at: T0 + 2000 });
    await register.flush();
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ outcome: 'declined', finalStatus: 486, outcomeAt: T0 + 2000, refusedAt: T0 + 2000 });
  });
});

describe('talk times of several committed attempts (one UPDATE of all of them)', () => {
  const OTHER = '+393339999999';

  it('are one statement, not one each: every row gets its own, the index learns each, one for no such attempt is only logged', async () => {
    const sizes: number[] = [];
    const warnings: string[] = [];
    const register = await openAt({
      journal: true,
      onBatch: (b) => sizes.push(b.size),
      logger: { ...silentLogger, warn: (_o: object, msg: string) => void warnings.push(msg) },
    });
    const [a, b] = await Promise.all([
      register.record(newAttempt(CALLER, T0, { outcome: 'answered', finalStatus: 200 })),
      register.record(newAttempt(OTHER, T0 + 1, { outcome: 'answered', finalStatus: 200 })),
    ]);
    await register.flush();
    const from = sizes.length;
    register.recordTalk(a ?? 0, { talkMs: 1500.4, answeredAt: T0 + 3000 });
    register.recordTalk(b ?? 0, { talkMs: 61_000, answeredAt: T0 + 4000 });
    register.recordTalk(999_999, { talkMs: 10, answeredAt: T0 }); // no such attempt
    await register.flush();
    // Committed alone (synchronous NORMAL), each talk time was a commit of its own: [1, 1, 1].
    expect(sizes.slice(from)).toEqual([3]);
    const rows = new Map((await register.attempts({})).map((r) => [r.id, r]));
    expect(rows.get(a ?? 0)).toMatchObject({ outcome: 'answered', finalStatus: 200, talkMs: 1500 });
    expect(rows.get(b ?? 0)).toMatchObject({ outcome: 'answered', finalStatus: 200, talkMs: 61_000 });
    expect(register.evidenceFor(CALLER).talks?.secondsOf(0)).toBeCloseTo(1.5004, 6);
    expect(register.evidenceFor(OTHER).talks?.secondsOf(0)).toBe(61);
    expect(warnings).toEqual(['talk time for an attempt not in the register']);
  });

  it('two talk times of one attempt queued together are two statements, in order: the later one stays', async () => {
    const sizes: number[] = [];
    const register = await openAt({ journal: true, onBatch: (b) => sizes.push(b.size) });
    const id = await register.record(newAttempt(CALLER, T0, { outcome: 'answered', finalStatus: 200 }));
    await register.flush();
    const from = sizes.length;
    register.recordTalk(id, { talkMs: 1000, answeredAt: T0 + 1000 });
    register.recordTalk(id, { talkMs: 2000, answeredAt: T0 + 1000 });
    await register.flush();
    expect(sizes.slice(from)).toEqual([1, 1]);
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ talkMs: 2000 });
  });
});

describe('runs committed alone (commitRunsAlone: synchronous NORMAL)', () => {
  const answered = { outcome: 'answered' as const, finalStatus: 200, refused: false, at: T0 + 3000 };

  /** Sizes of the commits of an outcome update and a new attempt queued together after a first attempt's commit. */
  async function commitsOf(over: Partial<OpenRegisterOptions>): Promise<number[]> {
    const sizes: number[] = [];
    const register = await openAt({ ...over, onBatch: (b) => sizes.push(b.size) });
    const id = await register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }));
    await register.flush();
    const from = sizes.length;
    register.updateOutcome(id, answered);
    const next = register.record(newAttempt('+393337654321', T0 + 10));
    await register.flush();
    const nextId = await next;
    const rows = new Map((await register.attempts({})).map((r) => [r.id, r]));
    expect(rows.get(id)).toMatchObject({ outcome: 'answered', outcomeAt: T0 + 3000 });
    expect(rows.get(nextId)).toMatchObject({ callerKey: '+393337654321' });
    return sizes.slice(from);
  }

  it('an outcome update and an attempt queued together are two statements, each its own commit, not BEGIN … COMMIT', async () => {
    expect(await commitsOf({ journal: true })).toEqual([1, 1]);
  });

  it('with synchronous FULL (an fsync per commit) they stay one transaction', async () => {
    expect(await commitsOf({ synchronous: 'FULL' })).toEqual([2]);
  });
});

describe("a committed attempt lets go of its caller's callbacks", () => {
  // A full GC on demand (the test process runs without --expose-gc).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  it('while its record() promise is still held (an update may come with it), the callbacks and what they close over are freed', async () => {
    const register = await openAt({ journal: true });
    const told = { journaled: 0 };
    // As the request handler's: callbacks that close over the call (here only the register holds them).
    const recordCall = (): { recorded: Promise<number>; callGone: WeakRef<object> } => {
      const call = { big: new Array<number>(1000).fill(1) };
      const recorded = register.record(newAttempt(CALLER, T0, { outcome: 'forwarded' }), {
        onJournaled: () => {
          told.journaled += call.big.length > 0 ? 1 : 0;
        },
        onSpooled: () => void call.big.length,
      });
      return { recorded, callGone: new WeakRef(call) };
    };
    const { recorded, callGone } = recordCall();
    const id = await recorded;
    await register.flush();
    expect(told.journaled).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // Held by the register until its commit, not after it (the promise is still held here, as a call holds it).
    expect(callGone.deref()).toBeUndefined();
    // The promise still gives its attempt's updates (by its journal key and id).
    register.updateOutcome(recorded, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 3000 });
    register.recordTalk(recorded, { talkMs: 1200, answeredAt: T0 + 3000 });
    // Given after the commit, they are queued once the promise's reaction has run (a microtask).
    await new Promise((resolve) => setImmediate(resolve));
    await register.flush();
    const [row] = await register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ id, outcome: 'answered', talkMs: 1200 });
  });

  it('and of its row: the message its raw number, Call-ID and User-Agent are slices of is freed while the promise is held', async () => {
    const register = await openAt({ journal: true });
    // As drachtio-srf's header values are slices of the INVITE's text: here each call's own 1 MiB message, so that
    // what a held promise keeps shows in the heap (a call the PBX answered and nobody ended: ForwardedCalls keeps its
    // promise for up to 12 h).
    const MESSAGE = 1 << 20;
    const calls = 8;
    const record = (i: number): Promise<number> => {
      const message = `${String(i).padStart(8, '0')}:${'m'.repeat(MESSAGE)}`;
      return register.record(
        newAttempt(CALLER, T0 + i, {
          callerRaw: message.slice(0, 20),
          callId: message.slice(20, 60),
          userAgent: message.slice(60, 80),
          outcome: 'forwarded',
        }),
      );
    };
    const held = Array.from({ length: calls }, (_, i) => record(i));
    await Promise.all(held);
    await register.flush();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const holding = process.memoryUsage().heapUsed;
    expect(await register.attempts({ callerKey: CALLER })).toHaveLength(calls);
    held.length = 0;
    gc();
    // Before: each committed attempt kept its row, and through it its whole message (~8 MiB for the eight).
    expect(holding - process.memoryUsage().heapUsed).toBeLessThan((calls * MESSAGE) / 4);
  });
});

/**
 * The attempts journal on its own (segments, a line cut short, a disk that refuses the write) and through the
 * register (replay at open: once, idempotent, with the keys continuing after it). The kill -9 tests are in
 * test/integration/register-crash.test.ts.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Connection } from '../sqlite/connection.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import type { StoreLogger } from '../logger.js';
import { AttemptJournal, updateLine, type Segment } from './journal.js';
import { openRegister, type OpenedRegister } from './register.js';
import { attemptLine, attemptParams, INSERTED_ATTEMPT_COLUMNS } from './rows.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);

let dir: TempDir;
let db: string;
const open: OpenedRegister[] = [];

beforeEach(() => {
  dir = tempDir();
  db = dir.file('register.sqlite');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  dir.remove();
});

function recordingLogger(): StoreLogger & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const log = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, obj });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

function segments(): string[] {
  return readdirSync(dir.path)
    .filter((f) => f.startsWith('register.sqlite.journal.'))
    .sort();
}

function row(n: number, key: number) {
  return attemptLine(
    attemptParams(newAttempt(`+39333100${String(n).padStart(4, '0')}`, T0 + n, { callId: `j-${n}` }), key),
  );
}

async function openWithJournal(logger: StoreLogger = recordingLogger()): Promise<OpenedRegister> {
  const register = await openRegister({ file: db, lookbackDays: 30, journal: true, logger, clock: { now: () => T0 } });
  open.push(register);
  return register;
}

/** The next turn of the event loop (setImmediate: after this turn's microtasks and process.nextTick callbacks). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets the deletions started off the main thread finish. */
function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

async function callIds(): Promise<string[]> {
  const c = await Connection.open(db, { readOnly: true });
  try {
    return (await c.all<{ call_id: string }>('SELECT call_id FROM attempts ORDER BY id', [])).map((r) => r.call_id);
  } finally {
    await c.close();
  }
}

describe('AttemptJournal', () => {
  it('keeps each row as a line that the next open reads back; a last line cut short is skipped with a warning', () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    expect(journal.leftover).toEqual([]);
    for (let n = 1; n <= 3; n++) expect(journal.append(row(n, n))).not.toBeNull();
    // kill -9 here: nothing closed. Then a line cut short, as a power cut may leave it.
    appendFileSync(dir.file('register.sqlite.journal.1'), '[4,1796206619892,"call","+3933');

    const logger = recordingLogger();
    const again = AttemptJournal.open({ databaseFile: db, columns: INSERTED_ATTEMPT_COLUMNS, logger });
    const [segment] = again.leftover;
    expect(segment?.columns).toEqual(INSERTED_ATTEMPT_COLUMNS);
    expect(segment?.rows).toEqual([row(1, 1), row(2, 2), row(3, 3)].map((line) => JSON.parse(line) as unknown));
    expect(segment?.unreadable).toBe(1);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    // The next segment is a new file: the old one is never appended to again.
    again.append(row(5, 5));
    expect(segments()).toEqual(['register.sqlite.journal.1', 'register.sqlite.journal.2']);
    again.dropLeftover();
    expect(segments()).toEqual(['register.sqlite.journal.2']);
  });

  it('writes a line of characters of two to four bytes whole, grouped or alone, and reads it back the same', async () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    const wide = (n: number) =>
      attemptLine(
        attemptParams(
          newAttempt(`+39333100${String(n).padStart(4, '0')}`, T0 + n, { callId: `wide-${n} Caffè 東京 ☎️ 𝄞` }),
          n,
        ),
      );
    expect(journal.append(wide(1))).not.toBeNull();
    const written: (Segment | null)[] = [];
    expect(journal.appendGrouped(wide(2), { journaled: (s) => written.push(s) })).toBe(true);
    expect(journal.appendGrouped(wide(3), { journaled: (s) => written.push(s) })).toBe(true);
    await Promise.resolve();
    expect(written).toHaveLength(2);
    expect(written.every((s) => s !== null)).toBe(true);
    const again = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    expect(again.leftover[0]?.rows).toEqual([wide(1), wide(2), wide(3)].map((line) => JSON.parse(line) as unknown));
    expect(again.leftover[0]?.unreadable).toBe(0);
  });

  it('closes a segment past segmentBytes and deletes it once its every row is settled: files stay few under load', async () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      segmentBytes: 4096,
      logger: recordingLogger(),
    });
    // Sustained load: rows are settled 50 behind the appends (a commit always running), never all at once.
    const waiting: Segment[] = [];
    let most = 0;
    for (let n = 1; n <= 2000; n++) {
      const segment = journal.append(row(n, n));
      expect(segment).not.toBeNull();
      waiting.push(segment as Segment);
      if (waiting.length > 50) journal.settle(waiting.shift() as Segment);
      if (n % 50 === 0) {
        await settled(); // segments are deleted off the main thread
        most = Math.max(most, segments().length);
      }
    }
    expect(most).toBeLessThanOrEqual(6); // 100 rows of ~230 bytes span at most 6 segments of 4 KiB
    for (const segment of waiting.splice(0)) journal.settle(segment);
    await settled();
    expect(segments()).toHaveLength(1); // the open one
    journal.close();
    expect(segments()).toEqual([]); // every row settled: nothing left to replay
  });

  it('keeps a segment with rows not settled at close, for the next start', () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    journal.append(row(1, 1));
    journal.close();
    expect(segments()).toEqual(['register.sqlite.journal.1']);
  });

  it("writes appendSoon's lines with the next line appended, after the turn's microtasks, or at writeSoon, in order", async () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    const text = (): string => {
      const file = dir.file('register.sqlite.journal.1');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    const talk = (n: number): string => updateLine({ kind: 'talk', params: [n, null, n] });
    const segment = journal.appendSoon(talk(1));
    expect(segment).not.toBeNull();
    expect(journal.appendSoon(talk(2))).toBe(segment);
    expect(text()).not.toContain('"params":[1,'); // not yet
    expect(journal.append(row(3, 3))).toBe(segment); // an attempt's line: the two go before it, in its write()
    expect(text().split('\n').slice(1, 4)).toEqual([talk(1), talk(2), row(3, 3)]);

    journal.appendSoon(talk(4));
    expect(text()).not.toContain('"params":[4,');
    await Promise.resolve();
    expect(text()).not.toContain('"params":[4,'); // not in the microtasks: once they are all done
    await nextTurn();
    expect(text()).toContain(talk(4));

    journal.appendSoon(talk(5));
    journal.writeSoon();
    expect(text()).toContain(talk(5));
    journal.writeSoon(); // nothing left: nothing written
    await nextTurn();
    expect(
      text()
        .split('\n')
        .filter((l) => l.startsWith('{"update"')),
    ).toHaveLength(4);

    for (let n = 0; n < 5; n++) journal.settle(segment as Segment); // five lines counted in it
    journal.close();
    await settled();
    expect(segments()).toEqual([]); // every line settled: the segment goes at close
  });

  it('keeps the lines appendSoon holds in the segment they were counted in, past segmentBytes', async () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      segmentBytes: 64, // every segment full after its first line
      logger: recordingLogger(),
    });
    const first = journal.append(row(1, 1)) as Segment;
    const soon = journal.appendSoon(updateLine({ kind: 'talk', params: [10, null, 1] })) as Segment;
    expect(soon).not.toBe(first); // full: the next segment, begun for it
    const next = journal.append(row(2, 2)); // full too, but a line counted in it waits: written there with it
    expect(next).toBe(soon);
    journal.settle(first);
    journal.settle(soon);
    await settled();
    expect(segments()).toEqual(['register.sqlite.journal.2']); // the first, settled and closed, is gone
    const lines = readFileSync(dir.file('register.sqlite.journal.2'), 'utf8').split('\n');
    expect(lines.slice(1, 3)).toEqual([updateLine({ kind: 'talk', params: [10, null, 1] }), row(2, 2)]);
    expect(journal.append(row(3, 3))).not.toBe(soon); // nothing waiting: the full segment is closed
    journal.settle(soon);
    await settled();
    expect(segments()).toEqual(['register.sqlite.journal.3']);
    journal.close();
  });

  it('a write the disk refuses (ENOSPC) returns null, is counted and logged once, and is tried again later', async (ctx) => {
    if (!existsSync('/dev/full')) return ctx.skip(true, 'no /dev/full here to make the write fail with ENOSPC');
    const logger = recordingLogger();
    const failures: string[] = [];
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      retryAfterMs: 50,
      logger,
      onFailure: (err) => failures.push((err as NodeJS.ErrnoException).code ?? err.message),
    });
    symlinkSync('/dev/full', dir.file('register.sqlite.journal.1')); // the first segment: every write ENOSPC
    expect(journal.append(row(1, 1))).toBeNull();
    expect(journal.append(row(2, 2))).toBeNull(); // off: not even tried
    expect(failures).toEqual(['ENOSPC']);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'attempts journal cannot write: answers wait for the register commit again (store.commitWaitMs at most)',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(segments()).toEqual([]); // the failed segment had no row: removed (here, the link to /dev/full)
    expect(journal.append(row(3, 3))).not.toBeNull(); // a new segment
    expect(logger.lines.at(-1)?.msg).toBe('attempts journal writes again');
    expect(readFileSync(dir.file('register.sqlite.journal.2'), 'utf8')).toContain('"j-3"');
    journal.close();
  });
});

describe('the register with a journal', () => {
  it('replays at open the journaled rows it does not have, once; the keys go on after the replayed ones', async () => {
    // A previous run committed rows 1-3 and journaled 1-5 (4 and 5 were still on their way to SQLite at the kill),
    // and the last line was cut short.
    const first = await openWithJournal();
    for (let n = 1; n <= 3; n++)
      await first.record(newAttempt(`+39333100${String(n).padStart(4, '0')}`, T0 + n, { callId: `j-${n}` }));
    await first.close();
    open.length = 0;
    expect(segments()).toEqual([]); // all committed, closed cleanly: nothing left
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    for (let n = 1; n <= 5; n++) journal.append(row(n, n));
    appendFileSync(segments().map((f) => dir.file(f))[0] as string, '[6,17962');

    const logger = recordingLogger();
    const register = await openWithJournal(logger);
    expect(await callIds()).toEqual(['j-1', 'j-2', 'j-3', 'j-4', 'j-5']);
    const replay = logger.lines.find((l) => l.msg.startsWith('attempts journal replayed'));
    expect(replay?.msg).toBe('attempts journal replayed: 2 attempts were not in the register');
    expect(replay?.obj).toMatchObject({ replayed: 2, present: 3, skipped: 1, segments: 1 });
    expect(segments()).toEqual([]);
    // Replayed before the index was loaded: the classifier sees them.
    expect(register.evidenceFor('+393331000004').attempts).toEqual([T0 + 4]);

    await register.record(newAttempt('+393331000007', T0 + 7, { callId: 'j-7' }));
    const c = await Connection.open(db, { readOnly: true });
    const last = await c.get<{ journal_key: number }>('SELECT journal_key FROM attempts WHERE call_id = ?', ['j-7']);
    await c.close();
    expect(last?.journal_key).toBe(6);
  });

  it('without the journal option (the CLI, tests), leaves the journal alone', async () => {
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    journal.append(row(1, 1));
    const register = await openRegister({ file: db, lookbackDays: 30 });
    open.push(register);
    await register.record(newAttempt('+393331000002', T0, { callId: 'plain' }));
    expect(await callIds()).toEqual(['plain']);
    expect(segments()).toEqual(['register.sqlite.journal.1']);
  });

  it('journals the attempts of one synchronous run with one write(), before a microtask queued after record() runs', async () => {
    const register = await openWithJournal();
    const journaled: number[] = [];
    const seen: number[][] = [];
    const journalText = () => {
      const file = dir.file('register.sqlite.journal.1');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    const pending = [1, 2, 3].map((n) =>
      register.record(newAttempt(`+39333100000${n}`, T0, { callId: `a-${n}` }), {
        onJournaled: () => journaled.push(n),
      }),
    );
    expect(journaled).toEqual([]); // not yet: written in a microtask, all three lines together
    expect(journalText()).not.toContain('a-1');
    await Promise.resolve().then(() => seen.push([...journaled])); // queued after record() returned
    expect(seen).toEqual([[1, 2, 3]]);
    await Promise.all(pending);
    expect(readFileSync(dir.file('register.sqlite.journal.1'), 'utf8')).toMatch(/a-1.*\n.*a-2.*\n.*a-3/);
  });
});

describe('the register gathering update lines (gatherUpdateLines)', () => {
  const journalText = (): string => {
    const file = dir.file('register.sqlite.journal.1');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  const updates = (): string[] =>
    journalText()
      .split('\n')
      .filter((l) => l.startsWith('{"update"'));

  it("writes a turn's update lines together: with an attempt journaled at once after them, at the turn's end, or when asked", async () => {
    const register = await openWithJournal();
    const first = register.record(newAttempt('+393331000000', T0, { callId: 'g-0' }), { journalNow: true });
    register.updateOutcome(first, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 });
    expect(updates()).toHaveLength(1); // until asked to gather, each update's line at once
    const writeNow = register.gatherUpdateLines();
    const a = register.record(newAttempt('+393331000001', T0, { callId: 'g-1' }), { journalNow: true });
    expect(journalText()).toContain('g-1'); // the attempt itself at once, as before
    register.updateOutcome(a, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 1 });
    register.recordTalk(a, { talkMs: 1500, answeredAt: T0 + 1 });
    expect(updates()).toHaveLength(1); // the turn's update lines wait
    const b = register.record(newAttempt('+393331000002', T0, { callId: 'g-2' }), { journalNow: true });
    expect(updates()).toHaveLength(3); // written with the next attempt's line, before it
    expect(journalText().indexOf('"update":"talk"')).toBeLessThan(journalText().indexOf('g-2'));

    register.updateOutcome(b, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 2 });
    expect(updates()).toHaveLength(3);
    writeNow(); // before a message leaves for drachtio-server
    expect(updates()).toHaveLength(4);

    register.recordTalk(b, { talkMs: 900, answeredAt: T0 + 2 });
    expect(updates()).toHaveLength(4);
    await nextTurn(); // the turn's end: written once its microtasks were done, before any I/O callback
    expect(updates()).toHaveLength(5);

    await Promise.all([first, a, b]);
    await register.flush();
    const rows = new Map((await register.attempts({ since: 0 })).map((r) => [r.callId, r]));
    expect(rows.get('g-1')).toMatchObject({ outcome: 'answered', talkMs: 1500 });
    expect(rows.get('g-2')).toMatchObject({ outcome: 'answered', talkMs: 900 });
    await register.close();
    open.length = 0;
    expect(segments()).toEqual([]); // every line settled with its commit
  });
});

describe('journaled updates (outcome, talk time) at replay', () => {
  const outcome = (outcomeName: string, at: number, id: number, key: number | null) =>
    updateLine({ kind: 'outcome', params: [outcomeName, 200, at, 0, at, id, null, 'caller', null, null, key] });

  it('finds the attempt by journal key, never puts an outcome over a later one, and a second start changes nothing', async () => {
    const first = await openWithJournal();
    const id = await first.record(newAttempt('+393331000001', T0, { callId: 'u-1' }));
    const other = await first.record(newAttempt('+393331000002', T0, { callId: 'u-2' }));
    first.updateOutcome(id, { outcome: 'answered', finalStatus: 200, refused: false, at: T0 + 20 });
    await first.close();
    open.length = 0;
    // What a previous run may have left: an older outcome of u-1 (committed later than it, before the crash), one of
    // u-2 found by its key (its id given wrong on purpose: a key wins), talk times, an update of no attempt.
    const journal = AttemptJournal.open({
      databaseFile: db,
      columns: INSERTED_ATTEMPT_COLUMNS,
      logger: recordingLogger(),
    });
    journal.append(outcome('cancelled', T0 + 10, id, 1));
    journal.append(outcome('declined', T0 + 30, id + 100, 2));
    journal.append(updateLine({ kind: 'talk', params: [4200, id + 100, 1] }));
    journal.append(updateLine({ kind: 'talk', params: [900, other, null] }));
    journal.append(outcome('answered', T0 + 40, 999, 999));
    journal.append('{"update":"outcome","params":[1]}');
    journal.close();

    const logger = recordingLogger();
    for (const round of [1, 2]) {
      const register = await openWithJournal(logger);
      const rows = new Map((await register.attempts({ since: 0 })).map((a) => [a.callId, a]));
      expect(rows.get('u-1'), `round ${round}`).toMatchObject({
        outcome: 'answered',
        outcomeAt: T0 + 20,
        talkMs: 4200,
      });
      expect(rows.get('u-2'), `round ${round}`).toMatchObject({ outcome: 'declined', finalStatus: 200, talkMs: 900 });
      await register.close();
      open.length = 0;
    }
    const replayed = logger.lines.filter((l) => l.msg.startsWith('attempts journal replayed'));
    expect(replayed).toHaveLength(1); // the second start found no journal left
    expect(replayed[0]?.obj).toMatchObject({ updated: 3, unchanged: 2, skipped: 1 });
  });
});

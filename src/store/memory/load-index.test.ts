import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadIndex, parsePacked } from './load-index.js';
import { openRegister, type OpenedRegister } from '../register/register.js';
import { Connection } from '../sqlite/connection.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import { newAttempt } from '../test-fixtures.js';
import { createClassifier } from '../../screening/classify.js';
import { caller, rules } from '../../screening/test-fixtures.js';
import type { Clock } from '../../screening/types.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const clock = { now: () => NOW };

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** Closes `register`, opens its file again and expects the reopened one to read `seen` as `before`. */
async function reopenedSame<T>(
  register: OpenedRegister,
  file: string,
  clock: Clock,
  seen: (r: OpenedRegister) => T,
  before: T,
): Promise<void> {
  await register.close();
  const reopened = await openRegister({ file, lookbackDays: 30, clock });
  try {
    expect(seen(reopened)).toEqual(before);
  } finally {
    await reopened.close();
  }
}

describe('parsePacked', () => {
  it('reads rows of five non-negative integers', () => {
    const rows: number[][] = [];
    const n = parsePacked('393331234567,1,1700000000123,0,2;1,2,0,65536,0', (...r) => rows.push(r));
    expect(n).toBe(2);
    expect(rows).toEqual([
      [393331234567, 1, 1700000000123, 0, 2],
      [1, 2, 0, 65536, 0],
    ]);
  });
});

describe('index load at open', () => {
  it('reads marks and attempts over many pages, E.164 and raw keys, companies and categories', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30, clock })).close();
    const db = await Connection.open(file);
    // 12 345 marks (3 pages of 5000), a tenth of them cleared, some raw keys; 11 000 attempts, some too old.
    await db.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 12344)
       INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
       SELECT CASE WHEN i % 1000 = 7 THEN 'raw:x' || i ELSE '+39' || (3330000000 + i) END,
              CASE WHEN i % 10 = 3 THEN NULL WHEN i % 2 = 0 THEN 'nuisance' ELSE 'trusted' END,
              ?1 + i, CASE WHEN i % 3 = 0 THEN 'Company ' || (i % 7) END, CASE WHEN i % 5 = 0 THEN 'cat, ;' || (i % 4) END, ?1
         FROM n`,
      [NOW - DAY],
    );
    await db.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10999)
       INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, verdict, score, reasons, action,
                             fail_open, call_id, outcome, refused_at)
       SELECT ?1 - (i % 40) * ?2, 'call', '+39' || (3330000000 + i % 100), 'from', 0, 'unknown', 0, '[]', 'allow',
              0, 'c' || i, 'pending', CASE WHEN i % 4 = 0 THEN ?1 - (i % 40) * ?2 END
         FROM n`,
      [NOW - 1000, DAY],
    );
    await db.close();

    const register = await openRegister({ file, lookbackDays: 30, clock });
    try {
      // within 30 days: i % 40 < 30 → 30/40 of 11 000; cleared: i % 10 = 3, 1235 of 12 345
      expect(register.loadStats).toMatchObject({ marks: 11_110, clearings: 1235, attempts: 8250 });
      expect(register.evidenceFor('+393330000000').mark).toEqual({
        label: 'nuisance',
        at: NOW - DAY,
        company: 'Company 0',
        category: 'cat, ;0',
      });
      expect(register.evidenceFor('+393330000003')).toMatchObject({ mark: null }); // cleared
      expect(register.evidenceFor('raw:x1007').mark).toMatchObject({ label: 'trusted', company: null });
      expect(register.evidenceFor('+393330012344').mark?.at).toBe(NOW - DAY + 12344);
      const e = register.evidenceFor('+393330000040'); // i = 40, 140, 240...: i % 40 ∈ {0, 20}, i % 4 = 0
      expect(e.attempts.length).toBe(110);
      // Its mark (nuisance at NOW - DAY + 40) came after the refusals of i % 40 = 20: those do not count.
      expect(e.refusals.length).toBe(55);
      expect(e.refusals.every((t) => t === NOW - 1000)).toBe(true);
      const e1 = register.evidenceFor('+393330000001'); // i % 40 ∈ {1, 21}
      expect(new Set(e1.attempts)).toEqual(new Set([NOW - 1000 - DAY, NOW - 1000 - 21 * DAY]));
      expect([...e1.attempts]).toEqual([...e1.attempts].sort((a, b) => a - b));
    } finally {
      await register.close();
    }
  });
});

describe("the repeat rule's evidence after a restart", () => {
  it('is what it was before: refusals counted from the earliest, none before the latest change of mark', async () => {
    const file = dir.file('register.sqlite');
    const HOUR = 3_600_000;
    let now = NOW - 3 * DAY;
    const clock = { now: () => now };
    const declined = '+393330000001'; // a call centre the office declines every time (603)
    const cleared = '+393330000002'; // marked nuisance by mistake, refused under the mark, then cleared
    const marked = '+393330000003'; // refused once, then marked trusted, then cleared
    const decide = createClassifier(rules());
    const mark = (key: string, label: 'nuisance' | 'trusted' | 'none') =>
      register.mark(key, { label, company: null, category: null, at: now, by: 'test' });
    const register = await openRegister({ file, lookbackDays: 30, clock });
    for (let i = 0; i < 3; i++) {
      const id = register.record(newAttempt(declined, now));
      register.updateOutcome(id, { outcome: 'declined', finalStatus: 603, refused: true, at: now + 5000 });
      await id;
      now += HOUR;
    }
    await mark(cleared, 'nuisance');
    for (let i = 0; i < 4; i++) {
      now += HOUR;
      await register.record(newAttempt(cleared, now, { action: 'reject', verdict: 'nuisance' }));
    }
    await register.record(newAttempt(marked, now, { action: 'reject' }));
    now += HOUR;
    await mark(cleared, 'none');
    await mark(marked, 'trusted');
    now += HOUR;
    await mark(marked, 'none');
    now += HOUR;
    const seen = (r: OpenedRegister) =>
      [declined, cleared, marked].map((key) => {
        const e = r.evidenceFor(key);
        const d = decide(caller(key), e, now);
        return {
          mark: e.mark,
          attempts: [...e.attempts],
          refusals: [...e.refusals],
          verdict: d.verdict,
          reasons: d.reasons,
        };
      });
    const before = seen(register);
    expect(before.map((s) => s.verdict)).toEqual(['nuisance', 'unknown', 'unknown']);
    expect(before[0]?.reasons[0]).toMatchObject({ code: 'repeat-after-refusal', params: { attempt: 3 } });
    expect(before[1]?.refusals).toEqual([]);
    expect(before[2]?.refusals).toEqual([]);
    await reopenedSame(register, file, clock, seen, before);
  });
});

describe("a conversation's time after a restart", () => {
  it("is its answer's, as before the restart: a refusal while it rang stays before the fresh start", async () => {
    const file = dir.file('register.sqlite');
    let now = NOW - DAY;
    const clock = { now: () => now };
    const customer = '+393330000009';
    const decide = createClassifier(rules());
    const register = await openRegister({ file, lookbackDays: 30, clock });
    // Its call rings 20 s; a second call of its, made meanwhile, is declined (603); the first is answered: 60 s.
    const rang = now;
    const call = register.record(newAttempt(customer, rang));
    const again = register.record(newAttempt(customer, rang + 5_000));
    register.updateOutcome(again, { outcome: 'declined', finalStatus: 603, refused: true, at: rang + 10_000 });
    register.updateOutcome(call, { outcome: 'answered', finalStatus: 200, refused: false, at: rang + 20_000 });
    register.recordTalk(call, { talkMs: 60_000, answeredAt: rang + 20_000 });
    await Promise.all([call, again]);
    await register.flush();
    now += 3_600_000;
    const seen = (r: OpenedRegister) => {
      const e = r.evidenceFor(customer);
      const d = decide(caller(customer), e, now);
      return { talks: [...(e.talks ?? [])], refusals: [...e.refusals], verdict: d.verdict, reasons: d.reasons };
    };
    const before = seen(register);
    expect(before.talks).toEqual([{ at: rang + 20_000, seconds: 60 }]);
    expect(before.refusals).toEqual([rang + 10_000]);
    // The conversation came after the refusal: its next call is no attempt after a refusal (after a restart that read
    // the talk at the call's start: suspect, "1st attempt after a refusal on 31 May (the same day)").
    expect(before).toMatchObject({ verdict: 'unknown', reasons: [] });
    await reopenedSame(register, file, clock, seen, before);
  });
});

describe('callers heard once at a restart', () => {
  it('keeps a caller with one attempt (and its talk) without a record, and reads it as before the restart', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30, clock })).close();
    const db = await Connection.open(file);
    // 300 callers heard once (every other one with a talk time), the last 10 heard twice; in order of time.
    await db.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 309)
       INSERT INTO attempts (time, kind, caller_key, caller_source, withheld, verdict, score, reasons, action,
                             fail_open, call_id, outcome, talk_ms)
       SELECT ?1 + i * 1000, 'call', '+39' || (3330000000 + CASE WHEN i < 300 THEN i ELSE i - 10 END), 'from', 0,
              'unknown', 0, '[]', 'allow', 0, 'c' || i, 'forwarded', CASE WHEN i % 2 = 0 THEN i * 10 END
         FROM n`,
      [NOW - DAY],
    );
    try {
      const { index } = await loadIndex(db, { lookbackDays: 30, clock });
      expect(index.callerRecords).toBe(300);
      expect(index.callersHeardOnce).toBe(290);
      const e = index.evidenceFor('+393330000004');
      expect([...e.attempts]).toEqual([NOW - DAY + 4000]);
      expect([...(e.talks ?? [])]).toEqual([{ at: NOW - DAY + 4000, seconds: 0.04 }]);
      expect(index.evidenceFor('+393330000005').talks).toBeUndefined();
      expect([...index.evidenceFor('+393330000295').attempts]).toEqual([NOW - DAY + 295_000, NOW - DAY + 305_000]);
      expect(index.callersHeardOnce).toBe(288); // the two read have a record now
    } finally {
      await db.close();
    }
  });
});

describe('query plans', () => {
  it('use an index for every hot query', async () => {
    const file = dir.file('register.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const db = await Connection.open(file);
    const plan = async (sql: string, params: (string | number)[]): Promise<string> =>
      (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join(' | ');
    expect(
      await plan('SELECT * FROM attempts WHERE caller_key = ? ORDER BY time DESC, id DESC LIMIT 100', ['+39']),
    ).toMatch(/USING INDEX attempts_caller_time/);
    expect(
      await plan('SELECT * FROM attempts WHERE called_number = ? AND time >= ? ORDER BY time DESC, id DESC LIMIT 100', [
        '+39',
        0,
      ]),
    ).toMatch(/USING INDEX attempts_called_time/);
    // The CSV import's duplicate check (src/sharing/import.ts): by caller and time, since migration 10 dropped attempts_call_id.
    expect(
      await plan('SELECT 1 FROM attempts WHERE call_id = ? AND time = ? AND caller_key IS ?', ['x', 0, '+39']),
    ).toMatch(/USING INDEX attempts_caller_time/);
    expect(await plan('SELECT COUNT(*), MIN(time), MAX(time) FROM attempts WHERE caller_key = ?', ['+39'])).toMatch(
      /USING COVERING INDEX attempts_caller_time/,
    );
    expect(
      await plan(
        'SELECT id, caller_key, time, refused_at FROM attempts WHERE (time, id) > (?, ?) AND caller_key IS NOT NULL ORDER BY time, id LIMIT 5000',
        [0, -1],
      ),
    ).toMatch(/USING INDEX attempts_time/);
    expect(await plan('SELECT company, COUNT(*) FROM numbers WHERE company IS NOT NULL GROUP BY company', [])).toMatch(
      /USING COVERING INDEX numbers_company/,
    );
    await db.close();
  });
});

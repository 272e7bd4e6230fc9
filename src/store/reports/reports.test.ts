import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, dayStart, localDay, offsetChanges, utcOffsetMs, weekStart } from './local-days.js';
import { openPanelStore, type PanelStore } from './panel-store.js';
import { openRegister, type OpenedRegister } from '../register/register.js';
import { Connection } from '../sqlite/connection.js';
import { CALLED_NUMBERS_FROM_ATTEMPTS_SQL, Reports } from './reports.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const TZ = 'Europe/Rome';

describe('local days in the business time zone', () => {
  it('follow Rome across the DST change', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00Z'), TZ)).toBe(3600_000);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), TZ)).toBe(7200_000);
    // 23:30 UTC on 4 Nov is 00:30 on 5 Nov in Rome.
    expect(localDay(Date.parse('2026-11-04T23:30:00Z'), TZ)).toBe(Date.parse('2026-11-05T00:00:00Z') / DAY_MS);
    const day = Date.parse('2026-03-29T00:00:00Z') / DAY_MS; // the spring-forward day
    expect(new Date(dayStart(day, TZ)).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(dayStart(day + 1, TZ)).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    const changes = offsetChanges(TZ, 2026, 2027).map((c) => new Date(c.sinceMs).toISOString());
    expect(changes.slice(1)).toEqual(['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']);
  });

  it('start weeks on Monday', () => {
    const thursday = Date.parse('2026-11-05T00:00:00Z') / DAY_MS;
    expect(new Date(weekStart(thursday) * DAY_MS).toISOString().slice(0, 10)).toBe('2026-11-02');
  });
});

describe('reports from the per-day aggregates', () => {
  let dir: TempDir;
  let register: OpenedRegister;
  let panel: PanelStore;
  const t = Date.parse('2026-11-05T09:30:00+01:00');
  const today = localDay(t, TZ);

  beforeEach(async () => {
    dir = tempDir();
    register = await openRegister({ file: dir.file('r.sqlite'), lookbackDays: 30 });
    panel = await openPanelStore({ file: dir.file('r.sqlite'), timeZone: TZ });
  });
  afterEach(async () => {
    await panel.close();
    await register.close();
    dir.remove();
  });

  it('count attempts per local day and caller in the insert transaction, and attribute them to the current mark', async () => {
    await register.record(newAttempt('+390298765432', t, { action: 'reject:607', verdict: 'nuisance' }));
    await register.record(newAttempt('+390298765432', t - DAY_MS));
    // Let through with no PBX to take it (answered 480): an attempt of its caller like any other, not stopped.
    await register.record(newAttempt('+390611223344', t, { action: 'no-pbx', outcome: 'failed', finalStatus: 480 }));
    // 00:30 in Rome on the 5th is still "today", though it is the 4th in UTC.
    await register.record(newAttempt('+390611223344', Date.parse('2026-11-04T23:30:00Z')));
    await register.record(newAttempt(null, t, { withheld: true }));
    const r = panel.reports;
    expect(await r.totals({ sinceDay: today, untilDay: today + 1 })).toEqual({ attempts: 4, stopped: 1, unreached: 1 });
    expect(
      (await r.perDay({ sinceDay: today - 1, untilDay: today + 1 })).map((d) => [d.attempts, d.stopped, d.unreached]),
    ).toEqual([
      [1, 0, 0],
      [4, 1, 1],
    ]);
    expect(
      (await r.rankNumbers({ sinceDay: today - 6, untilDay: today + 1 })).map((n) => [
        n.callerKey,
        n.attempts,
        n.stopped,
      ]),
    ).toEqual([
      ['+390298765432', 2, 1],
      ['+390611223344', 2, 0],
    ]);
    expect(await r.rankCompanies({ sinceDay: today - 6, untilDay: today + 1 })).toEqual([]);

    // Marked later: the company takes the caller's past attempts (the business wants the brand behind them).
    await register.mark('+390298765432', {
      label: 'nuisance',
      company: 'Example Energia',
      category: 'energy',
      at: t,
      by: 'test',
    });
    await register.mark('+390611223344', {
      label: 'nuisance',
      company: 'example energia ',
      category: 'energy',
      at: t,
      by: 'test',
    });
    await register.mark('+390600000001', {
      label: 'nuisance',
      company: 'Quiet Power',
      category: 'energy',
      at: t,
      by: 'test',
    });
    const companies = await r.rankCompanies({ sinceDay: today - 6, untilDay: today + 1, category: 'ENERGY' });
    expect(companies.map((c) => [c.company.trim(), c.attempts, c.stopped, c.numbers])).toEqual([
      ['Example Energia', 4, 1, 2],
      ['Quiet Power', 0, 0, 1],
    ]);
    expect(await r.rankCompanies({ sinceDay: today, untilDay: today + 1, category: 'telecom' })).toEqual([]);
    expect([...(await r.ticks(['+390298765432', '+390699999999'])).entries()]).toEqual([['+390298765432', 2]]);
  });

  it("count the ticks of the callers on a page, once a caller, and of a withheld caller's both ways apart", async () => {
    const both = '+390298765432';
    await register.record(newAttempt(both, t));
    await register.record(newAttempt(both, t + 1, { withheld: true }));
    await register.record(newAttempt(both, t - DAY_MS, { withheld: true }));
    await register.record(newAttempt('+390611223344', t, { withheld: true }));
    const r = panel.reports;
    const asked = [both, both, '+390611223344', '+390699999999'];
    expect([...(await r.ticks(asked)).entries()]).toEqual([
      [both, 3],
      ['+390611223344', 1],
    ]);
    expect([...(await r.withheldCounts(asked)).entries()]).toEqual([
      [both, { withheld: 2, shown: 1 }],
      ['+390611223344', { withheld: 1, shown: 0 }],
    ]);
    expect((await r.withheldCounts([])).size).toBe(0);
    // At most 500 callers a page: the 501st is not counted.
    const many = [...Array.from({ length: 500 }, (_, i) => `+3906000${String(i).padStart(5, '0')}`), both];
    expect((await r.ticks(many)).has(both)).toBe(false);
    expect((await r.withheldCounts(many)).has(both)).toBe(false);
  });

  it('page the register newest first with filters, and escape LIKE wildcards in the search', async () => {
    for (let i = 0; i < 5; i++) {
      await register.record(
        newAttempt(`+39061000000${i}`, t + i * 1000, { callerName: i === 3 ? '100%_off' : `Name ${i}` }),
      );
    }
    const first = await panel.reports.register({ limit: 2 });
    expect(first.map((a) => a.callerKey)).toEqual(['+390610000004', '+390610000003']);
    const last = first[1];
    const next = await panel.reports.register({ limit: 2, ...(last && { before: { time: last.time, id: last.id } }) });
    expect(next.map((a) => a.callerKey)).toEqual(['+390610000002', '+390610000001']);
    expect((await panel.reports.register({ text: '%_' })).map((a) => a.callerName)).toEqual(['100%_off']);
    expect(await panel.reports.register({ verdict: 'nuisance' })).toEqual([]);
    expect((await panel.reports.register({ action: 'allow' })).length).toBe(5);
  });

  it('list our called numbers from the attempts while daily_totals is being rebuilt, through the index only', async () => {
    const since = dayStart(today - 90, TZ);
    await register.record(newAttempt('+390611111111', t, { calledNumber: '+390212345678' }));
    await register.record(newAttempt('+390611111112', t - 5 * DAY_MS, { calledNumber: '+390287654321' }));
    await register.record(newAttempt('+390611111113', t - 200 * DAY_MS, { calledNumber: '+390233333333' }));
    await register.record(newAttempt(null, t, { calledNumber: null, withheld: true }));
    await register.flush();
    const db = await Connection.open(dir.file('r.sqlite'));
    try {
      expect(await new Reports(db).calledNumbers(today - 90, since)).toEqual(['+390212345678', '+390287654321']);
      // The rebuild's beginning empties daily_totals and refills it oldest attempts first.
      await db.exec('DELETE FROM daily_totals');
      expect(await new Reports(db).calledNumbers(today - 90, since)).toEqual([]);
      const rebuilding = new Reports(db, () => ({ state: 'rebuilding', done: 0, total: 4 }));
      expect(await rebuilding.calledNumbers(today - 90, since)).toEqual(['+390212345678', '+390287654321']);
      const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${CALLED_NUMBERS_FROM_ATTEMPTS_SQL}`, [
        2000,
        since,
      ]);
      expect(plan.map((p) => p.detail).filter((d) => /attempts/.test(d))).toEqual([
        'SEARCH attempts USING COVERING INDEX attempts_called_time (called_number>?)',
        'SEARCH attempts USING COVERING INDEX attempts_called_time (called_number>?)',
        'SEARCH attempts USING COVERING INDEX attempts_called_time (called_number=?)',
      ]);
    } finally {
      await db.close();
    }
  });
});

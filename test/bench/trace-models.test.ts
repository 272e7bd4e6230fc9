/**
 * The bench's call-trace models (bench/office-trace.ts `v1`, bench/market-trace.ts `market`): the v1 traces the
 * README's figures came from must replay byte for byte, and the market model must hold what issue 14 asks of it
 * (valid numbers of the right countries and types, every caller-ID shape, opening hours in Rome's own time).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateMarketTrace, MARKET_TRAP_DID } from '../../bench/market-trace.js';
import { drawNumber, nationalDestinationCode, numberPlan, rangeOf } from '../../bench/numbering.js';
import { BENCH_DAY_ZERO, generateOfficeTrace, readFtcNumbers, traceCsv } from '../../bench/office-trace.js';
import { normalizeNumber } from '../../src/callerid/normalize-number.js';
import { wallClock } from '../../src/time/zoned-time.js';
import { fixtureDataFile } from '../support/fixture-data.js';
import { mulberry32 } from '../support/prng.js';

const FTC = readFtcNumbers(fixtureDataFile('ftc-dnc-complaints-2021-07-08.csv'));

describe('the v1 model', () => {
  it('writes the same trace as when the README figures were taken (calls two hours early included)', () => {
    const csv = traceCsv(generateOfficeTrace({ seed: 1, calls: 2000, ftcNumbers: FTC }).rows);
    // sha256 of the trace main wrote before the market model existed (b0d6dcb, same options).
    expect(createHash('sha256').update(csv).digest('hex')).toBe(V1_SEED1_2000);
    expect(wallClock(BENCH_DAY_ZERO, 'Europe/Rome').minuteOfDay).toBe(22 * 60); // the bug, kept on purpose
  });
});

/** Calls per weekday (0 = Monday) of a v1 trace: the share of the working days' calls on each. */
function weekdayShares(weekendCalls: 'monday' | 'spread'): number[] {
  const { rows } = generateOfficeTrace({ seed: 3, calls: 6000, days: 70, ftcNumbers: FTC, weekendCalls });
  const perDay = [0, 0, 0, 0, 0, 0, 0];
  for (const r of rows) perDay[Math.floor((r.time - BENCH_DAY_ZERO) / 86_400_000) % 7]! += 1;
  const working = perDay.slice(0, 5).reduce((a, b) => a + b, 0);
  return perDay.slice(0, 5).map((n) => n / working);
}

describe("the v1 model's weekdays", () => {
  it("piles the calls drawn on weekends on Monday by default (the README's traces), spreads them for the demo", () => {
    const monday = weekdayShares('monday');
    expect(monday[0]).toBeGreaterThan(2 * Math.max(...monday.slice(1)));
    const spread = weekdayShares('spread');
    for (const share of spread) expect(share).toBeGreaterThan(0.17);
    for (const share of spread) expect(share).toBeLessThan(0.23);
  });
});

describe('numbers drawn from libphonenumber metadata', () => {
  it('are valid numbers of the country and type asked, in the range asked', () => {
    const rand = mulberry32(5);
    for (const [country, type] of [
      ['AL', 'MOBILE'],
      ['RO', 'FIXED_LINE'],
      ['TN', 'MOBILE'],
      ['BG', 'MOBILE'],
      ['MD', 'FIXED_LINE'],
      ['IT', 'MOBILE'],
      ['DE', 'FIXED_LINE'],
    ] as const) {
      const plan = numberPlan(country, type);
      const range = rangeOf(rand, plan, 2);
      for (let i = 0; i < 20; i++) {
        const n = drawNumber(rand, plan, range);
        expect(n).not.toBeNull();
        const parsed = normalizeNumber(n!, 'IT');
        expect(parsed, n!).toMatchObject({ valid: true, country, type });
        expect(n!.slice(1 + plan.callingCode.length).startsWith(range)).toBe(true);
      }
    }
  });

  it('knows the national destination code as libphonenumber formats the number', () => {
    expect(nationalDestinationCode('+393471234567')).toBe('347');
    expect(nationalDestinationCode('+390212345678')).toBe('02');
    expect(nationalDestinationCode('+390331123456')).toBe('0331');
    expect(nationalDestinationCode('+355692123456')).toBe('69');
  });
});

describe('the market model', () => {
  const { rows, centres } = generateMarketTrace({ seed: 2, calls: 4000, ftcNumbers: FTC });

  it('is reproducible from its seed', () => {
    const again = generateMarketTrace({ seed: 2, calls: 4000, ftcNumbers: FTC });
    expect(traceCsv(again.rows)).toBe(traceCsv(rows));
    expect(traceCsv(generateMarketTrace({ seed: 3, calls: 4000, ftcNumbers: FTC }).rows)).not.toBe(traceCsv(rows));
  });

  it('has the centres and callers of the Italian market, with valid numbers of their country', () => {
    expect(centres).toBeGreaterThan(15);
    const nuisance = rows.filter((r) => r.truth === 'nuisance');
    expect(nuisance.length / rows.length).toBeCloseTo(0.4, 1);
    const kinds = new Set(nuisance.map((r) => r.origin.replace(/^cc[0-9]+-/, '')));
    for (const k of ['it', 'sim', 'swp']) expect(kinds).toContain(k);
    expect([...kinds].some((k) => ['al', 'ro', 'tn', 'bg', 'md'].includes(k))).toBe(true);
    const COUNTRY: Record<string, string> = {
      al: 'AL',
      ro: 'RO',
      tn: 'TN',
      bg: 'BG',
      md: 'MD',
      it: 'IT',
      sim: 'IT',
      mob: 'IT',
      swp: 'IT',
    };
    for (const r of nuisance) {
      const kind = r.origin.replace(/^cc[0-9]+-/, '');
      if (kind === 'us') continue;
      const n = normalizeNumber(r.caller, 'IT');
      expect(n.valid, `${r.origin} ${r.caller}`).toBe(true);
      expect(n.country, `${r.origin} ${r.caller}`).toBe(COUNTRY[kind]);
      if (kind === 'sim' || kind === 'mob') expect(n.type).toBe('MOBILE');
    }
  });

  it('gives foreign centres a fresh number nearly every call', () => {
    const byCentre = new Map<string, string[]>();
    for (const r of rows) {
      if (!/-(al|ro|tn|bg|md)$/.test(r.origin)) continue;
      const list = byCentre.get(r.origin) ?? [];
      list.push(normalizeNumber(r.caller, 'IT').e164 ?? r.caller);
      byCentre.set(r.origin, list);
    }
    const calls = [...byCentre.values()].reduce((a, l) => a + l.length, 0);
    const distinct = [...byCentre.values()].reduce((a, l) => a + new Set(l).size, 0);
    expect(calls).toBeGreaterThan(50);
    expect(distinct / calls).toBeGreaterThan(0.8);
  });

  it('sends Italian numbers in every shape carriers use', () => {
    const italian = rows.filter((r) => normalizeNumber(r.caller, 'IT').country === 'IT').map((r) => r.caller);
    expect(italian.some((c) => c.startsWith('+39'))).toBe(true);
    expect(italian.some((c) => c.startsWith('0039'))).toBe(true);
    expect(italian.some((c) => c.startsWith('39'))).toBe(true);
    expect(italian.some((c) => /^[03]/.test(c) && !c.startsWith('39'))).toBe(true);
  });

  it('rings at Rome office hours, before and after the end of summer time', () => {
    const weekday = rows.filter((r) => {
      const w = wallClock(r.time, 'Europe/Rome');
      return w.weekday <= 5 && w.minuteOfDay < 19 * 60;
    });
    expect(weekday.length / rows.length).toBeGreaterThan(0.9);
    for (const r of weekday) {
      const w = wallClock(r.time, 'Europe/Rome');
      expect(w.minuteOfDay, new Date(r.time).toISOString()).toBeGreaterThanOrEqual(8 * 60 + 5);
    }
    const afterDst = weekday.filter((r) => r.time > Date.parse('2026-10-26T00:00:00+01:00'));
    expect(afterDst.length).toBeGreaterThan(100);
  });

  it('rings the trap number in some sweeps, from centres only', () => {
    const trap = rows.filter((r) => r.did === MARKET_TRAP_DID);
    expect(trap.length).toBeGreaterThan(10);
    expect(trap.every((r) => r.truth === 'nuisance')).toBe(true);
    expect(trap.length / rows.filter((r) => r.truth === 'nuisance').length).toBeLessThan(0.15);
  });

  it("has legitimate callers abroad, some in the centres' countries", () => {
    const legit = rows.filter((r) => r.truth === 'legit' && r.caller !== '');
    const countries = new Set(legit.map((r) => normalizeNumber(r.caller, 'IT').country));
    expect(countries.size).toBeGreaterThan(4);
  });
});

const V1_SEED1_2000 = '8a80e9b539fa897b2250057eebaa726cd7fac8e13435ff682eb2f57e7c0975d3';

import { describe, expect, it } from 'vitest';
import { findBreaches, ordinal, type BreachRulesConfig, type DossierAttempt, type DossierMark } from './rules.js';
import { addLocalDays, isoWithOffset, localDayStart } from '../time/zoned-time.js';
import { easterSunday, frenchHoliday } from '../time/holidays.js';

const RULES: BreachRulesConfig = {
  fr: { enabled: true, callerPrefixes: ['+33'], timeZone: 'Europe/Paris', holidays: true },
  it: {
    enabled: true,
    rpoRegisteredOn: '',
    rpoGraceDays: 15,
    rpoNumbers: [],
    surveyCategories: ['survey'],
    timeZone: 'Europe/Rome',
  },
};
const FR = '+33162000001';
const DID = '+390612345678';
let seq = 0;

function call(time: string, callerKey = FR, extra: Partial<DossierAttempt> = {}): DossierAttempt {
  return { callId: `c${++seq}@test`, time: Date.parse(time), callerKey, calledNumber: DID, refusedAt: null, ...extra };
}
function refused(time: string, callerKey = FR): DossierAttempt {
  return call(time, callerKey, { refusedAt: Date.parse(time) });
}
const noMarks = new Map<string, DossierMark>();
const rulesOf = (list: DossierAttempt[], marks = noMarks, rules = RULES) =>
  findBreaches(list, marks, rules).map((b) => b.rule);

describe('zoned time', () => {
  it('writes ISO 8601 with the offset of the zone at that instant (winter and summer in Paris)', () => {
    expect(isoWithOffset(Date.parse('2026-03-27T09:30:00Z'), 'Europe/Paris')).toBe('2026-03-27T10:30:00+01:00');
    expect(isoWithOffset(Date.parse('2026-03-30T09:30:00Z'), 'Europe/Paris')).toBe('2026-03-30T11:30:00+02:00');
  });
  it('adds calendar days at the same wall time across the spring DST change', () => {
    const t = Date.parse('2026-03-10T11:00:00+01:00');
    expect(isoWithOffset(addLocalDays(t, 30, 'Europe/Paris'), 'Europe/Paris')).toBe('2026-04-09T11:00:00+02:00');
  });
  it('finds local midnight of a day', () => {
    expect(localDayStart('2026-01-30', 'Europe/Rome')).toBe(Date.parse('2026-01-30T00:00:00+01:00'));
    expect(localDayStart('2026-01-15', 'Europe/Rome', 15)).toBe(Date.parse('2026-01-30T00:00:00+01:00'));
    expect(localDayStart('15/01/2026', 'Europe/Rome')).toBeUndefined();
  });
  it('knows the French holidays, fixed and after Easter', () => {
    expect(new Date(easterSunday(2026)).toISOString().slice(0, 10)).toBe('2026-04-05');
    expect(frenchHoliday(2026, 7, 14)).toBe('Fête nationale');
    expect(frenchHoliday(2026, 4, 6)).toBe('Lundi de Pâques');
    expect(frenchHoliday(2026, 5, 14)).toBe('Ascension');
    expect(frenchHoliday(2026, 5, 25)).toBe('Lundi de Pentecôte');
    expect(frenchHoliday(2026, 7, 15)).toBeNull();
  });
  it('writes ordinals', () => {
    expect([1, 2, 3, 4, 5, 11, 12, 13, 21, 22, 23, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '5th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '111th',
    ]);
  });
});

describe('FR hours (Mon–Fri 10–13, 14–20, Paris time)', () => {
  // Monday 2 Nov 2026, winter time (UTC+1)
  it.each([
    ['09:59:59', true],
    ['10:00:00', false],
    ['12:59:59', false],
    ['13:00:00', true],
    ['13:59:59', true],
    ['14:00:00', false],
    ['19:59:59', false],
    ['20:00:00', true],
  ])('a call at %s is a breach: %s', (hms, breach) => {
    expect(rulesOf([call(`2026-11-02T${hms}+01:00`)])).toEqual(breach ? ['fr-hours'] : []);
  });
  it('follows Paris summer time: the same UTC instant is allowed in winter and not in summer', () => {
    // Friday 27 Mar (UTC+1) and Monday 30 Mar (UTC+2), around the 29 Mar 2026 change
    expect(rulesOf([call('2026-03-27T09:30:00Z')])).toEqual([]); // 10:30 Paris
    expect(rulesOf([call('2026-03-30T07:30:00Z')])).toEqual(['fr-hours']); // 09:30 Paris
    expect(rulesOf([call('2026-03-30T08:00:00Z')])).toEqual([]); // 10:00 Paris
    expect(rulesOf([call('2026-03-27T18:30:00Z')])).toEqual([]); // 19:30 Paris
    expect(rulesOf([call('2026-03-30T18:30:00Z')])).toEqual(['fr-hours']); // 20:30 Paris
  });
  it('names weekends and public holidays', () => {
    const [sat] = findBreaches([call('2026-11-07T11:00:00+01:00')], noMarks, RULES);
    expect(sat?.text).toBe(
      'call on a Saturday (11:00 Europe/Paris time), outside Mon–Fri 10:00–13:00 and 14:00–20:00 (FR décret 2022-1313)',
    );
    const [holiday] = findBreaches([call('2026-07-14T11:00:00+02:00')], noMarks, RULES);
    expect(holiday?.text).toMatch(/public holiday, Fête nationale/);
    expect(
      rulesOf([call('2026-07-14T11:00:00+02:00')], noMarks, { ...RULES, fr: { ...RULES.fr, holidays: false } }),
    ).toEqual([]);
  });
  it('does not judge callers outside the configured prefixes', () => {
    expect(rulesOf([call('2026-11-07T23:00:00+01:00', '+390298765432')])).toEqual([]);
    expect(
      rulesOf([call('2026-11-07T23:00:00+01:00')], noMarks, { ...RULES, fr: { ...RULES.fr, enabled: false } }),
    ).toEqual([]);
  });
});

/** n weekday calls at 11:00 Paris from `first`, one a day, skipping nothing (tests pick Mondays–Fridays). */
const at11 = (dates: string[], callerKey = FR) => dates.map((d) => call(`${d}T11:00:00+01:00`, callerKey));

describe('FR frequency (at most 4 attempts in 30 days from one professional)', () => {
  it('lets 4 attempts pass and names the 5th with the attempts it rests on', () => {
    const list = at11(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
    const breaches = findBreaches(list, noMarks, RULES);
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.text).toBe('5th attempt in 30 days (FR décret 2022-1313, max 4)');
    expect(breaches[0]?.attempt).toBe(list[4]);
    expect(breaches[0]?.evidence.map((a) => a.callId)).toEqual(list.map((a) => a.callId));
    expect(rulesOf(list.slice(0, 4))).toEqual([]);
  });
  it('counts an attempt exactly 30 days earlier no longer, one a millisecond less still', () => {
    const first = at11(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
    expect(rulesOf([...first, call('2026-12-02T11:00:00+01:00')])).toEqual([]);
    expect(rulesOf([...first, call('2026-12-02T10:59:59.999+01:00')])).toEqual(['fr-frequency']);
  });
  it('counts 30 calendar days in Paris across the DST change, not 30 × 24 hours', () => {
    // first attempt Tue 10 Mar 2026 11:00 (UTC+1); 30 days later is Thu 9 Apr 11:00 (UTC+2) = 09:00Z, not 10:00Z
    const first = [
      call('2026-03-10T11:00:00+01:00'),
      call('2026-03-11T11:00:00+01:00'),
      call('2026-03-12T11:00:00+01:00'),
      call('2026-03-13T11:00:00+01:00'),
    ];
    expect(rulesOf([...first, call('2026-04-09T09:00:00Z')])).toEqual([]);
    expect(rulesOf([...first, call('2026-04-09T08:59:59Z')])).toEqual(['fr-frequency']);
  });
  it('treats every number marked with the same company as one professional', () => {
    const list = [
      ...at11(['2026-11-02', '2026-11-03', '2026-11-04']),
      ...at11(['2026-11-05', '2026-11-06'], '+33162000002'),
    ];
    expect(rulesOf(list)).toEqual([]);
    const marks = new Map<string, DossierMark>([
      [FR, { company: 'Exemple Énergie', category: 'energy' }],
      ['+33162000002', { company: ' exemple énergie ', category: 'energy' }],
    ]);
    expect(rulesOf(list, marks)).toEqual(['fr-frequency']);
  });
  it('counts the 6th and later attempts too', () => {
    const list = at11(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-09']);
    expect(findBreaches(list, noMarks, RULES).map((b) => b.text.slice(0, 3))).toEqual(['5th', '6th']);
  });
});

describe("FR refusal (60 days' wait)", () => {
  it('flags a call 59 days after a refusal, not one exactly 60 days after, and names the refused attempt', () => {
    const r = refused('2026-09-01T11:00:00+02:00');
    const soon = call('2026-10-30T11:00:00+01:00'); // 59 days, after the October DST change
    const [b] = findBreaches([r, soon], noMarks, RULES);
    expect(b?.rule).toBe('fr-refusal');
    expect(b?.text).toBe("call 59 days after a refusal on 2026-09-01 (FR décret 2022-1313: 60 days' wait)");
    expect(b?.evidence.map((a) => a.callId)).toEqual([r.callId, soon.callId]);
    // 60 days later at the same Paris wall time (11:00, now UTC+1) is allowed; a minute before is not
    expect(rulesOf([r, call('2026-10-31T11:00:00+01:00')])).toEqual(['fr-hours']); // a Saturday, but no refusal breach
    expect(rulesOf([r, call('2026-11-02T11:00:00+01:00')])).toEqual([]);
  });
  it('uses exact boundaries on a weekday', () => {
    const r = refused('2026-09-02T11:00:00+02:00'); // Wednesday
    expect(rulesOf([r, call('2026-11-01T10:59:00+01:00')])).toContain('fr-refusal'); // Sunday, also fr-hours
    const r2 = refused('2026-09-04T11:00:00+02:00'); // Friday; +60 days = Tue 3 Nov 11:00
    expect(rulesOf([r2, call('2026-11-03T10:59:59+01:00')])).toEqual(['fr-refusal']);
    expect(rulesOf([r2, call('2026-11-03T11:00:00+01:00')])).toEqual([]);
  });
  it('a refusal of one of the company’s numbers binds the others', () => {
    const marks = new Map<string, DossierMark>([
      [FR, { company: 'Acme', category: null }],
      ['+33162000002', { company: 'ACME', category: null }],
    ]);
    const list = [refused('2026-11-02T11:00:00+01:00'), call('2026-11-03T11:00:00+01:00', '+33162000002')];
    expect(rulesOf(list)).toEqual([]);
    expect(rulesOf(list, marks)).toEqual(['fr-refusal']);
  });
  it('a refusal for the withholding alone starts no wait, nor moves one a refusal of the number started (session 50)', () => {
    const hidden = (time: string) => call(time, FR, { refusedAt: Date.parse(time), forWithholding: true });
    expect(rulesOf([hidden('2026-11-02T11:00:00+01:00'), call('2026-11-03T11:00:00+01:00')])).toEqual([]);
    const r = refused('2026-11-02T11:00:00+01:00');
    const list = [r, hidden('2026-11-03T11:00:00+01:00'), call('2026-11-04T11:00:00+01:00')];
    const breaches = findBreaches(list, noMarks, RULES);
    // The withheld call is itself within the number's wait; the third call's wait runs from the number's refusal.
    expect(breaches.map((b) => [b.rule, b.text.slice(0, 22)])).toEqual([
      ['fr-refusal', 'call 1 day after a ref'],
      ['fr-refusal', 'call 2 days after a re'],
    ]);
    expect(breaches[1]?.evidence[0]).toBe(r);
  });
});

describe('IT rules', () => {
  const rpo: BreachRulesConfig = { ...RULES, it: { ...RULES.it, rpoRegisteredOn: '2026-01-15' } };
  it('flags calls from the end of the 15-day grace period after the RPO registration', () => {
    expect(rulesOf([call('2026-01-29T23:59:59+01:00', '+390298765432')], noMarks, rpo)).toEqual([]);
    const [b] = findBreaches([call('2026-01-30T00:00:00+01:00', '+390298765432')], noMarks, rpo);
    expect(b?.rule).toBe('it-rpo');
    expect(b?.text).toBe(
      'call to a number on the Registro Pubblico delle Opposizioni since 2026-01-15, binding from 2026-01-30 after the 15-day grace period (Legge 5/2018)',
    );
    expect(
      rulesOf([call('2026-01-20T10:00:00+01:00', '+390298765432')], noMarks, {
        ...rpo,
        it: { ...rpo.it, rpoGraceDays: 0 },
      }),
    ).toEqual(['it-rpo']);
  });
  it('names the 0844 telemarketing prefix, and only judges the numbers on the register', () => {
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', '+390844123456')], noMarks, rpo)).toEqual(['it-0844-rpo']);
    const some = { ...rpo, it: { ...rpo.it, rpoNumbers: ['+390200000000'] } };
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', '+390844123456')], noMarks, some)).toEqual([]);
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', '+390844123456')], noMarks, RULES)).toEqual([]);
  });
  it('flags a 0843 survey number marked with a selling category', () => {
    const key = '+390843123456';
    const mark = (category: string | null) => new Map<string, DossierMark>([[key, { company: null, category }]]);
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', key)], mark('energy'))).toEqual(['it-0843-selling']);
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', key)], mark('Survey'))).toEqual([]);
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', key)], mark(null))).toEqual([]);
    expect(rulesOf([call('2026-02-02T10:00:00+01:00', key)])).toEqual([]);
  });
});

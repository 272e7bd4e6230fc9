import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../callerid/types.js';
import { classify } from './classify.js';
import { DEFAULT_LEARNING_RULES } from './learning.js';
import {
  at,
  caller,
  evidence,
  number,
  officeMarkedIn,
  rules,
  withheldCaller,
  type EvidenceInput,
} from './test-fixtures.js';
import type { Verdict } from './types.js';

/**
 * An office's genuine callers against the behaviour rules, with the default rules (off-hours on: the calls fall in
 * the office's hours), as walked through drachtio-server with sipp in session 48 (docs/measurements.md). Each row is
 * a caller who is not a call centre and the most crocetta may do to its call: `unknown` (put through untouched) or
 * `suspect` (tagged: put through, marked for the PBX). None may be refused. The dialler rows beside them are what
 * the same rules must still refuse.
 */

/** Tuesday 10 Nov 2026, 11:00 in Rome: inside business hours. */
const TUE = at('2026-11-10T10:00:00Z');
const MIN = 60_000;
const DIDS = ['+390255550100', '+390255550101', '+390255550102', '+390255550103', '+390255550104'];

/** Earlier calls `minutesAgo` to the DIDs at `dids` (indexes into DIDS), as the register keeps them. */
function earlier(...calls: [minutesAgo: number, did: number][]): EvidenceInput {
  const list = calls.map(([m, d]) => ({ at: TUE - m * MIN, did: DIDS[d] ?? null }));
  return { attempts: list.map((c) => c.at), calls: list };
}

interface Row {
  who: string;
  identity: CallerIdentity;
  ev: EvidenceInput;
  /** The DID of the call being decided. */
  did: number;
  /** The most crocetta may do: its verdict must not be above this. */
  atMost: Exclude<Verdict, 'trusted'>;
}

const ORDER: Verdict[] = ['trusted', 'unknown', 'suspect', 'nuisance'];

const GENUINE: Row[] = [
  {
    who: 'a customer calling back a 4th time within minutes, nobody answered',
    identity: caller('+393331112222'),
    ev: earlier([9, 0], [6, 0], [3, 0]),
    did: 0,
    atMost: 'suspect',
  },
  {
    who: 'a courier ringing three of our numbers, then the first again, nobody answered',
    identity: caller('+390287654321'),
    ev: earlier([6, 0], [4, 1], [2, 2]),
    did: 0,
    atMost: 'suspect',
  },
  {
    who: 'the same courier a 5th and 6th time within the hour',
    identity: caller('+390287654321'),
    ev: earlier([10, 0], [8, 1], [6, 2], [4, 0]),
    did: 1,
    atMost: 'suspect',
  },
  {
    who: 'a bank ringing two of our numbers, twice each',
    identity: caller('+390245678901'),
    ev: earlier([12, 0], [9, 1], [5, 0]),
    did: 1,
    atMost: 'suspect',
  },
  {
    who: 'a supplier line beside the one line the office marked',
    identity: caller('+390212345614'),
    ev: { block: officeMarkedIn('39021234561', 1) },
    did: 0,
    atMost: 'unknown',
  },
  {
    who: 'a hospital calling with Privacy: id (its number in P-Asserted-Identity)',
    identity: withheldCaller('privacy-header', number('+390255031')),
    ev: {},
    did: 0,
    atMost: 'suspect',
  },
];

/** One friend's report of the number as a call centre, with the weight the office gives that friend. */
function listedByFriend(weight: number): EvidenceInput['friends'] {
  return { reports: [{ friend: 'alfa', weight, company: 'Acme Energia', category: 'energy' }], consensus: 1 };
}

/** Answered calls of a customer the office talks to: 2 min 10 s, 1 min 30 s and 40 s over the last weeks. */
const TALKS = [
  { at: TUE - 20 * 24 * 60 * MIN, seconds: 130 },
  { at: TUE - 9 * 24 * 60 * MIN, seconds: 90 },
  { at: TUE - 2 * 24 * 60 * MIN, seconds: 40 },
];

/** Genuine callers a friend's feed lists by mistake (session 49): the office talks to them. */
const LISTED: Row[] = [
  {
    who: 'a customer the office talks to, listed as a call centre by a friend it trusts (0.9)',
    identity: caller('+393471234567'),
    ev: { talks: TALKS, attempts: TALKS.map((t) => t.at), friends: listedByFriend(0.9) },
    did: 0,
    atMost: 'suspect',
  },
  {
    who: 'the same customer listed by a friend at the default weight (0.6), calling back a 4th time within minutes',
    identity: caller('+393471234567'),
    ev: { ...earlier([9, 0], [6, 0], [3, 0]), talks: TALKS, friends: listedByFriend(0.6) },
    did: 0,
    atMost: 'suspect',
  },
];

const DIALLERS: Row[] = [
  {
    who: 'a dialler ringing a 4th of our numbers within minutes',
    identity: caller('+390699887766'),
    ev: earlier([6, 0], [4, 1], [2, 2]),
    did: 3,
    atMost: 'nuisance',
  },
  {
    who: 'a dialler ringing a 5th',
    identity: caller('+390699887766'),
    ev: earlier([8, 0], [6, 1], [4, 2], [2, 3]),
    did: 4,
    atMost: 'nuisance',
  },
];

function decide(row: Row) {
  return classify({
    identity: row.identity,
    evidence: evidence(row.ev),
    now: TUE,
    rules: rules({ learning: DEFAULT_LEARNING_RULES }),
    context: { did: DIDS[row.did] ?? null },
  });
}

describe("genuine callers: tagged at most, never refused (the behaviour rules' defaults)", () => {
  it.each([...GENUINE, ...LISTED])('$who', (row) => {
    const d = decide(row);
    expect(
      ORDER.indexOf(d.verdict),
      `${d.verdict} ${d.score}: ${d.reasons.map((r) => r.text).join('; ')}`,
    ).toBeLessThanOrEqual(ORDER.indexOf(row.atMost));
  });

  it.each(DIALLERS)('still refused: $who', (row) => {
    expect(decide(row).verdict).toBe('nuisance');
  });

  it('the courier reads one reason for its calls: the sweep, which says how many numbers it rang', () => {
    const d = decide(GENUINE[1]!);
    expect(d.reasons.map((r) => r.text)).toEqual(['rang 3 of your numbers within 6 min (now)']);
    expect(d.score).toBeCloseTo(0.6);
  });

  it('a burst and a sweep of different days still add up: they are not the same calls', () => {
    // A sweep of three numbers a week ago, four calls to one number now.
    const week = 7 * 24 * 60;
    const d = decide({
      who: '',
      identity: caller('+390287654321'),
      ev: earlier([week + 6, 0], [week + 4, 1], [week + 2, 2], [9, 0], [6, 0], [3, 0]),
      did: 0,
      atMost: 'nuisance',
    });
    expect(d.reasons.map((r) => r.code).sort()).toEqual(['burst', 'sweep']);
  });

  it("a friend's report of a caller the office talks to says why it only tags: the talk's day and length", () => {
    const d = decide(LISTED[0]!);
    expect(d.verdict).toBe('suspect');
    expect(d.reasons.map((r) => r.text)).toEqual([
      'reported by 1 friend (alfa, Acme Energia, energy)',
      "you talked with this caller on 8 Nov (40 s): friends' reports only tag it",
    ]);
  });

  it("still refused on a friend's word: a number whose only answered calls were shorter than 8 s", () => {
    const short = TALKS.map((t) => ({ at: t.at, seconds: 4 }));
    const d = decide({
      who: '',
      identity: caller('+393471234567'),
      ev: { talks: short, attempts: short.map((t) => t.at), friends: listedByFriend(0.9) },
      did: 0,
      atMost: 'nuisance',
    });
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons.map((r) => r.code)).not.toContain('talked-with-you');
  });

  it('a customer the office called is trusted whatever a friend reports (learned trust)', () => {
    const d = decide({
      who: '',
      identity: caller('+393471234567'),
      ev: { calledByUs: TUE - 30 * 24 * 60 * MIN, friends: listedByFriend(0.9) },
      did: 0,
      atMost: 'unknown',
    });
    expect(d.verdict).toBe('trusted');
    expect(d.reasons[0]?.code).toBe('called-by-us');
  });
});

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
  it.each(GENUINE)('$who', (row) => {
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
});

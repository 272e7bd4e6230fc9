/**
 * The policy matrix: our numbers × business hours × verdicts, with the three lines of the README (support never
 * refuses, sales strict, after hours harder), over ordinary days, holidays, closed days and the DST change days.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loader.js';
import { actionPolicy } from '../config/derive.js';
import { configSchema, type Config } from '../config/schema.js';
import type { CallerIdentity } from '../callerid/types.js';
import { formatAction } from '../screening/policy.js';
import { createClassifier } from '../screening/classify.js';
import { DEFAULT_LEARNING_RULES } from '../screening/learning.js';
import { caller, evidence, number, rules, withheldCaller } from '../screening/test-fixtures.js';
import type { CallerEvidence, Decision, Verdict } from '../screening/types.js';
import { pickAction, policyReason, refuses as refusesCall, withheldRefusalReason } from './rules.js';

const SUPPORT = '+390212345670';
const SALES = '+390212345671';
const OTHER = '+390212345679';

const POLICIES = configSchema.shape.policies.parse([
  // Our numbers in the formats people write them: national with spaces, E.164 with spaces.
  { name: 'support line', dids: ['02 1234 5670'], verdicts: ['suspect', 'nuisance', 'withheld'], action: 'tag' },
  { name: 'sales line', dids: ['+39 02 1234 5671'], verdicts: ['suspect', 'withheld'], action: 'reject' },
  { name: 'after hours', hours: 'closed', verdicts: ['unknown'], action: 'tag' },
  { name: 'after hours, suspects', hours: 'closed', verdicts: ['suspect', 'withheld'], action: 'announce-early' },
]);

function config(): Config {
  const c = loadConfig({ env: {} });
  c.policies = POLICIES;
  c.businessHours = configSchema.shape.businessHours.parse({
    timeZone: 'Europe/Rome',
    holidays: 'IT',
    week: {
      mon: ['08:30-13:00', '14:30-18:30'],
      tue: ['08:30-13:00', '14:30-18:30'],
      wed: ['08:30-13:00', '14:30-18:30'],
      thu: ['08:30-13:00', '14:30-18:30'],
      fri: ['08:30-13:00', '14:30-18:30'],
      sat: [],
      // A night desk on Sundays, so that the DST change days (always Sundays) matter.
      sun: ['02:00-03:30'],
    },
    closed: ['12-24', '2026-08-10..2026-08-21'],
  });
  c.actions = { ...c.actions, trusted: 'allow', unknown: 'allow', suspect: 'tag', nuisance: 'reject', withheld: '' };
  return c;
}

const policy = actionPolicy(config());

/** The five kinds of caller a rule can name; `withheld` is a withheld caller of verdict unknown. */
const CALLERS = ['trusted', 'unknown', 'suspect', 'nuisance', 'withheld'] as const;
type CallerKind = (typeof CALLERS)[number];

function call(kind: CallerKind): { decision: Decision; identity: CallerIdentity } {
  const verdict: Verdict = kind === 'withheld' ? 'unknown' : kind;
  const identity = kind === 'withheld' ? withheldCaller('privacy-header') : caller('+393471234567');
  return { decision: { verdict, score: 0.5, reasons: [] }, identity };
}

/**
 * What each line does with each caller, open and closed: `action rule` (`-` = the global actions). Written out
 * by hand from the rules above, not computed.
 */
const EXPECTED: Record<string, Record<'open' | 'closed', Record<CallerKind, string>>> = {
  [SUPPORT]: {
    open: { trusted: 'allow -', unknown: 'allow -', suspect: 'tag 1', nuisance: 'tag 1', withheld: 'tag 1' },
    closed: { trusted: 'allow -', unknown: 'tag 3', suspect: 'tag 1', nuisance: 'tag 1', withheld: 'tag 1' },
  },
  [SALES]: {
    open: {
      trusted: 'allow -',
      unknown: 'allow -',
      suspect: 'reject:607 2',
      nuisance: 'reject:607 -',
      withheld: 'reject:607 2',
    },
    closed: {
      trusted: 'allow -',
      unknown: 'tag 3',
      suspect: 'reject:607 2',
      nuisance: 'reject:607 -',
      withheld: 'reject:607 2',
    },
  },
  [OTHER]: {
    open: { trusted: 'allow -', unknown: 'allow -', suspect: 'tag -', nuisance: 'reject:607 -', withheld: 'allow -' },
    // A withheld caller's verdict (unknown) matches rule 3 before rule 4's `withheld`.
    closed: {
      trusted: 'allow -',
      unknown: 'tag 3',
      suspect: 'announce-early 4',
      nuisance: 'reject:607 -',
      withheld: 'tag 3',
    },
  },
  // No DID known (a request without a number): only rules without dids apply, as for OTHER.
  none: {
    open: { trusted: 'allow -', unknown: 'allow -', suspect: 'tag -', nuisance: 'reject:607 -', withheld: 'allow -' },
    closed: {
      trusted: 'allow -',
      unknown: 'tag 3',
      suspect: 'announce-early 4',
      nuisance: 'reject:607 -',
      withheld: 'tag 3',
    },
  },
};

/** Instants with the business's state then (Europe/Rome), and why. */
const TIMES: Array<[iso: string, state: 'open' | 'closed', why: string]> = [
  ['2026-12-01T10:00:00+01:00', 'open', 'a Tuesday morning'],
  ['2026-12-01T13:30:00+01:00', 'closed', 'lunch break'],
  ['2026-12-01T18:29:00+01:00', 'open', 'a minute before closing'],
  ['2026-12-01T18:30:00+01:00', 'closed', 'closing time'],
  ['2026-12-01T21:10:00+01:00', 'closed', 'a Tuesday evening'],
  ['2026-11-28T10:00:00+01:00', 'closed', 'a Saturday'],
  ['2026-12-07T10:00:00+01:00', 'open', "Sant'Ambrogio: Milan's, not a national holiday"],
  ['2026-12-08T10:00:00+01:00', 'closed', 'Immacolata (a Tuesday)'],
  ['2026-01-06T10:00:00+01:00', 'closed', 'Epifania'],
  ['2026-06-02T10:00:00+02:00', 'closed', 'Festa della Repubblica'],
  ['2025-08-15T10:00:00+02:00', 'closed', 'Ferragosto (a Friday)'],
  ['2028-04-25T10:00:00+02:00', 'closed', 'Liberazione (a Tuesday)'],
  ['2026-04-06T10:00:00+02:00', 'closed', 'Easter Monday 2026'],
  ['2027-03-29T10:00:00+02:00', 'closed', 'Easter Monday 2027, the day after the DST change'],
  ['2028-04-17T10:00:00+02:00', 'closed', 'Easter Monday 2028'],
  ['2026-04-07T10:00:00+02:00', 'open', 'the Tuesday after Easter'],
  ['2026-12-24T10:00:00+01:00', 'closed', 'our own closed day, 12-24 every year'],
  ['2027-12-24T10:00:00+01:00', 'closed', 'our own closed day, the next year'],
  ['2026-12-23T10:00:00+01:00', 'open', 'the day before'],
  ['2026-08-12T10:00:00+02:00', 'closed', 'summer closure (a range)'],
  ['2026-08-24T10:00:00+02:00', 'open', 'back from the summer closure'],
  // Spring forward, Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST; the desk is open 02:00-03:30 local.
  ['2026-03-29T00:59:00Z', 'closed', '01:59 CET, before the gap'],
  ['2026-03-29T01:00:00Z', 'open', '03:00 CEST, right after the gap'],
  ['2026-03-29T01:29:00Z', 'open', '03:29 CEST'],
  ['2026-03-29T01:30:00Z', 'closed', '03:30 CEST'],
  // Fall back, Sunday 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:00-03:00 happens twice.
  ['2026-10-24T23:59:00Z', 'closed', '01:59 CEST'],
  ['2026-10-25T00:30:00Z', 'open', 'the first 02:30 (CEST)'],
  ['2026-10-25T01:30:00Z', 'open', 'the second 02:30 (CET)'],
  ['2026-10-25T02:29:00Z', 'open', '03:29 CET'],
  ['2026-10-25T02:30:00Z', 'closed', '03:30 CET'],
  // Weekdays around the change keep local hours: 08:45 is 07:45 UTC before, 06:45 UTC after.
  ['2026-03-27T07:45:00Z', 'open', 'Friday 08:45 CET'],
  ['2026-03-30T06:45:00Z', 'open', 'Monday 08:45 CEST'],
  ['2026-03-30T06:15:00Z', 'closed', 'Monday 08:15 CEST (07:15 in winter time)'],
  ['2026-10-26T07:45:00Z', 'open', 'Monday 08:45 CET'],
  ['2026-10-23T06:15:00Z', 'closed', 'Friday 08:15 CEST'],
];

describe('policy matrix: our numbers × hours × verdicts', () => {
  it.each(TIMES)('%s is %s (%s)', (iso, state) => {
    expect(policy.rules?.openAt(Date.parse(iso)).open).toBe(state === 'open');
  });

  it('answers an ordinary day’s states with one shared, frozen object each (no object a call)', () => {
    const at = (iso: string) => policy.rules!.openAt(Date.parse(iso));
    expect(at('2026-03-27T07:45:00Z')).toBe(at('2026-03-30T06:45:00Z'));
    expect(at('2026-03-30T06:15:00Z')).toBe(at('2026-10-23T06:15:00Z'));
    expect(at('2026-03-30T06:15:00Z')).toEqual({ open: false, why: 'hours' });
    expect(Object.isFrozen(at('2026-03-27T07:45:00Z'))).toBe(true);
  });

  for (const [did, byState] of Object.entries(EXPECTED)) {
    it.each(TIMES)(`on ${did} at %s (%s, %s)`, (iso, state) => {
      const got: Record<string, string> = {};
      for (const kind of CALLERS) {
        const { decision, identity } = call(kind);
        const choice = pickAction(decision, identity, policy, {
          did: did === 'none' ? null : did,
          time: Date.parse(iso),
        });
        got[kind] = `${formatAction(choice.action)} ${choice.rule?.number ?? '-'}`;
      }
      expect(got).toEqual(byState[state]);
    });
  }
});

describe('pickAction', () => {
  it('without rules is the global action per verdict', () => {
    const { rules: _rules, ...global } = policy;
    const { decision, identity } = call('suspect');
    expect(
      pickAction(decision, identity, global, { did: SALES, time: Date.parse('2026-12-01T10:00:00+01:00') }),
    ).toEqual({
      action: { kind: 'tag' },
      rule: null,
      open: null,
    });
  });

  it('lets a trusted withheld caller through a withheld rule, as the global withheld action does', () => {
    const { identity } = call('withheld');
    const choice = pickAction({ verdict: 'trusted', score: 0, reasons: [] }, identity, policy, {
      did: SALES,
      time: Date.parse('2026-12-01T10:00:00+01:00'),
    });
    expect(choice.rule).toBeNull();
    expect(choice.action).toEqual({ kind: 'allow' });
  });

  it("names the rule, and the day's closure, in the register's reason", () => {
    const { decision, identity } = call('unknown');
    const choice = pickAction(decision, identity, policy, {
      did: SUPPORT,
      time: Date.parse('2025-08-15T10:00:00+02:00'),
    });
    expect(policyReason(choice)).toMatchObject({
      code: 'policy-rule',
      weight: 0,
      text: 'policy rule 3 "after hours" (closed (Ferragosto)): tag',
    });
    const open = pickAction(call('suspect').decision, identity, policy, {
      did: SALES,
      time: Date.parse('2026-12-01T10:00:00+01:00'),
    });
    expect(policyReason(open)?.text).toBe('policy rule 2 "sales line": reject:607');
  });

  it('says in the register when actions.rangeRepeat chose the action; a matching rule still comes first', () => {
    const repeat = actionPolicy({ ...config(), actions: { ...config().actions, rangeRepeat: 'check' } });
    const decision: Decision = {
      verdict: 'nuisance',
      score: 0.96,
      reasons: [
        { code: 'prefix-evidence', text: 'Albania', weight: 0.92, params: { level: 'area' } },
        { code: 'attempt-after-refusal', text: '1st attempt in 7 days after a refusal', weight: 0.5 },
      ],
    };
    const identity = caller('+35554555051');
    const choice = pickAction(decision, identity, repeat, {
      did: OTHER,
      time: Date.parse('2026-12-01T10:00:00+01:00'),
    });
    expect(choice).toMatchObject({ action: { kind: 'check' }, rule: null, rangeRepeat: true });
    expect(policyReason(choice)).toMatchObject({ code: 'range-repeat', weight: 0, params: { action: 'check' } });
    expect(policyReason(choice)?.text).toContain("refusal that rested on its country's or operator range's evidence");
    const support = pickAction(decision, identity, repeat, {
      did: SUPPORT,
      time: Date.parse('2026-12-01T10:00:00+01:00'),
    });
    expect(support).toMatchObject({ action: { kind: 'tag' }, rule: { name: 'support line' } });
    expect(support.rangeRepeat).toBeUndefined();
  });

  it('tags a text made suspect by its pace alone where a rule refuses suspects; a call, or another reason, is refused', () => {
    const pace: Decision = {
      verdict: 'suspect',
      score: 0.672,
      reasons: [
        { code: 'burst', text: '4 attempts within 60 min (now)', weight: 0.6 },
        { code: 'off-hours', text: 'calling outside business hours', weight: 0.1 },
        { code: 'unparsable-number', text: 'a sender ID', weight: 0 },
        // The classifier's word that its pace alone makes this text suspect (classify.ts textPace).
        { code: 'text-pace', text: 'a text made suspect by its pace alone (burst, off-hours)', weight: 0 },
      ],
    };
    const identity = caller('+393471234567');
    const night = Date.parse('2026-12-01T21:30:00+01:00');
    // The sales line's rule 2 (reject) and, after hours, rule 4 (announce-early: 607 for a text) refuse suspects.
    for (const did of [SALES, OTHER]) {
      expect(pickAction(pace, identity, policy, { did, time: night, message: true })).toMatchObject({
        action: { kind: 'tag' },
        rule: null,
      });
      expect(refusesCall(pickAction(pace, identity, policy, { did, time: night }).action)).toBe(true);
    }
    // A friend's report besides: the classifier finds it suspect without the pace too (no `text-pace`).
    const withFriend: Decision = {
      ...pace,
      reasons: [
        ...pace.reasons.filter((r) => r.code !== 'text-pace'),
        { code: 'friend-reports', text: 'a friend', weight: 0.3 },
      ],
    };
    expect(pickAction(withFriend, identity, policy, { did: SALES, time: night, message: true }).rule?.number).toBe(2);
  });

  it('reads the business hours only for a rule that asks', () => {
    let reads = 0;
    const counting = {
      ...policy,
      rules: { rules: policy.rules?.rules ?? [], openAt: (ms: number) => (reads++, policy.rules!.openAt(ms)) },
    };
    pickAction(call('suspect').decision, call('suspect').identity, counting, { did: SALES, time: 0 });
    expect(reads).toBe(0);
    pickAction(call('unknown').decision, call('unknown').identity, counting, { did: SALES, time: 0 });
    expect(reads).toBe(1);
  });
});

describe('policies in the config', () => {
  const policies = configSchema.shape.policies;
  const hours = configSchema.shape.businessHours;
  it('refuses a rule without an action, an unknown action, verdict or key, and empty lists', () => {
    expect(policies.safeParse([{ dids: ['0212345678'] }]).success).toBe(false);
    expect(policies.safeParse([{ action: 'drop' }]).success).toBe(false);
    expect(policies.safeParse([{ verdicts: ['spam'], action: 'tag' }]).success).toBe(false);
    expect(policies.safeParse([{ did: ['0212345678'], action: 'tag' }]).success).toBe(false);
    expect(policies.safeParse([{ dids: [], action: 'tag' }]).success).toBe(false);
    expect(policies.safeParse([{ dids: ['support'], action: 'tag' }]).success).toBe(false);
    expect(policies.safeParse([{ hours: 'night', action: 'tag' }]).success).toBe(false);
    expect(policies.safeParse([{ action: 'reject:486' }]).success).toBe(true);
  });
  it('refuses malformed opening hours and closed days', () => {
    const base = {
      timeZone: '',
      holidays: 'IT',
      week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
      closed: [],
    };
    expect(hours.safeParse(base).success).toBe(true);
    expect(hours.safeParse({ ...base, week: { ...base.week, mon: ['13:00-08:30'] } }).success).toBe(false);
    expect(hours.safeParse({ ...base, week: { ...base.week, mon: ['8-13'] } }).success).toBe(false);
    expect(hours.safeParse({ ...base, week: { ...base.week, mon: ['20:00-24:00'] } }).success).toBe(true);
    expect(hours.safeParse({ ...base, timeZone: 'Europe/Milano' }).success).toBe(false);
    expect(hours.safeParse({ ...base, holidays: 'DE' }).success).toBe(false);
    for (const bad of ['2026-02-30', '13-01', '2026-08-21..2026-08-10', '24 Dec']) {
      expect(hours.safeParse({ ...base, closed: [bad] }).success, bad).toBe(false);
    }
    expect(hours.safeParse({ ...base, closed: ['02-29', '2026-12-24', '2026-08-10..2026-08-21'] }).success).toBe(true);
  });
});

describe('a refusal that rested on the withholding alone (session 49)', () => {
  // Tuesday 1 Dec 2026, 10:00 in Rome: the office open, no rule about hours.
  const TUE = Date.parse('2026-12-01T10:00:00+01:00');
  const MIN = 60_000;
  const decide = createClassifier(rules({ learning: DEFAULT_LEARNING_RULES }));
  const withheldAction = actionPolicy({
    ...config(),
    policies: [],
    actions: { ...config().actions, withheld: 'reject' },
  });
  const hospital = withheldCaller('privacy-header', number('+390255501000'));
  /** Three calls to the main line within the last ten minutes: a burst, suspect with the number shown. */
  const calledBack = evidence({ attempts: [TUE - 9 * MIN, TUE - 6 * MIN, TUE - 3 * MIN] });

  interface Row {
    who: string;
    identity: CallerIdentity;
    ev: CallerEvidence;
    policy: typeof policy;
    did: string;
    /** The action shown in the reason, or null: no such reason (the refusal is one of the number). */
    shown: string | null;
  }
  const ROWS: Row[] = [
    {
      who: 'a hospital withheld, on the sales line',
      identity: hospital,
      ev: evidence(),
      policy,
      did: SALES,
      shown: 'allow',
    },
    {
      who: 'a hospital withheld, actions.withheld reject',
      identity: hospital,
      ev: evidence(),
      policy: withheldAction,
      did: OTHER,
      shown: 'allow',
    },
    {
      who: 'a hospital withheld calling back within minutes, actions.withheld reject (shown: tagged)',
      identity: hospital,
      ev: calledBack,
      policy: withheldAction,
      did: OTHER,
      shown: 'tag',
    },
    {
      who: 'a caller withheld calling back within minutes, on the sales line (shown: refused all the same)',
      identity: hospital,
      ev: calledBack,
      policy,
      did: SALES,
      shown: null,
    },
    {
      who: 'a caller withheld that the office marked nuisance',
      identity: hospital,
      ev: evidence({ mark: { label: 'nuisance', at: TUE - 86_400_000, company: null, category: null } }),
      policy: withheldAction,
      did: OTHER,
      shown: null,
    },
    {
      who: "a caller withheld found nuisance, its withholding weighed in (shown: tagged): crocetta's verdict, counted",
      identity: hospital,
      ev: evidence({ ...calledBack, talks: [{ at: TUE - 3 * MIN, seconds: 3 }] }),
      policy: withheldAction,
      did: OTHER,
      shown: null,
    },
    {
      who: 'a withheld caller with no number (nothing is learned of it)',
      identity: withheldCaller('anonymous-uri'),
      ev: evidence(),
      policy: withheldAction,
      did: OTHER,
      shown: null,
    },
    {
      who: 'a caller with its number shown, refused on the sales line',
      identity: caller('+390255501000'),
      ev: calledBack,
      policy,
      did: SALES,
      shown: null,
    },
  ];

  it.each(ROWS)('$who', (row) => {
    const where = { did: row.did, time: TUE };
    const decision = decide(row.identity, row.ev, TUE, where);
    const action = pickAction(decision, row.identity, row.policy, where).action;
    expect(formatAction(action)).toBe('reject:607');
    const reason = withheldRefusalReason(row.identity, decision, action, row.policy, where, (shown) =>
      decide(shown, row.ev, TUE, where),
    );
    if (row.shown === null) {
      expect(reason).toBeNull();
      return;
    }
    expect(reason).toEqual({
      code: 'withheld-refusal',
      text: `refused only for withholding its number (with it shown: ${row.shown}): not counted as a refusal of the number`,
      weight: 0,
      params: { action: row.shown },
    });
  });

  it('gives no reason when the call was not refused', () => {
    const where = { did: OTHER, time: TUE };
    const decision = decide(hospital, evidence(), TUE, where);
    const reason = withheldRefusalReason(hospital, decision, { kind: 'tag' }, policy, where, (shown) =>
      decide(shown, evidence(), TUE, where),
    );
    expect(reason).toBeNull();
  });
});

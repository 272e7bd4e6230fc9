import { describe, expect, it } from 'vitest';
import {
  chooseAction,
  DEFAULT_ACTION_POLICY,
  formatAction,
  isRangeRepeat,
  parseAction,
  type Action,
  type ActionPolicy,
} from './policy.js';
import type { Decision, Reason, Verdict } from './types.js';
import { caller, withheldCaller } from './test-fixtures.js';

const policy: ActionPolicy = {
  trusted: { kind: 'allow' },
  unknown: { kind: 'allow' },
  suspect: { kind: 'tag' },
  nuisance: { kind: 'announce-early' },
  withheld: { kind: 'reject', status: 433 },
};

const decision = (verdict: Verdict): Decision => ({ verdict, score: 0, reasons: [] });

describe('chooseAction', () => {
  it.each<[Verdict, Action]>([
    ['trusted', { kind: 'allow' }],
    ['unknown', { kind: 'allow' }],
    ['suspect', { kind: 'tag' }],
    ['nuisance', { kind: 'announce-early' }],
  ])('a %s caller gets the verdict’s action', (verdict, action) => {
    expect(chooseAction(decision(verdict), caller('+393471234567'), policy)).toEqual(action);
  });

  it.each<Verdict>(['unknown', 'suspect'])('a withheld %s caller gets the withheld action', (verdict) => {
    expect(chooseAction(decision(verdict), withheldCaller('privacy-header'), policy)).toEqual({
      kind: 'reject',
      status: 433,
    });
  });

  it('a withheld caller that is nuisance by other evidence gets the nuisance action', () => {
    expect(chooseAction(decision('nuisance'), withheldCaller('privacy-header'), policy)).toEqual({
      kind: 'announce-early',
    });
  });

  it('a withheld caller the business marked trusted is allowed', () => {
    expect(chooseAction(decision('trusted'), withheldCaller('privacy-header'), policy)).toEqual({ kind: 'allow' });
  });

  it('without a withheld action, withheld callers follow their verdict', () => {
    const p = { ...policy, withheld: null };
    expect(chooseAction(decision('suspect'), withheldCaller('anonymous-uri'), p)).toEqual({ kind: 'tag' });
  });

  it('the default policy rejects nuisance with 607 and tags suspects', () => {
    expect(DEFAULT_ACTION_POLICY.nuisance).toEqual({ kind: 'reject', status: 607 });
    expect(DEFAULT_ACTION_POLICY.suspect).toEqual({ kind: 'tag' });
  });
});

describe('a call again after a refusal on its range alone (actions.rangeRepeat)', () => {
  const range: Reason = {
    code: 'prefix-evidence',
    text: '6 number ranges of +355 54 (fixed line) with calls refused or marked nuisance lately; none of your callers calls from there',
    weight: 0.92,
    params: { level: 'area', prefix: '+35554' },
  };
  const again: Reason = {
    code: 'attempt-after-refusal',
    text: '1st attempt after a refusal on 6 Oct (within 7 days)',
    weight: 0.5,
  };
  const strict: ActionPolicy = { ...policy, nuisance: { kind: 'reject', status: 607 } };
  const withRepeat: ActionPolicy = {
    ...strict,
    rangeRepeat: { action: { kind: 'check', waitSeconds: null }, suspect: 0.5 },
  };
  const nuisance = (...reasons: Reason[]): Decision => ({ verdict: 'nuisance', score: 0.96, reasons });
  const supplier = caller('+35554555051');

  it('asks a caller refused on its operator range alone to press 1 when it calls again', () => {
    expect(chooseAction(nuisance(range, again), supplier, withRepeat)).toEqual({ kind: 'check', waitSeconds: null });
    expect(isRangeRepeat(nuisance(range, again), withRepeat)).toBe(true);
  });

  it('keeps the NO on the first call, and without the setting', () => {
    expect(chooseAction(nuisance(range), supplier, withRepeat)).toEqual({ kind: 'reject', status: 607 });
    expect(chooseAction(nuisance(range, again), supplier, strict)).toEqual({ kind: 'reject', status: 607 });
    expect(chooseAction(nuisance(range, again), supplier, { ...withRepeat, rangeRepeat: null })).toEqual({
      kind: 'reject',
      status: 607,
    });
  });

  it('keeps the NO when a block, a mark or anything else of the number speaks against it', () => {
    const block: Reason = { ...range, params: { level: 'block', free: 2, prefix: '+3902871769' } };
    const sweep: Reason = { code: 'sweep', text: 'rang 3 of your numbers within 6 min (now)', weight: 0.6 };
    const mark: Reason = { code: 'marked-nuisance', text: 'marked nuisance by you on 3 Nov 2026', weight: 0.99 };
    for (const d of [nuisance(block, again), nuisance(range, again, sweep), nuisance(mark, range, again)]) {
      expect(chooseAction(d, supplier, withRepeat)).toEqual({ kind: 'reject', status: 607 });
    }
  });
});

describe('parseAction / formatAction', () => {
  it.each<[string, Action]>([
    ['allow', { kind: 'allow' }],
    ['tag', { kind: 'tag' }],
    ['reject', { kind: 'reject', status: 607 }],
    ['reject:608', { kind: 'reject', status: 608 }],
    ['reject:400', { kind: 'reject', status: 400 }],
    ['reject:699', { kind: 'reject', status: 699 }],
    ['announce-early', { kind: 'announce-early' }],
    ['announce-answer', { kind: 'announce-answer' }],
    ['hangup', { kind: 'hangup' }],
    ['  Reject:433 ', { kind: 'reject', status: 433 }],
    ['check', { kind: 'check', waitSeconds: null }],
    ['check:5', { kind: 'check', waitSeconds: 5 }],
    [' Check:60', { kind: 'check', waitSeconds: 60 }],
  ])('parses %j', (text, action) => {
    expect(parseAction(text)).toEqual(action);
  });

  it.each([
    'reject:399',
    'reject:700',
    'reject:60',
    'reject:6070',
    'reject:607.5',
    'reject:4e2',
    'reject:',
    'reject:abc',
    'reject:-486',
  ])('refuses %j naming the value and the range', (text) => {
    expect(() => parseAction(text)).toThrow(new RegExp(`"${text}".*400 to 699`));
  });

  it.each(['check:0', 'check:61', 'check:', 'check:1.5', 'check:abc', 'check:-3'])(
    'refuses %j naming the value and the range',
    (text) => {
      expect(() => parseAction(text)).toThrow(new RegExp(`"${text}".*1 to 60`));
    },
  );

  it.each(['', 'block', 'announce', 'allow:200', 'toString', '__proto__'])('refuses unknown action %j', (text) => {
    expect(() => parseAction(text)).toThrow(`unknown action "${text}": expected one of allow, tag, reject`);
  });

  it('parseAction returns a fresh object each time', () => {
    const a = parseAction('allow');
    expect(a).not.toBe(parseAction('allow'));
  });

  it.each([
    'allow',
    'tag',
    'reject:607',
    'reject:486',
    'announce-early',
    'announce-answer',
    'hangup',
    'check',
    'check:12',
  ])('formatAction is the inverse of parseAction: %s', (text) => {
    expect(formatAction(parseAction(text))).toBe(text);
  });

  it('formats the default reject with its code', () => {
    expect(formatAction(parseAction('reject'))).toBe('reject:607');
  });
});

import { describe, expect, it } from 'vitest';
import {
  chooseAction,
  DEFAULT_ACTION_POLICY,
  formatAction,
  parseAction,
  type Action,
  type ActionPolicy,
} from './policy.js';
import type { Decision, Verdict } from './types.js';
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

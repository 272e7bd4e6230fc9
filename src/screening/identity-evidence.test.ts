import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../callerid/types.js';
import { classify } from './classify.js';
import type { ScreeningRules } from './rules.js';
import { NO_EVIDENCE, type Decision } from './types.js';
import { caller, NOW, number, rawCaller, rules, withheldCaller } from './test-fixtures.js';

/** Evidence from the identity itself: a withheld number, a caller ID that is not a number. */

const TELEMARKETING = '+390844123456';

function run(identity: CallerIdentity, r: ScreeningRules = rules()): Decision {
  return classify({ identity, evidence: NO_EVIDENCE, now: NOW, rules: r });
}

function codes(d: Decision): string[] {
  return d.reasons.map((reason) => reason.code);
}

describe('withheld callers', () => {
  it('Privacy: id → the configured verdict (suspect by default) with a readable reason', () => {
    const d = run(withheldCaller('privacy-header'));
    expect(d.verdict).toBe('suspect');
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'withheld', text: 'number withheld (Privacy: id)' })]);
  });

  it('anonymous URI or name → "anonymous caller"', () => {
    expect(run(withheldCaller('anonymous-uri')).reasons[0]?.text).toBe('anonymous caller');
    expect(run(withheldCaller('anonymous-name')).reasons[0]?.text).toBe('anonymous caller');
  });

  it('withheld set to unknown: the reason explains, weighs nothing', () => {
    const d = run(withheldCaller('privacy-header'), rules({ withheld: 'unknown' }));
    expect(d).toMatchObject({ verdict: 'unknown', score: 0 });
    expect(d.reasons[0]?.weight).toBe(0);
  });

  it('withheld set to nuisance → nuisance', () => {
    expect(run(withheldCaller('privacy-header'), rules({ withheld: 'nuisance' })).verdict).toBe('nuisance');
  });

  it('withheld is a floor: a withheld number that is also a telemarketing number stays nuisance', () => {
    const d = run(withheldCaller('privacy-header', number(TELEMARKETING)));
    expect(d.verdict).toBe('nuisance');
    expect(codes(d)).toEqual(['telemarketing-prefix', 'withheld']);
  });

  it('a withheld caller with an "anonymous" user part is not also counted as not-a-number', () => {
    const d = run(withheldCaller('anonymous-uri', number(null, { raw: 'anonymous', flags: ['not-a-number'] })));
    expect(codes(d)).toEqual(['withheld']);
  });
});

describe('caller IDs that are not numbers', () => {
  it('letters → suspect by default, with the raw text quoted', () => {
    const d = run(rawCaller('ABC', ['not-a-number']));
    expect(d.verdict).toBe('suspect');
    expect(d.reasons).toEqual([
      expect.objectContaining({ code: 'unparsable-number', text: 'caller ID is not a valid number ("ABC")' }),
    ]);
  });

  it("a carrier's placeholder too short to be flagged (+39, 0): not a valid number either; two national digits are no placeholder", () => {
    for (const raw of ['+39', '0039', '0']) {
      const d = run(rawCaller(raw, ['too-short']));
      expect(d.verdict, raw).toBe('suspect');
      expect(d.reasons).toEqual([
        expect.objectContaining({ code: 'unparsable-number', text: `caller ID is not a valid number ("${raw}")` }),
      ]);
    }
    expect(run(rawCaller('12', ['too-short'])).reasons).toEqual([]);
  });

  it('follows rules.unparsable', () => {
    expect(run(rawCaller('12#45', ['unparsable']), rules({ unparsable: 'nuisance' })).verdict).toBe('nuisance');
    expect(run(rawCaller('12#45', ['unparsable']), rules({ unparsable: 'unknown' })).score).toBe(0);
  });

  it('truncates a long raw value in the text and keeps it whole in params', () => {
    const raw = 'X'.repeat(60);
    const reason = run(rawCaller(raw, ['not-a-number'])).reasons[0];
    expect(reason?.text).toBe(`caller ID is not a valid number ("${'X'.repeat(32)}…")`);
    expect(reason?.params?.['raw']).toBe(raw);
  });

  it.each([
    ['112', ['short-code']],
    ['118', ['short-code', 'unparsable']],
    ['4242', ['short-code', 'too-short']],
    ['1', ['too-short']],
  ])('short and emergency numbers are never pushed up: %s %j', (raw, flags) => {
    const d = run(rawCaller(raw, flags), rules({ unparsable: 'nuisance' }));
    // Since the safety nets (issue 5) short codes and emergency numbers are trusted outright; '1' is no short code.
    if (flags.includes('short-code'))
      expect(d).toMatchObject({ verdict: 'trusted', score: 0, reasons: [{ code: 'service-number' }] });
    else expect(d).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
  });

  it('a parsed but invalid number is not evidence in v1', () => {
    const id = caller('+39123', { number: number('+39123', { valid: false, flags: ['invalid'] }) });
    expect(run(id).verdict).toBe('unknown');
  });
});

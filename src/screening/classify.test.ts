import { describe, expect, it } from 'vitest';
import { byWeight, classify, createClassifier } from './classify.js';
import type { ScreeningRules } from './rules.js';
import { NO_EVIDENCE, type CallerEvidence, type Decision, type Reason } from './types.js';
import { WEIGHTS } from './weights.js';
import {
  at,
  caller,
  DAY,
  evidence,
  HOUR,
  mark,
  NOW,
  number,
  rawCaller,
  rules,
  withheldCaller,
} from './test-fixtures.js';
import type { CallerIdentity } from '../callerid/types.js';
import { mulberry32 } from '../../test/support/prng.js';

const MARKED_AT = at('2026-11-03T09:00:00Z');
const ITALIAN_MOBILE = '+393471234567';
const TELEMARKETING = '+390844123456';
const SURVEY = '+390843123456';

function run(
  identity: CallerIdentity,
  ev: CallerEvidence = NO_EVIDENCE,
  r: ScreeningRules = rules(),
  now = NOW,
): Decision {
  return classify({ identity, evidence: ev, now, rules: r });
}

function codes(d: Decision): string[] {
  return d.reasons.map((reason) => reason.code);
}

describe('no evidence', () => {
  it('is unknown with score 0 and no reasons', () => {
    expect(run(caller(ITALIAN_MOBILE))).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
  });
});

describe("the business's own mark", () => {
  it('nuisance mark: nuisance, weight 0.99, date and company in the reason', () => {
    const d = run(caller(ITALIAN_MOBILE), evidence({ mark: mark('nuisance', MARKED_AT, 'Example Energia', 'energy') }));
    expect(d.verdict).toBe('nuisance');
    expect(d.score).toBeCloseTo(0.99);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({
      code: 'marked-nuisance',
      text: 'marked nuisance by you on 3 Nov 2026 (Example Energia, energy)',
      weight: WEIGHTS.markedNuisance,
    });
  });

  it("a mark's reason is its first decision's own (unfrozen), then written once and shared (frozen) when it comes back", () => {
    const classifier = createClassifier(rules());
    const m = mark('nuisance', at('2026-11-04T09:17:00Z'), 'Example Energia', null);
    const ev = evidence({ mark: m });
    const [first, second, third] = [1, 2, 3].map(() => classifier(caller(ITALIAN_MOBILE), ev, NOW).reasons[0]!);
    expect(Object.isFrozen(first)).toBe(false);
    expect(Object.isFrozen(second) && Object.isFrozen(second!.params)).toBe(true);
    expect(third).toBe(second);
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it('nuisance mark without company or category has no parentheses; only one of them shows alone', () => {
    expect(run(caller(ITALIAN_MOBILE), evidence({ mark: mark('nuisance', MARKED_AT) })).reasons[0]?.text).toBe(
      'marked nuisance by you on 3 Nov 2026',
    );
    expect(
      run(caller(ITALIAN_MOBILE), evidence({ mark: mark('nuisance', MARKED_AT, null, 'energy') })).reasons[0]?.text,
    ).toBe('marked nuisance by you on 3 Nov 2026 (energy)');
  });

  it('an imported mark says where it came from, not "by you" (same verdict and weight); its source in params', () => {
    const imported = { ...mark('nuisance', MARKED_AT, 'Example Energia', 'energy'), from: 'import:fritzbox' };
    const d = run(caller(ITALIAN_MOBILE), evidence({ mark: imported }));
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]).toMatchObject({
      code: 'marked-nuisance',
      text: 'marked nuisance on 3 Nov 2026, imported from a FRITZ!Box list (Example Energia, energy)',
      weight: WEIGHTS.markedNuisance,
      params: { from: 'import:fritzbox' },
    });
    const friend = { ...mark('trusted', MARKED_AT), from: 'import:json' };
    expect(run(caller(ITALIAN_MOBILE), evidence({ mark: friend })).reasons[0]?.text).toBe(
      'marked trusted on 3 Nov 2026, imported from a crocetta export',
    );
  });

  it('trusted mark: trusted, score 0, one reason', () => {
    const d = run(caller(ITALIAN_MOBILE), evidence({ mark: mark('trusted', MARKED_AT) }));
    expect(d).toEqual({
      verdict: 'trusted',
      score: 0,
      reasons: [
        expect.objectContaining({ code: 'marked-trusted', text: 'marked trusted by you on 3 Nov 2026', weight: 0 }),
      ],
    });
  });

  it('writes the date in the configured time zone', () => {
    const lateEvening = at('2026-11-02T23:30:00Z'); // 3 Nov 00:30 in Rome, still 2 Nov in New York
    const id = caller(ITALIAN_MOBILE);
    const ev = evidence({ mark: mark('nuisance', lateEvening) });
    expect(run(id, ev).reasons[0]?.text).toBe('marked nuisance by you on 3 Nov 2026');
    expect(run(id, ev, rules({ timeZone: 'America/New_York' })).reasons[0]?.text).toBe(
      'marked nuisance by you on 2 Nov 2026',
    );
  });

  it('writes September as "Sep" whatever the ICU version says', () => {
    const d = run(caller(ITALIAN_MOBILE), evidence({ mark: mark('nuisance', at('2026-09-03T09:00:00Z')) }));
    expect(d.reasons[0]?.text).toBe('marked nuisance by you on 3 Sep 2026');
  });
});

describe('precedence: mark trusted > mark nuisance > trusted prefix rule > other rules', () => {
  it('a trusted mark beats the 0844 telemarketing prefix and the repeat rule', () => {
    const ev = evidence({
      mark: mark('trusted', MARKED_AT),
      refusals: [NOW - 2 * DAY],
      attempts: [NOW - DAY, NOW - HOUR, NOW - 60_000],
    });
    const d = run(caller(TELEMARKETING), ev);
    expect(d.verdict).toBe('trusted');
    expect(d.score).toBe(0);
    expect(codes(d)).toEqual(['marked-trusted']);
  });

  it('a trusted mark beats a nuisance prefix rule and a withheld rule set to nuisance', () => {
    const r = rules({ prefixes: [{ prefix: '+39347', verdict: 'nuisance', label: 'block' }], withheld: 'nuisance' });
    const id = caller(ITALIAN_MOBILE, { withheld: true, withheldReason: 'privacy-header' });
    expect(run(id, evidence({ mark: mark('trusted', MARKED_AT) }), r).verdict).toBe('trusted');
  });

  it('a trusted prefix rule makes trusted and beats the country pack', () => {
    const r = rules({ prefixes: [{ prefix: '+390844123', verdict: 'trusted', label: 'Our energy supplier' }] });
    const d = run(caller(TELEMARKETING), NO_EVIDENCE, r);
    expect(d.verdict).toBe('trusted');
    expect(d.score).toBe(0);
    expect(d.reasons).toEqual([
      expect.objectContaining({
        code: 'trusted-prefix',
        text: 'trusted by your prefix rule +390844123 (Our energy supplier)',
        weight: 0,
      }),
    ]);
  });

  it('a nuisance mark beats a trusted prefix rule', () => {
    const r = rules({ prefixes: [{ prefix: '+39347', verdict: 'trusted', label: 'staff mobiles' }] });
    const d = run(caller(ITALIAN_MOBILE), evidence({ mark: mark('nuisance', MARKED_AT) }), r);
    expect(d.verdict).toBe('nuisance');
    expect(codes(d)).toEqual(['marked-nuisance']);
  });

  it('longest business prefix wins: a short nuisance block with a trusted hole in it', () => {
    const r = rules({
      prefixes: [
        { prefix: '+39347', verdict: 'nuisance', label: 'mobile block' },
        { prefix: '+3934712', verdict: 'trusted', label: 'the accountant' },
      ],
    });
    expect(run(caller(ITALIAN_MOBILE), NO_EVIDENCE, r).verdict).toBe('trusted');
    const other = run(caller('+393479999999'), NO_EVIDENCE, r);
    expect(other.verdict).toBe('nuisance');
    expect(other.reasons[0]?.text).toBe('nuisance by your prefix rule +39347 (mobile block)');
  });
});

describe('business prefix rules', () => {
  it('a suspect prefix rule makes suspect, a nuisance one nuisance', () => {
    const r = rules({
      prefixes: [
        { prefix: '+4420', verdict: 'suspect', label: 'London' },
        { prefix: '+4930', verdict: 'nuisance', label: '' },
      ],
    });
    const london = run(caller('+442079460000'), NO_EVIDENCE, r);
    expect(london.verdict).toBe('suspect');
    expect(london.reasons[0]).toMatchObject({
      code: 'prefix-rule',
      text: 'suspect by your prefix rule +4420 (London)',
    });
    const berlin = run(caller('+493012345678'), NO_EVIDENCE, r);
    expect(berlin.verdict).toBe('nuisance');
    expect(berlin.reasons[0]?.text).toBe('nuisance by your prefix rule +4930');
  });

  it('a prefix rule and a country pack on the same number both count', () => {
    const r = rules({ prefixes: [{ prefix: '+390843', verdict: 'suspect', label: 'surveys' }] });
    const d = run(caller(SURVEY), NO_EVIDENCE, r);
    expect(codes(d).sort()).toEqual(['prefix-rule', 'survey-prefix']);
    expect(d.score).toBeCloseTo(1 - 0.5 * 0.5);
  });
});

describe('country packs', () => {
  it('IT 0844 telemarketing → nuisance by default', () => {
    const d = run(caller(TELEMARKETING));
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons).toEqual([
      expect.objectContaining({ code: 'telemarketing-prefix', text: 'AGCOM telemarketing prefix 0844' }),
    ]);
  });

  it('IT 0843 surveys → suspect by default', () => {
    const d = run(caller(SURVEY));
    expect(d.verdict).toBe('suspect');
    expect(d.reasons[0]).toMatchObject({ code: 'survey-prefix', text: 'AGCOM statistical-survey prefix 0843' });
  });

  it('the verdict per pack comes from the settings', () => {
    const r = rules({
      packs: {
        IT: { enabled: true, telemarketing: 'suspect', surveys: 'nuisance' },
        FR: { enabled: true, automated: 'suspect' },
      },
    });
    expect(run(caller(TELEMARKETING), NO_EVIDENCE, r).verdict).toBe('suspect');
    expect(run(caller(SURVEY), NO_EVIDENCE, r).verdict).toBe('nuisance');
    expect(run(caller('+33162123456'), NO_EVIDENCE, r).verdict).toBe('suspect');
  });

  it('a disabled pack does nothing', () => {
    const r = rules({
      packs: {
        IT: { enabled: false, telemarketing: 'nuisance', surveys: 'suspect' },
        FR: { enabled: false, automated: 'nuisance' },
      },
    });
    expect(run(caller(TELEMARKETING), NO_EVIDENCE, r)).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
    expect(run(caller('+33162123456'), NO_EVIDENCE, r)).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
  });

  it('FR automated-calling range → nuisance with the national prefix in the reason', () => {
    const d = run(caller('+33162123456'));
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]).toMatchObject({ code: 'automated-call-prefix', text: 'ARCEP automated-calling range 0162' });
  });

  it('an Italian mobile starting 3 is not confused with a pack', () => {
    expect(run(caller('+39084'))).toMatchObject({ verdict: 'unknown' });
    expect(run(caller('+3908441'))).toMatchObject({ verdict: 'nuisance' });
  });
});

describe('repeat attempts after a refusal', () => {
  const refusedAt = at('2026-11-03T09:00:00Z');

  it('1st attempt after a refusal is suspect, with the date of the refusal', () => {
    const d = run(caller(ITALIAN_MOBILE), evidence({ attempts: [refusedAt - 60_000], refusals: [refusedAt] }));
    expect(d.verdict).toBe('suspect');
    expect(d.reasons).toEqual([
      expect.objectContaining({
        code: 'attempt-after-refusal',
        text: '1st attempt after a refusal on 3 Nov (within 6 days)',
        params: expect.objectContaining({ attempt: 1, days: 6 }) as unknown,
      }),
    ]);
  });

  it('the Nth attempt (3rd by default) is nuisance; the (N-1)th is suspect', () => {
    const second = evidence({ refusals: [refusedAt], attempts: [refusedAt - 1000, refusedAt + DAY] });
    const third = evidence({
      refusals: [refusedAt],
      attempts: [refusedAt - 1000, refusedAt + DAY, refusedAt + 2 * DAY],
    });
    const now = refusedAt + 4 * DAY + HOUR;
    const d2 = run(caller(ITALIAN_MOBILE), second, rules(), now);
    expect(d2.verdict).toBe('suspect');
    expect(d2.reasons[0]?.text).toBe('2nd attempt after a refusal on 3 Nov (within 5 days)');
    const d3 = run(caller(ITALIAN_MOBILE), third, rules(), now);
    expect(d3.verdict).toBe('nuisance');
    expect(d3.reasons[0]).toMatchObject({
      code: 'repeat-after-refusal',
      text: '3rd attempt after a refusal on 3 Nov (within 5 days)',
      weight: WEIGHTS.nuisance,
    });
  });
});

describe('scoring', () => {
  it('combines weights with noisy-OR and lists reasons by weight, heaviest first', () => {
    const ev = evidence({ mark: mark('nuisance', MARKED_AT), refusals: [NOW - DAY] });
    const d = run(caller(SURVEY), ev);
    expect(codes(d)).toEqual(['marked-nuisance', 'survey-prefix', 'attempt-after-refusal']);
    expect(d.score).toBeCloseTo(1 - 0.01 * 0.5 * 0.5, 10);
    const weights = d.reasons.map((r) => r.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
  });

  it('two suspect-level hints stay suspect; three reach nuisance under default thresholds', () => {
    const two = run(caller(SURVEY), evidence({ refusals: [NOW - DAY] }));
    expect(two).toMatchObject({ verdict: 'suspect', score: 0.75 });
    const r = rules({ prefixes: [{ prefix: '+39084312', verdict: 'suspect', label: 'pollster' }] });
    const three = run(caller(SURVEY), evidence({ refusals: [NOW - DAY] }), r);
    expect(three.verdict).toBe('nuisance');
    expect(three.score).toBeCloseTo(0.875);
  });

  it('rule verdicts are floors: a suspect rule reaches the suspect threshold even when it is high', () => {
    const r = rules({ thresholds: { suspect: 0.7, nuisance: 0.95 } });
    const survey = run(caller(SURVEY), NO_EVIDENCE, r);
    expect(survey).toMatchObject({ verdict: 'suspect', score: 0.7 });
    const tm = run(caller(TELEMARKETING), NO_EVIDENCE, r);
    expect(tm).toMatchObject({ verdict: 'nuisance', score: 0.95 });
  });

  it('the score is always within [0, 1]', () => {
    const r = rules({
      withheld: 'nuisance',
      thresholds: { suspect: 1, nuisance: 1 },
      prefixes: [{ prefix: '+39', verdict: 'nuisance', label: 'all of Italy' }],
    });
    const ev = evidence({
      mark: mark('nuisance', MARKED_AT),
      refusals: [NOW - DAY],
      attempts: [NOW - HOUR, NOW - 1000],
    });
    const samples = [
      run(withheldCaller('privacy-header', number(TELEMARKETING)), ev, r),
      run(caller(ITALIAN_MOBILE)),
      run(caller(TELEMARKETING), ev),
      run(rawCaller('??', ['unparsable'])),
    ];
    for (const d of samples) {
      expect(d.score).toBeGreaterThanOrEqual(0);
      expect(d.score).toBeLessThanOrEqual(1);
    }
    expect(samples[0]).toMatchObject({ verdict: 'nuisance', score: 1 });
  });
});

describe('createClassifier', () => {
  it('gives the same decisions as classify', () => {
    const r = rules();
    const fast = createClassifier(r);
    const ev = evidence({ mark: mark('nuisance', MARKED_AT, 'Example Energia', 'energy') });
    expect(fast(caller(TELEMARKETING), ev, NOW)).toEqual(run(caller(TELEMARKETING), ev, r));
  });

  it('shares frozen reasons: no decision can change what the next one says', () => {
    const fast = createClassifier(rules());
    const first = fast(caller(TELEMARKETING), NO_EVIDENCE, NOW);
    const reason = first.reasons[0];
    expect(reason).toBeDefined();
    expect(() => {
      if (reason) reason.text = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      if (reason?.params) reason.params['prefix'] = '0';
    }).toThrow(TypeError);
    const next = fast(caller(TELEMARKETING), NO_EVIDENCE, NOW);
    expect(next.reasons[0]).toBe(reason);
    expect(next.reasons[0]).toMatchObject({ text: 'AGCOM telemarketing prefix 0844', params: { prefix: '0844' } });
    // The list is the decision's own: a step that adds a reason (a policy rule, the check memory) cannot leak it.
    expect(next.reasons).not.toBe(first.reasons);
  });

  it.each<[string, Partial<ScreeningRules>, RegExp]>([
    ['suspect above nuisance', { thresholds: { suspect: 0.9, nuisance: 0.8 } }, /thresholds\.suspect \(0\.9\)/],
    ['zero threshold', { thresholds: { suspect: 0, nuisance: 0.8 } }, /thresholds\.suspect/],
    ['threshold above 1', { thresholds: { suspect: 0.5, nuisance: 1.5 } }, /thresholds\.nuisance/],
    ['zero attempts', { repeat: { enabled: true, attempts: 0, withinDays: 7 } }, /repeat\.attempts/],
    ['negative days', { repeat: { enabled: true, attempts: 3, withinDays: -1 } }, /repeat\.withinDays/],
    ['national prefix', { prefixes: [{ prefix: '0844', verdict: 'nuisance', label: '' }] }, /"0844"/],
    [
      'duplicate prefix',
      {
        prefixes: [
          { prefix: '+39', verdict: 'nuisance', label: '' },
          { prefix: '+39', verdict: 'trusted', label: '' },
        ],
      },
      /\+39 appears twice/,
    ],
    ['unknown time zone', { timeZone: 'Europe/Atlantis' }, /Europe\/Atlantis/],
  ])('rejects bad rules at creation: %s', (_name, over, message) => {
    expect(() => createClassifier(rules(over))).toThrow(message);
  });
});

describe('byWeight (the reasons of a decision, heaviest first)', () => {
  it('orders as a stable Array#sort by weight does, ties and all', () => {
    const rand = mulberry32(2026);
    const weights = [0, 0.02, 0.5, 0.5, 0.9, 0.99, 0.3, 0.3];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rand() * 9);
      const reasons: Reason[] = Array.from({ length: len }, (_, i) => ({
        code: 'burst',
        text: `#${i}`,
        weight: weights[Math.floor(rand() * weights.length)]!,
      }));
      const expected = [...reasons].sort((a, b) => b.weight - a.weight).map((r) => r.text);
      byWeight(reasons);
      expect(reasons.map((r) => r.text)).toEqual(expected);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { blockPrefixes, formatBlock, learnsBlockMember } from './blocks.js';
import { classify } from './classify.js';
import { DEFAULT_LEARNING_RULES, type LearningRules } from './learning.js';
import { at, caller, DAY, evidence, HOUR, mark, number, rules } from './test-fixtures.js';
import type { BlockCounts, CallContext, CallerEvidence } from './types.js';
import type { CallerIdentity } from '../callerid/types.js';

/** Tuesday 10 Nov 2026, 11:00 in Rome: inside business hours. */
const TUE = at('2026-11-10T10:00:00Z');
const MIN = 60_000;

function learning(over: (l: LearningRules) => void = () => undefined): LearningRules {
  const l: LearningRules = structuredClone(DEFAULT_LEARNING_RULES);
  over(l);
  return l;
}

function decide(identity: CallerIdentity, ev: CallerEvidence, now = TUE, context?: CallContext, l = learning()) {
  return classify({ identity, evidence: ev, now, rules: rules({ learning: l }), ...(context && { context }) });
}

function block(over: Partial<BlockCounts> = {}): BlockCounts {
  return {
    small: '39028717691',
    smallNuisance: 0,
    smallTrusted: 0,
    large: '3902871769',
    largeNuisance: 0,
    largeTrusted: 0,
    tens: new Array<number>(10).fill(0),
    ...over,
  };
}

const codes = (d: { reasons: { code: string }[] }) => d.reasons.map((r) => r.code);

describe('behaviour evidence', () => {
  it('a burst: the 4th attempt within an hour is suspect, and says so', () => {
    const d = decide(caller('+390212345678'), evidence({ attempts: [TUE - 30 * MIN, TUE - 20 * MIN, TUE - 10 * MIN] }));
    expect(d.verdict).toBe('suspect');
    const burst = d.reasons.find((r) => r.code === 'burst');
    expect(burst?.text).toBe('4 attempts within 60 min (now)');
    expect(burst?.weight).toBeCloseTo(0.5);
  });

  it('a burst decays: the same burst 14 days later weighs half', () => {
    const t0 = TUE - 14 * DAY;
    const d = decide(
      caller('+390212345678'),
      evidence({ attempts: [t0 - 30 * MIN, t0 - 20 * MIN, t0 - 10 * MIN, t0] }),
    );
    expect(d.reasons.find((r) => r.code === 'burst')?.weight).toBeCloseTo(0.25);
  });

  it('a sweep: three of our DIDs within minutes', () => {
    const calls = [
      { at: TUE - 6 * MIN, did: '+390255550100' },
      { at: TUE - 3 * MIN, did: '+390255550101' },
    ];
    const d = decide(caller('+390212345678'), evidence({ attempts: calls.map((c) => c.at), calls }), TUE, {
      did: '+390255550102',
    });
    expect(d.reasons.find((r) => r.code === 'sweep')?.text).toBe('rang 3 of your numbers within 6 min (now)');
    expect(d.verdict).toBe('suspect');
  });

  it('the same DID three times is no sweep', () => {
    const calls = [
      { at: TUE - 6 * MIN, did: '+390255550100' },
      { at: TUE - 3 * MIN, did: '+390255550100' },
    ];
    const d = decide(caller('+390212345678'), evidence({ calls }), TUE, { did: '+390255550100' });
    expect(codes(d)).not.toContain('sweep');
  });

  it('very short answered calls add up, and decay', () => {
    const talks = [
      { at: TUE - 2 * DAY, seconds: 3 },
      { at: TUE - DAY, seconds: 4 },
    ];
    const d = decide(caller('+390212345678'), evidence({ talks }));
    const r = d.reasons.find((x) => x.code === 'short-calls');
    expect(r?.text).toMatch(/^2 answered calls shorter than 8 s \(last on 9 Nov\)$/);
    expect(r?.weight).toBeGreaterThan(0.45);
    const later = decide(caller('+390212345678'), evidence({ talks }), TUE + 28 * DAY);
    expect(later.reasons.find((x) => x.code === 'short-calls')?.weight).toBeLessThan(0.2);
  });

  it('calls outside business hours are mild evidence, inside none', () => {
    const night = at('2026-11-10T21:30:00Z'); // 22:30 in Rome
    expect(
      decide(caller('+390212345678'), evidence(), night).reasons.find((r) => r.code === 'off-hours')?.weight,
    ).toBeCloseTo(0.1);
    expect(codes(decide(caller('+390212345678'), evidence()))).not.toContain('off-hours');
    const sunday = at('2026-11-08T10:00:00Z');
    expect(codes(decide(caller('+390212345678'), evidence(), sunday))).toContain('off-hours');
  });

  it('repeat after refusal keeps its words', () => {
    const d = decide(
      caller('+390212345678'),
      evidence({ attempts: [TUE - 5 * DAY, TUE - 3 * DAY, TUE - DAY], refusals: [TUE - 5 * DAY] }),
    );
    expect(d.reasons[0]?.text).toBe('3rd attempt after a refusal on 5 Nov (within 5 days)');
  });
});

describe('number blocks', () => {
  it('4 nuisance numbers in a 10-block make an unseen neighbour suspect, with the block in words', () => {
    const d = decide(caller('+390287176912'), evidence({ block: block({ smallNuisance: 4, largeNuisance: 4 }) }));
    expect(d.verdict).toBe('suspect');
    expect(d.reasons[0]?.text).toBe('4 nuisance numbers in +39 02 8717 691x');
  });

  it('3 are not enough, and one number however reported counts once', () => {
    expect(
      codes(decide(caller('+390287176912'), evidence({ block: block({ smallNuisance: 3, largeNuisance: 3 }) }))),
    ).not.toContain('nuisance-block');
  });

  it('a dense block is nuisance', () => {
    const d = decide(caller('+390287176912'), evidence({ block: block({ smallNuisance: 9, largeNuisance: 9 }) }));
    expect(d.verdict).toBe('nuisance');
  });

  it('the 100-block needs spread: 8 members over 4 ten-blocks of 2', () => {
    const spread = block({ largeNuisance: 8, tens: [2, 2, 2, 2, 0, 0, 0, 0, 0, 0] });
    const d = decide(caller('+390287176999'), evidence({ block: spread }));
    expect(d.reasons.find((r) => r.code === 'nuisance-block')?.text).toBe(
      '8 nuisance numbers in +39 02 8717 69xx (4 blocks of ten)',
    );
    const dense = block({ largeNuisance: 9, tens: [9, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(codes(decide(caller('+390287176999'), evidence({ block: dense })))).not.toContain('nuisance-block');
  });

  it('a trusted number in the block stops the fold', () => {
    const d = decide(
      caller('+390287176912'),
      evidence({ block: block({ smallNuisance: 6, smallTrusted: 1, largeNuisance: 6, largeTrusted: 1 }) }),
    );
    expect(codes(d)).not.toContain('nuisance-block');
  });

  it('a trusted number inside a nuisance block is allowed', () => {
    const d = decide(
      caller('+390287176912'),
      evidence({ mark: mark('trusted', TUE - DAY), block: block({ smallNuisance: 9, largeNuisance: 9 }) }),
    );
    expect(d.verdict).toBe('trusted');
  });

  it('mobiles fold only on the spread gate by default', () => {
    const mobile = caller('+393331234567', { number: number('+393331234567', { type: 'MOBILE' }) });
    expect(codes(decide(mobile, evidence({ block: block({ smallNuisance: 6, largeNuisance: 6 }) })))).not.toContain(
      'nuisance-block',
    );
  });

  it('prefixes and formatting follow the configured length', () => {
    expect(blockPrefixes('+390287176912', 1)).toEqual({ small: '39028717691', large: '3902871769' });
    expect(blockPrefixes('+12025550123', 2)).toEqual({ small: '120255501', large: '12025550' });
    expect(formatBlock('120255501', 2)).toBe('+1 202 555 01xx');
  });

  it('crocetta learns a member only from the caller’s own evidence', () => {
    const own = {
      verdict: 'nuisance' as const,
      score: 0.9,
      reasons: [
        { code: 'sweep' as const, text: '', weight: 0.6 },
        { code: 'nuisance-block' as const, text: '', weight: 0.6 },
      ],
    };
    expect(learnsBlockMember(own, { suspect: 0.5 })).toBe(true);
    const onlyBlock = {
      ...own,
      reasons: [
        { code: 'nuisance-block' as const, text: '', weight: 0.9 },
        { code: 'off-hours' as const, text: '', weight: 0.1 },
      ],
    };
    expect(learnsBlockMember(onlyBlock, { suspect: 0.5 })).toBe(false);
  });
});

describe('safety nets', () => {
  it('an emergency number is allowed whatever the rules say', () => {
    const d = decide(
      caller('', { number: number(null, { raw: '112', flags: ['short-code'], valid: false }) }),
      evidence({ mark: mark('nuisance', TUE - DAY) }),
    );
    expect(d.verdict).toBe('trusted');
    expect(d.reasons[0]?.text).toBe('emergency or service number 112: never blocked');
  });

  it('our own DIDs and internal extensions bypass screening', () => {
    const l = learning((x) => {
      x.safety.ownNumbers = ['+3902555501'];
      x.safety.bypassCallers = ['^2[0-9]{2}$'];
    });
    expect(
      decide(caller('+390255550103'), evidence({ mark: mark('nuisance', TUE) }), TUE, undefined, l).reasons[0]?.code,
    ).toBe('bypass');
    const ext = caller('', { number: number(null, { raw: '201', flags: ['short-code'] }) });
    expect(decide(ext, evidence(), TUE, undefined, l).reasons[0]?.text).toBe(
      'internal caller 201 (bypass rule ^2[0-9]{2}$): not screened',
    );
  });

  it('"let the next call through" beats a nuisance mark', () => {
    const d = decide(caller('+390212345678'), evidence({ mark: mark('nuisance', TUE - DAY), allowNext: TUE - HOUR }));
    expect(d.verdict).toBe('trusted');
    expect(d.reasons[0]?.code).toBe('allow-next');
  });

  it('a number we called is trusted despite behaviour, but not despite a nuisance mark', () => {
    const busy = { attempts: [TUE - 30 * MIN, TUE - 20 * MIN, TUE - 10 * MIN], calledByUs: at('2026-10-01T09:00:00Z') };
    const d = decide(caller('+390212345678'), evidence(busy));
    expect(d.verdict).toBe('trusted');
    expect(d.reasons[0]?.text).toBe('you called this number on 1 Oct 2026');
    expect(decide(caller('+390212345678'), evidence({ ...busy, mark: mark('nuisance', TUE) })).verdict).toBe(
      'nuisance',
    );
  });

  it('a persistent human (a long talk through the PBX) is trusted', () => {
    const d = decide(
      caller('+390212345678'),
      evidence({ talks: [{ at: TUE - 2 * DAY, seconds: 420 }], block: block({ smallNuisance: 9, largeNuisance: 9 }) }),
    );
    expect(d.verdict).toBe('trusted');
    expect(d.reasons[0]?.text).toBe('talked 7 min with you on 8 Nov');
  });

  it('display-name patterns allow and block', () => {
    const l = learning((x) => {
      x.safety.displayNameAllow = ['^Studio Rossi'];
      x.safety.displayNameBlock = ['energia|promo'];
    });
    expect(
      decide(caller('+390212345678', { displayName: 'Studio Rossi srl' }), evidence(), TUE, undefined, l).verdict,
    ).toBe('trusted');
    const blocked = decide(caller('+390212345678', { displayName: 'PROMO Energia' }), evidence(), TUE, undefined, l);
    expect(blocked.verdict).toBe('nuisance');
    expect(blocked.reasons[0]?.text).toBe('display name "PROMO Energia" matches your block pattern energia|promo');
  });
});

describe('STIR/SHAKEN', () => {
  it('failed verification is strong evidence', () => {
    const d = decide(caller('+12025550123', { verstat: 'TN-Validation-Failed' }), evidence());
    expect(d.verdict).toBe('suspect');
    expect(d.reasons[0]?.code).toBe('shaken-failed');
  });

  it('attestation C is mild', () => {
    expect(decide(caller('+12025550123', { attestation: 'C' }), evidence()).reasons[0]?.weight).toBeCloseTo(0.1);
  });

  it('attestation A discounts behaviour but never trusts a known nuisance', () => {
    const ev = evidence({ block: block({ smallNuisance: 4, largeNuisance: 4 }) });
    const a = decide(caller('+390287176912', { attestation: 'A' }), ev);
    expect(a.reasons.find((r) => r.code === 'nuisance-block')?.weight).toBeCloseTo(0.42);
    expect(
      decide(caller('+390287176912', { attestation: 'A' }), evidence({ mark: mark('nuisance', TUE) })).verdict,
    ).toBe('nuisance');
  });

  it('a token signed for another caller ID is strong evidence, whatever its attestation', () => {
    const spoofed = caller('+12025550123', {
      attestation: 'A',
      passport: { orig: ['12025559999'], dest: ['390255550100'] },
    });
    const d = decide(spoofed, evidence(), TUE, { did: '+390255550100' });
    expect(d.verdict).toBe('suspect');
    expect(d.reasons[0]).toMatchObject({
      code: 'shaken-orig-mismatch',
      text: 'caller ID +12025550123 does not match the number its STIR/SHAKEN token was signed for (+12025559999)',
    });
    // The same token for the right caller (its number written with a plus and spaces) is an A attestation.
    const genuine = caller('+12025550123', {
      attestation: 'A',
      passport: { orig: ['+1 202 555 0123'], dest: ['390255550100'] },
    });
    expect(decide(genuine, evidence(), TUE, { did: '+390255550100' }).reasons.map((r) => r.code)).toEqual([
      'shaken-full',
    ]);
  });

  it('a token signed for a call to another number is mild evidence and loses the attestation discount', () => {
    const ev = evidence({ block: block({ smallNuisance: 4, largeNuisance: 4 }) });
    const replayed = caller('+390287176912', {
      attestation: 'A',
      passport: { orig: ['390287176912'], dest: ['390299999999'] },
    });
    const d = decide(replayed, ev, TUE, { did: '+390255550100' });
    expect(d.reasons.find((r) => r.code === 'shaken-dest-mismatch')).toMatchObject({
      text: 'STIR/SHAKEN token signed for a call to +390299999999, not to your +390255550100 (replayed, or forwarded)',
    });
    expect(d.reasons.find((r) => r.code === 'nuisance-block')?.weight).toBeGreaterThan(0.42);
    // Without a known DID (or with one the token names) nothing is said.
    expect(codes(decide(replayed, evidence(), TUE))).not.toContain('shaken-dest-mismatch');
  });

  it('a verifier’s verdict outranks the claims', () => {
    expect(
      decide(caller('+12025550123', { attestation: 'A' }), evidence(), TUE, { shakenVerified: 'invalid' }).reasons[0]
        ?.code,
    ).toBe('shaken-failed');
  });
});

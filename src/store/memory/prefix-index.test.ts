/**
 * Evidence at every prefix depth as the service runs it (issue 14): the register's writes feed the index's tree,
 * the classifier reads it. The three cases of the issue, trap DIDs, and a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../../callerid/types.js';
import { normalizeNumber } from '../../callerid/index.js';
import { createClassifier } from '../../screening/classify.js';
import { DEFAULT_LEARNING_RULES } from '../../screening/learning.js';
import { DEFAULT_SCREENING_RULES, type ScreeningRules } from '../../screening/rules.js';
import type { Decision } from '../../screening/types.js';
import { EvidenceIndex } from './evidence-index.js';
import { noteLearned } from './learn-from-attempt.js';
import { prefixIndexOptions } from './prefix-index.js';
import { openRegister, type OpenedRegister } from '../register/register.js';
import { newAttempt } from '../test-fixtures.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Monday 2 Nov 2026, 10:00 in Rome. */
const T0 = Date.parse('2026-11-02T10:00:00+01:00');
const DID = '+390211110000';
const TRAP = '+390211110099';

/** As config/default.yaml sets them (nuisance from 0.8). */
const RULES: ScreeningRules = {
  ...DEFAULT_SCREENING_RULES,
  thresholds: { suspect: 0.5, nuisance: 0.8 },
  trapDids: [TRAP],
  learning: { ...DEFAULT_LEARNING_RULES, prefixes: { ...DEFAULT_LEARNING_RULES.prefixes!, enabled: true } },
};
const classifier = createClassifier(RULES);

function identity(e164: string): CallerIdentity {
  return {
    number: normalizeNumber(e164, 'IT'),
    displayName: null,
    source: 'from',
    withheld: false,
    withheldReason: null,
    attestation: null,
    verstat: null,
  };
}

function setup() {
  const clock = {
    t: T0,
    now(): number {
      return this.t;
    },
  };
  const index = new EvidenceIndex({
    lookbackDays: 60,
    clock,
    prefixes: prefixIndexOptions(RULES.learning, RULES.thresholds),
  });
  const classify = (e164: string, did = DID): Decision =>
    classifier(identity(e164), index.evidenceFor(e164), clock.t, { did });
  /** One call as the register records it: classified, its action, what it teaches the index. */
  const call = (e164: string, did = DID): Decision => {
    const decision = classify(e164, did);
    const action = decision.verdict === 'nuisance' ? 'reject:607' : 'allow';
    index.addAttempt(e164, clock.t);
    if (action !== 'allow') index.addRefusal(e164, clock.t);
    noteLearned(
      index,
      e164,
      {
        time: clock.t,
        calledNumber: did,
        verdict: decision.verdict,
        score: decision.score,
        reasons: decision.reasons,
        action,
      },
      RULES.thresholds,
    );
    return decision;
  };
  const mark = (e164: string, label: 'nuisance' | 'trusted'): void =>
    index.setMark({ callerKey: e164, label, at: clock.t, company: null, category: null });
  // The office's Italian callers: customers on mobiles and in Milan, who talked with it at length.
  for (let i = 0; i < 40; i++) index.addTalk(`+39347${String(1_000_000 + i * 98_321).slice(-7)}`, T0 - 20 * DAY, 240);
  for (let i = 0; i < 40; i++)
    index.addTalk(`+3902${String(10_000_000 + i * 1_234_567).slice(-8)}`, T0 - 20 * DAY, 240);
  return { clock, index, classify, call, mark };
}

/** Albanian mobiles (+355 69), each in a 1000-block of its own: a centre with a fresh number every call. */
const albanian = (i: number): string => `+35569${String(1_000_000 + i * 77_777).slice(-7)}`;

describe('a foreign centre with a fresh number every call', () => {
  it('is refused from about the 10th number the office marks, with a reason naming its range', () => {
    const s = setup();
    const verdicts: string[] = [];
    for (let k = 0; k < 14; k++) {
      s.clock.t = T0 + k * HOUR;
      const d = s.call(albanian(k));
      verdicts.push(d.verdict);
      if (d.verdict !== 'nuisance') s.mark(albanian(k), 'nuisance'); // the office answers and marks it
    }
    expect(verdicts.slice(0, 2)).toEqual(['unknown', 'unknown']);
    expect(verdicts.indexOf('nuisance')).toBeGreaterThanOrEqual(5);
    expect(verdicts.indexOf('nuisance')).toBeLessThanOrEqual(11);
    const d = s.classify(albanian(50));
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]).toMatchObject({ code: 'prefix-evidence' });
    expect(d.reasons[0]?.text).toMatch(
      /number ranges of \+355 69 \(mobile\) with calls refused or marked nuisance lately \(last on 2 Nov\); none of your callers calls from there/,
    );
  });
});

describe('a customer from the same country', () => {
  it('who talked with the office is let through, and so are the other lines of its block', () => {
    const s = setup();
    const customer = '+355692345678';
    s.index.addTalk(customer, T0 - 2 * DAY, 600);
    s.index.addTalk('+355692345671', T0 - 2 * DAY, 400);
    for (let k = 0; k < 10; k++) s.mark(albanian(k), 'nuisance');
    // The centre's next fresh number is still held suspect (tagged, not refused): the office has callers there.
    const centre = s.classify(albanian(60));
    expect(centre.verdict).toBe('suspect');
    expect(centre.reasons[0]?.text).toMatch(/your callers call from 1 of its ranges/);
    expect(s.classify(customer).verdict).toBe('trusted');
    const colleague = s.classify('+355692345675');
    expect(colleague.verdict).not.toBe('nuisance');
    expect(colleague.reasons.map((r) => r.code)).not.toContain('prefix-evidence');
  });
});

describe('a SIM box with a fresh SIM of one 10,000-block every few calls', () => {
  it('is refused from its 4th SIM; a customer in its 100,000-block who talked with us is not', () => {
    const s = setup();
    // A customer's mobile in the batch's 100,000-block (+39 347 12x xxxx), who talked 5 min with us last month.
    const talked = '+393471258100';
    s.index.addTalk(talked, T0 - 30 * DAY, 300);
    // The box: +39 347 123 xxxx, each SIM in another 1000-block, two calls each, the office marking the first.
    const sims = ['+393471230417', '+393471231530', '+393471232641', '+393471234752'];
    const verdicts: string[] = [];
    sims.forEach((sim, k) => {
      for (let c = 0; c < 2; c++) {
        s.clock.t = T0 + k * DAY + c * 3 * HOUR;
        const d = s.call(sim);
        verdicts.push(d.verdict);
        if (c === 0 && d.verdict !== 'nuisance') s.mark(sim, 'nuisance');
      }
    });
    // SIM 1 and 2 get through once each (nothing is known of the batch before), their second calls are refused on
    // their marks; SIM 3 is tagged (two ranges of the 10,000-block, but the customer's talk in the 100,000-block
    // around it lowers its prior: without it, the 3rd is refused, prefix-tree.test.ts); SIM 4 is refused at once.
    expect(verdicts).toEqual([
      'unknown',
      'nuisance',
      'unknown',
      'nuisance',
      'suspect',
      'nuisance',
      'nuisance',
      'nuisance',
    ]);
    s.clock.t = T0 + 4 * DAY;
    const next = s.classify('+393471237999');
    expect(next.verdict).toBe('nuisance');
    expect(next.reasons[0]?.text).toMatch(/^4 number ranges in \+39 347 123 xxxx refused or marked nuisance lately/);
    // The customer who talked with us is let through.
    expect(s.classify(talked).verdict).toBe('trusted');
  });

  it('judges a SIM answered before for a few seconds and not marked as it judges a new one', () => {
    const s = setup();
    const quiet = '+393471239123';
    s.clock.t = T0 - DAY;
    s.call(quiet);
    s.index.addTalk(quiet, s.clock.t, 25); // answered, 25 s, not marked: no evidence either way
    ['+393471230417', '+393471231530', '+393471232641'].forEach((sim, k) => {
      s.clock.t = T0 + k * DAY;
      s.call(sim);
      s.mark(sim, 'nuisance');
    });
    s.clock.t = T0 + 4 * DAY;
    const fresh = s.classify('+393471237999');
    const again = s.classify(quiet);
    expect(fresh.verdict).toBe('nuisance');
    expect(again.verdict).toBe('nuisance');
    expect(again.reasons.find((r) => r.code === 'prefix-evidence')?.weight).toBeCloseTo(
      fresh.reasons.find((r) => r.code === 'prefix-evidence')!.weight,
      2,
    );
    expect(s.index.prefixes!.tree.path(quiet, s.clock.t).at(-1)!.legit).toBe(0);
  });

  it('is only tagged where a customer who talked with us shares its 10,000-block', () => {
    const s = setup();
    s.index.addTalk('+393471238100', T0 - 30 * DAY, 300);
    ['+393471230417', '+393471231530', '+393471232641'].forEach((sim, k) => {
      s.clock.t = T0 + k * DAY;
      s.call(sim);
      s.mark(sim, 'nuisance');
    });
    s.clock.t = T0 + 4 * DAY;
    expect(s.classify('+393471237999').verdict).not.toBe('nuisance');
  });
});

describe('decay', () => {
  it('delists a country that went quiet', () => {
    const s = setup();
    for (let k = 0; k < 10; k++) s.mark(albanian(k), 'nuisance');
    expect(s.classify(albanian(70)).verdict).toBe('nuisance');
    s.clock.t = T0 + 45 * DAY;
    expect(s.classify(albanian(70)).verdict).not.toBe('nuisance');
    s.clock.t = T0 + 120 * DAY;
    s.index.prune();
    expect(s.classify(albanian(70)).reasons.map((r) => r.code)).not.toContain('prefix-evidence');
  });
});

describe('trap numbers', () => {
  it('make their caller nuisance at once and afterwards, and teach the tree about its range', () => {
    const s = setup();
    const dialler = '+390687654321';
    const first = s.call(dialler, TRAP);
    expect(first.verdict).toBe('nuisance');
    expect(first.reasons[0]?.text).toMatch(/called \+390211110099 \(now\), a number of yours that is never published/);
    s.clock.t += 2 * DAY;
    const later = s.classify(dialler, DID);
    expect(later.verdict).toBe('nuisance');
    expect(later.reasons.map((r) => r.code)).toContain('trap-did');
    expect(s.index.prefixes?.tree.path(dialler, s.clock.t).at(-1)?.nuisance).toBeGreaterThan(0.9);
  });

  it('count even when the caller is let through for another reason, as the sweep does', () => {
    const s = setup();
    const sweeper = '+390612345678';
    // Three of our numbers within minutes: a sweep, suspect on its own (weight 0.6), counted in the tree as it happens.
    for (const [i, did] of ['+390211110001', '+390211110002', '+390211110003'].entries()) {
      s.clock.t = T0 + i * 60_000;
      s.call(sweeper, did);
    }
    expect(s.index.prefixes?.tree.path(sweeper, s.clock.t).at(-1)?.nuisance).toBeCloseTo(0.6, 1);
  });
});

describe('a sweep of our DIDs by numbers of one block', () => {
  it('counts as it happens: the 3rd DID rung by the block is a sweep, and the block is nuisance from then on', () => {
    const s = setup();
    // A dialler with a VoIP range: a fresh number of one 1000-block for each of our numbers, a minute apart.
    const numbers = ['+390645678123', '+390645678456', '+390645678789', '+390645678234', '+390645678567'];
    const dids = ['+390211110001', '+390211110002', '+390211110003', '+390211110004', '+390211110005'];
    const decisions = numbers.map((n, i) => {
      s.clock.t = T0 + i * 60_000;
      return s.call(n, dids[i]);
    });
    expect(decisions[0]?.verdict).toBe('unknown');
    expect(decisions[1]?.reasons.map((r) => r.code)).not.toContain('block-sweep');
    const third = decisions[2]!;
    expect(third.reasons.map((r) => r.code)).toContain('block-sweep');
    expect(third.reasons.find((r) => r.code === 'block-sweep')?.text).toMatch(
      /^3 numbers of \+39 06 4567 8xxx rang 3 of your numbers within 2 min \(now\)$/,
    );
    // The sweep taught the tree the block's numbers (the 1st and 2nd too): the next fresh number of the block is
    // nuisance on its neighbours and the sweep together, and so is one an hour later, when the sweep is over.
    expect(decisions[3]?.verdict).toBe('nuisance');
    s.clock.t = T0 + HOUR;
    const later = s.classify('+390645678999', dids[0]);
    expect(later.verdict).toBe('nuisance');
    expect(later.reasons.map((r) => r.code)).toEqual(['prefix-evidence']);
  });

  it('needs two numbers: one number ringing our DIDs is its own sweep, and a customer calling two DIDs is none', () => {
    const s = setup();
    for (const [i, did] of ['+390211110001', '+390211110002', '+390211110003'].entries()) {
      s.clock.t = T0 + i * 60_000;
      expect(s.call('+390645678123', did).reasons.map((r) => r.code)).not.toContain('block-sweep');
    }
    // Two neighbours of a business calling two of our numbers: below the sweep gate (3 DIDs).
    s.clock.t = T0 + 2 * HOUR;
    s.call('+390277777001', '+390211110001');
    s.clock.t += 60_000;
    expect(s.call('+390277777002', '+390211110002').reasons.map((r) => r.code)).not.toContain('block-sweep');
  });
});

describe("a block's recent calls (what its sweeps count)", () => {
  it('keeps the newest 16 within the window, in order, and never changes a list it handed out', () => {
    const s = setup();
    const prefixes = s.index.prefixes!;
    const number = (i: number): string => `+39064567${String(8000 + i)}`;
    // 20 numbers of one 1000-block, a minute apart: the newest 16 are kept (the oldest 4 dropped), the caller's own
    // calls left out of what it is shown.
    for (let i = 0; i < 20; i++) {
      s.clock.t = T0 + i * 60_000;
      s.call(number(i)); // all to one DID: no sweep
    }
    const shown = prefixes.blockCalls(number(19), s.clock.t);
    expect(shown?.prefix).toBe('390645678');
    expect(shown?.calls.map((c) => c.number)).toEqual(Array.from({ length: 15 }, (_, k) => number(k + 4)));
    const before = shown!.calls.slice();
    // At minute 40 the window (30 min) holds the calls from minute 10 on; a new call adds itself at the end,
    // and the list handed out above is as it was.
    s.clock.t = T0 + 40 * 60_000;
    s.call(number(30));
    expect(shown!.calls).toEqual(before);
    const later = prefixes.blockCalls(number(99), s.clock.t);
    expect(later?.calls.map((c) => c.number)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30].map(number));
    expect(later?.calls.at(-1)).toMatchObject({ at: T0 + 40 * 60_000, did: DID, number: number(30) });
    // An hour after the last call nothing of the block is within the window, and its next call starts over.
    s.clock.t += 31 * 60_000;
    expect(prefixes.blockCalls(number(99), s.clock.t)).toBeNull();
    s.call(number(31));
    expect(prefixes.blockCalls(number(99), s.clock.t)?.calls.map((c) => c.number)).toEqual([number(31)]);
    // A sweep now (3 of our numbers within minutes) counts the block's numbers within the window, not those before.
    s.clock.t += 60_000;
    s.call(number(32), '+390211110002');
    s.clock.t += 60_000;
    expect(s.call(number(33), '+390211110003').reasons.map((r) => r.code)).toContain('block-sweep');
    expect(prefixes.tree.nuisanceOf(number(31), s.clock.t)).toBeGreaterThan(0);
    for (const old of [19, 30]) expect(prefixes.tree.nuisanceOf(number(old), s.clock.t)).toBe(0);
  });
});

describe("friends' reports", () => {
  it("teach the tree their numbers' ranges at the friends' weight", () => {
    const s = setup();
    const reported = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((k) => albanian(k));
    s.index.prefixes!.friendReports(
      reported.map((callerKey) => ({ callerKey, weight: 0.9 })),
      T0,
    );
    expect(s.index.prefixes!.tree.path(reported[0]!, T0).at(-1)?.nuisance).toBeCloseTo(0.9, 3);
    const fresh = s.classify(albanian(40));
    expect(fresh.reasons[0]).toMatchObject({ code: 'prefix-evidence' });
    expect(fresh.verdict).not.toBe('unknown');
  });

  it('leave the tree when a later round withdraws them, but the business own marks stay', () => {
    const s = setup();
    const prefixes = s.index.prefixes!;
    const reported = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((k) => albanian(k));
    prefixes.friendReports(
      reported.map((callerKey) => ({ callerKey, weight: 0.9 })),
      T0,
    );
    s.mark(reported[0]!, 'nuisance'); // the office's own mark of one of them
    expect(s.classify(albanian(40)).reasons[0]).toMatchObject({ code: 'prefix-evidence' });
    // The next round: every friend withdrew every report (or the friend was removed).
    s.clock.t = T0 + HOUR;
    prefixes.friendReports([], s.clock.t);
    expect(prefixes.tree.nuisanceOf(reported[1]!, s.clock.t)).toBe(0);
    expect(prefixes.tree.nuisanceOf(reported[0]!, s.clock.t)).toBeCloseTo(1, 2);
    const country = prefixes.tree.path(albanian(40), s.clock.t)[0]!;
    expect(country.nuisance).toBeCloseTo(1, 2); // the marked number's range alone
    expect(s.classify(albanian(40)).verdict).toBe('unknown');
    // Reported again at a lower weight: counted at that weight, no more.
    prefixes.friendReports([{ callerKey: reported[1]!, weight: 0.5 }], s.clock.t);
    expect(prefixes.tree.nuisanceOf(reported[1]!, s.clock.t)).toBeCloseTo(0.5, 3);
    prefixes.friendReports([{ callerKey: reported[1]!, weight: 0.3 }], s.clock.t);
    expect(prefixes.tree.nuisanceOf(reported[1]!, s.clock.t)).toBeCloseTo(0.3, 3);
  });
});

describe('the register', () => {
  let dir: TempDir | undefined;
  const opened: OpenedRegister[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
    dir?.remove();
  });

  it('rebuilds the tree at start from marks, refusals, talks and block sweeps', async () => {
    dir = tempDir();
    const clock = new ManualClock(T0);
    const open = async (): Promise<OpenedRegister> => {
      const r = await openRegister({
        file: dir!.file('register.sqlite'),
        lookbackDays: 60,
        clock,
        prefixes: prefixIndexOptions(RULES.learning, RULES.thresholds),
      });
      opened.push(r);
      return r;
    };
    const first = await open();
    for (let k = 0; k < 6; k++)
      await first.mark(albanian(k), {
        label: 'nuisance',
        company: null,
        category: null,
        at: T0 - k * HOUR,
        by: 'test',
      });
    const refusal = [{ code: 'repeat-after-refusal' as const, text: '3rd attempt', weight: 0.9 }];
    for (let k = 6; k < 10; k++)
      await first.record(
        newAttempt(albanian(k), T0 - HOUR, { verdict: 'nuisance', score: 0.9, reasons: refusal, action: 'reject:607' }),
      );
    // A call let through (tagged) on a sweep by its block's numbers counts as it happened, after a restart too.
    const sweep = [{ code: 'block-sweep' as const, text: '3 numbers of … rang 3 of your numbers', weight: 0.6 }];
    await first.record(
      newAttempt('+390645678234', T0 - HOUR, { verdict: 'suspect', score: 0.6, reasons: sweep, action: 'tag' }),
    );
    const rome = (r: OpenedRegister) => r.evidenceFor('+390699999999').prefix?.node;
    expect(rome(first)).toMatchObject({ level: 'area', prefix: '3906' });
    expect(rome(first)?.nuisance).toBeCloseTo(0.6, 2);
    const before = first.evidenceFor(albanian(80)).prefix;
    expect(before?.node.nuisance).toBeGreaterThan(5);
    await first.close();
    opened.splice(0);
    const again = await open();
    const after = again.evidenceFor(albanian(80)).prefix;
    expect(after?.node.prefix).toBe(before?.node.prefix);
    expect(after?.node.nuisance).toBeCloseTo(before?.node.nuisance ?? 0, 1);
    expect(after?.weight).toBeCloseTo(before?.weight ?? 0, 2);
    expect(rome(again)?.nuisance).toBeCloseTo(0.6, 2);
  });
});

describe('the estimate of a caller that comes back', () => {
  it('is kept while the tree is unwritten and the minute the same, and is what the tree computes afresh', () => {
    const s = setup();
    const prefixes = s.index.prefixes!;
    for (let k = 0; k < 12; k++) s.mark(albanian(k), 'nuisance');
    const caller = albanian(40);
    const fresh = () => prefixes.tree.estimate(caller, s.clock.t);
    const first = prefixes.estimate(caller, s.clock.t);
    expect(first).toEqual(fresh());
    const second = prefixes.estimate(caller, s.clock.t); // second sight: kept from here on
    expect(prefixes.estimate(caller, s.clock.t)).toBe(second);
    // Kept ones are frozen (prefixReason keeps their reason with them), the first sight's is not.
    expect([Object.isFrozen(first), Object.isFrozen(second), Object.isFrozen(second?.node)]).toEqual([
      false,
      true,
      true,
    ]);
    s.clock.t += 30_000; // same minute of the tree's clock
    expect(prefixes.estimate(caller, s.clock.t)).toBe(second);
    // A write to the tree (a long talk with a neighbour: observe alone): recomputed, as the tree computes it now.
    s.index.addTalk(albanian(41), s.clock.t, 240);
    const afterWrite = prefixes.estimate(caller, s.clock.t);
    expect(afterWrite).not.toBe(second);
    expect(afterWrite).toEqual(fresh());
    expect(afterWrite?.mean).not.toBe(second?.mean);
    // A later minute (decay moves on): recomputed too.
    const kept = prefixes.estimate(caller, s.clock.t);
    s.clock.t += 30 * DAY;
    const later = prefixes.estimate(caller, s.clock.t);
    expect(later).not.toBe(kept);
    expect(later).toEqual(fresh());
    expect(later?.bound).not.toBe(kept?.bound);
    // A key that is not a plain E.164 double is asked of the tree each time.
    expect(prefixes.estimate('+0123', s.clock.t)).toEqual(prefixes.tree.estimate('+0123', s.clock.t));
  });
});

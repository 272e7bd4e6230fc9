import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../callerid/types.js';
import { classify, contextOfCaller } from './classify.js';
import { DEFAULT_LEARNING_RULES } from './learning.js';
import { at, caller, evidence, mark, rawCaller, rules, type EvidenceInput } from './test-fixtures.js';
import type { CallContext, Decision, Verdict } from './types.js';

/**
 * Text messages (SIP MESSAGE) as an office receives them, walked through drachtio-server with sipp in session 49
 * (sms49, docs/measurements.md): banks, shops and 2FA services send one-time codes from alphanumeric sender IDs, short
 * codes or mobiles, several within minutes and to several of the office's numbers; couriers text two or three of
 * them. With the default rules (off-hours on) every one of them was refused from its 3rd or 4th text (607: the code
 * lost), and every sender ID was tagged "caller ID is not a valid number". A text's pace may tag it, never refuse it;
 * a sender ID is no evidence on a text; the office's mark still refuses, a short code's too.
 */

/** Tuesday 10 Nov 2026, 21:30 in Rome: outside business hours, when 2FA codes and deliveries still come. */
const EVENING = at('2026-11-10T20:30:00Z');
/** The same day at 11:00: inside business hours. */
const MORNING = at('2026-11-10T10:00:00Z');
const SEC = 1000;
const DIDS = Array.from({ length: 8 }, (_, i) => `+39025555010${i}`);
const R = rules({ learning: DEFAULT_LEARNING_RULES });
const ORDER: Verdict[] = ['trusted', 'unknown', 'suspect', 'nuisance'];

const sender = (id: string): CallerIdentity => rawCaller(id, ['not-a-number', 'alphanumeric']);
const shortCode = (code: string): CallerIdentity => rawCaller(code, ['short-code']);

/**
 * The decisions of a run of requests from one sender, `gapMs` apart from `start`, to the DIDs at `dids` (indexes into
 * DIDS), each with the earlier ones as the register keeps them; `message`: texts, else calls.
 */
function run(identity: CallerIdentity, start: number, gapMs: number, dids: number[], message: boolean): Decision[] {
  const seen: { at: number; did: string }[] = [];
  return dids.map((d, i) => {
    const now = start + i * gapMs;
    const did = DIDS[d]!;
    const ev: EvidenceInput = { attempts: seen.map((c) => c.at), calls: seen.slice() };
    const context: CallContext = message ? { did, message } : { did };
    const decision = classify({ identity, evidence: evidence(ev), now, rules: R, context });
    seen.push({ at: now, did });
    return decision;
  });
}

const worst = (ds: Decision[]): Verdict =>
  ds.map((d) => d.verdict).sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0]!;

interface Row {
  who: string;
  identity: CallerIdentity;
  gapMs: number;
  dids: number[];
}

const SENDERS: Row[] = [
  {
    who: "a bank's 6 codes within 2 minutes (a login retried)",
    identity: sender('IntesaSP'),
    gapMs: 20 * SEC,
    dids: [0, 0, 0, 0, 0, 0],
  },
  {
    who: "a shop's 4 payment codes from a mobile number",
    identity: caller('+393351234567'),
    gapMs: 30 * SEC,
    dids: [0, 0, 0, 0],
  },
  {
    who: 'a courier texting three of our numbers, then the first again',
    identity: sender('BRT'),
    gapMs: 10 * SEC,
    dids: [0, 1, 2, 0],
  },
  {
    who: "a 2FA service texting every employee's number within a minute",
    identity: sender('Microsoft'),
    gapMs: 7 * SEC,
    dids: [0, 1, 2, 3, 4, 5, 6, 7],
  },
  {
    who: 'a 2FA service from a mobile number to 4 employees',
    identity: caller('+393359876543'),
    gapMs: 15 * SEC,
    dids: [0, 1, 2, 3],
  },
];

describe('text messages: a sender of codes is never refused for its pace', () => {
  for (const [when, start] of [
    ['in the evening', EVENING],
    ['in office hours', MORNING],
  ] as const) {
    it.each(SENDERS)(`$who ${when}: every text at most suspect (tagged, delivered)`, ({ identity, gapMs, dids }) => {
      const texts = run(identity, start, gapMs, dids, true);
      expect(ORDER.indexOf(worst(texts))).toBeLessThanOrEqual(ORDER.indexOf('suspect'));
      // Never below the suspect threshold for its pace either: a tag, where the rules find one.
      for (const d of texts) expect(d.score).toBeLessThan(R.thresholds.nuisance);
    });
  }

  it('the same runs as calls are still refused (the call rules did not change)', () => {
    const refused = SENDERS.filter(
      ({ identity, gapMs, dids }) => worst(run(identity, EVENING, gapMs, dids, false)) === 'nuisance',
    );
    expect(refused.map((r) => r.who)).toEqual([SENDERS[0]!.who, SENDERS[2]!.who, SENDERS[3]!.who, SENDERS[4]!.who]);
  });

  it('a sender ID on a text is no evidence: no "not a valid number" reason, unknown; on a call it still is', () => {
    const asText = classify({
      identity: sender('Poste.it'),
      evidence: evidence(),
      now: MORNING,
      rules: R,
      context: { did: DIDS[0]!, message: true },
    });
    expect(asText).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
    const asCall = classify({
      identity: sender('Poste.it'),
      evidence: evidence(),
      now: MORNING,
      rules: R,
      context: { did: DIDS[0]! },
    });
    expect(asCall.verdict).toBe('suspect');
    expect(asCall.reasons.map((r) => r.code)).toEqual(['unparsable-number']);
    // Letters that are no sender ID stay evidence on a text.
    const junk = classify({
      identity: rawCaller('%%garbage*#', ['not-a-number']),
      evidence: evidence(),
      now: MORNING,
      rules: R,
      context: { message: true },
    });
    expect(junk.reasons.map((r) => r.code)).toEqual(['unparsable-number']);
  });

  it("the pace's reasons are still said, and the rest of the evidence counts in full", () => {
    const texts = run(sender('IntesaSP'), EVENING, 20 * SEC, [0, 0, 0, 0, 0, 0], true);
    const last = texts.at(-1)!;
    expect(last.verdict).toBe('suspect');
    // Said too: its pace alone makes it suspect (the policy never refuses it for that: policy/text-pace.test.ts).
    expect(last.reasons.map((r) => r.code)).toEqual(['burst', 'off-hours', 'text-pace']);
    expect(last.reasons.at(-1)).toMatchObject({ weight: 0, params: { pace: 'burst, off-hours' } });
    // A sweep of every employee's number weighs 0.99 and more: cut at the suspect threshold.
    const sweep = run(sender('Microsoft'), MORNING, 7 * SEC, [0, 1, 2, 3, 4, 5, 6, 7], true).at(-1)!;
    expect(sweep).toMatchObject({ verdict: 'suspect', score: R.thresholds.suspect });
    expect(sweep.reasons.map((r) => r.code)).toEqual(['sweep', 'text-pace']);
    // Friends' reports (0.6, no floor) and the pace: the reports' score, not the pace's.
    const reported = classify({
      identity: caller('+393351234567'),
      evidence: evidence({
        attempts: [EVENING - 60 * SEC, EVENING - 40 * SEC, EVENING - 20 * SEC],
        friends: {
          reports: [
            { friend: 'Studio Bianchi', weight: 0.4, company: null, category: null },
            { friend: 'Ferramenta Neri', weight: 0.4, company: null, category: null },
          ],
          consensus: 2,
        },
      }),
      now: EVENING,
      rules: R,
      context: { message: true },
    });
    expect(reported.verdict).toBe('suspect');
    expect(reported.score).toBeGreaterThan(R.thresholds.suspect);
    // The reports alone make it suspect: not its pace alone, so no `text-pace` (the office's action applies).
    expect(reported.reasons.map((r) => r.code)).not.toContain('text-pace');
  });
});

describe('text messages: what the office does not want is refused', () => {
  it('a sender ID marked nuisance: its next text is refused', () => {
    const d = classify({
      identity: sender('PROMO-ENERGIA'),
      evidence: evidence({ mark: mark('nuisance', MORNING - 3_600_000, null, 'marketing') }),
      now: MORNING,
      rules: R,
      context: { message: true },
    });
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons.map((r) => r.code)).toEqual(['marked-nuisance']);
  });

  it.each([false, true])('a short code marked nuisance is refused, a text (%s) or a call', (message) => {
    const context: CallContext = { message };
    const marked = evidence({ mark: mark('nuisance', MORNING - 3_600_000) });
    const d = classify({ identity: shortCode('48018'), evidence: marked, now: MORNING, rules: R, context });
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]?.code).toBe('marked-nuisance');
    // Unmarked, still never blocked; an emergency number listed in serviceNumbers, never blocked even marked.
    const free = classify({ identity: shortCode('48018'), evidence: evidence(), now: MORNING, rules: R, context });
    expect(free.verdict).toBe('trusted');
    const emergency = classify({ identity: shortCode('112'), evidence: marked, now: MORNING, rules: R, context });
    expect(emergency).toMatchObject({ verdict: 'trusted', reasons: [{ code: 'service-number' }] });
  });
});

describe('text messages: "let the next text through"', () => {
  it.each([
    ['a sender ID', sender('PROMO-ENERGIA')],
    ['a short code', shortCode('48018')],
    ['a number', caller('+393351234567')],
  ])(
    '%s marked nuisance: its next text is let through, and the reason speaks of a text; a call of a call',
    (_, who) => {
      const ev = evidence({ mark: mark('nuisance', MORNING - 3_600_000), allowNext: MORNING - 60_000 });
      const text = classify({ identity: who, evidence: ev, now: MORNING, rules: R, context: { message: true } });
      expect(text).toMatchObject({ verdict: 'trusted', reasons: [{ code: 'allow-next' }] });
      expect(text.reasons[0]?.text).toBe('let through once: you asked on 10 Nov 2026 to let the next text through');
      const call = classify({ identity: who, evidence: ev, now: MORNING, rules: R, context: { did: DIDS[0]! } });
      expect(call.reasons[0]?.text).toBe('let through once: you asked on 10 Nov 2026 to let the next call through');
    },
  );
});

describe('contextOfCaller', () => {
  it('judges a number, a short code or a sender ID that only texted as a text; one that called, or junk, as a call', () => {
    expect(contextOfCaller(sender('IntesaSP'), true)).toEqual({ message: true });
    expect(contextOfCaller(sender('IntesaSP'), false)).toBeUndefined();
    expect(contextOfCaller(caller('+393351234567'), true)).toEqual({ message: true });
    expect(contextOfCaller(caller('+393351234567'), false)).toBeUndefined();
    expect(contextOfCaller(shortCode('48018'), true)).toEqual({ message: true });
    expect(contextOfCaller(shortCode('48018'), false)).toBeUndefined();
    expect(contextOfCaller(rawCaller('%%x', ['not-a-number']), true)).toBeUndefined();
    expect(contextOfCaller(caller('', { number: null }), true)).toBeUndefined();
  });
});

describe("text messages: a text's reasons speak of a text, not a call (words50)", () => {
  it('the hour: "a text outside business hours", its count of attempts (calls and texts alike); a call\'s as before', () => {
    const texts = run(sender('IntesaSP'), EVENING, 20 * SEC, [0, 0, 0], true);
    expect(texts[0]!.reasons.find((r) => r.code === 'off-hours')?.text).toBe('a text outside business hours');
    expect(texts[2]!.reasons.find((r) => r.code === 'off-hours')).toMatchObject({
      text: 'a text outside business hours (3 attempts lately)',
      params: { times: 3 },
    });
    const calls = run(sender('IntesaSP'), EVENING, 20 * SEC, [0, 0, 0], false);
    expect(calls[2]!.reasons.find((r) => r.code === 'off-hours')?.text).toBe(
      'calling outside business hours (3 times lately)',
    );
  });

  it('a sweep of our numbers: "contacted", never "rang"; a call\'s "rang"', () => {
    const text = run(sender('Microsoft'), MORNING, 7 * SEC, [0, 1, 2, 3], true).at(-1)!;
    const sweep = text.reasons.find((r) => r.code === 'sweep');
    expect(sweep?.text).toMatch(/^contacted 4 of your numbers within 1 min \(now\)$/);
    const call = run(sender('Microsoft'), MORNING, 7 * SEC, [0, 1, 2, 3], false).at(-1)!;
    expect(call.reasons.find((r) => r.code === 'sweep')?.text).toMatch(/^rang 4 of your numbers within /);
    for (const d of run(caller('+393359876543'), EVENING, 15 * SEC, [0, 1, 2, 3], true)) {
      for (const r of d.reasons) expect(r.text).not.toMatch(/\brang\b|\bcalling\b|\bcalled\b/);
    }
  });

  it('a sweep by numbers of one block: "contacted" on a text, "rang" on a call', () => {
    const ev = evidence();
    ev.blockCalls = {
      prefix: '393351234',
      calls: [
        { at: MORNING - 40 * SEC, did: DIDS[0]!, number: '+393351234001' },
        { at: MORNING - 20 * SEC, did: DIDS[1]!, number: '+393351234002' },
      ],
    };
    const who = caller('+393351234567');
    const text = classify({
      identity: who,
      evidence: ev,
      now: MORNING,
      rules: R,
      context: { did: DIDS[2]!, message: true },
    });
    expect(text.reasons.find((r) => r.code === 'block-sweep')?.text).toMatch(
      /^3 numbers of .+ contacted 3 of your numbers within 1 min \(now\)$/,
    );
    const call = classify({ identity: who, evidence: ev, now: MORNING, rules: R, context: { did: DIDS[2]! } });
    expect(call.reasons.find((r) => r.code === 'block-sweep')?.text).toMatch(
      /^3 numbers of .+ rang 3 of your numbers /,
    );
  });

  it('a trap number: "texted" it now, "contacted" it before; a call "called" it', () => {
    const trapped = rules({ learning: DEFAULT_LEARNING_RULES, trapDids: [DIDS[7]!] });
    const now = classify({
      identity: caller('+393351234567'),
      evidence: evidence(),
      now: MORNING,
      rules: trapped,
      context: { did: DIDS[7]!, message: true },
    });
    expect(now.reasons[0]).toMatchObject({
      code: 'trap-did',
      text: `texted ${DIDS[7]} (now), a number of yours that is never published: only senders going down a list reach it`,
    });
    const before = classify({
      identity: caller('+393351234567'),
      evidence: evidence({ attempts: [MORNING - 60 * SEC], calls: [{ at: MORNING - 60 * SEC, did: DIDS[7]! }] }),
      now: MORNING,
      rules: trapped,
      context: { did: DIDS[0]!, message: true },
    });
    expect(before.reasons[0]?.text).toBe(
      `contacted ${DIDS[7]} (on 10 Nov), a number of yours that is never published: only senders going down a list reach it`,
    );
    const call = classify({
      identity: caller('+393351234567'),
      evidence: evidence(),
      now: MORNING,
      rules: trapped,
      context: { did: DIDS[7]! },
    });
    expect(call.reasons[0]?.text).toBe(
      `called ${DIDS[7]} (now), a number of yours that is never published: only diallers going down a list call it`,
    );
  });
});

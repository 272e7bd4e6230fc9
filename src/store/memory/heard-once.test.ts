import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { said } from '../../../test/support/evidence-said.js';
import { mulberry32 } from '../../../test/support/prng.js';
import { EvidenceIndex } from './evidence-index.js';
import { HeardOnce } from './heard-once.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 6, 10);
const LOOKBACK_DAYS = 3;
const DID = '+390612345670';

describe('callers heard once, kept without a record (heard-once.ts)', () => {
  it('keeps a new caller with one attempt, call and talk without a record, and gives it one at its next event', () => {
    const clock = new ManualClock(T0);
    const ix = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
    const key = '+393331234567';
    ix.addAttempt(key, T0);
    ix.learned.addCall(key, T0, DID);
    ix.addTalk(key, T0 + 2000, 0);
    expect(ix.callerRecords).toBe(1);
    expect(ix.callersHeardOnce).toBe(1);
    expect(ix.activeCallers).toBe(1);
    // Its second attempt: a record with both attempts, the call and the talk.
    ix.addAttempt(key, T0 + 60_000);
    expect(ix.callersHeardOnce).toBe(0);
    expect(said(ix.evidenceFor(key))).toMatchObject({
      attempts: [T0, T0 + 60_000],
      refusals: [],
      calls: [{ at: T0, did: DID }],
      talks: [{ at: T0 + 2000, seconds: 0 }],
    });
    // A refusal, a second call, a second talk and a read each take a caller out of here too.
    const write: ((k: string) => void)[] = [
      (k) => ix.addRefusal(k, T0 + 1000),
      (k) => ix.learned.addCall(k, T0 + 1000, null),
      (k) => ix.addTalk(k, T0 + 3000, 5),
      (k) => ix.evidenceFor(k),
    ];
    write.forEach((w, i) => {
      const k = `+39333765432${i}`;
      ix.addAttempt(k, T0 + 500);
      ix.learned.addCall(k, T0 + 500, DID);
      ix.addTalk(k, T0 + 600, 1);
      expect(ix.callersHeardOnce).toBe(1);
      w(k);
      expect(ix.callersHeardOnce).toBe(0);
    });
    // Keys that are not E.164 numbers, and a first event that is not an attempt, get a record at once.
    ix.addAttempt('anonymous:abc', T0 + 700);
    ix.learned.addCall('+393339999999', T0 + 700, DID);
    expect(ix.callersHeardOnce).toBe(0);
    expect(ix.callerRecords).toBe(7);
  });

  it('forgets a caller heard once when its attempt leaves the look-back, keeping one whose talk is still in it', () => {
    const clock = new ManualClock(T0);
    const ix = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
    ix.addAttempt('+393330000001', T0);
    ix.addAttempt('+393330000002', T0 + 1000);
    ix.addTalk('+393330000002', T0 + 1000 + 30 * 60_000, 1800); // answered half an hour on
    ix.addAttempt('+393330000003', T0 + 2 * 3600_000);
    clock.advance(LOOKBACK_DAYS * DAY + 10 * 60_000);
    expect(ix.prune()).toBe(2); // the first one forgotten, the second's attempt left (its talk keeps a record)
    expect(ix.callerRecords).toBe(2);
    expect(ix.callersHeardOnce).toBe(1);
    expect(said(ix.evidenceFor('+393330000002'))).toMatchObject({
      attempts: [],
      talks: [{ at: T0 + 1000 + 30 * 60_000, seconds: 1800 }],
    });
    expect(said(ix.evidenceFor('+393330000001'))).toMatchObject({ attempts: [], talks: undefined });
    clock.advance(2 * 3600_000);
    expect(ix.prune()).toBe(1);
    expect(ix.callerRecords).toBe(0);
  });

  it('gives every caller the evidence it had with a record each, over generated writes, sparse reads and prunes', () => {
    const rand = mulberry32(38);
    const dids = ['+390612345670', '+390612345671', null];
    let heardOnceSeen = 0;
    let promotedReads = 0;
    for (let run = 0; run < 20; run++) {
      const clock = new ManualClock(T0);
      const ix = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
      const ref = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock, heardOnce: false });
      // Mostly new callers (as bench:sip's proxied calls), some coming back, and keys that are not numbers.
      const keys = Array.from({ length: 600 }, (_, i) =>
        i % 50 === 49 ? `sip:user${i}@example.com` : `+3933${String(1_000_000 + i)}`,
      );
      const pick = () => keys[Math.floor(rand() * rand() * keys.length)]!;
      const when = () => clock.now() - (rand() < 0.05 ? Math.floor(rand() * 60_000) : 0);
      for (let step = 0; step < 3000; step++) {
        const r = rand();
        const key = pick();
        const both = (f: (x: EvidenceIndex) => void) => {
          f(ix);
          f(ref);
        };
        if (r < 0.35) {
          const t = when();
          both((x) => x.addAttempt(key, t));
          // As the register records an attempt: its call at the same time, sometimes its talk later.
          if (rand() < 0.8) {
            const did = dids[Math.floor(rand() * dids.length)]!;
            both((x) => x.learned.addCall(key, t, did));
          }
          if (rand() < 0.5) {
            const at = t + Math.floor(rand() * 5000);
            const s = Math.floor(rand() * 120);
            both((x) => x.addTalk(key, at, s));
          }
        } else if (r < 0.38) {
          const t = when();
          both((x) => x.addRefusal(key, t));
        } else if (r < 0.4) {
          const t = when();
          both((x) => x.learned.addCall(key, t, DID));
        } else if (r < 0.42) {
          const at = when();
          both((x) => x.addTalk(key, at, 3));
        } else if (r < 0.8) {
          clock.advance(Math.floor(rand() * rand() * 0.1 * DAY));
        } else if (r < 0.81) {
          expect(ix.prune()).toBe(ref.prune());
          expect(ix.callerRecords).toBe(ref.callerRecords);
        } else if (r < 0.84) {
          const before = ix.callersHeardOnce;
          expect(said(ix.evidenceFor(key))).toEqual(said(ref.evidenceFor(key)));
          if (ix.callersHeardOnce < before) promotedReads++;
        }
        expect(ix.activeCallers).toBe(ref.activeCallers);
        heardOnceSeen = Math.max(heardOnceSeen, ix.callersHeardOnce);
      }
      expect(ix.prune()).toBe(ref.prune());
      expect(ix.callerRecords).toBe(ref.callerRecords);
      for (const key of keys) expect(said(ix.evidenceFor(key))).toEqual(said(ref.evidenceFor(key)));
      clock.advance((LOOKBACK_DAYS + 1) * DAY);
      expect(ix.prune()).toBe(ref.prune());
      expect(ix.callerRecords).toBe(0);
      expect(ref.callerRecords).toBe(0);
    }
    expect(heardOnceSeen).toBeGreaterThan(100);
    expect(promotedReads).toBeGreaterThan(50);
  });
});

describe('HeardOnce (the ring and its index)', () => {
  it('finds, takes and forgets entries as a Map of them does, through growth, wrap-around and holes', () => {
    const rand = mulberry32(7);
    const once = new HeardOnce(8);
    const model = new Map<number, { at: number; call: number; talk: number }>();
    const order: number[] = [];
    let t = 1000;
    for (let step = 0; step < 20_000; step++) {
      const r = rand();
      // Keys in a small range collide in the index: deletions move entries back over them.
      const key = 393330000000 + Math.floor(rand() * 3000);
      if (r < 0.5) {
        const slot = once.find(key);
        expect(slot >= 0).toBe(model.has(key));
        if (slot < 0) {
          t += Math.floor(rand() * 3);
          expect(once.add(key, t)).toBe(true);
          model.set(key, { at: t, call: NaN, talk: NaN });
          order.push(key);
          if (rand() < 0.5) {
            once.setCall(once.find(key), t, DID);
            model.get(key)!.call = t;
          }
        }
      } else if (r < 0.75) {
        const slot = once.find(key);
        if (slot >= 0) {
          const e = once.take(slot);
          const m = model.get(key)!;
          expect([e.attemptAt, e.callAt, e.callDid]).toEqual([m.at, m.call, Number.isNaN(m.call) ? null : DID]);
          model.delete(key);
        }
      } else if (r < 0.77) {
        const cutoff = t - Math.floor(rand() * 200);
        const kept: string[] = [];
        const dropped = once.forgetBefore(cutoff, (k) => kept.push(k));
        let n = 0;
        for (const [k, m] of model) {
          if (m.at < cutoff) {
            model.delete(k);
            n++;
          }
        }
        expect(dropped + kept.length).toBe(n);
      } else if (r < 0.78) {
        // Out of order: not kept (the ring stays in order of time).
        if (once.find(key) < 0 && model.size > 0) expect(once.add(key, t - 1000)).toBe(false);
      }
      expect(once.size).toBe(model.size);
    }
    for (const key of model.keys()) expect(once.find(key)).toBeGreaterThanOrEqual(0);
    expect(order.length).toBeGreaterThan(3000);
  });
});

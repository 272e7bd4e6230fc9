import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { CallRecord, TalkRecord } from './call-list.js';

/** The learned index's lists as they were, one object per entry: the model the lists must match. */
function addInOrder<T extends { at: number }>(list: T[], entry: T, max: number): void {
  const n = list.length;
  let at = n;
  while (at > 0 && list[at - 1]!.at > entry.at) at--;
  if (n < max) {
    if (at === n) list.push(entry);
    else list.splice(at, 0, entry);
    return;
  }
  if (at === 0) return;
  for (let i = 1; i < at; i++) list[i - 1] = list[i]!;
  list[at - 1] = entry;
}

function dropBefore(list: Array<{ at: number }>, cutoff: number): void {
  let k = 0;
  while (k < list.length && list[k]!.at < cutoff) k++;
  list.splice(0, k);
}

function callsOf(list: CallRecord): { at: number; did: string | null }[] {
  const out: { at: number; did: string | null }[] = [];
  for (let i = 0; i < list.length; i++) out.push({ at: list.atOf(i), did: list.didOf(i) });
  return out;
}

function talksOf(list: TalkRecord): { at: number; seconds: number }[] {
  const out: { at: number; seconds: number }[] = [];
  for (let i = 0; i < list.length; i++) out.push({ at: list.atOf(i), seconds: list.secondsOf(i) });
  return out;
}

describe('CallRecord and TalkRecord', () => {
  it('hold what the lists of {at, did} / {at, seconds} objects held, through adds in and out of order, a full list, drops and reads', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const rand = mulberry32(seed);
      const max = 1 + Math.floor(rand() * 12);
      const dids = Array.from(
        { length: 1 + Math.floor(rand() * 2 * max) },
        (_, i) => `+3902555501${String(i).padStart(2, '0')}`,
      );
      const calls = CallRecord.empty();
      const talks = TalkRecord.empty();
      const modelCalls: { at: number; did: string | null }[] = [];
      const modelTalks: { at: number; seconds: number }[] = [];
      let now = 1_000_000;
      const handed: { list: CallRecord; model: { at: number; did: string | null }[] }[] = [];
      for (let step = 0; step < 300; step++) {
        const r = rand();
        now += Math.floor(rand() * 5);
        // Mostly in order, sometimes earlier, sometimes the same time again.
        const at = rand() < 0.2 ? now - Math.floor(rand() * 40) : now;
        if (r < 0.55) {
          // A fresh string each time, as a SIP request's DID is: equal by value, not the same object.
          const did = rand() < 0.1 ? null : `${dids[Math.floor(rand() * dids.length)]!}`.slice(0);
          calls.add(at, did, max);
          addInOrder(modelCalls, { at, did }, max);
        } else if (r < 0.85) {
          const seconds = Math.floor(rand() * 4000) / 100;
          talks.add(at, seconds, max);
          addInOrder(modelTalks, { at, seconds }, max);
        } else if (r < 0.93) {
          const cutoff = now - Math.floor(rand() * 60);
          calls.dropBefore(cutoff);
          talks.dropBefore(cutoff);
          dropBefore(modelCalls, cutoff);
          dropBefore(modelTalks, cutoff);
        } else {
          // A read: what is before the cutoff is left out of a copy; the list itself is unchanged.
          const cutoff = now - Math.floor(rand() * 60);
          const seen = calls.since(cutoff);
          const model = modelCalls.filter((c) => c.at >= cutoff);
          expect(callsOf(seen)).toEqual(model);
          expect(talksOf(talks.since(cutoff))).toEqual(modelTalks.filter((t) => t.at >= cutoff));
          if (seen !== calls) handed.push({ list: seen, model });
          handed.push({ list: calls.slice(), model: modelCalls.slice() });
        }
        expect(callsOf(calls)).toEqual(modelCalls);
        expect(talksOf(talks)).toEqual(modelTalks);
      }
      // Copies handed out by reads are not changed by the writes that came after them.
      for (const h of handed) expect(callsOf(h.list)).toEqual(h.model);
      expect([...calls]).toEqual(modelCalls);
      expect([...talks]).toEqual(modelTalks);
    }
  });

  it('keep each its own DIDs when many records ring the same few DIDs, in and out of order, full and dropped', () => {
    // Records whose calls all rang one DID share its table (call-list.ts): a record that then rings another DID, or
    // renumbers its table when full, must change none of the others, nor the copies handed out before.
    for (let seed = 1; seed <= 40; seed++) {
      const rand = mulberry32(seed);
      const max = 1 + Math.floor(rand() * 4);
      const dids = Array.from(
        { length: 1 + Math.floor(rand() * 12) },
        (_, i) => `+3906123450${String(i).padStart(2, '0')}`,
      );
      const records = Array.from({ length: 30 }, () => ({
        list: CallRecord.empty(),
        model: [] as { at: number; did: string | null }[],
      }));
      const handed: { list: CallRecord; model: { at: number; did: string | null }[] }[] = [];
      let now = 1_000_000;
      for (let step = 0; step < 2000; step++) {
        const r = records[Math.floor(rand() * records.length)]!;
        now += Math.floor(rand() * 3);
        const at = rand() < 0.2 ? now - Math.floor(rand() * 20) : now;
        const roll = rand();
        if (roll < 0.8) {
          const did = rand() < 0.05 ? null : `${dids[Math.floor(rand() * dids.length)]!}`.slice(0);
          r.list.add(at, did, max);
          addInOrder(r.model, { at, did }, max);
        } else if (roll < 0.9) {
          const cutoff = now - Math.floor(rand() * 30);
          r.list.dropBefore(cutoff);
          dropBefore(r.model, cutoff);
        } else {
          handed.push({ list: r.list.slice(), model: r.model.slice() });
        }
      }
      for (const r of records) {
        expect(callsOf(r.list)).toEqual(r.model);
        expect(r.list.didTableSize).toBeLessThanOrEqual(max + 1);
      }
      for (const h of handed) expect(callsOf(h.list)).toEqual(h.model);
    }
  });

  it('keep a bounded DID table for a caller that rings a new DID every time', () => {
    const calls = CallRecord.empty();
    for (let i = 0; i < 10_000; i++) calls.add(i, `+39025555${String(i).padStart(4, '0')}`, 4);
    expect(callsOf(calls)).toEqual(
      [9996, 9997, 9998, 9999].map((at) => ({ at, did: `+39025555${String(at).padStart(4, '0')}` })),
    );
    expect(calls.didTableSize).toBeLessThanOrEqual(5);
  });

  it('of() keeps the entries as given', () => {
    const given = [
      { at: 5, did: 'b' },
      { at: 3, did: null },
      { at: 4, did: 'a' },
      { at: 4, did: 'b' },
    ];
    expect([...CallRecord.of(given)]).toEqual(given);
    const talks = [
      { at: 2, seconds: 1.5004 },
      { at: 1, seconds: 0 },
    ];
    expect([...TalkRecord.of(talks)]).toEqual(talks);
  });
});

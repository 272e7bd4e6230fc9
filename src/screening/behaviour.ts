/**
 * Behaviour evidence from the register's own view of a caller: bursts, sweeps of our DIDs, very short answered
 * calls and calls outside business hours. Each is a weight decayed by the age of what was seen, so a number that
 * stopped calling is delisted on its own (the tellows/Truecaller behaviour; half-life after PhoneBlock's Ema.java).
 */
import type { HoursCheck } from './business-hours.js';
import { isoTime, type DayFormatter } from './dates.js';
import { decayed, repeated, span } from './decay.js';
import type { BehaviourRules } from './learning.js';
import type { CallList } from './call-list.js';
import type { CallerEvidence, Reason } from './types.js';

const MINUTE = 60_000;
/** Sweeps and off-hours look at the most recent calls only: the hot path stays O(1) for a busy caller. */
const RECENT = 64;

export interface BehaviourContext {
  rules: BehaviourRules;
  halfLifeMs: number;
  dates: DayFormatter;
  inHours: HoursCheck;
}

/** What findBurst found: `count` attempts within the window ending at `at`. */
export interface BurstFinding {
  count: number;
  at: number;
}

/** What findSweep found: `dids` distinct DIDs called within the window ending at `at`, `spanMs` first to last. */
export interface SweepFinding {
  dids: number;
  at: number;
  spanMs: number;
}

/**
 * behaviourReasons' findings, written over at each decision and read before the next (a decision runs to its end
 * without yielding): a finding object made per call was ~60 bytes a decision (its time a heap number of its own).
 * NaN: the times' fields hold doubles from the start, so a time is written in place.
 */
const BURST: BurstFinding = { count: 0, at: Number.NaN };
const SWEEP: SweepFinding = { dids: 0, at: Number.NaN, spanMs: Number.NaN };
/** findSweep's distinct DIDs of a window (the first `dids` entries are this window's; the rest are stale). */
const SEEN_DIDS: string[] = [];

/**
 * The latest window of `windowMs` holding ≥ `min` attempts (the current one at `now` included); written into
 * `into` when given (the object returned then), else a new object.
 */
export function findBurst(
  attempts: readonly number[],
  now: number,
  windowMs: number,
  min: number,
  into?: BurstFinding,
): BurstFinding | null {
  // times = [...attempts, now], ascending; walk windows ending at each time, latest first. The times are read where
  // they are used, not by a function: where the compiler did not inline one (decide() is large), each time it
  // returned was a heap number made for the call (bench:decide --history --alloc: ~85 bytes a decision less).
  const n = attempts.length + 1;
  let start = n - 1;
  for (let end = n - 1; end >= Math.max(0, n - RECENT * 4); end--) {
    if (start > end) start = end;
    const endAt = end === n - 1 ? now : (attempts[end] ?? 0);
    // start - 1 < end ≤ n - 1: an earlier attempt, never `now`.
    while (start > 0 && endAt - (attempts[start - 1] ?? 0) <= windowMs) start--;
    const count = end - start + 1;
    if (count >= min) {
      if (into === undefined) return { count, at: endAt };
      into.count = count;
      into.at = endAt;
      return into;
    }
  }
  return null;
}

/**
 * The latest window of `windowMs` in which ≥ `min` distinct DIDs were called (the current call included); written
 * into `into` when given (the object returned then), else a new object.
 */
export function findSweep(
  calls: CallList,
  now: number,
  did: string | null,
  windowMs: number,
  min: number,
  into?: SweepFinding,
): SweepFinding | null {
  // The most recent RECENT calls, then the current one (when its DID is known): positions 0..count-1 of that run.
  const from = calls.length > RECENT ? calls.length - RECENT : 0;
  const kept = calls.length - from;
  const count = did === null ? kept : kept + 1;
  for (let end = count - 1; end >= 0; end--) {
    const lastAt = end === kept ? now : calls.atOf(from + end);
    // Calls with a DID in the window first: fewer than `min` cannot be `min` distinct DIDs, and none is counted (a
    // Set per window was up to nine allocations a decision for a caller whose calls are hours apart).
    let withDid = 0;
    for (let i = end; i >= 0; i--) {
      const at = i === kept ? now : calls.atOf(from + i);
      if (lastAt - at > windowMs) break;
      if ((i === kept ? did : calls.didOf(from + i)) !== null) withDid++;
    }
    if (withDid >= min) {
      // The distinct DIDs in SEEN_DIDS[0..dids), compared as a Set compares strings (===): at most RECENT + 1 of a
      // caller's few DIDs, where a Set was ~100 bytes a decision for a caller that sweeps.
      let dids = 0;
      let first = lastAt;
      for (let i = end; i >= 0; i--) {
        const at = i === kept ? now : calls.atOf(from + i);
        if (lastAt - at > windowMs) break;
        const d = i === kept ? did : calls.didOf(from + i);
        if (d !== null) {
          let k = 0;
          while (k < dids && SEEN_DIDS[k] !== d) k++;
          if (k === dids) SEEN_DIDS[dids++] = d;
          first = at;
        }
      }
      if (dids >= min) {
        if (into === undefined) return { dids, at: lastAt, spanMs: lastAt - first };
        into.dids = dids;
        into.at = lastAt;
        into.spanMs = lastAt - first;
        return into;
      }
    }
    if (end < count - 8) break; // older windows cannot be the latest one worth reporting
  }
  return null;
}

function when(ctx: BehaviourContext, at: number, now: number): string {
  return now - at < 12 * 3_600_000 ? `${span(now - at)} ago` : `on ${ctx.dates.dayMonth(at)}`;
}

/**
 * `message`: the attempt is a text (CallContext.message): its reasons say so. A sweep's and the hour's counts take
 * calls and texts alike, so a text's sentence names neither ("contacted", "attempts"); a call's keeps its words.
 */
export function behaviourReasons(
  ctx: BehaviourContext,
  evidence: CallerEvidence,
  now: number,
  did: string | null,
  message: boolean,
  discount: number,
  out: Reason[],
): void {
  const { rules, halfLifeMs } = ctx;
  const burst = rules.burst;
  let burstReason: Reason | null = null;
  let burstFrom = 0;
  let burstAt = 0;
  if (burst.enabled && evidence.attempts.length + 1 >= burst.attempts) {
    const found = findBurst(evidence.attempts, now, burst.windowMinutes * MINUTE, burst.attempts, BURST);
    if (found !== null) {
      burstAt = found.at;
      burstFrom = found.at - burst.windowMinutes * MINUTE;
      burstReason = {
        code: 'burst',
        text: `${found.count} attempts within ${burst.windowMinutes} min (${found.at === now ? 'now' : when(ctx, found.at, now)})`,
        weight: burst.weight * decayed(now - found.at, halfLifeMs) * discount,
        params: { attempts: found.count, windowMinutes: burst.windowMinutes, at: isoTime(found.at) },
      };
    }
  }

  const sweep = rules.sweep;
  const calls = evidence.calls;
  let sweepReason: Reason | null = null;
  let sweepFrom = 0;
  let sweepAt = 0;
  if (sweep.enabled && calls !== undefined && calls.length + 1 >= sweep.dids) {
    const found = findSweep(calls, now, did, sweep.windowMinutes * MINUTE, sweep.dids, SWEEP);
    if (found !== null) {
      sweepAt = found.at;
      sweepFrom = found.at - found.spanMs;
      sweepReason = {
        code: 'sweep',
        text: `${message ? 'contacted' : 'rang'} ${found.dids} of your numbers within ${span(Math.max(found.spanMs, MINUTE))} (${found.at === now ? 'now' : when(ctx, found.at, now)})`,
        // Each DID beyond the rule's `dids` weighs as much again: 3 DIDs 0.6, 4 DIDs 0.84, 5 DIDs 0.94 by default.
        weight:
          repeated(sweep.weight, 1 + found.dids - Math.max(1, sweep.dids)) *
          decayed(now - found.at, halfLifeMs) *
          discount,
        params: { dids: found.dids, windowMinutes: sweep.windowMinutes, at: isoTime(found.at) },
      };
    }
  }
  // A burst and a sweep over the same stretch of time are the same calls counted twice (the attempts of the burst
  // are the calls of the sweep): they count once, the heavier. Added together, a courier or a bank ringing three of
  // the office's numbers and then the first one again was refused (0.6 ⊕ 0.5 = 0.8, the nuisance threshold) for
  // what a customer does when nobody answers (session 48); a dialler going down the office's numbers is still
  // refused from its 4th DID, as the sweep itself weighs more with each one.
  if (burstReason !== null && sweepReason !== null && burstFrom <= sweepAt && sweepFrom <= burstAt) {
    if (burstReason.weight > sweepReason.weight) sweepReason = null;
    else burstReason = null;
  }
  if (burstReason !== null) out.push(burstReason);
  if (sweepReason !== null) out.push(sweepReason);

  const short = rules.shortCalls;
  const talks = evidence.talks;
  if (short.enabled && talks !== undefined && talks.length > 0) {
    let n = 0;
    let count = 0;
    let last = 0;
    for (let i = 0; i < talks.length; i++) {
      if (talks.secondsOf(i) < short.maxSeconds) {
        const at = talks.atOf(i);
        n += decayed(now - at, halfLifeMs);
        count++;
        last = at;
      }
    }
    if (count > 0) {
      out.push({
        code: 'short-calls',
        text: `${count === 1 ? '1 answered call' : `${count} answered calls`} shorter than ${short.maxSeconds} s (last ${when(ctx, last, now)})`,
        weight: repeated(short.weight, n) * discount,
        params: { calls: count, maxSeconds: short.maxSeconds, last: isoTime(last) },
      });
    }
  }

  const off = rules.offHours;
  if (off.enabled && !ctx.inHours(now)) {
    let n = 1;
    let earlier = 0;
    const from = Math.max(0, evidence.attempts.length - RECENT);
    for (let i = from; i < evidence.attempts.length; i++) {
      const a = evidence.attempts[i] ?? 0;
      if (!ctx.inHours(a)) {
        n += decayed(now - a, halfLifeMs);
        earlier++;
      }
    }
    out.push({
      code: 'off-hours',
      text: message
        ? earlier === 0
          ? 'a text outside business hours'
          : `a text outside business hours (${earlier + 1} attempts lately)`
        : earlier === 0
          ? 'calling outside business hours'
          : `calling outside business hours (${earlier + 1} times lately)`,
      weight: repeated(off.weight, n) * discount,
      params: { times: earlier + 1 },
    });
  }
}

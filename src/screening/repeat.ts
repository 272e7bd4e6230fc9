import { DAY_MS } from '../time/units.js';
import type { TalkList } from './call-list.js';

/** What the repeat rule found: the current call is the `count`th attempt since the refusal at `refusedAt`. */
export interface RepeatFinding {
  count: number;
  refusedAt: number;
  /** Whole days from the refusal to now, rounded up, at least 1 (classify.ts writes 0 for the same calendar day). */
  days: number;
}

/**
 * Attempts after a refusal, including the current one.
 *
 * Takes the earliest refusal r with since < r ≤ now and now − r ≤ window (older refusals are ignored), then counts
 * the earlier attempts strictly after r and no later than r + window, plus the current call. The earliest, not the
 * most recent: a later refusal in the window (the office declining the call again, or crocetta refusing the Nth
 * attempt, as each refusal is recorded) is more evidence, and counting from it started the count again at 1, so a
 * call centre the office declined every time never reached N, and one refused on its Nth attempt was let through as
 * suspect on the next (session 37). Refusals at or before `since` do not count: the caller's latest conversation
 * with the office (classify.ts, latestConversation); the office's own decisions about the caller (a change of its
 * mark, by any label or clearing it) have already taken the refusals before them out of the index
 * (evidence-index.ts). Both lists are ascending: the refusal is the first one from the window's start on (the index
 * keeps little before it: its look-back is the window or a little more), the attempts are counted by two binary
 * searches, O(log attempts) where a walk back from the last one took O(attempts since r). Written into `into` when
 * given (the object returned then), else a new object.
 */
export function findRepeat(
  refusals: readonly number[],
  attempts: readonly number[],
  now: number,
  windowMs: number,
  since = Number.NEGATIVE_INFINITY,
  into?: RepeatFinding,
): RepeatFinding | null {
  let refusedAt = Number.NaN;
  for (let i = 0; i < refusals.length; i++) {
    const r = refusals[i]!;
    if (now - r > windowMs || r <= since) continue;
    if (r <= now) refusedAt = r; // else this one and every later one are after now: clock skew
    break;
  }
  if (Number.isNaN(refusedAt)) return null;

  // The current call (now − r ≤ window was checked above), and the attempts in (r, min(r + window, now)].
  const count = 1 + countUpTo(attempts, Math.min(refusedAt + windowMs, now)) - countUpTo(attempts, refusedAt);
  const days = Math.max(1, Math.ceil((now - refusedAt) / DAY_MS));
  if (into === undefined) return { count, refusedAt, days };
  into.count = count;
  into.refusedAt = refusedAt;
  into.days = days;
  return into;
}

/** How many of the ascending `times` are at or before `at` (a binary search). */
function countUpTo(times: readonly number[], at: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * When the caller last talked with the office (an answered call of at least `minSeconds`, ms since epoch), or −∞:
 * the repeat rule's `since`. A customer declined while the office was busy, then answered and talked with, then
 * declined again, is not a call centre retrying after refusals: its conversation is a fresh start, as a long one
 * (learned trust, persistent-human) makes it trusted. A talk shorter than `minSeconds` (the short-calls rule's limit:
 * the office hanging up at once) is not one. Talks are ascending: the scan walks back from the end.
 */
export function latestConversation(talks: TalkList | undefined, minSeconds: number): number {
  if (talks === undefined) return Number.NEGATIVE_INFINITY;
  for (let i = talks.length - 1; i >= 0; i--) {
    if (talks.secondsOf(i) >= minSeconds) return talks.atOf(i);
  }
  return Number.NEGATIVE_INFINITY;
}

/**
 * The ordinals a repeat reason can write, written once: an attempt's count is at most the attempts the index keeps
 * per caller and the current one (MAX_TIMES_PER_CALLER + 1 = 257), and each decision after a refusal writes one.
 */
const ORDINALS: readonly string[] = Array.from({ length: 300 }, (_, n) => writeOrdinal(n));

/**
 * A repeat reason's text: the attempt's ordinal, this, the refusal's day, then refusalSpan(days): "2nd attempt after a
 * refusal on 3 Nov (within 3 days)". The ordinal is next to "after a refusal": the call right after a refusal is its
 * 1st attempt (the rule's count, README), and written "1st attempt the same day after a refusal" it read as the
 * caller's first call of the day on its second refused call (session 47).
 */
export const ATTEMPT_AFTER_REFUSAL = ' attempt after a refusal on ';

/**
 * The end of a repeat reason's text, after the refusal's day (` (within 3 days)`), written once per number of days:
 * the reason's text is then three concatenations, where the template wrote four and the days' number (~100 bytes a
 * repeat decision). Days beyond the table (a window longer than MAX_DAYS_WRITTEN) are written per call.
 */
const MAX_DAYS_WRITTEN = 400;
const SPANS: (string | undefined)[] = [];

/** `days` 0: the same calendar day as the refusal ("2nd attempt after a refusal on 3 Nov (the same day)"). */
export function refusalSpan(days: number): string {
  if (!(days >= 0 && days <= MAX_DAYS_WRITTEN && Number.isInteger(days))) return writeRefusalSpan(days);
  return (SPANS[days] ??= writeRefusalSpan(days));
}

function writeRefusalSpan(days: number): string {
  if (days === 0) return ' (the same day)';
  return ` (within ${days === 1 ? '1 day' : `${days} days`})`;
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st, 111th. */
export function ordinal(n: number): string {
  return (n >= 0 && n < ORDINALS.length && Number.isInteger(n) ? ORDINALS[n] : undefined) ?? writeOrdinal(n);
}

function writeOrdinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

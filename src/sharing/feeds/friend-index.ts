/**
 * Friends' reports in memory, keyed by caller key, for the classifier: no query per call. Rebuilt whole from the
 * register after each pull round (and at start) and swapped in one assignment, so a call reads either the old or
 * the new reports, and friends added, re-weighted or removed with the CLI are picked up by the next round.
 */
import type { CallerEvidence, FriendEvidence, FriendReport } from '../../screening/types.js';
import type { ReportRow } from './friends-store.js';

export class FriendIndex {
  private byNumber = new Map<string, FriendEvidence>();
  /** Numbers cleared here on appeal: friends' reports of them are ignored. */
  private readonly cleared = new Set<string>();
  private readonly listeners: Array<(index: FriendIndex) => void> = [];

  constructor(private readonly consensus: number) {}

  /**
   * Calls `listener` now, after every replace and when a reported number is cleared (the register's prefix tree
   * learns the reported numbers, and lets go of those no longer counted).
   */
  subscribe(listener: (index: FriendIndex) => void): void {
    this.listeners.push(listener);
    listener(this);
  }

  /**
   * The numbers whose reports count (as many friends as the consensus asks, not cleared on appeal), each with its
   * friends' weights combined as the classifier combines them (noisy-OR).
   */
  *counted(): Iterable<{ callerKey: string; weight: number }> {
    for (const [callerKey, evidence] of this.byNumber) {
      if (this.cleared.has(callerKey) || evidence.reports.length < evidence.consensus) continue;
      let keep = 1;
      for (const r of evidence.reports) keep *= 1 - Math.min(1, Math.max(0, r.weight));
      yield { callerKey, weight: 1 - keep };
    }
  }

  get size(): number {
    return this.byNumber.size;
  }

  replace(rows: Iterable<ReportRow>): void {
    const reports = new Map<string, FriendReport[]>();
    for (const r of rows) {
      const list = reports.get(r.caller_key);
      const report: FriendReport = { friend: r.friend, weight: r.weight, company: r.company, category: r.category };
      // friend_reports' key (friend, number) already makes each friend count once per number; kept explicit here.
      if (list === undefined) reports.set(r.caller_key, [report]);
      else if (!list.some((x) => x.friend === r.friend)) list.push(report);
    }
    const next = new Map<string, FriendEvidence>();
    for (const [key, list] of reports) {
      list.sort((a, b) => b.weight - a.weight || a.friend.localeCompare(b.friend));
      next.set(key, { reports: list, consensus: this.consensus });
    }
    this.byNumber = next;
    for (const listener of this.listeners) listener(this);
  }

  /** Ignores friends' reports of the number from now on (an appeal), and tells the subscribers at once. */
  clear(callerKey: string): void {
    if (this.cleared.has(callerKey)) return;
    this.cleared.add(callerKey);
    if (this.byNumber.has(callerKey)) for (const listener of this.listeners) listener(this);
  }

  get(callerKey: string): FriendEvidence | null {
    if (this.cleared.has(callerKey)) return null;
    return this.byNumber.get(callerKey) ?? null;
  }

  /** The caller's evidence with the friends' reports added (the same object when no friend reports it). */
  withFriends(callerKey: string | null, evidence: CallerEvidence): CallerEvidence {
    // No reports at all (no friends' feeds, the common case): neither table is asked (a look-up of each per call).
    if (callerKey === null || this.byNumber.size === 0 || this.cleared.has(callerKey)) return evidence;
    const friends = this.byNumber.get(callerKey);
    if (friends === undefined) return evidence;
    // Copied by Object.assign, not `{ ...evidence, friends }`: no object spread on a decision's path
    // (src/sip/no-object-spread.test.ts: a spread cost 10-45 µs a call on Node 20 against ~1 µs).
    const out: CallerEvidence = Object.assign({}, evidence);
    out.friends = friends;
    return out;
  }
}

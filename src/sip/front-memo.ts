/**
 * The verdict memo's front (answering first, store.verdictMemo): a settled refusal reached from the request's values
 * as drachtio-srf hands them over, before the transaction check, identify and the called number run. Each entry is
 * the caller identity and called number a request with those values was screened with (screenedValuesKey: every
 * value identifyCaller and calledNumber read, with their settings), filed once the verdict memo kept that request's
 * refusal; the memo still decides (screen.ts memoScreening: the marks, overrides, classifier and policy it was
 * chosen on), so every change that makes the memo miss makes the front miss. handle-request.ts says when the front
 * may answer at all (no copy of a transaction seen, no outbound or PBX call, no carrier-source check).
 */
import type { CallerIdentity, PhoneNumber } from '../callerid/types.js';
import { flatCopy } from '../callerid/recent-cache.js';

export interface FrontEntry {
  identity: CallerIdentity;
  called: PhoneNumber | null;
  callerKey: string;
}

/** Keys longer than this (hostile or unusual headers) are not kept. */
const MAX_FRONT_KEY = 2048;

export class FrontMemo {
  private entries = new Map<string, FrontEntry>();

  /**
   * At most this many entries (the caller-ID cache's own bound: an entry holds its identity, and so the memo's entry
   * for it; ~0.3 KB of key a caller, sipp's INVITEs); past it the front starts afresh.
   */
  constructor(private readonly limit = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): FrontEntry | undefined {
    return key.length > MAX_FRONT_KEY ? undefined : this.entries.get(key);
  }

  set(key: string, entry: FrontEntry): void {
    if (key.length > MAX_FRONT_KEY) return;
    if (this.entries.size >= this.limit && !this.entries.has(key)) this.entries = new Map<string, FrontEntry>();
    // Copied: the key is made of slices of the request's message, which it would keep alive.
    this.entries.set(flatCopy(key), entry);
  }
}

/**
 * What becomes of a call after crocetta forwarded it to the PBX, as drachtio-server's call detail records tell
 * (sent to apps that route `cdr:stop` when its config has `<cdrs>true</cdrs>`; src/cdr.cpp). Calls are matched
 * by Call-ID.
 *
 * - Cancelled while ringing: drachtio-server answers the caller's CANCEL itself (200, 487) and, for a proxied
 *   INVITE, tells the app nothing else: `req.proxy()` never settles (seen with drachtio-server 0.9.5-rc3 and
 *   0.9.10). Its only trace is a `cdr:stop … call-rejected` carrying the 487 sent to the caller: that ends the
 *   attempt as cancelled. (A PBX's own refusal also gives `call-rejected` records, but with its status, and the
 *   proxy reports it: only a 487 counts here.)
 * - Answered: under Record-Route drachtio-server relays the in-dialog BYE itself; its `cdr:stop … normal-release`
 *   (twice for one BYE: network and application side; the first counts) gives the talk time, from the PBX's 2xx.
 *   Very short answered calls (the office hung up at once) are behaviour evidence; a long conversation makes the
 *   caller a persistent human (trusted).
 */
import { detached } from '../callerid/recent-cache.js';
import { infoLine, type Logger } from '../log.js';

export interface TalkSink {
  /**
   * The talk time of the attempt record() promised (the register: given before the attempt's commit, it joins the row;
   * after, it waits for the id; a failed attempt records nothing).
   */
  recordTalk(attempt: Promise<number>, talk: { talkMs: number; answeredAt: number }): void;
}

export interface ForwardedLimits {
  /** Calls followed at once, at most; the oldest is forgotten beyond it (a restart of drachtio, lost CDRs). */
  maxOpen: number;
  /** A call "answered" longer ago than this is forgotten: its end will not come, or not be believed. */
  maxTalkMs: number;
  /** A forwarded call that neither settles nor is cancelled within this is forgotten (no final timeout is longer). */
  maxRingMs: number;
}

export const DEFAULT_FORWARDED_LIMITS: ForwardedLimits = {
  maxOpen: 20_000,
  maxTalkMs: 12 * 3_600_000,
  maxRingMs: 30 * 60_000,
};

/** drachtio's stop reasons that follow a rejected or cancelled attempt, not a conversation. */
const NOT_A_CONVERSATION = new Set(['call-rejected', 'call-canceled']);

interface Ringing {
  since: number;
  onCancelled: () => void;
}

interface Answered {
  attempt: Promise<number>;
  answeredAt: number;
}

export class ForwardedCalls {
  /** By Call-ID, oldest first. */
  private readonly ringing = new OldestFirst<Ringing>();
  private readonly answered = new OldestFirst<Answered>();

  constructor(
    private readonly sink: TalkSink,
    private readonly logger: Logger,
    private readonly limits: ForwardedLimits = DEFAULT_FORWARDED_LIMITS,
  ) {}

  /** Calls forwarded and not settled, and calls answered and not yet ended. */
  get openCalls(): number {
    return this.ringing.size + this.answered.size;
  }

  /** The call is being proxied to the PBX; `onCancelled` runs if drachtio reports the caller's CANCEL instead. */
  forwarding(callId: string, at: number, onCancelled: () => void): void {
    if (callId === '') return;
    this.ringing.forget(at - this.limits.maxRingMs, ringingSince, this.limits.maxOpen);
    this.ringing.set(callId, { since: at, onCancelled });
  }

  /** The proxy reported the PBX's final answer; a 2xx with `attempt` (Record-Route on) is followed to its end. */
  settled(callId: string, finalStatus: number | null, at: number, attempt: Promise<number> | null): void {
    this.ringing.delete(callId);
    if (callId === '' || attempt === null || finalStatus === null || finalStatus < 200 || finalStatus >= 300) return;
    this.answered.forget(at - this.limits.maxTalkMs, answeredAt, this.limits.maxOpen);
    this.answered.set(callId, { attempt, answeredAt: at });
  }

  /**
   * Whether a `cdr:stop` of this Call-ID can end a call followed here (ringing, or answered and not ended): most records
   * cannot (the second of a relayed BYE, a refused call's), and are dropped unread (cdr-stop.ts).
   */
  follows(callId: string): boolean {
    return this.ringing.has(callId) || this.answered.has(callId);
  }

  /** drachtio-server's `cdr:stop` for a Call-ID, with the status of the SIP response it carries, if any. */
  ended(callId: string, at: number, reason: string, status: number | null): void {
    const ringing = this.ringing.get(callId);
    if (ringing !== undefined) {
      if (status !== 487) return; // a PBX refusal: the proxy reports it
      this.ringing.delete(callId);
      ringing.onCancelled();
      return;
    }
    const call = this.answered.get(callId);
    if (call === undefined) return;
    this.answered.delete(callId);
    if (NOT_A_CONVERSATION.has(reason)) return;
    const talkMs = at - call.answeredAt;
    if (!(talkMs >= 0 && talkMs <= this.limits.maxTalkMs)) {
      this.logger.warn({ callId, talkMs, reason }, 'talk time out of range ignored');
      return;
    }
    // Given with the attempt's promise, not once its id is known: a short call's BYE comes before the attempt's commit,
    // and every call of a commit interval waiting for its id got its talk time (and its journal write) in the one run
    // of the main thread where the commit's ids came back.
    this.sink.recordTalk(call.attempt, { talkMs, answeredAt: call.answeredAt });
    // One line an answered call: written as the decision line is (log.ts infoLine, the same JSON line as pino's).
    infoLine(this.logger, { callId, talkMs, reason }, 'talk time');
  }
}

const ringingSince = (c: Ringing): number => c.since;
const answeredAt = (c: Answered): number => c.answeredAt;

/** An entry of OldestFirst, in its Map and in its queue; `live` until it is deleted. */
interface Slot<T> {
  readonly key: string;
  /** undefined once deleted: a deleted slot waiting in the queue holds nothing of its call. */
  value: T | undefined;
  live: boolean;
}

/**
 * A Map by key whose oldest entries (in the order their keys were first set, as a Map iterates) are read from a queue,
 * not from the Map's iterator: a Map leaves each deleted entry as a hole until its table is rebuilt, and every new
 * iterator starts at the table's beginning, so reading the oldest entry walked over every entry deleted since the
 * last rebuild. With drachtio's CDRs off no answered call ever ends: at maxOpen (20,000) each answered call walked
 * thousands of holes twice (~11 µs a call of profile time at 1,000 calls/s, bench/sip-handler.ts --workload proxied
 * without --cdr); with CDRs, long calls ending in the order they began walked them too. Calls end in any order, so
 * the queue keeps deleted entries (`live` false) until they reach its head or the queue is compacted (when its array
 * is more than twice the live entries): each entry is passed over a bounded number of times, whatever the order.
 */
class OldestFirst<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private queue: Array<Slot<T> | undefined> = [];
  private head = 0;

  get size(): number {
    return this.slots.size;
  }

  get(key: string): T | undefined {
    return this.slots.get(key)?.value;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /**
   * As Map#set: a key already there keeps its place. A new key is held as a copy: a Call-ID read from drachtio-srf's
   * message is a slice of the INVITE's whole text, which the entry would keep alive as long as it is followed (an
   * answered call for up to 12 h: session 28's flood left 7,139 answered calls no caller ended, each keeping its INVITE).
   */
  set(key: string, value: T): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      slot.value = value;
      return;
    }
    const own = detached(key);
    const added: Slot<T> = { key: own, value, live: true };
    this.slots.set(own, added);
    // The queue's array, its passed head included, stays within about twice the live entries.
    if (this.queue.length >= 2 * this.slots.size + 256) this.compact();
    this.queue.push(added);
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    slot.live = false;
    // The queue (long-lived, in V8's old generation) keeps the slot until it reaches the head: what the slot held (a
    // ringing call's onCancelled closes over the whole call) would be kept with it, by every scavenge.
    slot.value = undefined;
  }

  /** Drops entries older than `cutoff` (from the oldest up to the first that is not) and, when full, the oldest. */
  forget(cutoff: number, timeOf: (entry: T) => number, max: number): void {
    for (let slot = this.oldest(); slot !== undefined; slot = this.oldest()) {
      if (timeOf(slot.value as T) >= cutoff) break;
      this.drop(slot);
    }
    if (this.slots.size >= max) {
      const oldest = this.oldest();
      if (oldest !== undefined) this.drop(oldest);
    }
  }

  /** The oldest live entry, the deleted ones before it taken off the queue. */
  private oldest(): Slot<T> | undefined {
    const queue = this.queue;
    while (this.head < queue.length) {
      const slot = queue[this.head] as Slot<T>;
      if (slot.live) return slot;
      queue[this.head] = undefined;
      this.head++;
    }
    if (this.head > 0) {
      queue.length = 0;
      this.head = 0;
    }
    return undefined;
  }

  /** `slot` is the queue's head. */
  private drop(slot: Slot<T>): void {
    this.slots.delete(slot.key);
    slot.live = false;
    slot.value = undefined;
    this.queue[this.head] = undefined;
    this.head++;
  }

  /** The queue rebuilt with its live entries only, in the same order. */
  private compact(): void {
    const kept: Array<Slot<T> | undefined> = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const slot = this.queue[i];
      if (slot?.live === true) kept.push(slot);
    }
    this.queue = kept;
    this.head = 0;
  }
}

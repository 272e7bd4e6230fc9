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
  /** By Call-ID, oldest first (a Map keeps insertion order). */
  private readonly ringing = new Map<string, Ringing>();
  private readonly answered = new Map<string, Answered>();

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
    forget(this.ringing, at - this.limits.maxRingMs, (c) => c.since, this.limits.maxOpen);
    this.ringing.set(callId, { since: at, onCancelled });
  }

  /** The proxy reported the PBX's final answer; a 2xx with `attempt` (Record-Route on) is followed to its end. */
  settled(callId: string, finalStatus: number | null, at: number, attempt: Promise<number> | null): void {
    this.ringing.delete(callId);
    if (callId === '' || attempt === null || finalStatus === null || finalStatus < 200 || finalStatus >= 300) return;
    forget(this.answered, at - this.limits.maxTalkMs, (c) => c.answeredAt, this.limits.maxOpen);
    this.answered.set(callId, { attempt, answeredAt: at });
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

/** Drops entries older than `cutoff` (from the oldest) and, when full, the oldest one. */
function forget<T>(map: Map<string, T>, cutoff: number, timeOf: (entry: T) => number, max: number): void {
  for (const [key, entry] of map) {
    if (timeOf(entry) >= cutoff) break;
    map.delete(key);
  }
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

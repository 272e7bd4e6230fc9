/**
 * How long the office talked with a caller crocetta forwarded: from the PBX's 2xx (the proxy's final answer) to
 * the end of the dialog. Under Record-Route drachtio-server relays the in-dialog BYE itself and the app never sees
 * it; what it does send, when its config has `<cdrs>true</cdrs>`, is a `cdr:stop` event for every call that ends
 * (src/cdr.cpp; the BYE, with the reason `normal-release`). Calls are matched by Call-ID. Both of drachtio's stop
 * records for one BYE (network and application side) arrive; the first one counts.
 *
 * The talk time feeds the classifier through the register: very short answered calls (the office hung up at once)
 * are behaviour evidence, a long conversation makes the caller a persistent human (trusted).
 */
import type { Logger } from '../log.js';

export interface TalkSink {
  recordTalk?(id: number, talk: { talkMs: number; answeredAt: number }): void;
}

export interface TalkLimits {
  /** Calls waiting for their end, at most; the oldest is forgotten beyond it (a restart of drachtio, lost CDRs). */
  maxOpen: number;
  /** A call "answered" longer ago than this is forgotten: its end will not come, or not be believed. */
  maxTalkMs: number;
}

export const DEFAULT_TALK_LIMITS: TalkLimits = { maxOpen: 20_000, maxTalkMs: 12 * 3_600_000 };

/** drachtio's stop reasons that follow a rejected or cancelled attempt (no conversation; a forked branch). */
const NOT_A_CONVERSATION = new Set(['call-rejected', 'call-canceled']);

interface OpenCall {
  attempt: Promise<number>;
  answeredAt: number;
}

export class TalkTimes {
  /** By Call-ID, in the order calls were answered (a Map keeps insertion order: the oldest first). */
  private readonly open = new Map<string, OpenCall>();

  constructor(
    private readonly sink: TalkSink,
    private readonly logger: Logger,
    private readonly limits: TalkLimits = DEFAULT_TALK_LIMITS,
  ) {}

  /** Calls answered and not yet ended. */
  get openCalls(): number {
    return this.open.size;
  }

  /** The PBX answered a forwarded call (its 2xx went through the proxy). */
  answered(callId: string, attempt: Promise<number>, at: number): void {
    if (callId === '') return;
    this.forgetOlderThan(at - this.limits.maxTalkMs);
    if (this.open.size >= this.limits.maxOpen) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    this.open.set(callId, { attempt, answeredAt: at });
  }

  /** drachtio-server's `cdr:stop` for a Call-ID; calls crocetta did not forward and answer are ignored. */
  ended(callId: string, at: number, reason: string): void {
    const call = this.open.get(callId);
    if (call === undefined) return;
    this.open.delete(callId);
    if (NOT_A_CONVERSATION.has(reason)) return;
    const talkMs = at - call.answeredAt;
    if (!(talkMs >= 0 && talkMs <= this.limits.maxTalkMs)) {
      this.logger.warn({ callId, talkMs, reason }, 'talk time out of range ignored');
      return;
    }
    call.attempt
      .then((id) => {
        this.sink.recordTalk?.(id, { talkMs, answeredAt: call.answeredAt });
        this.logger.info({ callId, talkMs, reason }, 'talk time');
      })
      .catch(() => undefined /* the attempt was never written: already logged */);
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [callId, call] of this.open) {
      if (call.answeredAt >= cutoff) break;
      this.open.delete(callId);
    }
  }
}

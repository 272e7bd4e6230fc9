/**
 * One answered call's media for the human check: a leased RTP port, an SDP answer that accepts the caller's
 * telephone-events, recordings played one after the other from that port (the prompt, then the NO when the check
 * fails), and the keys the caller sends to it. Every path (closed, stopped, never played) returns the port and
 * the announcer's slot.
 */
import type { Recording } from './recording.js';
import { SILENCE_BYTE } from './recording.js';
import type { PlayingStream, RtpPort } from './rtp-engine.js';
import type { EndReason, PlayResult } from './rtp-player.js';
import type { AudioOffer } from './sdp.js';

const CLOSED: PlayResult = { playedMs: 0, packets: 0, endedBy: 'caller', latchedTo: null };

export class MediaSession {
  private stream: PlayingStream | null = null;
  /** The current stream's end: the next play waits for it (a stopped stream ends in the RTP thread, a moment later). */
  private ending: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly offer: AudioOffer,
    readonly answerSdp: string,
    /** The o= session id of our answer: a later offer of ours in the dialog keeps it (RFC 3264 §8). */
    readonly sessionId: number,
    private readonly lease: RtpPort,
    private readonly freeSlot: () => void,
  ) {}

  get port(): number {
    return this.lease.port;
  }

  /** Whether the caller offered RFC 4733 telephone-events (else only SIP INFO can bring its key). */
  get hearsKeysInRtp(): boolean {
    return this.offer.telephoneEvent !== null;
  }

  /** Reports each key the caller sends in RTP (telephone-events of its offered payload type). */
  listenKeys(onKey: (key: string) => void): void {
    const te = this.offer.telephoneEvent;
    if (te !== null && !this.closed) this.lease.listenKeys(te.payloadType, onKey);
  }

  /** Plays one recording once, after the previous one ended; resolves when it ended (played out, stopped, capped). */
  async play(recording: Recording, maxMs: number): Promise<PlayResult> {
    await this.ending;
    if (this.closed) return CLOSED;
    const codec = this.offer.codec;
    const stream = this.lease.play({
      remote: { address: this.offer.address, port: this.offer.port },
      payloadType: this.offer.payloadType,
      audio: recording.encoded[codec],
      silenceByte: SILENCE_BYTE[codec],
      ptimeMs: this.offer.ptimeMs,
      repeat: 1,
      gapMs: 0,
      maxMs,
    });
    this.stream = stream;
    this.ending = stream.done;
    return stream.done.finally(() => {
      if (this.stream === stream) this.stream = null;
    });
  }

  /** Stops what is playing (a key was pressed, the caller hung up); the port stays ours. */
  stopPlaying(reason: EndReason = 'caller'): void {
    this.stream?.stop(reason);
  }

  /** Stops everything and returns the port and the slot. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.stop('shutdown');
    this.lease.release();
    this.freeSlot();
  }
}

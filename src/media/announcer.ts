/**
 * Announcements as a service for the SIP side: from the caller's offer to an SDP answer and a stream to start.
 * Owns the concurrency cap and the RTP ports; every path (played, stopped, never started) returns the port.
 */
import { randomInt } from 'node:crypto';
import { SILENCE_BYTE, type Recording } from './recording.js';
import type { PlayingStream, RtpEngine, RtpPort } from './rtp-engine.js';
import type { EndReason, PlayResult } from './rtp-player.js';
import { readOffer, writeAnswer, type AudioOffer, type OfferProblem } from './sdp.js';
import { MediaSession } from './media-session.js';

export interface AnnouncerSettings {
  /** The address written in our SDP (MEDIA_ADDRESS); may differ from the bind address behind NAT. */
  mediaAddress: string;
  /** Binds the RTP ports and paces the streams: a worker thread in the service (RtpThread), or this thread. */
  ports: RtpEngine;
  /** Announcements playing at once; beyond it a call gets the plain refusal. */
  maxConcurrent: number;
  repeat: number;
  /** Silence between two plays of the message (ms). */
  gapMs: number;
  /** Upper bound of one announcement (s). */
  maxSeconds: number;
  /** Told each time a call cannot have its media (the caller then gets the plain refusal, or a check is skipped). */
  onRefused?: (problem: AnnounceProblem, use: MediaUse) => void;
}

/** What the media was for: the recorded NO (`prepare`) or the human check (`openSession`). */
export type MediaUse = 'announcement' | 'check';

/** A slot and a port taken for an offer, with our answer written; or why not. */
type Reservation =
  | { ok: true; offer: AudioOffer; answerSdp: string; sessionId: number; lease: RtpPort }
  | { ok: false; problem: AnnounceProblem };

/** Why a call cannot have its announcement (it then gets the configured refusal). */
export type AnnounceProblem = OfferProblem | 'busy' | 'no-port';

export type PrepareResult = { ok: true; announcement: Announcement } | { ok: false; problem: AnnounceProblem };
export type SessionResult = { ok: true; session: MediaSession } | { ok: false; problem: AnnounceProblem };

export class Announcer {
  private reserved = 0;

  constructor(private readonly settings: AnnouncerSettings) {}

  /** Announcements prepared and not yet over. */
  get active(): number {
    return this.reserved;
  }

  get portsInUse(): number {
    return this.settings.ports.inUse;
  }

  /**
   * Reads the offer, takes a slot and a port, and writes the answer. Nothing is sent yet; the caller of this
   * must end the announcement with start()→done or close().
   */
  async prepare(offerSdp: string | null | undefined, recording: Recording): Promise<PrepareResult> {
    const r = await this.reserve(offerSdp, 'announcement');
    if (!r.ok) return r;
    return {
      ok: true,
      announcement: new Announcement(r.offer, r.answerSdp, r.lease, recording, this, () => this.reserved--),
    };
  }

  /**
   * Like prepare, for the human check: the answer also accepts the caller's telephone-events, and the session
   * plays several recordings from its port and hears the caller's keys. Counts against maxConcurrent.
   */
  async openSession(offerSdp: string | null | undefined): Promise<SessionResult> {
    const r = await this.reserve(offerSdp, 'check');
    if (!r.ok) return r;
    return {
      ok: true,
      session: new MediaSession(r.offer, r.answerSdp, r.sessionId, r.lease, () => this.reserved--),
    };
  }

  /**
   * What both entries share: the offer read, a slot counted against maxConcurrent, a port, our answer (with
   * telephone-events for the check), and a refusal told to onRefused with its use. On success the slot stays taken
   * until the owner's freeSlot runs.
   */
  private async reserve(offerSdp: string | null | undefined, use: MediaUse): Promise<Reservation> {
    const r = await this.take(offerSdp, use === 'check');
    if (!r.ok) this.settings.onRefused?.(r.problem, use);
    return r;
  }

  /** The steps of reserve; the human check's answer also accepts telephone-events. */
  private async take(offerSdp: string | null | undefined, events: boolean): Promise<Reservation> {
    const read = readOffer(offerSdp);
    if (!read.ok) return read;
    if (read.offer.ipVersion !== (this.settings.mediaAddress.includes(':') ? 6 : 4))
      return { ok: false, problem: 'no-address' };
    if (this.reserved >= this.settings.maxConcurrent) return { ok: false, problem: 'busy' };
    this.reserved++;
    let lease: RtpPort | null = null;
    try {
      lease = await this.settings.ports.acquire();
    } finally {
      if (lease === null) this.reserved--;
    }
    if (lease === null) return { ok: false, problem: 'no-port' };
    const sessionId = randomInt(1, 2 ** 31);
    const answerSdp = writeAnswer(read.offer, {
      address: this.settings.mediaAddress,
      port: lease.port,
      sessionId,
      events,
    });
    return { ok: true, offer: read.offer, answerSdp, sessionId, lease };
  }

  /** The address written in our SDP (MEDIA_ADDRESS). */
  get mediaAddress(): string {
    return this.settings.mediaAddress;
  }

  /** Stops every announcement (shutdown). */
  stopAll(): void {
    this.settings.ports.stopAll();
  }

  /** @internal */
  settingsForPlay(): Pick<AnnouncerSettings, 'repeat' | 'gapMs' | 'maxSeconds'> {
    return this.settings;
  }
}

/** One prepared announcement: an SDP answer, a leased port, and the stream once started. */
export class Announcement {
  private stream: PlayingStream | null = null;
  private closed = false;
  private result: Promise<PlayResult> | null = null;

  constructor(
    readonly offer: AudioOffer,
    readonly answerSdp: string,
    private readonly lease: RtpPort,
    private readonly recording: Recording,
    private readonly announcer: Announcer,
    private readonly freeSlot: () => void,
  ) {}

  get port(): number {
    return this.lease.port;
  }

  /** Starts the RTP stream; resolves when it ends (played out, capped or stopped), the port already returned. */
  play(): Promise<PlayResult> {
    if (this.result) return this.result;
    if (this.closed) return Promise.resolve({ playedMs: 0, packets: 0, endedBy: 'caller', latchedTo: null });
    const s = this.announcer.settingsForPlay();
    const codec = this.offer.codec;
    this.stream = this.lease.play({
      remote: { address: this.offer.address, port: this.offer.port },
      payloadType: this.offer.payloadType,
      audio: this.recording.encoded[codec],
      silenceByte: SILENCE_BYTE[codec],
      ptimeMs: this.offer.ptimeMs,
      repeat: s.repeat,
      gapMs: s.gapMs,
      maxMs: s.maxSeconds * 1000,
    });
    this.result = this.stream.done.finally(() => this.close());
    return this.result;
  }

  /** Stops the stream at once (caller's BYE or CANCEL) and frees the port; idempotent, also before play(). */
  stop(reason: EndReason = 'caller'): void {
    this.stream?.stop(reason);
    this.close();
  }

  /** Frees the slot and the port without playing (or after). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.stop('shutdown');
    this.lease.release();
    this.freeSlot();
  }
}

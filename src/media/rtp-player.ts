/**
 * Streams pre-encoded G.711 over RTP, many calls at once, from one timer.
 *
 * Drift-free: packet n of a stream is due at start + n × ptime (never "previous send + ptime"), so a late wake-up
 * is caught up and never accumulates. One pacer serves every stream: it wakes at the earliest due packet and sends
 * all packets due within EARLY_MS (a timer cannot wake with sub-millisecond precision). Symmetric RTP: packets go
 * out of the socket whose port we advertised, and the destination latches to the source of the first RTP packet
 * the caller sends (NAT). stop() takes effect at once: the stream leaves the pacer before the call returns.
 */
import type dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import { readRtpHeader, RTP_HEADER_BYTES, writeRtpHeader } from './rtp-packet.js';

/** A packet may leave this much before its due time (timers wake on whole milliseconds). */
const EARLY_MS = 0.5;
/** After a stall longer than this many frames, skip ahead instead of bursting the backlog at the caller. */
const MAX_BURST = 5;

export type EndReason = 'completed' | 'max-duration' | 'caller' | 'shutdown' | 'error';

export interface PlayResult {
  /** Audio sent, in ms (packets × ptime, silence between repeats included). */
  playedMs: number;
  packets: number;
  endedBy: EndReason;
  /** The caller's RTP source we latched to, when the caller sent any RTP. */
  latchedTo: { address: string; port: number } | null;
}

export interface StreamSpec {
  socket: dgram.Socket;
  remote: { address: string; port: number };
  payloadType: number;
  /** One play of the message, encoded (PCMA or PCMU bytes: one byte per sample at 8 kHz). */
  audio: Uint8Array;
  silenceByte: number;
  ptimeMs: number;
  /** How many times the message is played. */
  repeat: number;
  /** Silence between two plays (ms). */
  gapMs: number;
  /** Upper bound of the whole stream (ms). */
  maxMs: number;
}

export type Now = () => number;

export class RtpStream {
  readonly done: Promise<PlayResult>;
  private resolve!: (r: PlayResult) => void;
  private readonly frameBytes: number;
  private readonly frameSamples: number;
  private readonly messageFrames: number;
  private readonly cycleFrames: number;
  private readonly totalFrames: number;
  private readonly truncated: boolean;
  private readonly ssrc = randomInt(0, 2 ** 32);
  private readonly firstSeq = randomInt(0, 2 ** 16);
  private readonly firstTs = randomInt(0, 2 ** 32);
  private readonly silence: Uint8Array;
  private remote: { address: string; port: number };
  private latched: { address: string; port: number } | null = null;
  private sent = 0;
  private skipped = 0;
  private finished = false;
  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (this.latched !== null || readRtpHeader(msg) === null) return;
    this.latched = { address: rinfo.address, port: rinfo.port };
    this.remote = this.latched;
  };
  /** @internal due time of the next packet (performance.now() ms) */
  nextDue: number;

  constructor(
    private readonly spec: StreamSpec,
    private readonly startAt: number,
    private readonly pacer: RtpPacer,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    this.frameSamples = spec.ptimeMs * 8;
    this.frameBytes = this.frameSamples;
    this.messageFrames = Math.ceil(spec.audio.length / this.frameBytes);
    const gapFrames = Math.round(spec.gapMs / spec.ptimeMs);
    this.cycleFrames = this.messageFrames + gapFrames;
    const wanted = spec.repeat * this.messageFrames + Math.max(0, spec.repeat - 1) * gapFrames;
    const allowed = Math.floor(spec.maxMs / spec.ptimeMs);
    this.totalFrames = Math.min(wanted, allowed);
    this.truncated = allowed < wanted;
    this.silence = new Uint8Array(this.frameBytes).fill(spec.silenceByte);
    this.remote = spec.remote;
    this.nextDue = startAt;
    spec.socket.on('message', this.onMessage);
  }

  get packetsSent(): number {
    return this.sent;
  }

  /** Stops now (caller's BYE/CANCEL, shutdown): nothing more is sent after this returns. Idempotent. */
  stop(reason: EndReason = 'caller'): void {
    this.finish(reason);
  }

  /** @internal Sends every packet due by `now`; returns false once the stream is over. */
  pump(now: number): boolean {
    if (this.finished) return false;
    const late = Math.floor((now - this.nextDue) / this.spec.ptimeMs);
    if (late > MAX_BURST) this.skip(late - MAX_BURST);
    while (!this.finished && this.nextDue <= now + EARLY_MS) {
      if (this.sent >= this.totalFrames) {
        // The last packet's time has played out: the stream is over.
        this.finish(this.truncated ? 'max-duration' : 'completed');
        break;
      }
      this.sendFrame(this.sent);
    }
    return !this.finished;
  }

  /** Frames skipped after a stall keep their place on the timeline (sequence and timestamp advance). */
  private skip(frames: number): void {
    const n = Math.min(frames, this.totalFrames - this.sent);
    this.sent += n;
    this.nextDue = this.startAt + this.sent * this.spec.ptimeMs;
    this.skipped += n;
  }

  private sendFrame(n: number): void {
    const header = Buffer.allocUnsafe(RTP_HEADER_BYTES);
    writeRtpHeader(header, {
      marker: n === 0,
      payloadType: this.spec.payloadType,
      sequence: (this.firstSeq + n) & 0xffff,
      timestamp: (this.firstTs + n * this.frameSamples) >>> 0,
      ssrc: this.ssrc,
    });
    this.spec.socket.send([header, this.payloadOf(n)], this.remote.port, this.remote.address);
    this.sent = n + 1;
    this.nextDue = this.startAt + this.sent * this.spec.ptimeMs;
  }

  /** The n-th frame's bytes: a view into the pre-encoded message, silence in gaps, the last frame padded. */
  private payloadOf(n: number): Uint8Array {
    const inCycle = n % this.cycleFrames;
    if (inCycle >= this.messageFrames) return this.silence;
    const from = inCycle * this.frameBytes;
    const to = from + this.frameBytes;
    if (to <= this.spec.audio.length) return this.spec.audio.subarray(from, to);
    const padded = new Uint8Array(this.frameBytes).fill(this.spec.silenceByte);
    padded.set(this.spec.audio.subarray(from));
    return padded;
  }

  private finish(reason: EndReason): void {
    if (this.finished) return;
    this.finished = true;
    this.spec.socket.off('message', this.onMessage);
    this.pacer.remove(this);
    const packets = this.sent - this.skipped;
    this.resolve({ playedMs: this.sent * this.spec.ptimeMs, packets, endedBy: reason, latchedTo: this.latched });
  }
}

/** One timer for all streams of the process. */
export class RtpPacer {
  private readonly streams = new Set<RtpStream>();
  private timer: NodeJS.Timeout | null = null;
  private wakeAt = Infinity;

  constructor(private readonly now: Now = () => performance.now()) {}

  get active(): number {
    return this.streams.size;
  }

  /** Starts a stream: its first packet leaves now (marker bit set). */
  play(spec: StreamSpec): RtpStream {
    if (!(spec.ptimeMs >= 10 && spec.ptimeMs <= 60)) throw new Error(`ptime ${spec.ptimeMs} ms out of 10-60`);
    if (spec.audio.length === 0) throw new Error('nothing to play');
    const stream = new RtpStream(spec, this.now(), this);
    this.streams.add(stream);
    if (stream.pump(this.now())) this.schedule();
    return stream;
  }

  /** Stops every stream (shutdown). */
  stopAll(): void {
    for (const s of [...this.streams]) s.stop('shutdown');
  }

  /** @internal */
  remove(stream: RtpStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.wakeAt = Infinity;
    }
  }

  private schedule(): void {
    let next = Infinity;
    for (const s of this.streams) if (s.nextDue < next) next = s.nextDue;
    if (next === Infinity || next >= this.wakeAt) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.wakeAt = next;
    const delay = Math.max(0, Math.floor(next - EARLY_MS - this.now()));
    this.timer = setTimeout(this.tick, delay);
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.wakeAt = Infinity;
    const now = this.now();
    for (const s of [...this.streams]) s.pump(now);
    this.schedule();
  };
}

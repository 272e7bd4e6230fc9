/**
 * Streams pre-encoded G.711 over RTP, many calls at once, from one timer.
 *
 * Drift-free: packet n of a stream is due at start + n × ptime (never "previous send + ptime"), so a late wake-up
 * is caught up and never accumulates. One pacer serves every stream, and every stream starts on the pacer's shared
 * grid (a multiple of GRID_MS after the pacer's epoch, so the first packet waits at most GRID_MS): streams with a
 * ptime that is a multiple of the grid fall due together, and one wake-up sends them all, always in the same order,
 * so a stream's packets keep the same offset in every burst. A Node timer only wakes on whole milliseconds and
 * often a millisecond late, which alone is ±1 ms of jitter: the pacer asks its timer to wake SPIN_MS early and
 * sleeps the rest precisely (Atomics.wait, microsecond resolution, no CPU burnt; the thread's event loop waits with
 * it, at most MAX_SLEEP_MS per tick, typically 2–3 ms per 10 ms while announcements play: the service runs the pacer
 * in a worker thread of its own, rtp-thread.ts, so that loop is never the one answering SIP). Packets are built in a small
 * ring of reused buffers and sent to IP literals without dgram's deferred DNS lookup (see literalLookup), which
 * keeps garbage, and so collector pauses in the middle of a burst, rare.
 *
 * Symmetric RTP: packets go out of the socket whose port we advertised, and the destination latches to the source
 * of the first RTP packet the caller sends (NAT). stop() takes effect at once: the stream leaves the pacer before
 * the call returns.
 */
import type dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import { readRtpHeader, RTP_HEADER_BYTES, writeRtpHeader } from './rtp-packet.js';

/** A packet may leave this much before its due time (what a precise sleep may still miss). */
const EARLY_MS = 0.05;
/** Streams start on this grid so that their packets fall due together (ptimes 10, 20, 30, 40, 60 all fit it). */
export const GRID_MS = 10;
/** The timer is set to wake this much before the due time; the rest is slept precisely. */
const SPIN_MS = 2;
/**
 * A Node timer fires up to ~1.5 ms either side of its nominal time (whole-millisecond loop clock), so the precise
 * sleep may be up to this long; it bounds how long a tick holds the event loop.
 */
const MAX_SLEEP_MS = SPIN_MS + 2;
/** After a stall longer than this many frames, skip ahead instead of bursting the backlog at the caller. */
const MAX_BURST = 5;
/**
 * Packets of a stream are built in a ring of this many buffers, reused. Allocating per packet instead made the
 * garbage collector pause the pacer several times a second. dgram's send to an address copies the packet into the
 * kernel only on the next tick (after its address lookup), so no buffer may be rewritten within one pump: a pump
 * sends at most MAX_BURST + 2 frames (the backlog left after a skip, the frame due now, one within EARLY_MS), and
 * the ring is larger than that. With 4 buffers, a burst of 5 or more after a stall sent a later frame's bytes twice
 * and the earlier frame never.
 */
const RING = MAX_BURST + 3;

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
  /**
   * Asked before every packet: a reason to stop set by another thread (the worker's streams are stopped by the
   * main thread through shared memory, so that nothing leaves after stop() returned there).
   */
  stopSignal?: () => EndReason | null;
}

export type Now = () => number;
/** Blocks the thread for `ms` (fractional) milliseconds. */
export type Sleep = (ms: number) => void;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Atomics.wait on a cell nobody notifies: a sleep with microsecond resolution that burns no CPU. */
export const preciseSleep: Sleep = (ms) => {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
};

export interface PacerClock {
  now: Now;
  /** Sleeps the sub-millisecond rest before a due time; a no-op sleep leaves the timer's precision. */
  sleep: Sleep;
}

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
  private readonly ring: Buffer[];
  /** The message as a Buffer view (no copy), so a frame is copied into a packet without a view per packet. */
  private readonly audio: Buffer;
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
    this.audio = Buffer.from(spec.audio.buffer, spec.audio.byteOffset, spec.audio.byteLength);
    this.ring = Array.from({ length: RING }, () => Buffer.alloc(RTP_HEADER_BYTES + this.frameBytes));
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
      const stopped = this.spec.stopSignal?.() ?? null;
      if (stopped !== null) {
        this.finish(stopped);
        break;
      }
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
    const packet = this.ring[n % RING] as Buffer;
    writeRtpHeader(packet, {
      marker: n === 0,
      payloadType: this.spec.payloadType,
      sequence: (this.firstSeq + n) & 0xffff,
      timestamp: (this.firstTs + n * this.frameSamples) >>> 0,
      ssrc: this.ssrc,
    });
    this.writePayload(n, packet);
    this.spec.socket.send(packet, this.remote.port, this.remote.address);
    this.sent = n + 1;
    this.nextDue = this.startAt + this.sent * this.spec.ptimeMs;
  }

  /** The n-th frame's bytes after the header: the pre-encoded message, silence in gaps, the last frame padded. */
  private writePayload(n: number, packet: Buffer): void {
    const inCycle = n % this.cycleFrames;
    const from = inCycle * this.frameBytes;
    const available =
      inCycle >= this.messageFrames ? 0 : Math.max(0, Math.min(this.frameBytes, this.audio.length - from));
    if (available > 0) this.audio.copy(packet, RTP_HEADER_BYTES, from, from + available);
    if (available < this.frameBytes) packet.fill(this.spec.silenceByte, RTP_HEADER_BYTES + available);
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
  private epoch: number | null = null;
  private readonly now: Now;
  private readonly sleep: Sleep;

  /** A bare `now` (tests driving time by hand) gets no sleeping; the default is the real clock, slept precisely. */
  constructor(clock: Now | PacerClock = { now: () => performance.now(), sleep: preciseSleep }) {
    this.now = typeof clock === 'function' ? clock : clock.now;
    this.sleep = typeof clock === 'function' ? () => undefined : clock.sleep;
  }

  get active(): number {
    return this.streams.size;
  }

  /** Starts a stream: its first packet (marker bit set) leaves at the next grid point, at most GRID_MS from now. */
  play(spec: StreamSpec): RtpStream {
    if (!(spec.ptimeMs >= 10 && spec.ptimeMs <= 60)) throw new Error(`ptime ${spec.ptimeMs} ms out of 10-60`);
    if (spec.audio.length === 0) throw new Error('nothing to play');
    const now = this.now();
    if (this.epoch === null || this.streams.size === 0) this.epoch = now;
    const startAt = this.epoch + Math.ceil((now - this.epoch) / GRID_MS) * GRID_MS;
    const stream = new RtpStream(spec, startAt, this);
    this.streams.add(stream);
    if (stream.pump(now)) this.schedule();
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
    const delay = Math.max(0, Math.floor(next - SPIN_MS - this.now()));
    this.timer = setTimeout(this.tick, delay);
  }

  private readonly tick = (): void => {
    this.timer = null;
    const due = this.wakeAt;
    this.wakeAt = Infinity;
    const early = due - this.now();
    // Woken early on purpose: sleep the rest, bounded (a clock jump must not freeze the process).
    if (early > EARLY_MS) this.sleep(Math.min(early, MAX_SLEEP_MS));
    const now = this.now();
    for (const s of [...this.streams]) s.pump(now);
    this.schedule();
  };
}

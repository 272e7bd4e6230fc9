/**
 * Where announcements' RTP sockets live and are paced. The announcer asks for a port (bound at once, so the SDP
 * answer can name it), then plays the message from it or gives it back.
 * - `LocalRtp`: sockets and pacer in this thread (tests, bench/announce.ts's "before" column);
 * - `RtpThread` (rtp-thread.ts): both in a worker thread, so the pacer's precise sleeps and packet bursts never
 *   hold the event loop that answers SIP and the panel. The service uses this one.
 */
import { PortPool, type RtpLease } from './port-pool.js';
import { RtpPacer, type EndReason, type PlayResult, type StreamSpec } from './rtp-player.js';

/** A stream's settings without its socket: the engine supplies the socket of the port it leased. */
export type PlaySpec = Omit<StreamSpec, 'socket' | 'stopSignal'>;

export interface PlayingStream {
  readonly done: Promise<PlayResult>;
  /** Stops the stream: no packet leaves after this returns (the packet being sent at that instant aside). */
  stop(reason: EndReason): void;
}

export interface RtpPort {
  readonly port: number;
  /** Starts the stream from this port; at most once per lease. */
  play(spec: PlaySpec): PlayingStream;
  /** Stops anything playing, closes the socket and returns the port. Idempotent. */
  release(): void;
}

export interface RtpEngine {
  /** Binds the next free port of the range; null when every port is busy. */
  acquire(): Promise<RtpPort | null>;
  /** Ports leased and not yet released. */
  readonly inUse: number;
  /** Stops every stream (shutdown); ports are returned as the announcements end. */
  stopAll(): void;
  /** Stops everything and frees what the engine holds (its thread). */
  close(): Promise<void>;
}

/** Sockets and pacing in the calling thread. */
export class LocalRtp implements RtpEngine {
  constructor(
    readonly pool: PortPool,
    readonly pacer: RtpPacer = new RtpPacer(),
  ) {}

  get inUse(): number {
    return this.pool.inUse;
  }

  async acquire(): Promise<RtpPort | null> {
    const lease: RtpLease | null = await this.pool.acquire();
    if (lease === null) return null;
    const pacer = this.pacer;
    let stream: PlayingStream | null = null;
    return {
      port: lease.port,
      play(spec) {
        if (stream !== null) throw new Error('this port already played its stream');
        stream = pacer.play({ ...spec, socket: lease.socket });
        return stream;
      },
      release() {
        stream?.stop('shutdown');
        lease.release();
      },
    };
  }

  stopAll(): void {
    this.pacer.stopAll();
  }

  close(): Promise<void> {
    this.stopAll();
    return Promise.resolve();
  }
}

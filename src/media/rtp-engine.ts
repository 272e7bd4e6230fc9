/**
 * Where announcements' RTP sockets live and are paced. The announcer asks for a port (bound at once, so the SDP
 * answer can name it), then plays the message from it or gives it back.
 * - `LocalRtp`: sockets and pacer in this thread (tests, bench/announce.ts's "before" column);
 * - `RtpThread` (rtp-thread.ts): both in a worker thread, so the pacer's precise sleeps and packet bursts never
 *   hold the event loop that answers SIP and the panel. The service uses this one.
 */
import { PortPool, type RtpLease } from './port-pool.js';
import { RtpPacer, type EndReason, type PlayResult, type StreamSpec } from './rtp-player.js';
import { TelephoneEvents } from './dtmf.js';

/** A stream's settings without its socket: the engine supplies the socket of the port it leased. */
export type PlaySpec = Omit<StreamSpec, 'socket' | 'stopSignal'>;

export interface PlayingStream {
  readonly done: Promise<PlayResult>;
  /** Stops the stream: no packet leaves after this returns (the packet being sent at that instant aside). */
  stop(reason: EndReason): void;
}

export interface RtpPort {
  readonly port: number;
  /** Starts a stream from this port; another only once the previous one ended (the check's prompt, then its NO). */
  play(spec: PlaySpec): PlayingStream;
  /**
   * Reports each key the caller sends as RFC 4733 telephone-events with this payload type to this port, until the
   * lease is released (src/media/dtmf.ts). At most one listener per lease.
   */
  listenKeys(payloadType: number, onKey: (key: string) => void): void;
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
    let playing = false;
    return {
      port: lease.port,
      play(spec) {
        if (playing) throw new Error('this port is playing a stream already');
        playing = true;
        const s = pacer.play({ ...spec, socket: lease.socket });
        stream = s;
        void s.done.then(() => (playing = false));
        return s;
      },
      listenKeys(payloadType, onKey) {
        const events = new TelephoneEvents(payloadType);
        lease.socket.on('message', (msg: Buffer) => {
          const key = events.push(msg);
          if (key !== null) onKey(key);
        });
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

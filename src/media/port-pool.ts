/**
 * UDP ports for announcement RTP, from the configured range: even ports only (RTP convention, RTCP would take the
 * odd one above), handed out round-robin so a port just freed is not reused at once (late packets of the
 * previous call). Each lease is one bound socket; `release()` closes it and returns the port, idempotently.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';

export interface PortRange {
  low: number;
  high: number;
}

export interface RtpLease {
  readonly port: number;
  readonly socket: dgram.Socket;
  /** Closes the socket and returns the port to the pool; safe to call more than once. */
  release(): void;
}

/** Parses `20000-20999` (already validated by the config schema). */
export function parsePortRange(text: string): PortRange {
  const [low, high] = text.split('-').map((s) => Number(s.trim()));
  if (low === undefined || high === undefined || !(low >= 1 && high <= 65535 && low <= high)) {
    throw new Error(`invalid RTP port range "${text}"`);
  }
  return { low, high };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves every destination, even an IP literal, through dns.lookup, which answers on the next tick: per
 * packet, a closure and a deferred send. SDP addresses are IP literals (a host name is legal and still resolved), so
 * answer those at once: the packet leaves inside the pacer's tick, in order, with less garbage per packet.
 */
export function literalLookup(host: string, options: number | dns.LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(host);
  if (family !== 0) callback(null, host, family);
  else dns.lookup(host, typeof options === 'number' ? { family: options } : options, callback);
}

export class PortPool {
  private readonly used = new Set<number>();
  private readonly ports: number[] = [];
  private cursor = 0;

  constructor(
    range: PortRange,
    private readonly bindAddress: string,
  ) {
    for (let p = range.low + (range.low % 2); p <= range.high; p += 2) this.ports.push(p);
    if (this.ports.length === 0) throw new Error(`RTP port range ${range.low}-${range.high} has no even port`);
  }

  /** Ports currently leased (the leak tests watch this go back to 0). */
  get inUse(): number {
    return this.used.size;
  }

  get capacity(): number {
    return this.ports.length;
  }

  /**
   * Binds a socket on the next free port. Ports taken by other processes are skipped; null when every port
   * of the range is busy.
   */
  async acquire(): Promise<RtpLease | null> {
    for (let tried = 0; tried < this.ports.length; tried++) {
      const port = this.ports[this.cursor] as number;
      this.cursor = (this.cursor + 1) % this.ports.length;
      if (this.used.has(port)) continue;
      this.used.add(port);
      const socket = await this.bind(port);
      if (socket) return this.lease(port, socket);
      this.used.delete(port);
    }
    return null;
  }

  private lease(port: number, socket: dgram.Socket): RtpLease {
    let released = false;
    return {
      port,
      socket,
      release: () => {
        if (released) return;
        released = true;
        this.used.delete(port);
        socket.removeAllListeners('message');
        try {
          socket.close();
        } catch {
          // already closed (e.g. after a socket error)
        }
      },
    };
  }

  private bind(port: number): Promise<dgram.Socket | null> {
    const socket = dgram.createSocket({
      type: this.bindAddress.includes(':') ? 'udp6' : 'udp4',
      lookup: literalLookup,
    });
    return new Promise((resolve) => {
      const onError = (): void => {
        socket.close();
        resolve(null);
      };
      socket.once('error', onError);
      socket.bind(port, this.bindAddress, () => {
        socket.off('error', onError);
        // A send error (ICMP unreachable on some systems) must not crash the process; the player stops on it.
        socket.on('error', () => undefined);
        resolve(socket);
      });
    });
  }
}

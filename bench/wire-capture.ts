/**
 * bench/wire-capture.ts: kernel timestamps of UDP packets on lo, by source port (dumpcap, from Debian's
 * wireshark-common, installed with tshark). Used by bench/announce.ts and bench/sip.ts to judge RTP pacing at the
 * wire, free of the receiver's own scheduling.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A dumpcap capture of the sender's UDP packets on lo, read back as kernel timestamps per source port. Classic
 * pcap (-P): a 24-byte file header, then per packet 16 bytes (seconds, microseconds, captured and real length).
 */
export class WireCapture {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly file: string,
  ) {}

  static available(): boolean {
    try {
      execFileSync('dumpcap', ['-D'], { stdio: 'pipe', timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Starts capturing on lo what the pcap `filter` selects (e.g. `udp src portrange 20000-20999 and udp dst port 4000`). */
  static async start(filter: string): Promise<WireCapture> {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-wire-'));
    const file = join(dir, 'capture.pcap');
    const proc = spawn('dumpcap', ['-i', 'lo', '-P', '-f', filter, '-w', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((ok, fail) => {
      let err = '';
      proc.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) ok();
      });
      proc.once('exit', (code) => fail(new Error(`dumpcap exited ${code}: ${err.trim()}`)));
    });
    return new WireCapture(proc, dir, file);
  }

  async stop(): Promise<Map<number, number[]>> {
    const flows = new Map<number, number[]>();
    for (const p of await this.stopPackets()) {
      let times = flows.get(p.srcPort);
      if (!times) flows.set(p.srcPort, (times = []));
      times.push(p.at);
    }
    return flows;
  }

  /** Stops and returns every IPv4 UDP or TCP packet captured: kernel time (ms), ports, payload. */
  async stopPackets(): Promise<WirePacket[]> {
    const exited = new Promise((ok) => this.proc.once('exit', ok));
    this.proc.kill('SIGTERM');
    await exited;
    const packets: WirePacket[] = [];
    const f = readFileSync(this.file);
    rmSync(this.dir, { recursive: true, force: true });
    const le = f.readUInt32LE(0) === 0xa1b2c3d4;
    if (!le) throw new Error('unexpected pcap byte order or format');
    const linkType = f.readUInt32LE(20);
    const l2 = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 0 ? 4 : -1;
    if (l2 < 0) throw new Error(`unexpected link type ${linkType}`);
    for (let off = 24; off + 16 <= f.length;) {
      const at = f.readUInt32LE(off) * 1000 + f.readUInt32LE(off + 4) / 1000;
      const captured = f.readUInt32LE(off + 8);
      const ip = off + 16 + l2;
      off += 16 + captured;
      if (off > f.length || (f[ip] as number) >> 4 !== 4) continue;
      const protocol = f[ip + 9];
      const l4 = ip + ((f[ip] as number) & 0x0f) * 4;
      const srcPort = f.readUInt16BE(l4);
      const dstPort = f.readUInt16BE(l4 + 2);
      const data = protocol === 6 ? l4 + ((f[l4 + 12] as number) >> 4) * 4 : l4 + 8;
      packets.push({ at, srcPort, dstPort, payload: f.subarray(data, off) });
    }
    return packets;
  }
}

export interface WirePacket {
  /** Kernel timestamp, ms. */
  at: number;
  srcPort: number;
  dstPort: number;
  /** UDP or TCP payload (as captured). */
  payload: Buffer;
}

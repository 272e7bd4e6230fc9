/**
 * bench/wire-capture.ts: kernel timestamps of UDP packets on lo, by source port (dumpcap, from Debian's
 * wireshark-common, installed with tshark). Used by bench/announce.ts and bench/sip.ts to judge RTP pacing at the
 * wire, free of the receiver's own scheduling.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A dumpcap capture of the sender's UDP packets on lo, read back as kernel timestamps per source port. Classic
 * pcap (-P): a 24-byte file header, then per packet 16 bytes (seconds, microseconds, captured and real length).
 */
export class WireCapture {
  /**
   * dumpcap's own count at exit, "Packets received/dropped on interface": packets the kernel or dumpcap dropped are
   * missing from the capture (null until stopped, or when dumpcap did not say).
   */
  dropped: number | null = null;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly file: string,
    private readonly stderr: () => string,
    private readonly probePort: number,
  ) {}

  private static missing: string | null | undefined;

  static available(): boolean {
    return WireCapture.whyNot() === null;
  }

  /**
   * Null when dumpcap can capture on lo here, else what is missing, said plainly (checked once per process: dumpcap
   * on PATH, lo among its interfaces, and a one-second trial capture, since listing interfaces needs no permission
   * that capturing does).
   */
  static whyNot(): string | null {
    if (WireCapture.missing !== undefined) return WireCapture.missing;
    const list = spawnSync('dumpcap', ['-D'], { encoding: 'utf8', timeout: 5000 });
    if (list.error)
      return (WireCapture.missing =
        (list.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no dumpcap on PATH (Debian: apt-get install tshark, which brings wireshark-common)'
          : `dumpcap -D failed: ${list.error.message}`);
    if (!/^\d+\. lo\b/m.test(list.stdout))
      return (WireCapture.missing = `dumpcap lists no interface lo (it lists: ${
        list.stdout.trim().split('\n').join(', ') || list.stderr.trim() || 'nothing'
      })`);
    const trial = spawnSync('dumpcap', ['-i', 'lo', '-P', '-a', 'duration:1', '-w', '/dev/null'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (trial.status !== 0)
      return (WireCapture.missing = `dumpcap cannot capture on lo (exit ${String(trial.status)}: ${
        trial.stderr.trim().split('\n').pop() ?? ''
      }): run as root, or give /usr/bin/dumpcap cap_net_raw,cap_net_admin (dpkg-reconfigure wireshark-common)`);
    return (WireCapture.missing = null);
  }

  /**
   * Starts capturing on lo what the pcap `filter` selects (e.g. `udp src portrange 20000-20999 and udp dst port 4000`),
   * and returns once the capture is live: dumpcap says "Capturing on" before its filter sees packets (under eight busy
   * loops at nice 0 it missed the first packets of bench/announce.ts's streams, 0.1–0.4 % of a run's, uncounted), so
   * a probe datagram, sent to itself by a socket on an ephemeral port the filter also takes, is sent until it is in
   * the file (left out of the packets).
   */
  static async start(filter: string): Promise<WireCapture> {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-wire-'));
    const file = join(dir, 'capture.pcap');
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((ok) => probe.bind(0, '127.0.0.1', () => ok()));
    const probePort = probe.address().port;
    const proc = spawn(
      'dumpcap',
      ['-i', 'lo', '-P', '-f', `(${filter}) or (udp src port ${probePort} and udp dst port ${probePort})`, '-w', file],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await new Promise<void>((ok, fail) => {
        proc.once('exit', (code) => fail(new Error(`dumpcap exited ${code}: ${err.trim()}`)));
        const poll = (): void => {
          if (proc.exitCode !== null) return;
          // The pcap file header is 24 bytes; anything more is a packet, and only the probe is sure to come.
          if (err.includes('Capturing on') && (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 24) ok();
          else {
            probe.send('crocetta wire-capture probe', probePort, '127.0.0.1');
            setTimeout(poll, 20);
          }
        };
        poll();
      });
    } finally {
      probe.close();
    }
    return new WireCapture(proc, dir, file, () => err, probePort);
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

  /**
   * Stops and returns every IPv4 UDP or TCP packet captured: kernel time (ms), ports, payload. `settle`: when the
   * traffic has ended, first wait (up to 5 s) until dumpcap has written everything the kernel queued for it (its
   * file, written as it goes, stops growing for 600 ms): what dumpcap has not read when it is stopped is lost, and
   * not counted as dropped.
   */
  async stopPackets(opts: { settle?: boolean } = {}): Promise<WirePacket[]> {
    if (opts.settle) {
      let size = -1;
      for (let still = 0, waited = 0; still < 12 && waited < 5000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
        const now = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
        still = now === size ? still + 1 : 0;
        size = now;
      }
    }
    const exited = new Promise((ok) => this.proc.once('exit', ok));
    this.proc.kill('SIGTERM');
    await exited;
    const counts = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(this.stderr());
    this.dropped = counts ? Number(counts[2]) : null;
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
      if (srcPort === this.probePort && dstPort === this.probePort) continue;
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

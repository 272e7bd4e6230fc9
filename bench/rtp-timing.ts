/**
 * bench/rtp-timing.ts: how well RTP streams keep to their 20-ms schedule, and the same measure of a thread that does
 * nothing but sleep to deadlines (the machine baseline), so a bench prints the sender's figure beside the machine's
 * from the same run. Used by bench/announce.ts and bench/sip.ts.
 *
 * Two measures, both per stream and pooled over all streams (p99 over every packet):
 * - interval jitter: |arrival interval − ptime × sequence step| between consecutive packets of a stream (what the
 *   README and issue 12 have always reported as "jitter p99"; a single packet 5 ms late counts twice, once as a long
 *   interval and once as a short one);
 * - lateness: how far each packet is behind the stream's ideal schedule, first packet's sequence number at
 *   t0 + n × ptime, anchored on the stream's earliest packet relative to that schedule (the sender never sends early,
 *   so the earliest packet is on time): a packet 5 ms late counts once, 5 ms, and a stall's catch-up burst shows as
 *   the lateness of every packet in it.
 * Streams are told apart by source port and SSRC, and a sequence that goes back or jumps by more than MAX_GAP starts a
 * new stream (a port reused by the next call within a capture: the bare bench app keeps one SSRC per port).
 */
import { Worker } from 'node:worker_threads';

/** A sequence step larger than this is a new stream on the same port and SSRC, not lost packets. */
const MAX_GAP = 50;

/** One packet as seen (kernel timestamp at the wire, or a wake-up time), ms. */
export interface Timed {
  at: number;
  /** Stream key: e.g. the source port and SSRC. */
  key: string;
  /** RTP sequence number (16 bits, wraps) or any increasing counter. */
  seq: number;
}

export interface Pacing {
  streams: number;
  packets: number;
  /**
   * Packets absent inside streams (a sequence step of k counts k − 1): lost before the capture (or the receiver), or
   * skipped by a sender after a stall. 0 when every packet sent is in the capture.
   */
  missing: number;
  intervalJitterP99: number;
  latenessP50: number;
  latenessP99: number;
  latenessMax: number;
}

/** Splits timed packets into streams: by key, then a new stream where the sequence goes back or jumps. */
export function streamsOf(packets: readonly Timed[]): { at: number[]; n: number[] }[] {
  const open = new Map<string, { at: number[]; n: number[]; lastSeq: number }>();
  const out: { at: number[]; n: number[] }[] = [];
  for (const p of packets) {
    let s = open.get(p.key);
    const step = s === undefined ? 0 : (p.seq - s.lastSeq) & 0xffff;
    if (s === undefined || step === 0 || step > MAX_GAP) {
      s = { at: [], n: [], lastSeq: p.seq };
      open.set(p.key, s);
      out.push(s);
      s.at.push(p.at);
      s.n.push(0);
      continue;
    }
    s.at.push(p.at);
    s.n.push((s.n[s.n.length - 1] as number) + step);
    s.lastSeq = p.seq;
  }
  return out.map(({ at, n }) => ({ at, n }));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Interval jitter and lateness against each stream's ideal schedule, every `ptime` ms. */
export function pacingOf(packets: readonly Timed[], ptime: number): Pacing {
  const streams = streamsOf(packets);
  const jitter: number[] = [];
  const lateness: number[] = [];
  let missing = 0;
  for (const { at, n } of streams) {
    if (n.length > 0) missing += (n[n.length - 1] as number) + 1 - n.length;
    let anchor = Infinity;
    for (let i = 0; i < at.length; i++) anchor = Math.min(anchor, (at[i] as number) - (n[i] as number) * ptime);
    for (let i = 0; i < at.length; i++) {
      lateness.push((at[i] as number) - (n[i] as number) * ptime - anchor);
      if (i > 0)
        jitter.push(
          Math.abs((at[i] as number) - (at[i - 1] as number) - ((n[i] as number) - (n[i - 1] as number)) * ptime),
        );
    }
  }
  jitter.sort((a, b) => a - b);
  lateness.sort((a, b) => a - b);
  return {
    streams: streams.length,
    packets: lateness.length,
    missing,
    intervalJitterP99: quantile(jitter, 0.99),
    latenessP50: quantile(lateness, 0.5),
    latenessP99: quantile(lateness, 0.99),
    latenessMax: lateness[lateness.length - 1] ?? NaN,
  };
}

/** RTP packets captured at the wire (WirePacket's payload), as timed packets keyed by source port and SSRC. */
export function rtpTimed(packets: readonly { at: number; srcPort: number; payload: Buffer }[]): Timed[] {
  const out: Timed[] = [];
  for (const p of packets) {
    if (p.payload.length < 12 || (p.payload[0] as number) >> 6 !== 2) continue;
    out.push({ at: p.at, key: `${p.srcPort}/${p.payload.readUInt32BE(8)}`, seq: p.payload.readUInt16BE(2) });
  }
  return out;
}

/**
 * Wake-ups of a thread that sleeps to every millisecond of an absolute schedule (no drift correction: a late wake-up
 * is followed by immediate ones for the deadlines it missed, as a pacer catches up), read as `ptime / 1 ms` streams
 * of one deadline every `ptime` ms, each with its own phase: the same measures as the streams', for a sender that
 * costs nothing. What it sees is the machine (other processes, the hypervisor), the floor under any sender's figure.
 */
export function baselineTimed(wakeups: readonly number[], ptime: number): Timed[] {
  return wakeups.map((at, k) => ({ at, key: String(k % ptime), seq: Math.floor(k / ptime) & 0xffff }));
}

export interface MachineBaseline {
  /**
   * Stops the thread; its wake-ups (ms, performance.now() of this process), one per deadline, the nice value it
   * ran at (the one asked for, or the process's when the kernel refused) and its SCHED_FIFO priority (null: the
   * ordinary class, asked or refused).
   */
  stop(): Promise<{ wakeups: number[]; nice: number; realtime: number | null }>;
}

/**
 * Starts the baseline thread: a worker that sleeps (Atomics.wait) to deadlines 1 ms apart, from now until stop(),
 * at the priority threads get by default, or at `nice` (asked as the RTP worker asks for its own, so a baseline at
 * the pacer's priority shows what is left for a sender that costs nothing), or in the real-time class (`realtime`, a
 * SCHED_FIFO priority, asked as the RTP worker asks for it: src/media/thread-priority.ts). At most `seconds` of
 * wake-ups are kept.
 */
export function startMachineBaseline(
  opts: { seconds?: number; nice?: number; realtime?: number } = {},
): MachineBaseline {
  const seconds = opts.seconds ?? 120;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { performance } = require('node:perf_hooks');
    const { flag, limit, nice, realtime } = workerData;
    const os = require('node:os');
    const fs = require('node:fs');
    let tid = 0;
    try { tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); } catch {}
    if (nice !== null && tid > 0) try { os.setPriority(tid, nice); } catch {}
    let rt = null;
    if (realtime !== null && tid > 0) {
      require('node:child_process').spawnSync('chrt', ['--fifo', '--reset-on-fork', '--pid', String(realtime), String(tid)], { stdio: 'ignore' });
      try {
        const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (f[38] === '1' || f[38] === '2') rt = Number(f[37]);
      } catch {}
    }
    const ranAt = tid > 0 ? os.getPriority(tid) : os.getPriority();
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const wakeups = new Float64Array(limit);
    const start = performance.now();
    let k = 0;
    while (Atomics.load(flag, 0) === 0 && k < limit) {
      const wait = start + (k + 1) - performance.now();
      if (wait > 0) Atomics.wait(cell, 0, 0, wait);
      wakeups[k++] = performance.now();
    }
    parentPort.postMessage({ wakeups: wakeups.subarray(0, k), nice: ranAt, realtime: rt });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { flag, limit: Math.ceil(seconds * 1000), nice: opts.nice ?? null, realtime: opts.realtime ?? null },
  });
  const report = new Promise<{ wakeups: Float64Array; nice: number; realtime: number | null }>((ok, fail) => {
    worker.once('message', ok);
    worker.once('error', fail);
  });
  return {
    stop: async () => {
      Atomics.store(flag, 0, 1);
      const r = await report;
      await worker.terminate();
      return { wakeups: [...r.wakeups], nice: r.nice, realtime: r.realtime };
    },
  };
}

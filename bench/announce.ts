/**
 * bench/announce: N concurrent announcements from one Node process, through the real Announcer (SDP offer → answer,
 * port pool, pre-encoded built-in recording, shared RTP pacer), with the RTP engine on the event loop (`local`, as
 * before issue 12) and in a worker thread (`thread`, as the service runs it), so the event-loop delay the pacer
 * causes shows before and after.
 *
 * Where the intervals are measured:
 * - at the wire (the figure the target is judged on): when `dumpcap` (Debian's wireshark-common, with tshark) can
 *   capture on lo, every packet the sender puts on the loopback interface gets a kernel timestamp; the pacing of a
 *   sender is what it puts on the wire, free of the receiver's own scheduling;
 * - at the receiver: the callers' RTP endpoint is one UDP socket in a child process (so receiving does not steal
 *   the sender's event loop) that timestamps each packet when its JS callback runs. On a two-core machine this
 *   adds the receiver's scheduling delays to every interval; it is printed for comparison.
 *
 * Baselines from the same run: beside every run, a thread of ordinary priority that does nothing but sleep to 1 ms
 * deadlines (bench/rtp-timing.ts: its wake-ups read as 20-ms streams and measured as the packets are: how late this
 * machine itself wakes a thread that costs nothing, the floor under any sender), and N = 1 through the same pacer.
 * The first run of a process is slower (V8 compiles the pacer while the first bursts go out): a warm-up run at the
 * largest N comes first, printed but not judged, as a long-running service is warm after its first calls. N = 1 and
 * every N run `--reps` times; the verdict takes the median of the runs at the largest N, each printed with the
 * machine baseline of the same run.
 * Reported per N: inter-packet interval p50/p99/max over all streams, the p99 of |interval − ptime| (interval
 * jitter) and of each packet's lateness against its stream's ideal schedule (both defined in bench/rtp-timing.ts),
 * packets lost, the sender's CPU (user+system over wall time, % of one core), the p99 of its event-loop delay (how
 * long other work, SIP or the panel, waited behind the pacer), and the machine baseline's jitter and lateness p99.
 * Engines: `local` (sockets and pacer on the event loop, before issue 12), `thread-nice0` (the worker thread at the
 * process's priority, before RTP_THREAD_NICE), `thread-nort` (at RTP_THREAD_NICE in the ordinary class, before
 * RTP_THREAD_REALTIME), `thread` (the service's defaults: SCHED_FIFO at RTP_THREAD_REALTIME, or RTP_THREAD_NICE when
 * the kernel refuses it). Each prints the priority it got. Baselines at nice 0, at RTP_THREAD_NICE and in SCHED_FIFO.
 *
 *   npx tsx bench/announce.ts [--n 50,200] [--seconds 6] [--reps 3] [--ports 41000-41999] [--no-wire] [--engines thread-nort,thread]
 *   taskset -c 0 npx tsx bench/announce.ts     # pin the sender to one core
 *
 * Target: p99 jitter ≤ 2 ms at N = 200.
 */
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Announcer } from '../src/media/announcer.js';
import { builtInRecording } from '../src/media/catalog.js';
import { PortPool, parsePortRange, type PortRange } from '../src/media/port-pool.js';
import { LocalRtp, type RtpEngine } from '../src/media/rtp-engine.js';
import { RTP_THREAD_NICE, RTP_THREAD_REALTIME, RtpThread, type ThreadPriority } from '../src/media/rtp-thread.js';
import { baselineTimed, pacingOf, rtpTimed, startMachineBaseline, type Pacing } from './rtp-timing.js';
import { WireCapture } from './wire-capture.js';
import { textArgOr } from './args.js';

const PTIME = 20;

type FromParent = { type: 'open' } | { type: 'collect' } | { type: 'exit' };
type FromChild =
  | { type: 'port'; port: number }
  | {
      type: 'stats';
      intervals: number[];
      packets: number;
      machine: Pacing;
      machineHigh: Pacing & { nice: number };
      machineRt: Pacing & { realtime: number | null };
    };

/** Intervals between consecutive arrivals of each flow (ms). */
function intervalsOf(flows: Map<number, number[]>): number[] {
  const out: number[] = [];
  for (const times of flows.values())
    for (let i = 1; i < times.length; i++) out.push((times[i] as number) - (times[i - 1] as number));
  return out;
}

/** Child: the callers' RTP endpoint, one socket; arrival times per sending port. */
function runSink(): void {
  const socket = dgram.createSocket('udp4');
  let flows = new Map<number, number[]>();
  let sleepers: ReturnType<typeof startMachineBaseline>[] = [];
  socket.on('message', (_msg, rinfo) => {
    const at = performance.now();
    let times = flows.get(rinfo.port);
    if (!times) flows.set(rinfo.port, (times = []));
    times.push(at);
  });
  socket.bind(0, '127.0.0.1');
  process.on('message', (raw: FromParent) => {
    if (raw.type === 'open') {
      flows = new Map();
      sleepers = [
        startMachineBaseline(),
        startMachineBaseline({ nice: RTP_THREAD_NICE }),
        startMachineBaseline({ realtime: RTP_THREAD_REALTIME }),
      ];
      process.send?.({ type: 'port', port: socket.address().port } satisfies FromChild);
    } else if (raw.type === 'collect') {
      const packets = [...flows.values()].reduce((s, t) => s + t.length, 0);
      void Promise.all(sleepers.map((s) => s.stop())).then(([plain, high, rt]) => {
        const machine = pacingOf(baselineTimed(plain?.wakeups ?? [], PTIME), PTIME);
        const machineHigh = { ...pacingOf(baselineTimed(high?.wakeups ?? [], PTIME), PTIME), nice: high?.nice ?? 0 };
        const machineRt = {
          ...pacingOf(baselineTimed(rt?.wakeups ?? [], PTIME), PTIME),
          realtime: rt?.realtime ?? null,
        };
        process.send?.({
          type: 'stats',
          intervals: intervalsOf(flows),
          packets,
          machine,
          machineHigh,
          machineRt,
        } satisfies FromChild);
      });
    } else {
      socket.close();
      process.exit(0);
    }
  });
}

function ask<T extends FromChild['type']>(
  child: ChildProcess,
  msg: FromParent,
  want: T,
): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolveMsg) => {
    const on = (m: FromChild): void => {
      if (m.type !== want) return;
      child.off('message', on);
      resolveMsg(m as Extract<FromChild, { type: T }>);
    };
    child.on('message', on);
    child.send(msg);
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

interface Intervals {
  p50: number;
  p99: number;
  max: number;
  jitterP99: number;
}

function summarize(intervals: number[]): Intervals {
  const sorted = [...intervals].sort((a, b) => a - b);
  const jitter = intervals.map((x) => Math.abs(x - PTIME)).sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    jitterP99: quantile(jitter, 0.99),
  };
}

interface RunResult {
  n: number;
  receiver: Intervals;
  /** At the wire: the intervals, the pacing, the RTP packets captured and dumpcap's own drop count. */
  wire: (Intervals & { pacing: Pacing; captured: number; dropped: number | null }) | null;
  lost: number;
  expected: number;
  cpuPct: number;
  /** The baseline thread's wake-ups, measured as the packets are (bench/rtp-timing.ts), at nice 0. */
  machine: Pacing;
  /** The same for a baseline thread at the RTP worker's priority (RTP_THREAD_NICE, when the kernel allows it). */
  machineHigh: Pacing & { nice: number };
  /** The same for a baseline thread in the real-time class (SCHED_FIFO at RTP_THREAD_REALTIME, when allowed). */
  machineRt: Pacing & { realtime: number | null };
  /** How late the sender's event loop ran other work (p99, ms): what SIP and the panel would wait. */
  loopDelayP99: number;
}

async function runOnce(
  child: ChildProcess,
  announcer: Announcer,
  range: PortRange,
  n: number,
  wire: boolean,
): Promise<RunResult> {
  const { port } = await ask(child, { type: 'open' }, 'port');
  const recording = builtInRecording(resolve(fileURLToPath(import.meta.url), '../../assets/announcements'), 'it', 60);
  const announcements = [];
  for (let i = 0; i < n; i++) {
    const sdp = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${port} RTP/AVP 8 0`,
      `a=ptime:${PTIME}`,
      '',
    ].join('\r\n');
    const prepared = await announcer.prepare(sdp, recording);
    if (!prepared.ok) throw new Error(`prepare failed: ${prepared.problem}`);
    announcements.push(prepared.announcement);
  }
  const capture = wire
    ? await WireCapture.start(`udp src portrange ${range.low}-${range.high} and udp dst port ${port}`)
    : null;
  // Calls arrive at random moments: spread the starts over one ptime so the streams' phases differ.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = await Promise.all(
    announcements.map(
      (a) =>
        new Promise<Awaited<ReturnType<typeof a.play>>>((ok) => setTimeout(() => ok(a.play()), Math.random() * PTIME)),
    ),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  await new Promise((r) => setTimeout(r, 200)); // last packets in flight
  const wirePackets = capture ? await capture.stopPackets({ settle: true }) : null;
  const wireRtp = wirePackets ? rtpTimed(wirePackets) : null;
  const stats = await ask(child, { type: 'collect' }, 'stats');
  const sent = done.reduce((s, r) => s + r.packets, 0);
  return {
    n,
    receiver: summarize(stats.intervals),
    wire:
      wirePackets && wireRtp
        ? {
            ...summarize(intervalsOf(flowsOf(wirePackets))),
            pacing: pacingOf(wireRtp, PTIME),
            captured: wireRtp.length,
            dropped: capture?.dropped ?? null,
          }
        : null,
    lost: sent - stats.packets,
    expected: sent,
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    machine: stats.machine,
    machineHigh: stats.machineHigh,
    machineRt: stats.machineRt,
    loopDelayP99: loop.percentile(99) / 1e6,
  };
}

/** Arrival times per source port (the receiver-style intervals of the wire columns). */
function flowsOf(packets: readonly { at: number; srcPort: number }[]): Map<number, number[]> {
  const flows = new Map<number, number[]>();
  for (const p of packets) {
    let times = flows.get(p.srcPort);
    if (!times) flows.set(p.srcPort, (times = []));
    times.push(p.at);
  }
  return flows;
}

const f2 = (x: number): string => x.toFixed(2);

/** `thread` is the service's defaults; `thread-nort` the ordinary class at RTP_THREAD_NICE; `thread-nice0` neither. */
const ENGINES = ['local', 'thread-nice0', 'thread-nort', 'thread'] as const;
type EngineName = (typeof ENGINES)[number];

function engineOf(name: EngineName, range: PortRange, onPriority: (p: ThreadPriority) => void): RtpEngine {
  if (name === 'local') return new LocalRtp(new PortPool(range, '127.0.0.1'));
  return new RtpThread({
    range,
    bindAddress: '127.0.0.1',
    onPriority,
    ...(name === 'thread-nice0' && { nice: null, realtime: null }),
    ...(name === 'thread-nort' && { realtime: null }),
  });
}

async function main(): Promise<void> {
  const ns = textArgOr('n', '50,200')
    .split(',')
    .map(Number)
    .filter((x) => x > 0);
  const seconds = Number(textArgOr('seconds', '6'));
  const reps = Math.max(1, Number(textArgOr('reps', '3')));
  const range = parsePortRange(textArgOr('ports', '41000-41999'));
  const engines = textArgOr('engines', 'thread-nort,thread')
    .split(',')
    .map((e) => e.trim()) as EngineName[];
  for (const e of engines)
    if (!ENGINES.includes(e)) throw new Error(`--engines: ${ENGINES.join(', ')}; got ${String(e)}`);
  const noWire = process.argv.includes('--no-wire') ? '--no-wire was given' : WireCapture.whyNot();
  const wire = noWire === null;
  const child = fork(fileURLToPath(import.meta.url), ['--sink'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    console.log(
      `bench/announce: the built-in recording (PCMA, ${PTIME} ms) to every call, all calls at once; node ${process.version}`,
    );
    console.log(
      wire
        ? 'intervals at the wire: dumpcap on lo (kernel timestamps); at the receiver: its JS callback'
        : `intervals at the receiver only, NOT at the wire: ${noWire}`,
    );
    console.log(
      "jitter = p99 of |interval − 20 ms| per stream; late = p99 of each packet's lateness against its stream's ideal 20-ms schedule (bench/rtp-timing.ts)",
    );
    console.log(
      "machine = the same two figures for a thread of ordinary priority sleeping to 1-ms deadlines during the run (the receiver's process): the machine's own stalls; and for the same thread at the RTP worker's nice (RTP_THREAD_NICE) and in SCHED_FIFO (RTP_THREAD_REALTIME): what is left for a sender that costs nothing",
    );
    console.log(
      "engines: local = sockets and pacer on the event loop (before issue 12), thread-nice0 = in a worker thread at the process priority, thread-nort = at RTP_THREAD_NICE in the ordinary class, thread = the service's defaults (SCHED_FIFO at RTP_THREAD_REALTIME); CPU counts every thread of the sender",
    );
    const maxN = Math.max(...ns);
    const verdicts: string[] = [];
    for (const engineName of engines) {
      const engine = engineOf(engineName, range, (p) =>
        console.log(
          `[${engineName}] worker thread priority: nice ${String(p.nice)}${p.asked === null ? ' (none asked)' : ` (asked ${p.asked}${p.refused ? `, refused: ${p.refused}` : ''})`}; SCHED_FIFO ${String(p.realtime)}${p.realtimeAsked === null ? ' (none asked)' : ` (asked ${p.realtimeAsked}${p.realtimeRefused ? `, refused: ${p.realtimeRefused}` : ''})`}`,
        ),
      );
      const announcer = new Announcer({
        mediaAddress: '127.0.0.1',
        ports: engine,
        maxConcurrent: 10_000,
        repeat: 1,
        gapMs: 0,
        maxSeconds: seconds,
      });
      try {
        const cold = await runOnce(child, announcer, range, maxN, wire);
        const coldJ = cold.wire ?? cold.receiver;
        console.log(
          `[${engineName}] warm-up, N=${maxN} in a cold process (not judged): jitter p99 ${f2(coldJ.jitterP99)} ms ${cold.wire ? 'at the wire' : 'at the receiver'}, ${cold.lost}/${cold.expected} lost`,
        );
        console.log(
          `[${engineName}]      N | wire: interval p50    p99    max  jitter   late p99 | receiver: p50    p99  jitter p99 | lost/sent      | CPU % of a core | loop delay p99 | machine: jitter  late p99 (max) | at the pacer's nice: jitter  late p99 | SCHED_FIFO: jitter  late p99`,
        );
        const rows: RunResult[] = [];
        for (let rep = 0; rep < reps; rep++) {
          for (const n of [1, ...ns]) {
            const r = await runOnce(child, announcer, range, n, wire);
            rows.push(r);
            const w = r.wire
              ? `${f2(r.wire.p50).padStart(8)} ${f2(r.wire.p99).padStart(6)} ${f2(r.wire.max).padStart(6)} ${f2(r.wire.pacing.intervalJitterP99).padStart(7)} ${f2(r.wire.pacing.latenessP99).padStart(6)} ms`
              : '          (not measured)              ';
            if (r.wire && (r.wire.captured !== r.expected || r.wire.dropped !== 0))
              console.log(
                `[${engineName}] N=${r.n}: the capture holds ${r.wire.captured} RTP packets of ${r.expected} sent (dumpcap dropped ${String(r.wire.dropped)}; ${r.wire.pacing.missing} missing inside streams): the wire figures miss packets`,
              );
            console.log(
              `[${engineName}] ${String(r.n).padStart(6)} |     ${w} |   ${f2(r.receiver.p50).padStart(8)} ${f2(r.receiver.p99).padStart(6)} ${f2(r.receiver.jitterP99).padStart(8)} ms | ${`${r.lost}/${r.expected}`.padEnd(14)} | ${r.cpuPct.toFixed(1).padStart(8)} %      | ${f2(r.loopDelayP99).padStart(8)} ms    | ${f2(r.machine.intervalJitterP99).padStart(8)} ${f2(r.machine.latenessP99).padStart(6)} ms (${f2(r.machine.latenessMax)}) | nice ${r.machineHigh.nice}: ${f2(r.machineHigh.intervalJitterP99).padStart(6)} ${f2(r.machineHigh.latenessP99).padStart(6)} ms | ${r.machineRt.realtime === null ? 'refused' : `rt ${r.machineRt.realtime}`}: ${f2(r.machineRt.intervalJitterP99).padStart(6)} ${f2(r.machineRt.latenessP99).padStart(6)} ms`,
            );
          }
        }
        const judgedOf = (r: RunResult): number => r.wire?.pacing.intervalJitterP99 ?? r.receiver.jitterP99;
        const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
        const tops = rows.filter((r) => r.n === maxN);
        const m = median(tops.map(judgedOf));
        const mb = median(rows.filter((r) => r.n === 1).map(judgedOf));
        const loop = median(tops.map((r) => r.loopDelayP99));
        const late = median(tops.map((r) => r.wire?.pacing.latenessP99 ?? NaN));
        const machine = median(tops.map((r) => r.machine.intervalJitterP99));
        const machineLate = median(tops.map((r) => r.machine.latenessP99));
        const high = median(tops.map((r) => r.machineHigh.intervalJitterP99));
        const highLate = median(tops.map((r) => r.machineHigh.latenessP99));
        const rt = median(tops.map((r) => r.machineRt.intervalJitterP99));
        const rtLate = median(tops.map((r) => r.machineRt.latenessP99));
        const captured = rows.reduce((sum, r) => sum + (r.wire?.captured ?? 0), 0);
        const sentAll = rows.reduce((sum, r) => sum + r.expected, 0);
        const droppedAll = rows.reduce((sum, r) => sum + (r.wire?.dropped ?? NaN), 0);
        verdicts.push(
          `[${engineName}] target p99 jitter <= 2 ms at N=${maxN} (${wire ? 'at the wire' : 'at the receiver'}, median of ${reps} runs: ${tops.map(judgedOf).map(f2).join(', ')} ms): ${m <= 2 ? 'met' : 'NOT met'} (${f2(m)} ms; N=1 baseline ${f2(mb)} ms, ratio ${(m / Math.max(mb, 0.01)).toFixed(1)}×); lateness p99 ${f2(late)} ms; machine baseline in the same runs: jitter p99 ${f2(machine)} ms, lateness p99 ${f2(machineLate)} ms, at nice ${tops[0]?.machineHigh.nice ?? '?'} ${f2(high)} / ${f2(highLate)} ms, SCHED_FIFO ${f2(rt)} / ${f2(rtLate)} ms (medians); event-loop delay p99 at N=${maxN} ${f2(loop)} ms (median); ports in use after the runs: ${announcer.portsInUse}${wire ? `; captured at the wire ${captured} of ${sentAll} RTP packets sent in the judged runs (dumpcap dropped ${String(droppedAll)})` : ''}`,
        );
      } finally {
        await engine.close();
      }
    }
    for (const v of verdicts) console.log(v);
  } finally {
    child.send({ type: 'exit' } satisfies FromParent);
  }
}

if (process.argv.includes('--sink')) runSink();
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });

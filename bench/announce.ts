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
 * Baselines from the same run: beside every run, a thread that does nothing but sleep to 1 ms deadlines (how often
 * this machine itself stalls: the floor under any sender), and N = 1 through the same pacer. The first run of a
 * process is slower (V8 compiles the pacer while the first bursts go out): a warm-up run at the largest N comes
 * first, printed but not judged, as a long-running service is warm after its first calls. N = 1 and every N run
 * `--reps` times; the verdict takes the median of the runs at the largest N, each printed with the machine stalls
 * seen during it.
 * Reported per N: inter-packet interval p50/p99/max over all streams, the p99 of |interval − ptime| (jitter),
 * packets lost, the sender's CPU (user+system over wall time, % of one core), and the p99 of its event-loop delay
 * (how long other work, SIP or the panel, waited behind the pacer's precise sleeps and bursts).
 *
 *   npx tsx bench/announce.ts [--n 50,200] [--seconds 6] [--reps 3] [--ports 41000-41999] [--no-wire] [--engines local,thread]
 *   taskset -c 0 npx tsx bench/announce.ts     # pin the sender to one core
 *
 * Target: p99 jitter ≤ 2 ms at N = 200.
 */
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Announcer } from '../src/media/announcer.js';
import { builtInRecording } from '../src/media/catalog.js';
import { PortPool, parsePortRange, type PortRange } from '../src/media/port-pool.js';
import { LocalRtp, type RtpEngine } from '../src/media/rtp-engine.js';
import { RtpThread } from '../src/media/rtp-thread.js';
import { WireCapture } from './wire-capture.js';

const PTIME = 20;

type FromParent = { type: 'open' } | { type: 'collect' } | { type: 'exit' };
type FromChild =
  { type: 'port'; port: number } | { type: 'stats'; intervals: number[]; packets: number; machine: SleeperReport };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

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
  let sleeper: ReturnType<typeof startSleeper> | null = null;
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
      sleeper = startSleeper();
      process.send?.({ type: 'port', port: socket.address().port } satisfies FromChild);
    } else if (raw.type === 'collect') {
      const packets = [...flows.values()].reduce((s, t) => s + t.length, 0);
      void (sleeper as ReturnType<typeof startSleeper>).stop().then((machine) => {
        process.send?.({ type: 'stats', intervals: intervalsOf(flows), packets, machine } satisfies FromChild);
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

interface SleeperReport {
  wakeups: number;
  /** Wake-ups more than 2 ms late. */
  late2: number;
  max: number;
}

/**
 * A thread that only sleeps to 1 ms deadlines, run beside each measurement (in the receiver's process, so not on
 * the sender's thread): how often this machine itself wakes a sleeper late while the run goes on. Every stream
 * misses its slot when the whole machine stalls, so these stalls are a floor under any sender's jitter.
 */
function startSleeper(): { stop(): Promise<SleeperReport> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { performance } = require('node:perf_hooks');
    const flag = workerData, cell = new Int32Array(new SharedArrayBuffer(4));
    let next = performance.now(), wakeups = 0, late2 = 0, max = 0;
    while (Atomics.load(flag, 0) === 0) {
      next += 1;
      const wait = next - performance.now();
      if (wait > 0) Atomics.wait(cell, 0, 0, wait);
      const late = performance.now() - next;
      wakeups++; if (late > 2) late2++; if (late > max) max = late;
      if (late > 1) next = performance.now();
    }
    parentPort.postMessage({ wakeups, late2, max });`;
  const worker = new Worker(code, { eval: true, workerData: flag });
  const report = new Promise<SleeperReport>((ok, fail) => {
    worker.once('message', ok);
    worker.once('error', fail);
  });
  return {
    stop: () => {
      Atomics.store(flag, 0, 1);
      return report;
    },
  };
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
  wire: Intervals | null;
  lost: number;
  expected: number;
  cpuPct: number;
  machine: SleeperReport;
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
  const wireFlows = capture ? await capture.stop() : null;
  const stats = await ask(child, { type: 'collect' }, 'stats');
  const sent = done.reduce((s, r) => s + r.packets, 0);
  return {
    n,
    receiver: summarize(stats.intervals),
    wire: wireFlows ? summarize(intervalsOf(wireFlows)) : null,
    lost: sent - stats.packets,
    expected: sent,
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    machine: stats.machine,
    loopDelayP99: loop.percentile(99) / 1e6,
  };
}

const f2 = (x: number): string => x.toFixed(2);

type EngineName = 'thread' | 'local';

function engineOf(name: EngineName, range: PortRange): RtpEngine {
  return name === 'thread'
    ? new RtpThread({ range, bindAddress: '127.0.0.1' })
    : new LocalRtp(new PortPool(range, '127.0.0.1'));
}

async function main(): Promise<void> {
  const ns = arg('n', '50,200')
    .split(',')
    .map(Number)
    .filter((x) => x > 0);
  const seconds = Number(arg('seconds', '6'));
  const reps = Math.max(1, Number(arg('reps', '3')));
  const range = parsePortRange(arg('ports', '41000-41999'));
  const engines = arg('engines', 'local,thread')
    .split(',')
    .map((e) => e.trim()) as EngineName[];
  for (const e of engines)
    if (e !== 'thread' && e !== 'local') throw new Error(`--engines: thread or local, got ${String(e)}`);
  const wire = !process.argv.includes('--no-wire') && WireCapture.available();
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
        : 'intervals at the receiver only (no dumpcap: apt-get install tshark, run as root, or --no-wire was given)',
    );
    console.log(
      "machine stalls: wake-ups > 2 ms late of a thread sleeping to 1 ms deadlines during the run, in the receiver's process",
    );
    console.log(
      'engines: local = sockets and pacer on the event loop (before issue 12), thread = in a worker thread (the service); CPU counts every thread of the sender',
    );
    const maxN = Math.max(...ns);
    const verdicts: string[] = [];
    for (const engineName of engines) {
      const engine = engineOf(engineName, range);
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
          `[${engineName}]      N | wire: interval p50    p99    max  jitter p99 | receiver: p50    p99  jitter p99 | lost/sent      | CPU % of a core | CPU/call vs N=1 | loop delay p99 | machine stalls`,
        );
        const rows: RunResult[] = [];
        let base: RunResult | null = null;
        for (let rep = 0; rep < reps; rep++) {
          for (const n of [1, ...ns]) {
            const r = await runOnce(child, announcer, range, n, wire);
            if (n === 1) base = r;
            rows.push(r);
            const b = base ?? r;
            const perCall = r.cpuPct / r.n / (b.cpuPct / b.n);
            const w = r.wire
              ? `${f2(r.wire.p50).padStart(8)} ${f2(r.wire.p99).padStart(6)} ${f2(r.wire.max).padStart(6)} ${f2(r.wire.jitterP99).padStart(8)} ms`
              : '       (not measured)          ';
            console.log(
              `[${engineName}] ${String(r.n).padStart(6)} |     ${w} |   ${f2(r.receiver.p50).padStart(8)} ${f2(r.receiver.p99).padStart(6)} ${f2(r.receiver.jitterP99).padStart(8)} ms | ${`${r.lost}/${r.expected}`.padEnd(14)} | ${r.cpuPct.toFixed(1).padStart(8)} %      | ${perCall.toFixed(2).padStart(6)}×         | ${f2(r.loopDelayP99).padStart(8)} ms    | ${r.machine.late2} (max ${f2(r.machine.max)} ms)`,
            );
          }
        }
        const judgedOf = (r: RunResult): number => (r.wire ?? r.receiver).jitterP99;
        const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
        const tops = rows.filter((r) => r.n === maxN);
        const m = median(tops.map(judgedOf));
        const mb = median(rows.filter((r) => r.n === 1).map(judgedOf));
        const loop = median(tops.map((r) => r.loopDelayP99));
        verdicts.push(
          `[${engineName}] target p99 jitter <= 2 ms at N=${maxN} (${wire ? 'at the wire' : 'at the receiver'}, median of ${reps} runs: ${tops.map(judgedOf).map(f2).join(', ')} ms): ${m <= 2 ? 'met' : 'NOT met'} (${f2(m)} ms; N=1 baseline ${f2(mb)} ms, ratio ${(m / Math.max(mb, 0.01)).toFixed(1)}×); event-loop delay p99 at N=${maxN} ${f2(loop)} ms (median); ports in use after the runs: ${announcer.portsInUse}`,
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

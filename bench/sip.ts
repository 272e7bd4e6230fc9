/**
 * bench/sip.ts: call setup through a real drachtio-server, crocetta against a bare drachtio-srf app (bench/bare-app.ts:
 * the same SIP actions with a Set lookup, no screening, no register), driven by sipp on loopback, in one run.
 *
 *   npx tsx bench/sip.ts [--workloads refusal,proxied,announce,refusal-under-announce] [--rounds 3] [--rate 100]
 *                        [--seconds 10] [--variant 'name:yaml overlay'] [--ladder] [--ladder-seconds 30]
 *                        [--ports 31000] [--marks 10000] [--cpu-prof DIR [--cpu-prof-interval µs]] [--keep] [--no-rounds] [--ladder-apps a,b]
 *                        [--kamailio [--kamailio-marks 1000000]] [--wire-split] [--timeline DIR] [--no-cdrs] [--ladder-retries 1]
 *                        [--ladder-at 600,650] [--node-flags 'name:--flag … NAME=value …'] [--refusal-callers 1000]
 *                        [--warmup-calls N] [--warmup-rate R] [--proxied-callers N] [--ratio-target 1.10]
 *                        [--diff-target-ms 0.5] [--ladder-warmup 3 [--ladder-warmup-share 0.5]]
 *                        [--ladder-pause apps|all|none] [--ladder-tries N [--ladder-holds K]]
 *   --variant none: crocetta with its defaults and the bare app only.
 *   --node-flags 'name:FLAGS' (repeatable): one more crocetta, its defaults, run as `node FLAGS dist/src/main.js`
 *   instead of with the start script's flags (NAME=value tokens go to its environment, e.g. UV_THREADPOOL_SIZE=2;
 *   'name:' alone is plain node): process-level A/B in the same alternating rounds. The bare app keeps plain node
 *   (see --bare-flags).
 *   'name@variant:FLAGS': with that --variant's settings (e.g. `lp@answer-first:--use-largepages=on`; answer-first
 *   is known with `--variant none` too, e.g. a durable-only run plus one answer-first build). A token ending
 *   in .js is the script run instead of this tree's dist/src/main.js: another tree's build, for a code A/B in one run
 *   (e.g. `main@answer-first:/tmp/main/dist/src/main.js`, main's tree built there with node_modules reachable from it).
 *   --bare-flags 'FLAGS': node flags for the bare app (default: none, plain node), e.g. the same runtime flags as
 *   crocetta's start script for a run where the two differ only by their code.
 *   npm run bench:sip -- --ladder
 *
 * Needs `drachtio` (drachtio-server) and `sipp` (Debian: sip-tester) on PATH, and dumpcap (tshark) for the RTP
 * jitter at the wire. It is a bench, not a test: it prints figures and ratios, never asserts.
 *
 * What runs: crocetta compiled (tsc -p tsconfig.build.json, then node with the node flags of package.json's "start" and
 * dist/src/main.js, as `npm start`); one drachtio-server per application (the same binary and the same configuration: loopback, CDRs on as
 * in config/drachtio.conf.xml, logging at notice), the applications (crocetta with its defaults, any --variant with a
 * YAML overlay on top, by default `answer-first` with store.durableBeforeAnswer false, and the bare app), a sipp UAS as the PBX (it answers at once with a 200 and absorbs retransmissions: a step of the proxied ladder fails for
 * the applications, not for the rig), and sipp UACs as the carrier. Rounds alternate the
 * applications: every round starts with the bare app, the others follow in an order rotated each round (crocetta and
 * answer-first alternate), and a last bare round closes the run (bare C A bare A C … bare: --rounds + 1 bare rounds,
 * which the bare app's pooled figures count), each application warmed up before the first round.
 * Workloads:
 *   refusal                 a marked caller → 607 Unwanted (INVITE to 607)
 *   proxied                 an unknown caller → proxied with Record-Route to the PBX, which answers (INVITE to 200)
 *   announce                a caller whose mark asks for the message → 183 + RTP, then 607 (INVITE to 183)
 *   refusal-under-announce  refusals at --rate while ~200 announcements play (INVITE to 607), with the RTP timing
 *                           at the wire (dumpcap on lo; bench/rtp-timing.ts: jitter = p99 of |interval − 20 ms| per
 *                           stream, late = p99 of lateness against each stream's ideal schedule), beside the same
 *                           figures for a thread of ordinary priority in this process that only sleeps to deadlines
 *                           (the machine's own stalls during the round), and for the same thread at the RTP worker's
 *                           nice (RTP_THREAD_NICE) and in SCHED_FIFO (RTP_THREAD_REALTIME): what is left for a sender
 *                           that costs nothing at either
 * After the pooled summary, "rounds paired" (bench/sip-rounds.ts): each application's round p50 against the bare app's at
 * its time (the bare rounds just before and after it, interpolated to its midpoint: one and two rounds away, in turn, for
 * every application; why this order and not session 28's, bench/sip-rounds.ts), per workload: every pair's ratio and difference, their median and
 * min–max, and the interval of order statistics that covers the pairs' median (the sign test's; min–max up to 8 pairs,
 * 94% with 5, 97% with 6), with a verdict against --ratio-target (issue 12 answering first: ×1.10) and --diff-target-ms
 * (durable: +0.5 ms): met or missed when the whole interval is on one side, else undecided (too few pairs under 5).
 * More, shorter rounds give more pairs in the same time: a round costs --seconds + ~1 s per application (the bare app
 * one round more), start-up and warm-up ~35 s, so `--workloads refusal,proxied --rounds 10 --seconds 4` at 100 calls/s
 * (10 pairs a workload and application: the interval x(2)–x(9), 98%) takes ~6 min (5 Dec 2026: 5 min 49 s, eleven
 * bare rounds).
 * Latency is read from sipp's message trace (-trace_msg: microsecond timestamps when sipp sent the INVITE and read
 * the response), so it includes sipp's own scheduling, the same for every application.
 * --wire-split (refusal, proxied): dumpcap on each application's admin socket during its rounds, the time from the
 * moment drachtio-server hands it the INVITE to the moment the application's answer (a final response, or the proxy
 * command) is on the socket, by transaction id: the application's own share of the latency, without sipp's and
 * drachtio-server's.
 * --timeline DIR: each node application (crocetta's and the bare app's alike) runs with bench/sip-timeline.cjs
 * preloaded, which stamps an INVITE's stages inside the process (socket data, message, drachtio-srf's middleware, the
 * INVITE handler, its synchronous return, the answer asked for, its socket write) by patching drachtio-srf's
 * prototypes only, and prints their p50/p90/p99 per application after the rounds (warm-up left out), per kind of first
 * answer (an announcement's 183 is its INVITE's answer, not the 607 that ends it).
 * --refusal-callers N: the refusal workloads' sipp cycles over the first N of the 1,000 refused numbers (default all).
 * crocetta's caller-ID cache keeps a caller from its second request on (src/callerid/identify-caller.ts): with 1,000
 * at 100 calls/s (a 300-call warm-up, 10-s rounds, the injection file read from its top by each sipp) each crocetta
 * parses every caller ID of the first round and 70% of the second's (first and second sights); with 100 every caller
 * has come three times in the warm-up and every timed call is a repeat caller answered from the cache, as a nuisance
 * line's callers are. The bare app's Set does not care.
 * --warmup-calls N --warmup-rate R: each application's warm-up, refusals then proxied calls, N of each at R a second
 * (default 3 s at --rate: 300 of each at 100/s); with announce or refusal-under-announce among the workloads, then
 * also as many refusals while ~200 announcements play (the media path and the RTP thread's code; without it the first
 * timed refusal-under-announce round was each crocetta's highest in sessions 43–45's end runs: +0.84/+1.77/+1.23 ms
 * over bare against ≤ +0.54 for the others). V8 optimizes a function once it has run enough (calls, not time);
 * in process (bench/sip-handler.ts, 4 Dec 2026) crocetta's first 10-s rounds at 100/s after 200 warm-up calls took
 * 150–220 µs to the answer (p50) against 78–101 after 20,000 at 2,000/s: the first rounds then measure the JIT's
 * warm-up, which a service running for days is past.
 * --no-cdrs: every drachtio-server with `<cdrs>false</cdrs>` (the default is true, as config/drachtio.conf.xml):
 * what crocetta's `cdr:stop` route costs both processes per call (only crocetta routes CDRs).
 * Ladder (--ladder): for refusal and proxied (those of --workloads), the highest call rate each application sustains for --ladder-seconds
 * with no failed call (every call completes as the scenario expects, sipp keeps the rate), by steps then bisection.
 * --ladder-at 600,650: only those steps (no climbing, no bisection), the applications in turn at each rate: an A/B at
 * the ceiling. A failed step prints what sipp's error file says, its lines counted by kind. The summary gives each
 * application's highest step held and the lowest it failed above it (`1,250 calls/s (1,300 failed)`, `below 1,300 (no
 * step held)`, `1,500 calls/s or more`), and its ratio to the bare app's only as far as both bound it (`below 87% of
 * bare`; bench/ladder-text.ts).
 * --ladder-warmup S (default 3; 0: none) [--ladder-warmup-share 0.5]: before every try of every application, S seconds
 * of the step's workload at that share of its rate, then 1.5 s idle, uncounted; the header says which. In the ladder
 * an application sits idle for minutes while the others take their steps, then is sent the full rate at once: on 5 Dec
 * 2026 (session 33, no lead-in) crocetta's first second after 2 minutes idle cost it 778–867 µs a call with ~8 minor
 * page faults a call (V8 had given back the heap it grew), against 333 µs and none right after its own step; a service
 * in use is not idle for minutes before its busy hour. With the lead-in (session 34) the first second's faults fell to
 * 0.3–4.0 a call. With a lead-in the ladder measures the rate held; `--ladder-warmup 0` measures the cold start too.
 * A failed step runs again up to --ladder-retries times (default 1; 0 for the single try of sessions ≤ 17) and counts as
 * sustained when a try passes: on 4 Dec the bare app failed its very first step (800 proxied calls/s) once, which
 * decided its whole ladder (780) while crocetta sustained 1,200; both tries are printed.
 * --ladder-pause apps (the default) | all | none: while one application takes a try (its lead-in included), every
 * other application and, with `all`, its drachtio-server too is stopped (SIGSTOP) and continued (SIGCONT) before its
 * own next try, then checked: running, its drachtio-server's admin connection established, crocetta's /readyz 200
 * (the ladder stops otherwise). The PBX sipp is shared and runs. The drachtio-servers run by default: idle, each took
 * 0.1–0.2% of a core during another's try at 900 proxied calls/s (session 36), nothing to gain by stopping them. Sessions 34–35 found idle crocetta's after-work (V8's
 * memory reducer, ~40–50% of a core for a second or two, 20–80 s after its own try) inside the bare app's tries: with
 * the pause each application pays for its own after-work in its own time. Every stopped process is continued when the
 * ladder ends, fails or is interrupted (bench/ladder-pause.ts; only a SIGKILL of the bench leaves them stopped). Each
 * try prints what the other applications and drachtio-servers used during it (% of a core; 0 when stopped).
 * --ladder-tries N [--ladder-holds K] (with --ladder-at; default K a majority, ⌊N/2⌋ + 1): a ladder whose outcome is a
 * ratio despite try-to-try noise. N rounds, each round every rate of --ladder-at in turn and at each rate every
 * application once (the order reversed at every other try), every try counted and none tried again; an application
 * holds a rate when ≥ K of its N tries there held, its figure is the highest rate it holds, and the ratio is
 * crocetta's figure over the bare app's, with a verdict against 95% (issue 12; a figure at the highest rate tried is a
 * bound, and so is the ratio then). Printed: held/tried per rate and application, the figures, the ratio.
 * Each step also prints the caller sipp's CPU per call and its share of a core (sipp is one thread).
 * CPU per call (refusal and proxied rounds, every ladder step; refusal-under-announce over its refusals' seconds, per
 * refusal, the announcements' work and their RTP thread included): the CPU time (user + system, every thread; the main
 * thread's share beside it, /proc/<pid>/task/<pid>/stat) the application's process and its drachtio-server's used
 * during the run, from /proc/<pid>/stat, divided by the calls sent: what each call costs the two cores that sipp, drachtio-server and the application share;
 * beside the main thread's CPU, its wakeups a call (voluntary context switches: each socket read, timer or thread-pool
 * completion the event loop woke for, periodic ones included: at 100 calls/s a 10-ms timer is one a call). E.g. at a fixed
 * high rate: `--workloads refusal --variant none --rounds 1 --rate 1000 --seconds 10`.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parse as parseYaml, stringify as yamlText } from 'yaml';
import { builtInRecording } from '../src/media/catalog.js';
import { RTP_THREAD_NICE, RTP_THREAD_REALTIME } from '../src/media/rtp-thread.js';
import { openRegister } from '../src/store/index.js';
import { Connection } from '../src/store/sqlite/connection.js';
import { MARKED_AT, seedMarkedNumbers } from './seed-marks.js';
import { countArg, numberArg, textArg } from './args.js';
import {
  ceilingText,
  ladderHeader,
  ladderLeadIn,
  ratioText,
  triesRatioText,
  triesText,
  withStep,
  withTry,
  type LadderBounds,
  type RateTries,
} from './ladder-text.js';
import { Pauses, pauseMode, resumeOnExit } from './ladder-pause.js';
import { msText, pairRounds, pairedText, roundOrder } from './sip-rounds.js';
import { baselineTimed, pacingOf, rtpTimed, startMachineBaseline, type Pacing } from './rtp-timing.js';
import { killAll, killAllOnExit, track } from './tracked-children.js';
import { WireCapture, type WirePacket } from './wire-capture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SIPP_DIR = join(ROOT, 'bench', 'sipp');
const DID = '+390612345678';
const SECRET = 'bench-secret';
const PTIME = 20;
/** Marked numbers the refusal workload calls from (the first of the marked set; REFUSE_SET below). */
const REFUSE_SET_SIZE = 1000;

// ---------------------------------------------------------------------------------------------- arguments
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm run bench:sip -- [--workloads refusal,proxied,announce,refusal-under-announce] [--rounds 3]
  [--rate 100] [--seconds 10] [--variant 'name:yaml overlay'] [--ladder] [--ladder-seconds 30] [--ports 31000]
  [--marks 10000] [--cpu-prof DIR [--cpu-prof-interval µs]] [--keep] [--no-rounds] [--ladder-apps a,b]
  [--kamailio [--kamailio-marks 1000000]] [--wire-split] [--timeline DIR] [--no-cdrs] [--ladder-retries 1]
  [--ladder-at 600,650] [--node-flags 'name:--flag … NAME=value …'] [--refusal-callers 1000] [--warmup-calls N]
  [--warmup-rate R] [--proxied-callers N] [--ratio-target 1.10] [--diff-target-ms 0.5] [--ladder-warmup 3
  [--ladder-warmup-share 0.5]] [--ladder-pause apps|all|none] [--ladder-tries N [--ladder-holds K]]
Needs drachtio (drachtio-server) and sipp on PATH; what each option does is written at the top of bench/sip.ts.`);
  process.exit(0);
}
function argAll(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1] as string);
  });
  return out;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Compared with the defaults unless --variant names others: the answer does not wait for the attempt's commit. */
const DEFAULT_VARIANT = 'answer-first:{store: {durableBeforeAnswer: false}}';

type Workload = 'refusal' | 'proxied' | 'announce' | 'refusal-under-announce';
const WORKLOADS: readonly Workload[] = ['refusal', 'proxied', 'announce', 'refusal-under-announce'];

const opts = {
  workloads: (textArg('workloads') ?? WORKLOADS.join(',')).split(',').map((w) => w.trim()) as Workload[],
  rounds: numberArg('rounds', 3),
  rate: numberArg('rate', 100),
  seconds: numberArg('seconds', 10),
  ladder: flag('ladder'),
  ladderSeconds: numberArg('ladder-seconds', 30),
  ladderFrom: numberArg('ladder-from', 250),
  ladderStep: numberArg('ladder-step', 250),
  ladderResolution: numberArg('ladder-resolution', 50),
  ladderRetries: countArg('ladder-retries', 1),
  /** --ladder-warmup S: before every ladder try, S seconds at --ladder-warmup-share of the try's rate (ladder-text.ts). */
  ladderLeadIn: ladderLeadIn(),
  /** --ladder-at 600,650: only these steps, no climbing nor bisection, the applications alternating at each rate. */
  ladderAt: textArg('ladder-at')
    ?.split(',')
    .map(Number)
    .filter((r) => Number.isFinite(r) && r > 0),
  /** --ladder-tries N (with --ladder-at): N rounds of the rates, every try counted, none tried again (see the top). */
  ladderTries: Math.max(1, countArg('ladder-tries', 1)),
  /** --ladder-holds K: a rate is held when ≥ K of its N tries held (default: a majority, ⌊N/2⌋ + 1). */
  ladderHolds: 0,
  /** --ladder-pause none|apps|all: what is stopped while another application tries (bench/ladder-pause.ts). */
  ladderPause: pauseMode(textArg('ladder-pause'), 'apps'),
  base: numberArg('ports', 31000),
  marks: numberArg('marks', 10_000),
  announcements: numberArg('announcements', 200),
  cpuProf: textArg('cpu-prof'),
  /** Sampling interval of --cpu-prof in µs (node's default 1000 sees little of a call at 100 calls/s). */
  cpuProfInterval: numberArg('cpu-prof-interval', 1000),
  keep: flag('keep'),
  variants: argAll('variant').length > 0 ? argAll('variant').filter((v) => v !== 'none') : [DEFAULT_VARIANT],
  kamailio: flag('kamailio'),
  kamailioMarks: numberArg('kamailio-marks', 1_000_000),
  /** Applications in the ladder (all when absent), e.g. --ladder-apps bare,crocetta. */
  ladderApps: textArg('ladder-apps')?.split(','),
  /** Skip the latency rounds (ladder only). */
  noRounds: flag('no-rounds'),
  /** Time inside each application at the wire, from its drachtio-server's admin socket (refusal, proxied). */
  wireSplit: flag('wire-split'),
  /** Stage timestamps inside each application (bench/sip-timeline.cjs): a JSON summary per application in DIR. */
  timeline: textArg('timeline'),
  /**
   * drachtio-servers without CDRs (`<cdrs>false</cdrs>`): what crocetta's `cdr:stop` route costs per call (crocetta
   * then learns no talk time and no caller's CANCEL while the PBX rings; the bare app routes no CDR either way).
   */
  cdrs: !flag('no-cdrs'),
  /** One more crocetta per entry, 'name:FLAGS': node flags and NAME=value environment instead of the start script's. */
  nodeFlags: argAll('node-flags'),
  /** Node flags for the bare app (plain node when absent). */
  bareFlags: (textArg('bare-flags') ?? '').split(/\s+/).filter((t) => t !== ''),
  /** Each application's warm-up, per workload (refusal, then proxied): calls and their rate (3 s at --rate). */
  warmupCalls: 0,
  warmupRate: 0,
  /** The rounds paired (bench/sip-rounds.ts): verdicts on the p50 ratio, and on the p50 difference (µs), to the bare app. */
  ratioTarget: numberArg('ratio-target', 1.1),
  diffTargetUs: numberArg('diff-target-ms', 0.5) * 1000,
  /** The refusals cycle over the first N numbers of the refuse set (see --refusal-callers at the top). */
  refusalCallers: Math.min(REFUSE_SET_SIZE, Math.floor(numberArg('refusal-callers', REFUSE_SET_SIZE))),
  /** The proxied calls cycle over N unknown numbers (see --proxied-callers at the top); Infinity: each call a new one. */
  proxiedCallers: Math.floor(numberArg('proxied-callers', Infinity)),
};
opts.warmupRate = numberArg('warmup-rate', opts.rate);
opts.ladderHolds = Math.min(opts.ladderTries, countArg('ladder-holds', Math.floor(opts.ladderTries / 2) + 1));
opts.warmupCalls = Math.round(numberArg('warmup-calls', opts.rate * 3));
for (const w of opts.workloads)
  if (!WORKLOADS.includes(w)) throw new Error(`--workloads: unknown ${w} (${WORKLOADS.join(', ')})`);

/** A --variant's 'name:yaml' by its name; answer-first is known even when `--variant none` leaves it out of the runs. */
function variantNamed(name: string): string | undefined {
  return [...opts.variants, DEFAULT_VARIANT].find((x) => x.startsWith(`${name}:`));
}
// 'name@variant:…' checked before anything starts, not after the applications are up.
for (const v of opts.nodeFlags) {
  const variant = v.slice(0, Math.max(0, v.indexOf(':'))).split('@')[1];
  if (variant !== undefined && variantNamed(variant) === undefined)
    throw new Error(`--node-flags ${v}: no --variant named ${variant}`);
}

/** node flags and environment for --timeline (bench/sip-timeline.cjs) in application `name`. */
function timelineArgs(name: string): { execArgv: string[]; env: Record<string, string> } {
  if (opts.timeline === undefined) return { execArgv: [], env: {} };
  mkdirSync(resolve(opts.timeline), { recursive: true });
  return {
    execArgv: ['--require', join(ROOT, 'bench', 'sip-timeline.cjs')],
    env: { SIP_TIMELINE_FILE: resolve(opts.timeline, `${name}.json`) },
  };
}

/** node flags for a CPU profile of application `name` under the --cpu-prof directory. */
function cpuProfArgs(name: string): string[] {
  return [
    '--cpu-prof',
    '--cpu-prof-dir',
    resolve(opts.cpuProf ?? '.', name),
    '--cpu-prof-interval',
    String(opts.cpuProfInterval),
  ];
}

/** How a crocetta process runs: node flags before its script, and environment on top of the bench's. */
interface NodeRun {
  execArgv: string[];
  env: Record<string, string>;
  /** The script run: dist/src/main.js (this tree's), or another tree's compiled main.js (a code A/B). */
  script: string;
}
/** 'FLAGS' of --node-flags: NAME=value tokens are environment, a path ending in .js the script, the rest node flags. */
function nodeRunOf(text: string): NodeRun {
  const run: NodeRun = { execArgv: [], env: {}, script: 'dist/src/main.js' };
  for (const t of text.split(/\s+/).filter((x) => x !== '')) {
    const env = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(t);
    if (env) run.env[env[1] as string] = env[2] as string;
    else if (t.startsWith('-')) run.execArgv.push(t);
    else if (t.endsWith('.js')) run.script = resolve(t);
    else throw new Error(`--node-flags: ${t} is neither a node flag (-…), NAME=value nor a script (….js)`);
  }
  return run;
}
/**
 * crocetta as `npm start` runs it: the node flags of package.json's "start" (`… && exec node FLAGS dist/src/main.js`).
 * A start script of another shape stops the bench rather than measure something else.
 */
function startScriptRun(): NodeRun {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start ?? '';
  const m = /(?:^|&&\s*)exec node((?:\s+-[^\s]+)*)\s+dist\/src\/main\.js$/.exec(start);
  if (!m) throw new Error(`package.json "start" is not \`… exec node [flags] dist/src/main.js\`: ${start}`);
  return nodeRunOf(m[1] ?? '');
}
const nodeRunText = (r: NodeRun): string =>
  [...Object.entries(r.env).map(([k, v]) => `${k}=${v}`), 'node', ...r.execArgv, r.script].join(' ');

// ---------------------------------------------------------------------------------------------- tools
function missingTools(): string[] {
  const missing: string[] = [];
  if (spawnSync('drachtio', ['--version'], { stdio: 'ignore' }).error)
    missing.push('drachtio (drachtio-server, built from source: it is in no registry)');
  if (spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error) missing.push('sipp (Debian: apt-get install sip-tester)');
  if (opts.kamailio && spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).error)
    missing.push('kamailio (Debian: apt-get install kamailio), for --kamailio');
  return missing;
}

// ---------------------------------------------------------------------------------------------- processes
killAllOnExit();
/** The processes the ladder stopped (--ladder-pause): continued however the bench ends (bench/ladder-pause.ts). */
/** A process's state letter (/proc/<pid>/stat; 'T': stopped by a signal), undefined when it is gone. */
function procState(pid: number): string | undefined {
  try {
    return procStat(`/proc/${pid}/stat`).fields[0];
  } catch {
    return undefined;
  }
}
const pauses = new Pauses({ signal: (pid, signal) => process.kill(pid, signal), state: procState });
resumeOnExit(pauses);
async function stop(child: ChildProcess | null | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((ok) => child.once('exit', ok));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

const debug = process.env.BENCH_DEBUG
  ? (msg: string): void => console.error(`[debug ${new Date().toISOString()}] ${msg}`)
  : (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** The host's cores: the host's CPU share in a ladder try's per-second read is of 100 × CORES %. */
const CORES = cpus().length;
/**
 * A /proc/<pid>/stat (or a thread's) line read: the command name (between the first '(' and the last ')': it may hold
 * spaces and parentheses) and the fields after it (`fields[0]` is field 3, state; minflt 10 is `fields[7]`, utime 14
 * and stime 15 `fields[11]` and `fields[12]`, starttime 22 `fields[19]`). Throws when the process or thread is gone.
 */
function procStat(path: string): { comm: string; fields: string[] } {
  const stat = readFileSync(path, 'utf8');
  const end = stat.lastIndexOf(')');
  return { comm: stat.slice(stat.indexOf('(') + 1, end), fields: stat.slice(end + 2).split(' ') };
}
/**
 * CPU time (user + system) a process has used so far, in µs: every thread (SQLite's and libuv's pools included), or
 * with `mainThread` its main thread's only (/proc/<pid>/task/<pid>/stat: the JavaScript a --cpu-prof profile sees).
 */
function cpuUs(pid: number | undefined, mainThread = false): number {
  if (pid === undefined) return NaN;
  try {
    const { fields } = procStat(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`);
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
  } catch {
    return NaN;
  }
}
/**
 * A process's CPU time, read every 100 ms while it runs (its /proc entry goes with it, so what it spent after the
 * last read, at most 100 ms of its run, is not counted); `stop()` gives the µs from the first read to the last.
 */
function lastCpuOf(pid: number | undefined): { stop(): number } {
  const first = cpuUs(pid);
  let last = first;
  const timer = setInterval(() => {
    const now = cpuUs(pid);
    if (!Number.isNaN(now)) last = now;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return last - first;
    },
  };
}
/**
 * CPU time so far of each thread of a process, µs by thread id, with each thread's start (clock ticks after the
 * process's own): node names every thread "node", so a thread is told by when it started (V8's platform workers
 * start with the process; libuv's pool threads at the first file, DNS or SQLite work; worker threads when started).
 */
function threadsUs(pid: number | undefined): Map<number, { us: number; start: number }> {
  const out = new Map<number, { us: number; start: number }>();
  if (pid === undefined) return out;
  try {
    const start0 = Number(procStat(`/proc/${pid}/stat`).fields[19]);
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = procStat(`/proc/${pid}/task/${tid}/stat`).fields;
        out.set(Number(tid), { us: ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK, start: Number(f[19]) - start0 });
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return out;
}
/**
 * Times a process's main thread went to sleep and was woken (voluntary_ctxt_switches of /proc/<pid>/task/<pid>/status):
 * each wakeup of its event loop (a socket read, a timer, a thread-pool completion) costs CPU of its own, more on an idle
 * machine, where it also finds the caches cold. NaN: gone.
 */
function wakeupsOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
    return Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}
/** CPU per call of an application and of its drachtio-server over a run: µs of CPU time divided by the calls. */
interface CpuPerCall {
  appUs: number;
  /** Of appUs, the application's main thread (the rest: SQLite's and libuv's pools, V8's helpers, the RTP worker). */
  appMainUs: number;
  /**
   * The app's main thread's wakeups a call (wakeupsOf). Session 24: 2.0 for the bare app at 100 refusals/s (the
   * INVITE, drachtio-server's echo of the answer), 3.9–4.2 for crocetta (also the cdr:stop, the 1-ms after-answer
   * timer, the commit's and the log's thread-pool completions, and prom-client's event-loop monitor: a 10-ms timer,
   * 100 wakeups a second even when idle); at 1,000 proxied calls/s 0.94 against 2.78. Session 25 replaced that monitor
   * (crocetta_eventloop_delay_seconds, 10 a second): crocetta 3.3–3.5 a refusal.
   */
  appWakeups: number;
  drachtioUs: number;
  calls: number;
  /** The app's other threads that used CPU in the run: "tid−pid@start ticks: µs per call", busiest first. */
  threads: string;
  /** The app's resident memory at the end of the run and its peak since it started (VmRSS, VmHWM), MB. */
  rssMb: number;
  peakRssMb: number;
}
/** VmRSS and VmHWM of a process, MB (NaN: gone). */
function rssOf(pid: number | undefined): { rssMb: number; peakRssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, peakRssMb: NaN };
  }
}
function cpuMeter(app: App): (calls: number) => CpuPerCall {
  const a0 = cpuUs(app.process.pid);
  const m0 = cpuUs(app.process.pid, true);
  const w0 = wakeupsOf(app.process.pid);
  const d0 = cpuUs(app.drachtio?.pid);
  const t0 = threadsUs(app.process.pid);
  return (calls) => {
    const pid = app.process.pid ?? 0;
    const threads = [...threadsUs(app.process.pid)]
      .filter(([tid]) => tid !== pid)
      .map(([tid, t]) => ({ tid, start: t.start, us: (t.us - (t0.get(tid)?.us ?? 0)) / calls }))
      .filter((t) => t.us >= 0.05)
      .sort((a, b) => b.us - a.us)
      .map((t) => `+${t.tid - pid}@${t.start}: ${t.us.toFixed(1)}`)
      .join(', ');
    return {
      appUs: (cpuUs(app.process.pid) - a0) / calls,
      appMainUs: (cpuUs(app.process.pid, true) - m0) / calls,
      appWakeups: (wakeupsOf(app.process.pid) - w0) / calls,
      drachtioUs: (cpuUs(app.drachtio?.pid) - d0) / calls,
      calls,
      threads,
      ...rssOf(app.process.pid),
    };
  };
}
const cpuText = (c: CpuPerCall): string =>
  `CPU per call: app ${c.appUs.toFixed(0)} µs (main thread ${Number.isNaN(c.appMainUs) ? '-' : c.appMainUs.toFixed(0)}, ${Number.isNaN(c.appWakeups) ? '-' : c.appWakeups.toFixed(2)} wakeups), its drachtio-server ${Number.isNaN(c.drachtioUs) ? '-' : c.drachtioUs.toFixed(0)} µs` +
  `; RSS ${c.rssMb.toFixed(0)} MB (peak ${c.peakRssMb.toFixed(0)})` +
  (c.threads === '' ? '' : `; other threads (tid−pid@start tick: µs) ${c.threads}`);

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready within ${ms} ms`);
}

/** Environment without DRACHTIO_* (drachtio-server reads them and they override its file). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_') && !k.startsWith('CROCETTA_')),
  );
}

// ---------------------------------------------------------------------------------------------- layout
interface Ports {
  admin: number;
  sip: number;
  panel: number;
  rtp: string;
}
/**
 * Port block: base+0..99 drachtio-servers and panels, +100..199 sipp and the RTP sink, +200..999 RTP. The applications
 * share the RTP range: one application at a time plays announcements (rounds are sequential), every port is bound only
 * while its announcement plays, and both skip a port someone else holds. crocetta takes even ports only (400 here),
 * so each application can play the 200 announcements of the workloads; a range per application (250 ports, 125 even)
 * refused every announcement beyond the 125th with a plain 607 ("no-port" in crocetta's log), the "missing 183s".
 */
function appPorts(index: number): Ports {
  const b = opts.base;
  if (index > 9) throw new Error('at most 10 applications (the bare app, crocetta, --variant and --node-flags ones)');
  return {
    admin: b + 1 + index * 10,
    sip: b + 2 + index * 10,
    panel: b + 3 + index * 10,
    rtp: `${b + 200}-${b + 999}`,
  };
}
const PBX_PORT = opts.base + 100;
/** sipp binds its media port and the three above it (RTP, RTCP, video RTP and RTCP). */
const PBX_MEDIA_PORT = opts.base + 184;
const SINK_PORT = opts.base + 104;
/**
 * RTP packets that reached the callers' sink (refusal-under-announce: checked against the capture's count): the sink
 * never reads, so after its receive buffer filled every packet is one the kernel dropped there (/proc/net/udp).
 */
const sinkPackets = (): number => udpDrops().get(SINK_PORT) ?? 0;

/**
 * The callers' RTP endpoint for announcements: a socket bound (so no ICMP errors go back to the senders) in a worker
 * thread that never reads it: the thread blocks in Atomics.wait until `close`. The kernel queues what arrives up to
 * the socket's receive buffer, then drops each packet on arrival. Until session 39 this process's main thread read
 * them, ~10,000 packets a second with 200 announcements playing: 10–25% of a core in every application's round
 * (session 39), and wake-ups of that reader, some paid by the senders: the bare app's main thread (its player sends
 * each stream on a timer of its own) used 2,600–3,050 µs a refusal with it and 2,050–2,700 without; crocetta's RTP
 * worker (its streams sent together on a grid) 1,225–2,200 with and 1,275–2,075 without, no change beyond its spread
 * (6 Dec 2026, session 40, docs/measurements.md). No office has that load: an announcement's RTP leaves the host for
 * the carrier, and nothing on the host reads it. The senders' own work (the packet built, sent, and carried on loopback
 * up to the socket) is the same, and dumpcap captures each packet as it is sent, whoever reads it.
 */
async function startSink(): Promise<{ close: () => Promise<void> }> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const socket = require('node:dgram').createSocket('udp4');
    socket.once('error', (err) => parentPort.postMessage({ error: String(err) }));
    socket.bind(workerData.port, '127.0.0.1', () => {
      parentPort.postMessage({ bound: true });
      Atomics.wait(new Int32Array(workerData.stop), 0, 0);
      socket.close();
    });`;
  const worker = new Worker(code, { eval: true, workerData: { port: SINK_PORT, stop: stop.buffer } });
  await new Promise<void>((ok, fail) => {
    worker.once('message', (m: { bound?: true; error?: string }) =>
      m.bound ? ok() : fail(new Error(`the RTP sink: ${m.error ?? 'not bound'}`)),
    );
    worker.once('error', fail);
  });
  return {
    close: async () => {
      Atomics.store(stop, 0, 1);
      Atomics.notify(stop, 0);
      await worker.terminate();
    },
  };
}
/**
 * sipp UACs: concurrent runs use different slots (own media port), and each run a new SIP port, so that late
 * retransmissions meant for a finished run never reach the next one.
 */
let runs = 0;
function uacPorts(slot: number): { sip: number; media: number } {
  runs++;
  return { sip: opts.base + 110 + slot * 20 + (runs % 18), media: opts.base + 170 + slot * 4 };
}

// ---------------------------------------------------------------------------------------------- drachtio-server
async function startDrachtio(dir: string, name: string, p: Ports): Promise<ChildProcess> {
  const conf = join(dir, `drachtio-${name}.conf.xml`);
  writeFileSync(
    conf,
    `<drachtio>
  <admin port="${p.admin}" secret="${SECRET}">127.0.0.1</admin>
  <cdrs>${opts.cdrs}</cdrs>
  <sip><contacts><contact>sip:127.0.0.1:${p.sip};transport=udp</contact></contacts></sip>
  <logging>
    <file><name>${join(dir, `drachtio-${name}.log`)}</name><archive>${dir}</archive><size>50</size><maxFiles>1</maxFiles><auto-flush>false</auto-flush></file>
    <sofia-loglevel>0</sofia-loglevel>
    <loglevel>notice</loglevel>
  </logging>
</drachtio>
`,
  );
  const child = track(spawn('drachtio', ['-f', conf], { env: cleanEnv(), stdio: 'ignore' }));
  await waitFor(`drachtio-server ${name}`, () => {
    const ss = spawnSync('ss', ['-ltn', `sport = :${p.admin}`], { encoding: 'utf8' });
    return ss.stdout.includes(`:${p.admin}`);
  });
  return child;
}

// ---------------------------------------------------------------------------------------------- numbers
const refuseNumber = (i: number): string => `+3902100${String(i).padStart(5, '0')}`;
const announceNumber = (i: number): string => `+3902190${String(i).padStart(5, '0')}`;
const unknownNumber = (i: number): string => `+39333${String(i).padStart(7, '0')}`;
const REFUSE_SET = REFUSE_SET_SIZE;
const ANNOUNCE_SET = 400;

/** A register with `opts.marks` marked numbers: the refuse set among them, the announce set with its category. */
async function seedRegister(file: string): Promise<void> {
  await (await openRegister({ file, lookbackDays: 30 })).close();
  const db = await Connection.open(file);
  const t = MARKED_AT;
  await seedMarkedNumbers(db, Math.max(opts.marks, REFUSE_SET));
  await db.run(
    `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
     INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
     SELECT '+3902190' || substr('00000' || i, -5), 'nuisance', ?, 'Announced', 'bench-announce', ? FROM c`,
    [ANNOUNCE_SET - 1, t, t],
  );
  await db.close();
}

/** sipp injection file: caller;DID[;rtp address;rtp port]. */
function injection(dir: string, name: string, callers: string[], rtp = false): string {
  const file = join(dir, `${name}.csv`);
  const rows = callers.map((c) => (rtp ? `${c};${DID};127.0.0.1;${SINK_PORT}` : `${c};${DID}`));
  writeFileSync(file, `SEQUENTIAL\n${rows.join('\n')}\n`);
  return file;
}

// ---------------------------------------------------------------------------------------------- applications
interface App {
  name: string;
  ports: Ports;
  drachtio: ChildProcess | null;
  process: ChildProcess;
  /** The workloads it takes part in (Kamailio refuses, it does not screen); all when absent. */
  only?: readonly Workload[];
  /** crocetta's readiness (its panel's /readyz: 200 once connected to its drachtio-server), checked after a pause. */
  readyz?: string;
}
const takes = (app: App, w: Workload): boolean => app.only === undefined || app.only.includes(w);

async function startCrocetta(
  dir: string,
  name: string,
  index: number,
  overlay: Record<string, unknown>,
  announceSeconds: number,
  node: NodeRun,
): Promise<App> {
  const ports = appPorts(index);
  const drachtio = await startDrachtio(dir, name, ports);
  const db = join(dir, `${name}.sqlite`);
  await seedRegister(db);
  const config = deepMerge(
    {
      actions: { nuisance: 'reject', byCategory: { 'bench-announce': 'announce-early' } },
      announcements: {
        language: 'it',
        repeat: 1,
        maxSeconds: Math.ceil(announceSeconds) + 5,
        maxConcurrent: opts.announcements + 100,
      },
      media: { address: '127.0.0.1', bindAddress: '127.0.0.1' },
    },
    overlay,
  );
  const configFile = join(dir, `${name}.yaml`);
  writeFileSync(configFile, yamlText(config));
  const timeline = timelineArgs(name);
  const execArgv = [...node.execArgv, ...(opts.cpuProf ? cpuProfArgs(name) : []), ...timeline.execArgv];
  const out = openSync(join(dir, `${name}.log`), 'w');
  const child = track(
    spawn(process.execPath, [...execArgv, node.script], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        ...node.env,
        ...timeline.env,
        CROCETTA_CONFIG: configFile,
        CROCETTA_DB: db,
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(ports.admin),
        DRACHTIO_SECRET: SECRET,
        PBX_URI: `sip:127.0.0.1:${PBX_PORT}`,
        PANEL_HOST: '127.0.0.1',
        PANEL_PORT: String(ports.panel),
        CROCETTA_API_TOKEN: 'bench-token-0123456789',
        ADMIN_PASSWORD: 'bench-password-0123456789',
        RTP_PORTS: ports.rtp,
        MEDIA_ADDRESS: '127.0.0.1',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', out, out],
    }),
  );
  await waitFor(
    `crocetta ${name}`,
    async () => {
      if (child.exitCode !== null)
        throw new Error(`crocetta ${name} exited (${child.exitCode}); see ${join(dir, `${name}.log`)}`);
      try {
        return (await fetch(`http://127.0.0.1:${ports.panel}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
  );
  return { name, ports, drachtio, process: child, readyz: `http://127.0.0.1:${ports.panel}/readyz` };
}

async function startBare(dir: string, index: number, announceSeconds: number): Promise<App> {
  const ports = appPorts(index);
  const drachtio = await startDrachtio(dir, 'bare', ports);
  const refuse = join(dir, 'bare-refuse.txt');
  const announce = join(dir, 'bare-announce.txt');
  writeFileSync(refuse, Array.from({ length: Math.max(opts.marks, REFUSE_SET) }, (_, i) => refuseNumber(i)).join('\n'));
  writeFileSync(announce, Array.from({ length: ANNOUNCE_SET }, (_, i) => announceNumber(i)).join('\n'));
  const out = openSync(join(dir, 'bare.log'), 'w');
  const timeline = timelineArgs('bare');
  const child = track(
    fork(join(ROOT, 'bench', 'bare-app.ts'), [], {
      cwd: ROOT,
      execArgv: [
        ...opts.bareFlags,
        '--import',
        'tsx',
        ...(opts.cpuProf ? cpuProfArgs('bare') : []),
        ...timeline.execArgv,
      ],
      env: {
        ...cleanEnv(),
        ...timeline.env,
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(ports.admin),
        DRACHTIO_SECRET: SECRET,
        PBX_URI: `sip:127.0.0.1:${PBX_PORT}`,
        REFUSE_FILE: refuse,
        ANNOUNCE_FILE: announce,
        MEDIA_ADDRESS: '127.0.0.1',
        RTP_PORTS: ports.rtp,
        ANNOUNCE_MS: String(Math.round(announceSeconds * 1000)),
      },
      stdio: ['ignore', out, out, 'ipc'],
    }),
  );
  await new Promise<void>((ok, fail) => {
    child.once('message', () => ok());
    child.once('exit', (code) => fail(new Error(`bare app exited (${code}); see ${join(dir, 'bare.log')}`)));
  });
  return { name: 'bare', ports, drachtio, process: child };
}

/**
 * --kamailio: Kamailio with the recipe's own docs/pbx/kamailio-front.cfg and a hash table of --kamailio-marks numbers
 * (db_text, as `crocetta export --format kamailio-htable` writes it), the refuse set among them. It takes part in the
 * refusal workload and its ladder only: the first filter's own rate, for docs/scaling.md.
 */
async function startKamailio(dir: string): Promise<App> {
  const port = opts.base + 50;
  const db = join(dir, 'kamailio-db');
  mkdirSync(db, { recursive: true });
  writeFileSync(join(db, 'version'), 'table_name(str) table_version(int)\nhtable:2\n');
  const rows = ['key_name(str) key_type(int) value_type(int) key_value(str) expires(int)'];
  for (let i = 0; i < REFUSE_SET; i++) rows.push(`${refuseNumber(i)}:0:0:Company ${i % 50}:0`);
  for (let i = REFUSE_SET; i < opts.kamailioMarks; i++)
    rows.push(`+39031${String(i).padStart(7, '0')}:0:0:Company ${i % 50}:0`);
  writeFileSync(join(db, 'crocetta_nuisance'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'crocetta.list'), `1 sip:127.0.0.1:${PBX_PORT}\n`);
  mkdirSync(join(dir, 'kamailio-run'), { recursive: true });
  const out = openSync(join(dir, 'kamailio.log'), 'w');
  const child = track(
    spawn(
      'kamailio',
      [
        '-DD',
        '-E',
        '-f',
        join(ROOT, 'docs', 'pbx', 'kamailio-front.cfg'),
        '-Y',
        join(dir, 'kamailio-run'),
        '-A',
        `LISTEN=udp:127.0.0.1:${port}`,
        '-A',
        `DBTEXT_URL="text://${db}"`,
        '-A',
        `DISPATCHER_LIST="${join(dir, 'crocetta.list')}"`,
        '-A',
        `CTL_SOCKET="unix:${join(dir, 'kamailio-run', 'ctl')}"`,
        '-A',
        `MAX_ROWS=${opts.kamailioMarks + 10}`,
        '-M',
        '1024',
        '-m',
        '4096',
        '-x',
        'fm',
      ],
      { stdio: ['ignore', out, out] },
    ),
  );
  const started = Date.now();
  // Ready when it answers an OPTIONS: the table is loaded by then.
  const probe = dgram.createSocket('udp4');
  let answered = false;
  probe.on('message', (m) => (answered ||= m.toString().startsWith('SIP/2.0 200')));
  await new Promise<void>((ok) => probe.bind(0, '127.0.0.1', () => ok()));
  try {
    let i = 0;
    await waitFor(
      'kamailio (loading its hash table)',
      () => {
        if (child.exitCode !== null)
          throw new Error(`kamailio exited (${child.exitCode}); see ${join(dir, 'kamailio.log')}`);
        const msg = [
          `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${probe.address().port};branch=z9hG4bK-probe-${i}`,
          'Max-Forwards: 70',
          '<sip:probe@127.0.0.1>;tag=p',
          'To: <sip:127.0.0.1>',
          `Call-ID: probe-${i++}`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ]
          .join('\r\n')
          .replace('<sip:probe', 'From: <sip:probe');
        probe.send(msg, port, '127.0.0.1');
        return answered;
      },
      600_000,
    );
  } finally {
    probe.close();
  }
  console.log(
    `  kamailio: ${opts.kamailioMarks} numbers in its hash table, ready in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return {
    name: 'kamailio',
    ports: { admin: 0, sip: port, panel: 0, rtp: '' },
    drachtio: null,
    process: child,
    only: ['refusal'],
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      prev !== null &&
      typeof prev === 'object' &&
      !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- sipp
interface SippRun {
  exitCode: number;
  /** INVITE → the timed response (µs), one per call that got it. */
  latenciesUs: number[];
  calls: number;
  answered: number;
  wallMs: number;
}

interface SippOptions {
  scenario: string;
  target: Ports;
  inf: string;
  rate: number;
  calls: number;
  slot: number;
  /** Status whose arrival ends the timed part (607, 200, 183). */
  timed: number;
  trace: boolean;
  limit?: number;
  dir: string;
  label: string;
}

function startSipp(o: SippOptions): { done: Promise<SippRun>; child: ChildProcess } {
  const log = join(o.dir, `${o.label}.messages.log`);
  const local = uacPorts(o.slot);
  const args = [
    '-sf',
    join(SIPP_DIR, o.scenario),
    `127.0.0.1:${o.target.sip}`,
    '-i',
    '127.0.0.1',
    '-p',
    String(local.sip),
    '-mp',
    String(local.media),
    '-inf',
    o.inf,
    '-r',
    String(o.rate),
    '-m',
    String(o.calls),
    '-l',
    String(o.limit ?? Math.max(1000, o.rate * 4)),
    '-nostdin',
    '-timeout',
    `${Math.ceil(o.calls / o.rate) + 150}s`,
    '-timeout_error',
    '-max_recv_loops',
    '10000',
    '-max_sched_loops',
    '10000',
    ...(o.trace ? ['-trace_msg', '-message_file', log] : []),
    '-trace_err',
    '-error_file',
    join(o.dir, `${o.label}.errors.log`),
  ];
  const started = Date.now();
  const child = track(spawn('sipp', args, { stdio: 'ignore' }));
  const done = new Promise<SippRun>((ok) => {
    child.once('exit', (code) => {
      const wallMs = Date.now() - started;
      void (o.trace ? readTrace(log, o.timed) : Promise.resolve({ latenciesUs: [], calls: 0, answered: 0 })).then(
        (t) => {
          if (!opts.keep) rmSync(log, { force: true });
          ok({ exitCode: code ?? -1, wallMs, ...t });
        },
      );
    });
  });
  return { done, child };
}

/**
 * Reads sipp's message trace: per Call-ID the first INVITE sent and the first `timed` response read. Each message
 * is logged as a line of dashes with a microsecond timestamp, `UDP message sent (…)` or `UDP message received […]`,
 * a blank line, then the message itself.
 */
async function readTrace(
  file: string,
  timed: number,
): Promise<{ latenciesUs: number[]; calls: number; answered: number }> {
  const sent = new Map<string, number>();
  const got = new Map<string, number>();
  if (!existsSync(file)) return { latenciesUs: [], calls: 0, answered: 0 };
  let at = 0;
  let direction: 'sent' | 'received' | null = null;
  let state: 'idle' | 'direction' | 'start' | 'headers' = 'idle';
  let start = '';
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.startsWith('-----------------------------------------------')) {
      const m = /(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})/.exec(line);
      if (m)
        at =
          (Date.parse(`${m[1]}T00:00:00Z`) / 1000 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1e6 +
          Number(m[5]);
      state = 'direction';
      continue;
    }
    if (state === 'direction') {
      direction = line.includes('message sent') ? 'sent' : line.includes('message received') ? 'received' : null;
      state = direction === null ? 'idle' : 'start';
    } else if (state === 'start') {
      if (line.trim() === '') continue;
      start = line.trim();
      state = 'headers';
    } else if (state === 'headers' && /^\s*(Call-ID|i)\s*:/i.test(line)) {
      const id = line.slice(line.indexOf(':') + 1).trim();
      if (direction === 'sent' && start.startsWith('INVITE ') && !sent.has(id)) sent.set(id, at);
      if (direction === 'received' && start.startsWith(`SIP/2.0 ${timed} `) && !got.has(id)) got.set(id, at);
      state = 'idle';
    }
  }
  const latenciesUs: number[] = [];
  for (const [id, t0] of sent) {
    const t1 = got.get(id);
    if (t1 !== undefined) latenciesUs.push(t1 - t0);
  }
  return { latenciesUs, calls: sent.size, answered: got.size };
}

// ---------------------------------------------------------------------------------------------- figures
const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
const ms = (us: number): string => (us / 1000).toFixed(2);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};

interface RoundResult {
  app: string;
  round: number;
  /** The round's midpoint (ms since the epoch): what pairRounds interpolates the bare app's rounds at. */
  at: number;
  run: SippRun;
  p50: number;
  p99: number;
  max: number;
  /** RTP at the wire (refusal-under-announce), and the machine baseline thread measured the same way. */
  jitter?: {
    wire: Pacing;
    /** dumpcap's own count of packets it or the kernel dropped (null: it did not say). */
    dropped: number | null;
    /** Packets that reached the callers' sink during the capture (about the capture's count: it holds them all). */
    sinkRead: number;
    machine: Pacing;
    machineHigh: Pacing & { nice: number };
    /** The baseline thread in SCHED_FIFO at RTP_THREAD_REALTIME (bench/rtp-timing.ts), null: refused. */
    machineRt: Pacing & { realtime: number | null };
  };
  /** --wire-split: µs from the INVITE handed to the application to its answer, per call. */
  inAppUs?: number[];
  /** CPU time the application (and its drachtio-server) used during the round, per call sent. */
  cpu?: CpuPerCall;
}

/** A round's figures; `started`: when the round began (Date.now()), its midpoint is what pairRounds pairs it by. */
function summarize(app: string, round: number, run: SippRun, started: number): RoundResult {
  const s = [...run.latenciesUs].sort((a, b) => a - b);
  return {
    app,
    round,
    at: (started + Date.now()) / 2,
    run,
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s[s.length - 1] ?? NaN,
  };
}

function printRound(w: Workload, r: RoundResult): void {
  const failed = r.run.calls - r.run.answered;
  const j = r.jitter
    ? ` | RTP at the wire: jitter p99 ${r.jitter.wire.intervalJitterP99.toFixed(2)} ms, late p99 ${r.jitter.wire.latenessP99.toFixed(2)} ms (${r.jitter.wire.streams} streams, ${r.jitter.wire.packets} packets captured, ${r.jitter.sinkRead} reached the sink, ${r.jitter.wire.missing} missing inside streams, dumpcap dropped ${String(r.jitter.dropped)}); machine ${r.jitter.machine.intervalJitterP99.toFixed(2)} / ${r.jitter.machine.latenessP99.toFixed(2)} ms, at nice ${r.jitter.machineHigh.nice} ${r.jitter.machineHigh.intervalJitterP99.toFixed(2)} / ${r.jitter.machineHigh.latenessP99.toFixed(2)} ms, SCHED_FIFO ${String(r.jitter.machineRt.realtime)} ${r.jitter.machineRt.intervalJitterP99.toFixed(2)} / ${r.jitter.machineRt.latenessP99.toFixed(2)} ms`
    : r.inAppUs
      ? ` | in the app p50 ${inAppText(r.inAppUs)}`
      : '';
  const c = r.cpu ? ` | ${cpuText(r.cpu)}` : '';
  console.log(
    `  ${w.padEnd(23)} round ${r.round} ${r.app.padEnd(12)} ended ${new Date().toISOString().slice(11, 19)} UTC, calls ${String(r.run.calls).padStart(6)}, unanswered ${String(failed).padStart(4)}, sipp exit ${r.run.exitCode} | p50 ${ms(r.p50).padStart(7)} ms  p99 ${ms(r.p99).padStart(7)} ms  max ${ms(r.max).padStart(8)} ms${j}${c}`,
  );
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}
/** What bench/sip-timeline.cjs writes for each kind of answer. */
interface TimelineSummary {
  count: number;
  /** µs between consecutive stages, with how many INVITEs went through that transition. */
  stages: Record<string, Percentiles & { count: number }>;
  total: Percentiles | null;
}

/** p50 / p90 of --wire-split's in-app times, in ms, with their count. */
function inAppText(us: number[]): string {
  const s = [...us].sort((a, b) => a - b);
  return `${ms(quantile(s, 0.5))} / p90 ${ms(quantile(s, 0.9))} ms (${s.length} calls)`;
}

/** CPU per call over several rounds: total CPU time over total calls (RSS: the largest of the rounds). */
function pooledCpu(cpus: CpuPerCall[]): CpuPerCall | null {
  if (cpus.length === 0) return null;
  const calls = cpus.reduce((s, c) => s + c.calls, 0);
  const total = (k: 'appUs' | 'appMainUs' | 'appWakeups' | 'drachtioUs'): number =>
    cpus.reduce((s, c) => s + c[k] * c.calls, 0) / calls;
  const threads = cpus.length === 1 ? (cpus[0]?.threads ?? '') : '';
  return {
    appUs: total('appUs'),
    appMainUs: total('appMainUs'),
    appWakeups: total('appWakeups'),
    drachtioUs: total('drachtioUs'),
    calls,
    threads,
    rssMb: Math.max(...cpus.map((c) => c.rssMb)),
    peakRssMb: Math.max(...cpus.map((c) => c.peakRssMb)),
  };
}

/** Pooled figures of every round of one app: p50 and p99 of all calls together, and the median of round p50s. */
function pooled(rows: RoundResult[]): {
  p50: number;
  p99: number;
  medianRoundP50: number;
  calls: number;
  unanswered: number;
  jitterP99: number | null;
  /** Each round's jitter p99 at the wire, in order (a median of two rounds is the better one). */
  jitterRounds: number[];
  /** Medians of rounds: lateness p99 at the wire, the machine baseline's jitter and lateness p99. */
  lateP99: number | null;
  machineJitterP99: number | null;
  machineLateP99: number | null;
  machineHighJitterP99: number | null;
  machineRtJitterP99: number | null;
  inAppUs: number[] | null;
  cpu: CpuPerCall | null;
} {
  const all = rows.flatMap((r) => r.run.latenciesUs).sort((a, b) => a - b);
  const timed = rows.flatMap((r) => (r.jitter ? [r.jitter] : []));
  const med = (f: (j: NonNullable<RoundResult['jitter']>) => number): number | null =>
    timed.length > 0 ? median(timed.map(f)) : null;
  return {
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    medianRoundP50: median(rows.map((r) => r.p50)),
    calls: rows.reduce((s, r) => s + r.run.calls, 0),
    unanswered: rows.reduce((s, r) => s + r.run.calls - r.run.answered, 0),
    jitterP99: med((j) => j.wire.intervalJitterP99),
    jitterRounds: timed.map((j) => j.wire.intervalJitterP99),
    lateP99: med((j) => j.wire.latenessP99),
    machineJitterP99: med((j) => j.machine.intervalJitterP99),
    machineLateP99: med((j) => j.machine.latenessP99),
    machineHighJitterP99: med((j) => j.machineHigh.intervalJitterP99),
    machineRtJitterP99: med((j) => j.machineRt.intervalJitterP99),
    inAppUs: rows.some((r) => r.inAppUs) ? rows.flatMap((r) => r.inAppUs ?? []) : null,
    cpu: pooledCpu(rows.flatMap((r) => (r.cpu ? [r.cpu] : []))),
  };
}

// ---------------------------------------------------------------------------------------------- workloads
interface Context {
  dir: string;
  apps: App[];
  inf: { refusal: string; proxied: string; announce: string };
}

/**
 * The injection file for `calls` calls of a workload. Proxied calls come from numbers never seen before, a new
 * range for every sipp run: the same unknown caller ringing again and again would, rightly, become a burst or a
 * repeat caller in crocetta after a few runs and be refused instead of proxied.
 */
let nextUnknown = 0;
function injectionFor(ctx: Context, inf: keyof Context['inf'], calls: number, label: string): string {
  if (inf !== 'proxied') return ctx.inf[inf];
  const first = nextUnknown;
  nextUnknown += calls;
  return injection(
    ctx.dir,
    `proxied-${label}`,
    Array.from({ length: calls }, (_, i) => unknownNumber((first + i) % opts.proxiedCallers)),
  );
}

function scenarioOf(w: Workload): { scenario: string; inf: keyof Context['inf']; timed: number } {
  if (w === 'proxied') return { scenario: 'uac-proxied.xml', inf: 'proxied', timed: 200 };
  if (w === 'announce') return { scenario: 'uac-announce.xml', inf: 'announce', timed: 183 };
  return { scenario: 'uac-refusal.xml', inf: 'refusal', timed: 607 };
}

/** How long before a refusal-under-announce round's refusals its measuring (dumpcap, baseline threads) starts (ms). */
const MEASURING_LEAD_MS = 1000;

/** Background announcements on `app`: enough calls at a rate that keeps `opts.announcements` playing. */
function startAnnouncements(
  ctx: Context,
  app: App,
  seconds: number,
  announceSeconds: number,
  label: string,
): { done: Promise<SippRun>; rampMs: number } {
  const rate = Math.ceil(opts.announcements / announceSeconds) + 5;
  const rampMs = Math.ceil((opts.announcements / rate) * 1000) + 1000;
  const calls = Math.ceil(rate * (seconds + rampMs / 1000 + 2));
  const run = startSipp({
    scenario: 'uac-announce.xml',
    target: app.ports,
    inf: ctx.inf.announce,
    rate,
    calls,
    slot: 2,
    timed: 183,
    trace: true,
    limit: opts.announcements,
    dir: ctx.dir,
    label,
  });
  return { done: run.done, rampMs };
}

async function runWorkload(
  ctx: Context,
  w: Workload,
  app: App,
  round: number,
  seconds: number,
  rate: number,
  announceSeconds: number,
): Promise<RoundResult> {
  const started = Date.now();
  const label = `${w}-${app.name}-r${round}`;
  if (w === 'refusal-under-announce') {
    const bg = startAnnouncements(ctx, app, seconds, announceSeconds, `${label}-announce`);
    const bgStarted = Date.now();
    // The measuring starts a second before the refusals: dumpcap and the three baseline threads (worker threads of
    // this process, one made SCHED_FIFO through chrt) took this process ~1 core for ~0.4 s as they started, on a
    // machine of 2 cores. Started with the refusals (sessions ≤ 38), that burst met an application's first refusals:
    // crocetta's first counted round then began with 10–17 refusals at 8–34 ms, its round's p99 16–26 ms (6 Dec 2026,
    // session 39, docs/measurements.md); a second ahead, none over 8 ms. The refusals still start when the ramp ends.
    await sleep(bg.rampMs - MEASURING_LEAD_MS);
    const capture = WireCapture.available() ? await WireCapture.start(`udp dst port ${SINK_PORT}`) : null;
    const sinkAtStart = sinkPackets();
    const machine = [
      startMachineBaseline(),
      startMachineBaseline({ nice: RTP_THREAD_NICE }),
      startMachineBaseline({ realtime: RTP_THREAD_REALTIME }),
    ];
    await sleep(Math.max(0, bgStarted + bg.rampMs - Date.now()));
    // CPU over the refusals' seconds, the ~200 announcements' work included (their RTP thread: "other threads").
    const cpu = cpuMeter(app);
    const fg = startSipp({
      scenario: 'uac-refusal.xml',
      target: app.ports,
      inf: ctx.inf.refusal,
      rate,
      calls: Math.round(rate * seconds),
      slot: 0,
      timed: 607,
      trace: true,
      dir: ctx.dir,
      label,
    });
    const run = await fg.done;
    const used = cpu(run.calls);
    // What reached the sink while the capture ran: about the capture's count (dumpcap stops a little after this).
    const sinkRead = sinkPackets() - sinkAtStart;
    const packets = capture ? await capture.stopPackets() : null;
    const [plain, high, rt] = await Promise.all(machine.map((m) => m.stop()));
    await bg.done;
    const result = summarize(app.name, round, run, started);
    result.cpu = used;
    if (packets)
      result.jitter = {
        wire: pacingOf(rtpTimed(packets), PTIME),
        dropped: capture?.dropped ?? null,
        sinkRead,
        machine: pacingOf(baselineTimed(plain?.wakeups ?? [], PTIME), PTIME),
        machineHigh: { ...pacingOf(baselineTimed(high?.wakeups ?? [], PTIME), PTIME), nice: high?.nice ?? 0 },
        machineRt: { ...pacingOf(baselineTimed(rt?.wakeups ?? [], PTIME), PTIME), realtime: rt?.realtime ?? null },
      };
    return result;
  }
  const s = scenarioOf(w);
  if (w === 'announce') {
    // Time to the 183 while the announcements build up to opts.announcements playing.
    const r = Math.ceil(opts.announcements / announceSeconds) + 5;
    const run = await startSipp({
      scenario: s.scenario,
      target: app.ports,
      inf: ctx.inf.announce,
      rate: Math.min(rate, r),
      calls: Math.round(Math.min(rate, r) * seconds),
      slot: 0,
      timed: s.timed,
      trace: true,
      limit: opts.announcements,
      dir: ctx.dir,
      label,
    }).done;
    return summarize(app.name, round, run, started);
  }
  const wire =
    opts.wireSplit && app.drachtio && WireCapture.available()
      ? await WireCapture.start(`tcp port ${app.ports.admin}`)
      : null;
  const cpu = cpuMeter(app);
  const run = await startSipp({
    scenario: s.scenario,
    target: app.ports,
    inf: injectionFor(ctx, s.inf, Math.round(rate * seconds), label),
    rate,
    calls: Math.round(rate * seconds),
    slot: 0,
    timed: s.timed,
    trace: true,
    dir: ctx.dir,
    label,
  }).done;
  const result = summarize(app.name, round, run, started);
  result.cpu = cpu(Math.round(rate * seconds));
  if (wire) result.inAppUs = inApp(await wire.stopPackets(), app.ports.admin);
  return result;
}

/**
 * --wire-split: per transaction, µs from drachtio-server's message handing the application a new INVITE
 * (`…|sip|network|…|<transaction id>|…` then the request) to the application's first answer on that transaction (a
 * final response `…|sip|<transaction id>|…`, or `…|proxy|<transaction id>|…`), from kernel timestamps on the admin
 * socket. A message split across TCP segments at its head is not counted.
 */
function inApp(packets: WirePacket[], adminPort: number): number[] {
  const handed = new Map<string, number>();
  const out: number[] = [];
  const toApp = /\|sip\|network\|(?:[^|\r]*\|){5}([^|\r]+)\|[^\r]*\r\nINVITE /g;
  const fromApp = /\|(?:sip\|([^|\r]+)\|[^\r]*\r\nSIP\/2\.0 [2-6]\d\d|proxy\|([^|\r]+)\|)/g;
  for (const p of packets) {
    const text = p.payload.toString('latin1');
    if (p.srcPort === adminPort) {
      for (const m of text.matchAll(toApp)) if (m[1] !== undefined && !handed.has(m[1])) handed.set(m[1], p.at);
    } else if (p.dstPort === adminPort) {
      for (const m of text.matchAll(fromApp)) {
        const txn = m[1] ?? m[2];
        const at = txn === undefined ? undefined : handed.get(txn);
        if (txn === undefined || at === undefined) continue;
        handed.delete(txn);
        out.push(Math.round((p.at - at) * 1000));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- ladder
/** A process and every process below it (/proc/<pid>/stat's ppid, field 4): Kamailio forks its workers. */
function withDescendants(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(procStat(`/proc/${name}/stat`).fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [child, p] of parent) if (p === out[i]) out.push(child);
  return out;
}
/** What --ladder-pause stops of an application while another tries: the app (and its drachtio-server with `all`). */
function pausedOf(app: App): number[] {
  if (opts.ladderPause === 'none') return [];
  return [
    ...withDescendants(app.process.pid),
    ...(opts.ladderPause === 'all' ? withDescendants(app.drachtio?.pid) : []),
  ];
}
/**
 * After a pause: the application and its drachtio-server run (not stopped, not exited), the drachtio-server holds an
 * established admin connection (the application's), and crocetta's /readyz answers 200 (its SIP side connected).
 * Throws when it is not so within 10 s: a ladder with a broken application measures nothing.
 */
async function healthy(app: App): Promise<void> {
  const running = (c: ChildProcess | null): boolean => {
    if (c === null) return true;
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return false;
    const state = procState(c.pid);
    return state !== undefined && state !== 'T';
  };
  const connected = (): boolean => {
    if (app.drachtio === null) return true;
    const ss = spawnSync('ss', ['-tn', 'state', 'established', `sport = :${app.ports.admin}`], { encoding: 'utf8' });
    return ss.stdout.includes(`:${app.ports.admin} `);
  };
  const ready = async (): Promise<boolean> => {
    if (app.readyz === undefined) return true;
    try {
      return (await fetch(app.readyz)).status === 200;
    } catch {
      return false;
    }
  };
  await waitFor(
    `${app.name} after its pause (running, its drachtio-server's admin connection, its readiness)`,
    async () => running(app.process) && running(app.drachtio) && connected() && (await ready()),
    10_000,
  );
}
/**
 * --ladder-pause: before `app`'s try, every other application (and with `all` its drachtio-server) stopped, `app`'s
 * own continued if stopped, and then checked healthy. The PBX sipp is shared by every application: it runs.
 */
async function runOnly(ctx: Context, app: App): Promise<string> {
  if (opts.ladderPause === 'none') return '';
  const running = pausedOf(app);
  const idle = ctx.apps.filter((a) => a !== app).flatMap(pausedOf);
  const r = pauses.only(running, idle);
  const now = Date.now();
  for (const a of ctx.apps)
    if (a.process.pid !== undefined && r.stopped.includes(a.process.pid)) stoppedAt.set(a.name, now);
  const since = stoppedAt.get(app.name);
  stoppedAt.delete(app.name);
  const unsettled = await pauses.settled([...running, ...idle]);
  if (unsettled.length > 0) throw new Error(`--ladder-pause: pids ${unsettled.join(', ')} did not stop or continue`);
  if (r.continued.length > 0) await healthy(app);
  debug(`ladder: ${app.name} runs; stopped ${r.stopped.join(' ')}, continued ${r.continued.join(' ')}`);
  return since === undefined ? '' : ` (stopped the last ${((now - since) / 1000).toFixed(0)} s of it)`;
}
/** When each application was stopped by --ladder-pause (ms), until it runs again. */
const stoppedAt = new Map<string, number>();
/** The CPU µs so far of every other application's process and drachtio-server, by role: their share of a try. */
function othersUs(ctx: Context, app: App): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of ctx.apps) {
    if (a === app) continue;
    out.set(a.name, cpuUs(a.process.pid));
    if (a.drachtio !== null) out.set(`${a.name}'s drachtio-server`, cpuUs(a.drachtio.pid));
  }
  return out;
}

async function sustains(
  ctx: Context,
  w: 'refusal' | 'proxied',
  app: App,
  rate: number,
): Promise<{ ok: boolean; why: string }> {
  const s = scenarioOf(w);
  const stopped = await runOnly(ctx, app);
  const load = loadavg()[0]?.toFixed(2) ?? '-';
  const last = lastStepEnd.get(app.name);
  const idle = `${last === undefined ? 'since the warm-up' : `${((Date.now() - last) / 1000).toFixed(0)} s`}${stopped}`;
  if (opts.ladderLeadIn.seconds > 0) {
    // --ladder-warmup: the same lead-in before every try of every application (see the top of this file).
    const warm = Math.round(rate * opts.ladderLeadIn.share);
    const warmCalls = Math.round(warm * opts.ladderLeadIn.seconds);
    const label = `ladder-warmup-${w}-${app.name}-${rate}`;
    const run = await startSipp({
      scenario: s.scenario,
      target: app.ports,
      inf: injectionFor(ctx, s.inf, warmCalls, `ladder-warmup-${app.name}-${rate}`),
      rate: warm,
      calls: warmCalls,
      slot: 1,
      timed: s.timed,
      trace: false,
      dir: ctx.dir,
      label,
    }).done;
    if (run.exitCode !== 0) console.log(`  ladder ${w} ${app.name}: its lead-in at ${warm} calls/s had failed calls`);
    await sleep(1500);
  }
  const calls = Math.round(rate * opts.ladderSeconds);
  const cpu = cpuMeter(app);
  const others0 = othersUs(ctx, app);
  const dropsBefore = udpDrops();
  const sipp = startSipp({
    scenario: s.scenario,
    target: app.ports,
    inf: injectionFor(ctx, s.inf, calls, `ladder-${app.name}-${rate}`),
    rate,
    calls,
    slot: 1,
    timed: s.timed,
    trace: false,
    dir: ctx.dir,
    label: `ladder-${w}-${app.name}-${rate}`,
  });
  const sippCpu = lastCpuOf(sipp.child.pid);
  const start = stepStart(app, rate, calls, dropsBefore, idle, ctx.apps, sipp.child.pid);
  const run = await sipp.done;
  const achieved = (calls / run.wallMs) * 1000;
  const callerUs = sippCpu.stop() / calls;
  // The other applications during the try, % of a core (0 when stopped by --ladder-pause): what they took from it.
  const others = [...othersUs(ctx, app)]
    .map(([who, us]) => `${who} ${(((us - (others0.get(who) ?? NaN)) / (run.wallMs * 1000)) * 100).toFixed(1)}`)
    .join(', ');
  // The caller sipp is one thread: near a whole core, the rig (not the application) sets the step's ceiling.
  const perCall = `${cpuText(cpu(calls))}; the caller sipp ${callerUs.toFixed(0)} µs a call (${((callerUs * calls) / run.wallMs / 10).toFixed(0)}% of a core over the step)${dropsText(dropsBefore, udpDrops(), app)}; the others during it, % of a core: ${others === '' ? 'none' : others}; load average (1 min) at its lead-in ${load}; ${start.text()}`;
  lastStepEnd.set(app.name, Date.now());
  // Let transactions of a failed step (retransmissions, timers) drain before the next one.
  await sleep(run.exitCode === 0 ? 1500 : 8000);
  if (run.exitCode !== 0)
    return {
      ok: false,
      why: `sipp exit ${run.exitCode} (failed or timed-out calls: ${sippErrors(join(ctx.dir, `ladder-${w}-${app.name}-${rate}.errors.log`))}); ${perCall}`,
    };
  if (achieved < rate * 0.95) return { ok: false, why: `sipp kept only ${achieved.toFixed(0)} calls/s; ${perCall}` };
  return { ok: true, why: `${calls} calls in ${(run.wallMs / 1000).toFixed(1)} s; ${perCall}` };
}

/** The PBX sipp's pid (named in a ladder try's busiest processes). */
let pbxPid: number | undefined;
/** CPU ticks so far (utime + stime) and name of every process on the host (/proc/<pid>/stat). */
function allProcesses(): Map<number, { comm: string; ticks: number }> {
  const out = new Map<number, { comm: string; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const { comm, fields: f } = procStat(`/proc/${name}/stat`);
      out.set(Number(name), { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
/** When each application's last ladder try ended (ms): how long it sat idle before its next one. */
const lastStepEnd = new Map<string, number>();
/** Minor page faults so far of a process (/proc/<pid>/stat's minflt, field 10): memory it touched afresh. NaN: gone. */
function minorFaults(pid: number | undefined): number {
  try {
    return Number(procStat(`/proc/${pid}/stat`).fields[7]);
  } catch {
    return NaN;
  }
}
/**
 * The host's busy and total CPU time so far, in ticks of every core (/proc/stat's first line; idle and iowait idle),
 * and of the busy time the interrupts' (irq, softirq: a datagram's way through loopback is partly there) and the
 * hypervisor's (steal), which no process's ticks include.
 */
function hostTicks(): { busy: number; total: number; interrupts: number; steal: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const total = f.slice(0, 8).reduce((x, y) => x + y, 0); // guest time is already in user time
    return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total, interrupts: (f[5] ?? 0) + (f[6] ?? 0), steal: f[7] ?? 0 };
  } catch {
    return { busy: NaN, total: NaN, interrupts: NaN, steal: NaN };
  }
}
/**
 * A ladder try's course (session 33: first tries failed more often than second ones, and session 32 saw a failing
 * try's drops begin in its first 100–300 ms): how long the application sat idle before the try; its first second
 * (datagrams dropped at its drachtio-server's socket, the app's and drachtio-server's CPU a call, their minor page
 * faults a call: memory freed while idle and touched again) against the whole try's faults; and, when drops began, the
 * second they began in with the CPU share of drachtio-server, of the app and of the whole host (both cores, anyone's)
 * in the seconds around it, and the host's five busiest processes in each of those seconds (named by their part in the
rig: the idle applications and their drachtio-servers, the PBX and caller sipps, the bench; others by name and pid).
One read of /proc (every process's stat) a second from this process, not a sampler of threads.
 */
function stepStart(
  app: App,
  rate: number,
  calls: number,
  dropsBefore: Map<number, number>,
  idle: string,
  others: readonly App[],
  callerPid: number | undefined,
): { text(): string } {
  const roles = new Map<number, string>([[process.pid, 'the bench']]);
  if (pbxPid !== undefined) roles.set(pbxPid, 'the PBX sipp');
  if (callerPid !== undefined) roles.set(callerPid, 'the caller sipp');
  for (const a of others) {
    if (a.process.pid !== undefined) roles.set(a.process.pid, a.name === app.name ? a.name : `idle ${a.name}`);
    if (a.drachtio?.pid !== undefined)
      roles.set(a.drachtio.pid, `${a.name === app.name ? '' : 'idle '}${a.name}'s drachtio-server`);
  }
  const read = () => ({
    all: allProcesses(),
    at: Date.now(),
    app: cpuUs(app.process.pid),
    drachtio: cpuUs(app.drachtio?.pid),
    appF: minorFaults(app.process.pid),
    drachtioF: minorFaults(app.drachtio?.pid),
    drops: (udpDrops().get(app.ports.sip) ?? 0) - (dropsBefore.get(app.ports.sip) ?? 0),
    host: hostTicks(),
  });
  const reads = [read()];
  const timer = setInterval(() => reads.push(read()), 1000);
  return {
    text() {
      clearInterval(timer);
      const [at0, first] = reads;
      if (at0 === undefined || first === undefined) return `idle before it ${idle}`;
      const end = read();
      const f = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(0));
      let course = `${opts.ladderLeadIn.seconds > 0 ? 'idle before its lead-in' : 'idle before it'} ${idle}; its first second: ${first.drops} dropped, app ${f((first.app - at0.app) / rate)} µs a call, drachtio-server ${f((first.drachtio - at0.drachtio) / rate)}, minor faults a call app ${((first.appF - at0.appF) / rate).toFixed(1)}, drachtio-server ${((first.drachtioF - at0.drachtioF) / rate).toFixed(1)}; over the try ${((end.appF - at0.appF) / calls).toFixed(1)} and ${((end.drachtioF - at0.drachtioF) / calls).toFixed(1)}`;
      const onset = reads.findIndex((r) => r.drops > 0);
      if (onset > 0) {
        const seconds: string[] = [];
        for (let i = Math.max(1, onset - 3); i <= Math.min(reads.length - 1, onset + 1); i++) {
          const r = reads[i];
          const p = reads[i - 1];
          if (r === undefined || p === undefined) continue;
          const share = (d: number): string => f((d / ((r.at - p.at) * 1000)) * 100);
          const ofHost = (ticks: number): number => (100 * CORES * ticks) / (r.host.total - p.host.total);
          const host = ofHost(r.host.busy - p.host.busy);
          // A process started within the second: all its ticks are the second's. One that ended within it is missed
          // (its share is in the host's, not in `processes`).
          const active = [...r.all]
            .map(([pid, x]) => ({ pid, x, d: x.ticks - (p.all.get(pid)?.ticks ?? 0) }))
            .filter((b) => b.d > 0);
          const inProcesses = share((active.reduce((t, b) => t + b.d, 0) * 1e6) / CLK_TCK);
          const busiest = active
            .sort((x, y) => y.d - x.d)
            .slice(0, 5)
            .map((b) => `${roles.get(b.pid) ?? `${b.x.comm}(${b.pid})`} ${share((b.d * 1e6) / CLK_TCK)}`)
            .join(', ');
          seconds.push(
            `s${i} ${share(r.drachtio - p.drachtio)}/${share(r.app - p.app)}/${f(host)}% (${inProcesses}/${f(ofHost(r.host.interrupts - p.host.interrupts))}/${f(ofHost(r.host.steal - p.host.steal))}) ${r.drops - p.drops} [${busiest}]`,
          );
        }
        course += `; drops began in second ${onset} (per second: drachtio-server/app/host % of a core (host: of ${100 * CORES}; of it in processes running at the second's end/in interrupts/stolen by the hypervisor), dropped: ${seconds.join(', ')})`;
      }
      return course;
    },
  };
}

/**
 * Datagrams the kernel dropped at each UDP socket of 127.0.0.1 so far, by local port (/proc/net/udp's last column:
 * the socket's receive buffer was full). A drop is a lost SIP message and a retransmission later: how a failed step
 * begins. At the ceiling drachtio-server's main thread falls behind and its socket fills whatever its size; below it,
 * a stall of some 50 ms fills it: drachtio-server 0.9.10 logs "set UDP send/recv buffer size to 4194304 bytes" but
 * sets it once its socket exists (tport_set_params; sofia-sip reads TPTAG_UDP_RMEM only when it creates the socket),
 * so the socket keeps the kernel's net.core.rmem_default (212,992 bytes here: `ss -uamn` shows rb212992).
 */
function udpDrops(): Map<number, number> {
  const drops = new Map<number, number>();
  let text: string;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return drops;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1]?.split(':');
    const n = Number(f[f.length - 1]);
    if (local?.[0] !== '0100007F' || local[1] === undefined || !Number.isFinite(n)) continue;
    const port = parseInt(local[1], 16);
    drops.set(port, (drops.get(port) ?? 0) + n);
  }
  return drops;
}

/** `; datagrams dropped at full receive buffers: …` for the ports whose count grew over a step; '' when none did. */
function dropsText(before: Map<number, number>, after: Map<number, number>, app: App): string {
  const grew: string[] = [];
  for (const [port, n] of after) {
    const d = n - (before.get(port) ?? 0);
    if (d <= 0) continue;
    const who =
      port === app.ports.sip
        ? app.drachtio
          ? `${app.name}'s drachtio-server`
          : app.name
        : port === PBX_PORT
          ? 'the PBX sipp'
          : `port ${port}`;
    grew.push(`${who} ${d}`);
  }
  return grew.length === 0 ? '' : `; datagrams dropped at full receive buffers: ${grew.join(', ')}`;
}

/**
 * sipp's error file, its entries counted by kind (Call-IDs and numbers left out), the commonest first. An entry begins
 * with sipp's date and time (several may share a line); the SIP message some of them quote is left out.
 */
function sippErrors(file: string): string {
  if (!existsSync(file)) return 'no error file';
  const kinds = new Map<string, number>();
  for (const entry of readFileSync(file, 'utf8').split(/(?=\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})/)) {
    const head = /^\d{4}-\d{2}-\d{2}\s+[\d:.]+\s+[\d.]+:\s*([^\r\n]*)/.exec(entry);
    if (head === null) continue;
    const text = (head[1] ?? '')
      .replace(/'[^']*@[^']*'|\S+@\S+/g, '…')
      .replace(/\d+/g, 'N')
      .trim();
    if (text !== '') kinds.set(text, (kinds.get(text) ?? 0) + 1);
  }
  return (
    [...kinds]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, n]) => `${n}× ${k.slice(0, 120)}`)
      .join('; ') || 'no error entries'
  );
}

/**
 * A ladder step: `sustains`, tried again (up to `retries` times) while it fails; every try printed, with `round` (of
 * --ladder-tries) when given.
 */
async function step(
  ctx: Context,
  w: 'refusal' | 'proxied',
  app: App,
  rate: number,
  retries = opts.ladderRetries,
  round = '',
): Promise<{ ok: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const r = await sustains(ctx, w, app, rate);
    const again = attempt === 0 ? '' : ` (try ${attempt + 1})`;
    console.log(
      `  ladder ${w} ${app.name.padEnd(12)} ${String(rate).padStart(5)} calls/s for ${opts.ladderSeconds} s${round}${again} ${new Date().toISOString().slice(11, 19)}: ${r.ok ? 'sustained' : 'FAILED'} (${r.why})`,
    );
    if (r.ok || attempt >= retries) return r;
  }
}

/** Every application's held/tried by rate (--ladder-tries), filled by `ladder`. */
const ladderTallies = new Map<string, Map<string, Map<number, RateTries>>>();

async function ladder(ctx: Context, w: 'refusal' | 'proxied'): Promise<Map<string, LadderBounds>> {
  try {
    return await ladderSteps(ctx, w);
  } finally {
    // Every application continued and checked before the summary (and before the next workload's ladder).
    const continued = pauses.resume();
    if (continued.length > 0) {
      for (const app of ctx.apps) await healthy(app);
      console.log(`  ladder ${w}: ${continued.length} stopped processes continued; every application ready again`);
    }
  }
}

async function ladderSteps(ctx: Context, w: 'refusal' | 'proxied'): Promise<Map<string, LadderBounds>> {
  const best = new Map<string, LadderBounds>();
  if (opts.ladderAt !== undefined && opts.ladderTries > 1) {
    // --ladder-tries N: N rounds, each every rate in turn (ascending) and at each rate every application once, the
    // order reversed at every other try of a round and every other round, every try counted (no retries).
    const apps = ctx.apps.filter(
      (app) => takes(app, w) && (opts.ladderApps === undefined || opts.ladderApps.includes(app.name)),
    );
    const tallies = new Map<string, Map<number, RateTries>>(apps.map((a) => [a.name, new Map()]));
    ladderTallies.set(w, tallies);
    for (let round = 0; round < opts.ladderTries; round++) {
      for (const [i, rate] of opts.ladderAt.entries()) {
        for (const app of (round + i) % 2 === 0 ? apps : [...apps].reverse()) {
          const r = await step(ctx, w, app, rate, 0, ` (round ${round + 1} of ${opts.ladderTries})`);
          tallies.set(app.name, withTry(tallies.get(app.name) ?? new Map(), rate, r.ok));
          best.set(app.name, withStep(best.get(app.name) ?? {}, rate, r.ok));
        }
      }
    }
    return best;
  }
  if (opts.ladderAt !== undefined) {
    // Fixed steps: each application in turn at each rate (the order reversed at every other rate), best = the
    // highest rate it sustained among them and the lowest it failed above that (ladder-text.ts).
    for (const [i, rate] of opts.ladderAt.entries()) {
      const apps = ctx.apps.filter(
        (app) => takes(app, w) && (opts.ladderApps === undefined || opts.ladderApps.includes(app.name)),
      );
      for (const app of i % 2 === 0 ? apps : [...apps].reverse()) {
        const r = await step(ctx, w, app, rate);
        best.set(app.name, withStep(best.get(app.name) ?? {}, rate, r.ok));
      }
    }
    return best;
  }
  for (const app of ctx.apps) {
    if (!takes(app, w) || (opts.ladderApps !== undefined && !opts.ladderApps.includes(app.name))) continue;
    let pass = 0;
    let fail = Infinity;
    // Kamailio answers an order of magnitude faster: it climbs in steps ten times larger.
    const scale = app.name === 'kamailio' ? 10 : 1;
    for (let rate = opts.ladderFrom * scale; fail === Infinity && rate <= 50_000; rate += opts.ladderStep * scale) {
      const r = await step(ctx, w, app, rate);
      if (r.ok) pass = rate;
      else fail = rate;
    }
    while (fail - pass > opts.ladderResolution * scale) {
      const rate = Math.round((pass + fail) / 2 / 10) * 10;
      const r = await step(ctx, w, app, rate);
      if (r.ok) pass = rate;
      else fail = rate;
    }
    best.set(app.name, { ...(pass > 0 && { held: pass }), ...(fail !== Infinity && { failed: fail }) });
  }
  return best;
}

// ---------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(`bench/sip.ts needs real SIP tools on PATH; missing: ${missing.join('; ')}.`);
    console.error('It is a bench for a developer machine, not a CI test (see README, Development).');
    process.exit(2);
  }
  // crocetta runs as `npm start` runs it: compiled by tsc (tsx would add its own work to every call).
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-sip-'));
  const drachtioVersion = spawnSync('drachtio', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const sippVersion = /SIPp v[^\s,]+/.exec(spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout)?.[0] ?? 'sipp';
  console.log(
    `bench/sip: drachtio-server ${drachtioVersion}, ${sippVersion}, node ${process.version}, ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `  rate ${opts.rate} calls/s for ${opts.seconds} s per round, ${opts.rounds} rounds, ${opts.marks} marked numbers, refusals from ${opts.refusalCallers} of them; work dir ${dir}`,
  );
  if (opts.workloads.includes('refusal-under-announce') || opts.wireSplit) {
    const noWire = WireCapture.whyNot();
    console.log(
      noWire === null
        ? '  at the wire: dumpcap on lo (kernel timestamps, taken as each packet is sent)'
        : `  NOT at the wire (no RTP jitter, no --wire-split): ${noWire}`,
    );
  }
  const asStarted = startScriptRun();
  console.log(`  crocetta runs as \`npm start\` does: \`${nodeRunText(asStarted)}\``);
  const recording = builtInRecording(join(ROOT, 'assets', 'announcements'), 'it', 60);
  const announceSeconds = recording.seconds;
  debug(`recording ${announceSeconds} s; starting the PBX`);

  // The PBX: a sipp UAS answers every proxied call (200 with the Record-Route set; ACK; BYE → 200), absorbing
  // retransmissions as a PBX does (bench/sipp/pbx-uas.xml; -rtcheck loose knows one by From, To, Call-ID and CSeq),
  // and never gives up for the machine's stalls (sipp's watchdog ends a run after 120 stalls over 500 ms by default).
  const pbx = track(
    spawn(
      'sipp',
      [
        '-sf',
        join(SIPP_DIR, 'pbx-uas.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(PBX_PORT),
        '-mp',
        String(PBX_MEDIA_PORT),
        '-nostdin',
        '-rtcheck',
        'loose',
        '-watchdog_minor_maxtriggers',
        '1000000',
        '-watchdog_major_maxtriggers',
        '1000000',
        '-max_recv_loops',
        '10000',
        '-trace_err',
        '-error_file',
        join(dir, 'pbx.errors.log'),
      ],
      {
        stdio: 'ignore',
      },
    ),
  );
  pbxPid = pbx.pid;
  debug('PBX spawned');
  await waitFor('the PBX (sipp UAS)', () => {
    if (pbx.exitCode !== null)
      throw new Error(
        `the PBX (sipp UAS) exited (${pbx.exitCode}): is 127.0.0.1:${PBX_PORT} taken? see ${join(dir, 'pbx.errors.log')}`,
      );
    return spawnSync('ss', ['-lun', `sport = :${PBX_PORT}`], { encoding: 'utf8' }).stdout.includes(`:${PBX_PORT}`);
  });
  const sink = await startSink();

  const apps: App[] = [];
  try {
    debug('PBX and sink up; starting the bare app');
    apps.push(await startBare(dir, 0, announceSeconds));
    debug('bare app up; starting crocetta');
    apps.push(await startCrocetta(dir, 'crocetta', 1, {}, announceSeconds, asStarted));
    for (const [i, v] of opts.variants.entries()) {
      const colon = v.indexOf(':');
      if (colon < 1) throw new Error(`--variant: expected 'name:yaml', got ${v}`);
      const overlay = (parseYaml(v.slice(colon + 1)) ?? {}) as Record<string, unknown>;
      apps.push(await startCrocetta(dir, v.slice(0, colon), 2 + i, overlay, announceSeconds, asStarted));
    }
    for (const [i, v] of opts.nodeFlags.entries()) {
      const colon = v.indexOf(':');
      if (colon < 1) throw new Error(`--node-flags: expected 'name:flags', got ${v}`);
      const run = nodeRunOf(v.slice(colon + 1));
      // 'name@variant:flags': the settings of that --variant (e.g. answer-first), not the defaults.
      const [name, variant] = v.slice(0, colon).split('@') as [string, string | undefined];
      const of = variant === undefined ? undefined : variantNamed(variant);
      const overlay =
        of === undefined ? {} : ((parseYaml(of.slice(of.indexOf(':') + 1)) ?? {}) as Record<string, unknown>);
      console.log(
        `  ${name}: crocetta with ${variant === undefined ? 'its defaults' : `--variant ${variant}'s settings`}, run as \`${nodeRunText(run)}\``,
      );
      apps.push(await startCrocetta(dir, name, 2 + opts.variants.length + i, overlay, announceSeconds, run));
    }
    if (opts.kamailio) apps.push(await startKamailio(dir));
    const ctx: Context = {
      dir,
      apps,
      inf: {
        refusal: injection(
          dir,
          'refusal',
          Array.from({ length: opts.refusalCallers }, (_, i) => refuseNumber(i)),
        ),
        proxied: '', // a fresh file per run: injectionFor
        announce: injection(
          dir,
          'announce',
          Array.from({ length: ANNOUNCE_SET }, (_, i) => announceNumber(i)),
          true,
        ),
      },
    };
    if (opts.bareFlags.length > 0) console.log(`  bare app run as \`node ${opts.bareFlags.join(' ')} …\``);
    console.log(
      `  applications: ${apps.map((a) => `${a.name} (${a.drachtio ? 'drachtio' : 'SIP'} 127.0.0.1:${a.ports.sip})`).join(', ')}; announcement ${announceSeconds.toFixed(1)} s`,
    );

    debug('applications up; warming up');
    // Warm-up: each application handles a few seconds of each workload first (JIT, caches, connections).
    const warmRefusals = (app: App, label: string): Promise<SippRun> =>
      startSipp({
        scenario: 'uac-refusal.xml',
        target: app.ports,
        inf: ctx.inf.refusal,
        rate: opts.warmupRate,
        calls: opts.warmupCalls,
        slot: 0,
        timed: 607,
        trace: false,
        dir,
        label,
      }).done;
    for (const app of apps) {
      if (!takes(app, 'proxied')) continue;
      await warmRefusals(app, `warmup-refusal-${app.name}`);
      await startSipp({
        scenario: 'uac-proxied.xml',
        target: app.ports,
        inf: injectionFor(ctx, 'proxied', opts.warmupCalls, `warmup-${app.name}`),
        rate: opts.warmupRate,
        calls: opts.warmupCalls,
        slot: 0,
        timed: 200,
        trace: false,
        dir,
        label: `warmup-proxied-${app.name}`,
      }).done;
    }
    // Announcements warmed too when a workload plays them: ~200 playing for --warmup-calls/--warmup-rate seconds on
    // each application (the RTP thread's and the media path's code is otherwise first run in the first timed round).
    if (opts.workloads.includes('announce') || opts.workloads.includes('refusal-under-announce'))
      for (const app of apps) {
        if (!takes(app, 'refusal-under-announce') && !takes(app, 'announce')) continue;
        const seconds = opts.warmupRate > 0 ? opts.warmupCalls / opts.warmupRate : 0;
        if (seconds <= 0) continue;
        const warm = startAnnouncements(ctx, app, seconds, announceSeconds, `warmup-announce-${app.name}`);
        await sleep(warm.rampMs);
        await warmRefusals(app, `warmup-refusal-under-announce-${app.name}`);
        await warm.done;
      }

    // --timeline: the stages count from here, not the warm-up's calls.
    if (opts.timeline !== undefined) for (const app of apps) if (app.drachtio !== null) app.process.kill('SIGUSR2');
    const results = new Map<Workload, RoundResult[]>();
    for (const w of opts.noRounds ? [] : opts.workloads) {
      const rows: RoundResult[] = [];
      // bare C A bare A C … bare (bench/sip-rounds.ts roundOrder): no application twice in a row, each one round from
      // a bare round on one side and two on the other, in turn; paired by the rounds' midpoints.
      const taking = apps.filter((a) => takes(a, w));
      for (const slot of roundOrder(
        taking.map((a) => a.name),
        opts.rounds,
      )) {
        const app = taking.find((a) => a.name === slot.app) as App;
        const r = await runWorkload(ctx, w, app, slot.round, opts.seconds, opts.rate, announceSeconds);
        printRound(w, r);
        rows.push(r);
        await sleep(1000);
      }
      results.set(w, rows);
    }

    console.log('');
    console.log(
      `summary (all rounds pooled; µs-resolution from sipp's message trace; ratio and difference against the bare app of the same run)`,
    );
    for (const [w, rows] of results) {
      const bare = pooled(rows.filter((r) => r.app === 'bare'));
      for (const app of apps) {
        if (!takes(app, w)) continue;
        const p = pooled(rows.filter((r) => r.app === app.name));
        const vs =
          app.name === 'bare'
            ? ''
            : ` | p50 ×${(p.p50 / bare.p50).toFixed(2)} (${msText(p.p50 - bare.p50)} ms), p99 ×${(p.p99 / bare.p99).toFixed(2)} (${msText(p.p99 - bare.p99)} ms)`;
        const j =
          p.jitterP99 !== null
            ? ` | RTP at the wire jitter p99 ${p.jitterP99.toFixed(2)} ms (rounds ${p.jitterRounds.map((x) => x.toFixed(2)).join(', ')}), late p99 ${(p.lateP99 ?? NaN).toFixed(2)} ms; machine baseline ${(p.machineJitterP99 ?? NaN).toFixed(2)} / ${(p.machineLateP99 ?? NaN).toFixed(2)} ms, at nice ${RTP_THREAD_NICE} jitter ${(p.machineHighJitterP99 ?? NaN).toFixed(2)} ms, SCHED_FIFO ${(p.machineRtJitterP99 ?? NaN).toFixed(2)} ms (medians of rounds)`
            : p.inAppUs !== null
              ? ` | in the app (at the wire) p50 ${inAppText(p.inAppUs)}`
              : '';
        const c = p.cpu
          ? ` | ${cpuText(p.cpu)}${app.name === 'bare' || !bare.cpu ? '' : ` (×${(p.cpu.appUs / bare.cpu.appUs).toFixed(2)} the bare app's)`}`
          : '';
        console.log(
          `  ${w.padEnd(23)} ${app.name.padEnd(12)} p50 ${ms(p.p50).padStart(7)} ms (median of rounds ${ms(p.medianRoundP50)}) p99 ${ms(p.p99).padStart(7)} ms, ${p.calls} calls, ${p.unanswered} unanswered${vs}${j}${c}`,
        );
      }
    }

    // Each round against the bare app's at its time (the bare rounds around it): the pairs' spread says whether a
    // target is met beyond this run's noise (bench/sip-rounds.ts).
    console.log('');
    console.log(
      `rounds paired (each round's p50 against the bare app's at its time, interpolated between the bare rounds before and after it; median, min–max and the interval of order statistics that covers the pairs' median; met or missed beyond it, else undecided)`,
    );
    for (const [w, rows] of results) {
      for (const app of apps) {
        if (app.name === 'bare' || !takes(app, w)) continue;
        const paired = pairRounds(rows, app.name);
        if (paired !== null)
          console.log(
            `  ${w.padEnd(23)} ${app.name.padEnd(12)} ${pairedText(paired, opts.ratioTarget, opts.diffTargetUs)}`,
          );
      }
    }

    if (opts.timeline !== undefined) {
      // Each application writes its summary when asked (bench/sip-timeline.cjs), not while calls are timed.
      for (const app of apps) {
        const file = resolve(opts.timeline, `${app.name}.json`);
        if (app.drachtio === null) continue;
        rmSync(file, { force: true });
        writeFileSync(`${file}.want`, '');
      }
      await waitFor(
        'the timeline summaries',
        () =>
          apps.every(
            (app) => app.drachtio === null || !existsSync(resolve(opts.timeline ?? '.', `${app.name}.json.want`)),
          ),
        10_000,
      ).catch(() => console.log('  (a timeline summary was not written within 10 s)'));
      console.log('');
      console.log(
        'timeline inside each application (bench/sip-timeline.cjs; µs from the previous stage, p50/p90/p99; (n): INVITEs through that step)',
      );
      for (const app of apps) {
        const file = resolve(opts.timeline, `${app.name}.json`);
        if (!existsSync(file)) continue;
        const byKind = JSON.parse(readFileSync(file, 'utf8')) as Record<string, TimelineSummary>;
        for (const [kind, s] of Object.entries(byKind)) {
          const stages = Object.entries(s.stages)
            .map(([k, v]) => `${k} ${v.p50}/${v.p90}/${v.p99}${v.count === s.count ? '' : ` (${v.count})`}`)
            .join(', ');
          const t = s.total;
          console.log(
            `  ${app.name.padEnd(12)} ${kind.padEnd(5)} ${s.count} INVITEs: ${stages}; total ${t ? `${t.p50}/${t.p90}/${t.p99}` : '-'}`,
          );
        }
      }
    }

    if (opts.ladder) {
      console.log('');
      console.log(
        ladderHeader({
          seconds: opts.ladderSeconds,
          ...(opts.ladderAt !== undefined && { at: opts.ladderAt }),
          from: opts.ladderFrom,
          step: opts.ladderStep,
          resolution: opts.ladderResolution,
          retries: opts.ladderRetries,
          leadIn: opts.ladderLeadIn,
          tries: { n: opts.ladderTries, k: opts.ladderHolds },
          pause: opts.ladderPause,
        }),
      );
      for (const w of (['refusal', 'proxied'] as const).filter((x) => opts.workloads.includes(x))) {
        const best = await ladder(ctx, w);
        const bare = best.get('bare');
        for (const [name, bounds] of best)
          console.log(
            `  ladder ${w.padEnd(8)} ${name.padEnd(12)} ${ceilingText(bounds)}${name === 'bare' || bare === undefined ? '' : `: ${ratioText(bounds, bare)}`}`,
          );
        const tallies = ladderTallies.get(w);
        const bareTally = tallies?.get('bare');
        for (const [name, tally] of tallies ?? [])
          console.log(
            `  ladder ${w.padEnd(8)} ${name.padEnd(12)} by the rule: ${triesText(tally, opts.ladderHolds)}${name === 'bare' || bareTally === undefined ? '' : `; ${triesRatioText(tally, bareTally, opts.ladderHolds)}`}`,
          );
      }
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    pauses.resume(); // a stopped process would take SIGTERM only once continued
    await sink.close();
    for (const app of apps) {
      await stop(app.process);
      await stop(app.drachtio);
    }
    await stop(pbx);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});

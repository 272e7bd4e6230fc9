/**
 * bench/sip-handler.ts: what crocetta's own work costs per refusal, in process, without drachtio-server, sipp or the
 * socket: the service's request handler (createRequestHandler with the deps the service builds: register with its
 * journal, logger on asynchronous stdout, metrics, transactions) against a bare handler (a Set look-up of the From
 * user, then res.send(607), as bench/bare-app.ts), both given drachtio-srf Requests parsed by drachtio-srf's own
 * SipMessage at a steady rate, in alternating rounds in one child process.
 *
 *   npx tsx bench/sip-handler.ts [--rate 1500] [--seconds 5] [--rounds 2] [--cpu-prof DIR [--cpu-prof-interval 100]]
 *                                [--heap-sample FILE]
 *                                [--workload refusal|proxied [--cdr [--talk-ms 5]]] [--variant answer-first] [--dist]
 *                                [--second-call-ms MS] [--node-flags 'FLAGS'] [--callers 1000]
 *                                [--warmup-calls N] [--warmup-rate R]
 *                                [--gc-trace] [--against DIST [--interleave]] [--survivors] [--sample-seconds 2]
 *                                [--carrier]
 *
 * --against DIST: a third handler, another build's (DIST its dist/ directory, e.g. /tmp/main/dist: a tree built with
 * `npm run build`, its modules loaded apart from this tree's, on a register of its own), in the same rounds: bare,
 * crocetta and it in turn, the order rotated each round and reversed every three rounds (six rounds: each order
 * once); after the rounds, crocetta's p50 to the answer less its own in each round. A code A/B in one process at the
 * same moments: two runs one after the other differ by more than a 20-µs change (the machine's load moves between
 * them). Its own spread: an A/A (main's build against itself, 7 Dec 2026) read −21, −2, −12 µs in three rounds.
 * --interleave (with --against): each round is the bare app's round and a round of both builds call by call (every
 * other call each, the rate in all, each call's time to its answer filed under its build): the two builds see the
 * same moments of the machine, where rounds of their own see different ones. CPU a call is then the pair's.
 * --workload proxied: unknown callers, forwarded (req.proxy answered at once with a 200, as a PBX would); the bare
 * handler proxies whoever is not in its set. --cdr (proxied): --talk-ms (5) after each proxy, the call's end as
 * drachtio-server reports it (two cdr:stop records, read as sip-app.ts reads them: the talk time's update and its
 * line); 5 ms as bench:sip's sipp, which hangs up at once, where a conversation ends long after its attempt's commit
 * (the writer's interval is 50 ms): --talk-ms 100 for that. The bare handler gets none (bare-app.ts routes no CDRs). --dist: crocetta's modules from dist/ (`npm run build`: what bench:sip
 * and production run, without tsx's per-closure __name calls) instead of src/ through tsx. --variant answer-first: store.durableBeforeAnswer false. Each round also
 * prints the µs from the handler's call to its answer (the final res.send, or req.proxy), p50 and p99: the work that
 * precedes the answer, which the wire sees before drachtio-server can send it on. --second-call-ms MS: each call is
 * followed, MS ms later (0: in the same turn, right after it), by a second one (the next caller), timed apart: at a low
 * rate the first call of each pair finds the caches cold (the time since the previous call), the second one finds
 * what the first left (its p50 is printed beside the round's; at 100/s on 4 Dec 2026 both handlers' second calls took
 * ~1/5–1/10 of the first's). --node-flags 'FLAGS': node flags for the child (both handlers), e.g. --use-largepages=on.
 * --callers N (refusal): the calls cycle over the first N of the 1,000 marked numbers (default all 1,000). The caller-ID
 * cache keeps a caller from its second request on (identify-caller.ts), and the two handlers draw from one sequence:
 * with 1,000 at 100/s crocetta sees each caller once every 20 s, so its first rounds are mostly first and second
 * sights (the number parsed); with --callers 100 every caller has come to crocetta twice in its warm-up (200 calls),
 * so every timed call is a repeat caller answered from the cache, as a nuisance line's callers are.
 * --warmup-calls N --warmup-rate R: each handler's warm-up before the rounds, N calls at R a second (default: 2 s
 * at --rate). V8 optimizes a function after it has run enough (calls and loops, not time): at 100/s, 200 calls leave
 * part of crocetta's path in its first tiers for the first rounds, which a service running for days is not.
 * --heap-sample FILE: a round of crocetta alone (--sample-seconds, 2) under V8's sampling heap profiler before the
 * rounds: bytes allocated a call by the function that allocated them. With --survivors, only what survived a scavenge
 * (objects a scavenge freed dropped, one more scavenge forced at the end: needs --node-flags --expose-gc), i.e. what
 * the scavenges copied or what V8 allocated old (a pretenured site's objects), by allocation site. Survivors grow with
 * the calls in flight at each scavenge: on a loaded machine the round falls behind its pace and they read several
 * times higher (heap-sample.ts); the heading says how late the round's calls were handed, and warns.
 * --carrier: each INVITE as a carrier's trunk sends it, a display name in From and the caller in P-Asserted-Identity
 * (with a display name, user=phone and a verstat): the caller ID's parsed path (identifyParsed), not the plain From's.
 * --gc-trace: the child runs with V8's --trace-gc-nvp, and each round also prints what its scavenges kept, bytes a call: promoted (copied to the old
 * generation, where only a mark-compact frees them: a call's objects that outlive two scavenges, ~250 ms apart at
 * 1,500 calls/s, or that something in the old generation still points at) and survived (copied within the young one).
 *
 * The child's stdout (the service's log lines) goes to a file in a temporary directory. Each tick (every 2 ms) takes
 * the requests due; the response's send is answered OK on the next turn (setImmediate), as drachtio-server's echo
 * comes on a later socket read. CPU per call: the main thread's (/proc/thread-self/schedstat, the JavaScript) and the
 * process's (every thread: SQLite's commits and the log's writes on libuv's pool, V8's helpers), from the first
 * request of a round to 300 ms after its last (the commits and log writes it queued), less nothing: compare the two
 * handlers. To compare trees, run it in each worktree, alternating. It prints figures, never asserts; CPU figures on a
 * shared machine vary between runs: read same-run differences.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type Srf from 'drachtio-srf';
import {
  benchCallId,
  benchEnv,
  benchInvite,
  benchResponse,
  buildHandler,
  handlerModules,
  type HandlerModules,
  proxiedOk,
} from './handler-modules.js';
import { numberArg, textArg } from './args.js';
import { heapSampleHeading } from './heap-sample.js';

const DID = '+390612345678';
const MARKED = 1000;
const markedNumber = (i: number): string => `+3902100${String(i % MARKED).padStart(5, '0')}`;
/** --callers: how many of the marked numbers the refusals cycle over. */
const callers = (): number => Math.min(MARKED, Math.floor(numberArg('callers', MARKED)));

/** The q-quantile of ascending `sorted`: its element at ⌊q·n⌋ (the last for q near 1); NaN when empty. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The bare handler, this tree's crocetta, and (--against DIR) another build's. */
type Handler = 'bare' | 'crocetta' | 'against';

interface RoundResult {
  handler: Handler;
  calls: number;
  mainUs: number;
  processUs: number;
  answered: number;
  /** µs from the handler's call to its answer (final send or proxy), p50 and p99 over the round's calls. */
  toAnswerP50: number;
  toAnswerP99: number;
  /** --second-call-ms: the second calls' p50 µs to answer (null without the option). */
  secondP50: number | null;
  /** GC pauses of the main thread (PerformanceObserver 'gc' entries), µs a call; and how many, by kind. */
  gcUs: number;
  scavenges: number;
  majorGcs: number;
  /** How late its calls were handed to the handler after they were due, ms: p99 and the largest. */
  lateP99Ms: number;
  lateMaxMs: number;
  /** The round's first request and its end, in performance.now() ms (--gc-trace: which of V8's lines are the round's). */
  fromMs: number;
  toMs: number;
}

// ---------------------------------------------------------------------------------------------- child
async function child(): Promise<void> {
  const rate = numberArg('rate', 1500);
  const seconds = numberArg('seconds', 5);
  const rounds = numberArg('rounds', 2);
  const dir = process.env.BENCH_DIR as string;
  const proxied = textArg('workload') === 'proxied';
  const secondAfter = textArg('second-call-ms');
  const secondMs = secondAfter === undefined ? null : Number(secondAfter);
  if (secondMs !== null && !(secondMs >= 0)) throw new Error('--second-call-ms: a number of ms (0: right after)');
  const answerFirst = textArg('variant') === 'answer-first';
  const carrier = process.argv.includes('--carrier');
  const m = await handlerModules(process.argv.includes('--dist'));
  const { handle: crocetta, cdrStops, close } = await seededHandler(m, join(dir, 'register.sqlite'), answerFirst);
  // --against DIR: another build's handler (its own modules, caches and register), in the same rounds.
  const againstDir = textArg('against');
  const other =
    againstDir === undefined
      ? null
      : await seededHandler(await handlerModules(againstDir), join(dir, 'against.sqlite'), answerFirst);
  const refuse = new Set(Array.from({ length: MARKED }, (_, i) => markedNumber(i)));
  const fromUser = (from: string): string => /(?:sips?|tel):([^@;>]*)/.exec(from)?.[1] ?? '';
  const uriUser = (uri: string): string => /^(?:sips?|tel):([^@;]*)@/.exec(uri)?.[1] ?? '';
  const withUser = (uri: string, user: string): string => uri.replace(/^(sips?:)/, `$1${user}@`);
  const bare = (req: Srf.SrfRequest, res: Srf.SrfResponse): void => {
    if (refuse.has(fromUser(req.get('From') ?? ''))) {
      res.send(607);
      return;
    }
    void (req as unknown as { proxy(o: object): Promise<unknown> })
      .proxy({ destination: withUser('sip:127.0.0.1:5080', uriUser(req.uri)), remainInDialog: true })
      .catch(() => undefined);
  };

  // --cdr (proxied): 5 ms after the proxy, the call's BYE as drachtio-server reports it to crocetta: two cdr:stop
  // records (network and application side), read as src/sip/sip-app.ts reads them (readCdrStop → forwarded.ended).
  const cdr = proxied && process.argv.includes('--cdr');
  const talkMs = numberArg('talk-ms', 5);
  /** The round's crocetta build's cdr:stop records (null: the bare app's round; it routes no CDRs). */
  let cdrOf: typeof cdrStops | null = null;
  let answered = 0;
  /** When the request being handled was handed to the handler, and the µs to its answer, per call of the round. */
  let handedAt = 0;
  let toAnswer: number[] = [];
  /** --second-call-ms: the second calls' µs to answer. */
  let second: number[] = [];
  const answeredNow = (): void => {
    answered++;
    toAnswer.push((performance.now() - handedAt) * 1000);
  };
  /** A response as the handler sees drachtio-srf's (benchResponse), its final answer timed. */
  const response = (): Srf.SrfResponse => benchResponse(answeredNow);
  let n = 0;
  /** The next INVITE; `stops`: the cdr:stop records of the build it is for (--cdr), null for the bare app. */
  function request(stops = cdrOf, answeredOf = answeredNow): Srf.SrfRequest {
    const i = n++;
    // Proxied: a caller never seen before each time, as bench:sip's proxied workload sends.
    const from = proxied ? `+39333${String(i).padStart(7, '0')}` : markedNumber(i % callers());
    // As drachtio-server would: the proxy command taken at once, the PBX's 200 reported on a later turn.
    const proxy = (): Promise<unknown> => {
      answeredOf();
      if (cdr && stops !== null) setTimeout(() => stops(benchCallId(i), DID), talkMs);
      return proxiedOk();
    };
    return benchInvite(m, i, from, DID, proxy, '', carrier);
  }
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  // The main thread's time on the CPU in ns (schedstat's first field: finer than stat's clock ticks).
  const mainUs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  const processUs = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const gcs = { ms: 0, minor: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs.ms += e.duration;
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcs.major++;
    }
  }).observe({ type: 'gc' });
  /**
   * Hands `calls` requests to `send` at `pace` a second (each tick, every 2 ms, those due), then waits 300 ms for the
   * commits and log writes they queued; the CPU and GC counters from before the first to the end, per call (`per`).
   */
  async function paced(calls: number, pace: number, send: () => void) {
    const g0 = { ...gcs };
    const m0 = mainUs();
    const p0 = processUs();
    const fromMs = performance.now();
    let sent = 0;
    /** How late each call was handed after it was due (call k at (k + 1)/pace s), ms. */
    const late: number[] = [];
    while (sent < calls) {
      const now = performance.now();
      const due = Math.min(calls, Math.floor(((now - fromMs) * pace) / 1000));
      for (; sent < due; sent++) {
        late.push(performance.now() - fromMs - ((sent + 1) * 1000) / pace);
        send();
      }
      await sleep(2);
    }
    late.sort((a, b) => a - b);
    await sleep(300);
    const toMs = performance.now();
    const spent = (per: number) => ({
      mainUs: (mainUs() - m0) / per,
      processUs: (processUs() - p0) / per,
      gcUs: ((gcs.ms - g0.ms) * 1000) / per,
      scavenges: gcs.minor - g0.minor,
      majorGcs: gcs.major - g0.major,
      lateP99Ms: percentile(late, 0.99),
      lateMaxMs: late[late.length - 1] ?? NaN,
      fromMs,
      toMs,
    });
    return { spent };
  }
  /** The µs to the answer at p50 and p99 (`times` sorted in place). */
  const toAnswerOf = (times: number[]) => {
    times.sort((a, b) => a - b);
    return { toAnswerP50: percentile(times, 0.5), toAnswerP99: percentile(times, 0.99) };
  };
  async function round(name: Handler, calls: number, pace = rate): Promise<RoundResult> {
    const handle =
      name === 'bare' ? bare : name === 'crocetta' ? crocetta : (other as NonNullable<typeof other>).handle;
    cdrOf = name === 'bare' ? null : name === 'against' ? (other as NonNullable<typeof other>).cdrStops : cdrStops;
    answered = 0;
    toAnswer = [];
    second = [];
    const { spent } = await paced(calls, pace, () => {
      const req = request();
      const res = response();
      handedAt = performance.now();
      handle(req, res);
      if (secondMs === null) return;
      const again = (): void => {
        const before = toAnswer.length;
        const req2 = request();
        const res2 = response();
        handedAt = performance.now();
        handle(req2, res2);
        // Answered in the handler's turn (a refusal; a proxy): timed apart from the first calls.
        if (toAnswer.length > before) second.push(toAnswer.pop() as number);
      };
      if (secondMs > 0) setTimeout(again, secondMs);
      else again();
    });
    second.sort((a, b) => a - b);
    return {
      secondP50: secondMs === null ? null : percentile(second, 0.5),
      ...toAnswerOf(toAnswer),
      handler: name,
      calls,
      answered,
      ...spent(calls),
    };
  }
  /**
   * --interleave: crocetta and the other build call by call (every other call each, at the rate in all), each call's
   * µs to its answer filed under its handler: both see the same moments of the machine. CPU is not told apart.
   */
  async function pairedRound(calls: number): Promise<RoundResult[]> {
    const builds = [
      { name: 'crocetta' as const, handle: crocetta, stops: cdrStops, times: [] as number[], answered: 0 },
      { name: 'against' as const, ...(other as NonNullable<typeof other>), times: [] as number[], answered: 0 },
    ];
    let sent = 0;
    const { spent } = await paced(calls, rate, () => {
      const b = builds[sent++ % 2] as (typeof builds)[number];
      let handed = 0;
      const answeredOf = (): void => {
        b.answered++;
        b.times.push((performance.now() - handed) * 1000);
      };
      const req = request(cdr ? b.stops : null, answeredOf);
      const res = benchResponse(answeredOf);
      handed = performance.now();
      b.handle(req, res);
    });
    return builds.map((b) => ({
      secondP50: null,
      ...toAnswerOf(b.times),
      handler: b.name,
      calls: calls / 2,
      answered: b.answered,
      ...spent(calls),
    }));
  }
  // Warm-up: both handlers, 2 s each at the rate, or --warmup-calls at --warmup-rate.
  const warmupRate = numberArg('warmup-rate', rate);
  const warmupCalls = Math.round(numberArg('warmup-calls', rate * 2));
  await round('bare', warmupCalls, warmupRate);
  await round('crocetta', warmupCalls, warmupRate);
  if (other !== null) await round('against', warmupCalls, warmupRate);
  const heapSample = process.env.BENCH_HEAP_SAMPLE;
  if (heapSample !== undefined && heapSample !== '')
    await allocationsOf(heapSample, () => round('crocetta', Math.round(rate * numberArg('sample-seconds', 2))));
  const results: RoundResult[] = [];
  const interleave = other !== null && process.argv.includes('--interleave');
  for (let r = 0; r < rounds; r++) {
    if (interleave) {
      // The bare round, then both builds call by call (a round of 2× the calls), in turn.
      const both = async (): Promise<void> => {
        results.push(...(await pairedRound(2 * Math.round(rate * seconds))));
      };
      if (r % 2 === 0) {
        results.push(await round('bare', Math.round(rate * seconds)));
        await both();
      } else {
        await both();
        results.push(await round('bare', Math.round(rate * seconds)));
      }
      continue;
    }
    // Without --against: bare and crocetta, the order turned each round. With it, the three in turn, rotated each
    // round and reversed after every three: each of the six orders once in six rounds.
    const order: Handler[] = other === null ? ['bare', 'crocetta'] : ['bare', 'crocetta', 'against'];
    for (let k = 0; k < r % order.length; k++) order.push(order.shift() as Handler);
    if (other !== null && Math.floor(r / 3) % 2 === 1) order.reverse();
    for (const name of order) {
      results.push(await round(name, Math.round(rate * seconds)));
    }
  }
  process.send?.(results);
  await close();
  await other?.close();
  process.exit(0);
}

/**
 * A handler of the build `m` on a register of its own at `db`, seeded with the marked numbers as bench/sip.ts seeds
 * them (with that build's own store modules: its schema), answering first or not.
 */
async function seededHandler(m: HandlerModules, db: string, answerFirst: boolean) {
  const { src } = m;
  const { openRegister } = (await import(`${src}/store/index.js`)) as typeof import('../src/store/index.js');
  const { Connection } = (await import(
    `${src}/store/sqlite/connection.js`
  )) as typeof import('../src/store/sqlite/connection.js');
  const { seedMarkedNumbers } = await import('./seed-marks.js');
  await (await openRegister({ file: db, lookbackDays: 30 })).close();
  const seed = await Connection.open(db);
  await seedMarkedNumbers(seed, MARKED);
  await seed.close();
  const config = m.loadConfig({ env: benchEnv(db) });
  if (answerFirst) (config.store as { durableBeforeAnswer: boolean }).durableBeforeAnswer = false;
  return buildHandler(m, config);
}

/**
 * --heap-sample FILE: bytes allocated during `run` by the function that allocated them (V8's sampling heap profiler,
 * objects collected by either GC included: what the scavenges go through), written to FILE and summed on stderr.
 */
async function allocationsOf(file: string, run: () => Promise<unknown>): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.BENCH_SURVIVORS !== '1',
  } as Record<string, unknown>);
  const calls = (await run()) as RoundResult;
  // --survivors: a last scavenge, so what the round left alive since the last one counts only if it survives it.
  const gc = (globalThis as { gc?: (o: unknown) => void }).gc;
  if (process.env.BENCH_SURVIVORS === '1' && gc) gc({ type: 'minor', execution: 'sync' });
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: HeapNode & object };
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  const bySelf = new Map<string, number>();
  const walk = (node: HeapNode): void => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk((profile as unknown as { head: HeapNode }).head);
  const total = [...bySelf.values()].reduce((a, b) => a + b, 0);
  for (const line of heapSampleHeading({
    calls: calls.calls,
    bytes: total,
    survivors: process.env.BENCH_SURVIVORS === '1',
    scavenges: calls.scavenges,
    majorGcs: calls.majorGcs,
    lateP99Ms: calls.lateP99Ms,
    lateMaxMs: calls.lateMaxMs,
  }))
    console.error(line);
  for (const [key, bytes] of [...bySelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45))
    console.error(`  ${(bytes / calls.calls).toFixed(0).padStart(7)} B/call  ${key}`);
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

// ---------------------------------------------------------------------------------------------- parent
const proxiedRun = (): boolean => textArg('workload') === 'proxied';

async function parent(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sip-handler-'));
  const out = openSync(join(dir, 'stdout.log'), 'w');
  const prof = textArg('cpu-prof');
  const gcTrace = process.argv.includes('--gc-trace');
  const started = new Date().toISOString();
  const load0 = loadavg()[0] as number;
  const forked = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    execArgv: [
      '--import',
      'tsx',
      ...(textArg('node-flags') ?? '').split(' ').filter((f) => f !== ''),
      ...(prof
        ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-interval', String(numberArg('cpu-prof-interval', 100))]
        : []),
      ...(gcTrace ? ['--trace-gc-nvp'] : []),
    ],
    env: {
      ...process.env,
      BENCH_CHILD: '1',
      BENCH_DIR: dir,
      BENCH_HEAP_SAMPLE: textArg('heap-sample') ?? '',
      BENCH_SURVIVORS: process.argv.includes('--survivors') ? '1' : '',
    },
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  const results = await new Promise<RoundResult[]>((resolve, reject) => {
    forked.once('message', (m) => resolve(m as RoundResult[]));
    forked.once('exit', (code) => reject(new Error(`child exited (${code}); see ${dir}/stdout.log`)));
  });
  await new Promise((r) => forked.once('exit', r));
  const scavenges = gcTrace ? scavengesOf(readFileSync(join(dir, 'stdout.log'), 'utf8')) : [];
  console.log(
    `bench/sip-handler: ${started} → ${new Date().toISOString()}, load ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}, rate ${numberArg('rate', 1500)}/s, ${numberArg('seconds', 5)} s a round, ${textArg('workload') ?? 'refusal'}${process.argv.includes('--cdr') ? `, CDRs ${numberArg('talk-ms', 5)} ms after the answer` : ''}${textArg('variant') === 'answer-first' ? ', answer-first' : ''}${process.argv.includes('--carrier') ? ', carrier INVITEs (From name, PAI)' : ''}${proxiedRun() ? '' : `, ${callers()} callers`}`,
  );
  for (const r of results)
    console.log(
      `  ${r.handler.padEnd(9)} ${r.calls} calls (${r.answered} answered): main thread ${r.mainUs.toFixed(1)} µs/call, process ${r.processUs.toFixed(1)} µs/call; to answer p50 ${r.toAnswerP50.toFixed(1)} p99 ${r.toAnswerP99.toFixed(1)} µs${r.secondP50 === null ? '' : ` (a second call ${textArg('second-call-ms')} ms after: p50 ${r.secondP50.toFixed(1)} µs)`}; GC pauses ${r.gcUs.toFixed(1)} µs/call (${r.scavenges} scavenges, ${r.majorGcs} major)${gcTrace ? promotedIn(scavenges, r) : ''}`,
    );
  const med = (name: string, k: 'mainUs' | 'processUs' | 'toAnswerP50'): number => {
    const v = results
      .filter((r) => r.handler === name)
      .map((r) => r[k])
      .sort((a, b) => a - b);
    return v[Math.floor((v.length - 1) / 2)] as number;
  };
  console.log(
    `  crocetta less bare (medians of rounds): main thread ${(med('crocetta', 'mainUs') - med('bare', 'mainUs')).toFixed(1)} µs/call, process ${(med('crocetta', 'processUs') - med('bare', 'processUs')).toFixed(1)} µs/call, to answer p50 ${(med('crocetta', 'toAnswerP50') - med('bare', 'toAnswerP50')).toFixed(1)} µs`,
  );
  const against = results.filter((r) => r.handler === 'against');
  if (against.length > 0) {
    // Round r's crocetta against round r's other build (the rounds ran them in turn, the order rotated).
    const mine = results.filter((r) => r.handler === 'crocetta');
    const diffs = mine.map((r, i) => r.toAnswerP50 - (against[i] as RoundResult).toAnswerP50);
    const sorted = [...diffs].sort((a, b) => a - b);
    console.log(
      `  crocetta less against (${textArg('against')}), to answer p50 by round: ${diffs.map((d) => `${d >= 0 ? '+' : ''}${d.toFixed(1)}`).join(' ')} µs: median ${(sorted[Math.floor((sorted.length - 1) / 2)] as number).toFixed(1)}, lower in ${diffs.filter((d) => d < 0).length} of ${diffs.length}; main thread ${(med('crocetta', 'mainUs') - med('against', 'mainUs')).toFixed(1)} µs/call, process ${(med('crocetta', 'processUs') - med('against', 'processUs')).toFixed(1)} µs/call (medians of rounds)`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A scavenge as V8's --trace-gc-nvp reports it: when (ms since the isolate began), and the bytes it kept. */
interface Scavenge {
  atMs: number;
  promoted: number;
  survived: number;
}

/**
 * --gc-trace: the scavenges in the child's stdout (V8 writes its lines through C's buffered stdout, so a chunk of
 * the service's log lines, each a whole `{"level":…}` line, may have landed inside one of them: taken out first).
 */
function scavengesOf(out: string): Scavenge[] {
  const text = out.replace(/\{"level":[^\n]*\n/g, '');
  const found: Scavenge[] = [];
  for (const m of text.matchAll(
    /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: pause=.* gc=s .* promoted=(\d+) new_space_survived=(\d+) /gm,
  ))
    found.push({ atMs: Number(m[1]), promoted: Number(m[2]), survived: Number(m[3]) });
  return found;
}

/**
 * What the round's scavenges kept: promoted to the old generation (freed only by a mark-compact) and copied within
 * the young one, bytes a call. The isolate's clock starts a few ms after performance.now()'s origin: the rounds are
 * seconds long and 300 ms apart.
 */
function promotedIn(scavenges: readonly Scavenge[], r: RoundResult): string {
  const mine = scavenges.filter((s) => s.atMs >= r.fromMs && s.atMs <= r.toMs);
  const promoted = mine.reduce((a, s) => a + s.promoted, 0);
  const survived = mine.reduce((a, s) => a + s.survived, 0);
  return `; ${mine.length} traced: promoted ${(promoted / r.calls).toFixed(0)} B/call (${(promoted / Math.max(1, mine.length) / 1e6).toFixed(2)} MB a scavenge), survived ${(survived / r.calls).toFixed(0)} B/call`;
}

if (process.env.BENCH_CHILD === '1') void child();
else void parent();

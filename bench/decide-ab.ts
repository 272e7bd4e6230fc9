/**
 * bench/decide-ab.ts: two builds' repeat decisions with history, their timed passes alternating.
 *
 *   npm run bench:decide-ab -- --a DIR --b DIR [--passes 7] [--runs 1]
 *
 * DIR is a tree with a tsc build in DIR/dist/src (the lead's /tmp/leadNN/base, a worktree after
 * `npx tsc -p tsconfig.bench.json`). bench:decide's repeat shape with `--history` (bench/decide.ts: 1M marks, the
 * working set of 5,000 callers, 300k calls, each parsed by drachtio-srf outside the clocks just before its decision,
 * `--batch N` N at a time, 1,000 until 7 Dec 2026), decided by
 * each build's own register, index, classifier and screen(), set up by bench/decide-set-up.ts's setUp; then
 * `--passes` rounds, each one timed pass of each build (A B, then B A, alternating), and the B/A ratio of each
 * round's rates. Why: runs of one build read 152-208k repeat decisions/s across sessions 38-39 (the host under the
 * VM slows for tens of seconds at a time, a whole run with it), where the cuts measured were a few percent; two
 * builds' passes a few seconds apart pay the same host. The digest of each build's decisions (`digest[repeat]` of
 * bench:decide --history) is printed: equal digests, the same decisions.
 * Each build runs in a worker thread of its own (its own V8 isolate: heap, collector, compiled code and modules,
 * drachtio-srf's parser and libphonenumber-js included), both set up at the same time; the main thread only says
 * which worker runs a pass and waits for it. A worker loads its build's dist/src alone: bench/decide-set-up.ts
 * imports no module of src/, so the tree this tool runs from adds none of its own to either build's heap. Until
 * session 41 both builds shared one heap and the bench's own code, and with the same code twice the build set up
 * first read faster in 12 of 14 rounds (session 40).
 * `--runs N` does it all N times, each run with new workers, and prints each run's B/A (B's median pass over A's)
 * and their median. A run, not a round, is the sample: the rounds of one run share its two builds' compiled code
 * and heaps, and in session 41 whole runs read the same code ×0.95 to ×1.18, their rounds mostly one way
 * (docs/measurements.md, session 41).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { mulberry32 as rng } from '../test/support/prng.js';
import { numberArg, textArg } from './args.js';
import {
  batches,
  makeCalls,
  MARKS,
  setUp,
  timedPass,
  workingSet,
  type BuildModules,
  type Call,
  type Pass,
  type Verdicts,
} from './decide-set-up.js';

const CALLS = numberArg('calls', 300_000);
const HISTORY_DAYS = numberArg('history-days', 7);
const PASSES = Math.round(numberArg('passes', 7));
/** --runs N (1): the whole A/B N times, each run with workers (and so compiled code and heaps) of its own. */
const RUNS = Math.max(1, Math.round(numberArg('runs', 1)));
const NOW = Date.parse('2026-11-05T10:00:00Z');

/** What a worker is given: its build's label and tree, and the directory for its register. */
interface Job {
  label: string;
  dir: string;
  work: string;
}

type Ask = { kind: 'pass' } | { kind: 'digest' } | { kind: 'close' };
type Answer =
  { kind: 'ready'; line: string } | { kind: 'pass'; pass: Pass } | { kind: 'digest'; hex: string } | { kind: 'closed' };

/** The modules of the build in DIR/dist/src that setUp (bench/decide-set-up.ts) takes. */
async function loadBuild(dir: string): Promise<BuildModules> {
  const from = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(join(dir, 'dist/src', path)).href)) as T;
  return {
    derive: await from<BuildModules['derive']>('config/derive.js'),
    loader: await from<BuildModules['loader']>('config/loader.js'),
    schema: await from<BuildModules['schema']>('config/schema.js'),
    dates: await from<BuildModules['dates']>('screening/dates.js'),
    screening: await from<BuildModules['screening']>('screening/index.js'),
    policy: await from<BuildModules['policy']>('screening/policy.js'),
    friends: await from<BuildModules['friends']>('sharing/feeds/friend-index.js'),
    headers: await from<BuildModules['headers']>('sip/request-headers.js'),
    screen: await from<BuildModules['screen']>('sip/screen.js'),
    store: await from<BuildModules['store']>('store/index.js'),
    sqlite: await from<BuildModules['sqlite']>('store/sqlite/connection.js'),
  };
}

/** bench:decide's repeat shape (seed 42), drawn as bench/decide.ts draws it: the warm-up, then the timed calls. */
function repeatShape(): { warm: Call[]; rate: Call[] } {
  const rand = rng(42);
  const working = workingSet(rand);
  const warm: Call[] = working.map((caller, i) => ({ i, caller, tag: `w${i}` }));
  warm.push(...makeCalls(rand, Math.min(20_000, CALLS), working).calls);
  return { warm, rate: makeCalls(rand, CALLS, working).calls };
}

const verdicts = (): Verdicts => ({ trusted: 0, unknown: 0, suspect: 0, nuisance: 0 });

/** A worker: one build set up, its history recorded and warmed up, then a timed pass or a digest when asked. */
async function serve(job: Job): Promise<void> {
  const port = parentPort!;
  const { warm, rate } = repeatShape();
  const b = await setUp(await loadBuild(job.dir), {
    file: join(job.work, `${job.label}.sqlite`),
    now: NOW,
    env: {},
    marks: MARKS,
  });
  const refused = await b.history(warm, HISTORY_DAYS);
  for (const batch of batches(warm)) for (const req of batch) b.decide(req);
  const answer = (a: Answer) => port.postMessage(a);
  answer({
    kind: 'ready',
    line:
      `${job.label}: ${job.dir}: ${MARKS} marks written in ${(b.writtenMs / 1000).toFixed(1)} s, loaded in ` +
      `${(b.loadMs / 1000).toFixed(1)} s; history ${warm.length} calls (${refused} refused)`,
  });
  port.on('message', (ask: Ask) => {
    if (ask.kind === 'pass') answer({ kind: 'pass', pass: timedPass(rate, b.decide, verdicts()) });
    else if (ask.kind === 'digest') answer({ kind: 'digest', hex: b.digest(batches(rate)) });
    else void b.register.close().then(() => answer({ kind: 'closed' }));
  });
}

/** A worker's next answer (its error or exit before one rejects). */
function next(worker: Worker): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const onMessage = (a: Answer) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolveAnswer(a);
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      reject(err);
    };
    const onExit = (code: number) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      reject(new Error(`worker exited (${code}) before answering`));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

async function ask<K extends Answer['kind']>(
  worker: Worker,
  what: Ask,
  kind: K,
): Promise<Extract<Answer, { kind: K }>> {
  worker.postMessage(what);
  const a = await next(worker);
  if (a.kind !== kind) throw new Error(`worker answered ${a.kind}, not ${kind}`);
  return a as Extract<Answer, { kind: K }>;
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const k = (rate: number): string => `${(rate / 1000).toFixed(1)}k`;

/** A run's figures: each build's rate and CPU a decision, pass by pass. */
interface RunFigures {
  rates: number[][];
  cpu: number[][];
}

/**
 * One run: a worker for each build, both set up at once (the host's two cores, one each; neither is set up
 * "first"), then PASSES rounds timed in turn; the digests in the first run only (the same code decides alike).
 */
async function oneRun(run: number, dirs: readonly string[], work: string): Promise<RunFigures> {
  const workers: Worker[] = [];
  try {
    for (const [x, dir] of dirs.entries()) {
      const job: Job = { label: x === 0 ? 'A' : 'B', dir, work: join(work, `run${run}`) };
      mkdirSync(job.work, { recursive: true });
      workers.push(new Worker(new URL(import.meta.url), { workerData: job, argv: process.argv.slice(2) }));
    }
    const ready = await Promise.all(workers.map((w) => next(w)));
    for (const r of ready) {
      if (r.kind !== 'ready') throw new Error(`a worker answered ${r.kind} before it was ready`);
      if (run === 0) console.log(r.line);
    }
    const rates: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    for (let p = 0; p < PASSES; p++) {
      const order = p % 2 === 0 ? [0, 1] : [1, 0];
      const line: string[] = [];
      for (const x of order) {
        const { pass } = await ask(workers[x]!, { kind: 'pass' }, 'pass');
        rates[x]!.push(pass.rate);
        cpu[x]!.push(pass.cpuPerCall);
        line.push(`${x === 0 ? 'A' : 'B'} ${k(pass.rate)} ${us(pass.cpuPerCall)} ${pass.gcs} gc`);
      }
      const runName = RUNS > 1 ? `run ${run + 1} ` : '';
      console.log(`${runName}round ${p + 1}: ${line.join(', ')}; B/A ×${(rates[1]![p]! / rates[0]![p]!).toFixed(3)}`);
    }
    if (run === 0) {
      for (const [x, label] of ['A', 'B'].entries()) {
        console.log(`digest[${label}]: ${(await ask(workers[x]!, { kind: 'digest' }, 'digest')).hex}`);
      }
    }
    for (const w of workers) await ask(w, { kind: 'close' }, 'closed');
    return { rates, cpu };
  } finally {
    for (const w of workers) await w.terminate();
  }
}

/** A CPU time a decision: not read below --batch 100 (timedPass in bench/decide-set-up.ts). */
function us(x: number): string {
  return Number.isNaN(x) ? '— µs' : `${x.toFixed(2)} µs`;
}

/** The B/A line of a set of rounds. */
function abLine(name: string, rates: number[][], cpu: number[][]): string {
  const ratios = rates[0]!.map((r, p) => rates[1]![p]! / r);
  const higher = ratios.filter((r) => r > 1).length;
  return (
    `${name}: A median ${k(median(rates[0]!))} (${k(Math.min(...rates[0]!))}–${k(Math.max(...rates[0]!))}), ` +
    `${us(median(cpu[0]!))}; B median ${k(median(rates[1]!))} (${k(Math.min(...rates[1]!))}–` +
    `${k(Math.max(...rates[1]!))}), ${us(median(cpu[1]!))}; B/A by round median ×${median(ratios).toFixed(3)} ` +
    `(×${Math.min(...ratios).toFixed(3)}–×${Math.max(...ratios).toFixed(3)}), B higher in ${higher} of ${ratios.length}`
  );
}

async function main(): Promise<void> {
  const aDir = textArg('a');
  const bDir = textArg('b');
  if (aDir === undefined || bDir === undefined) {
    throw new Error('usage: decide-ab.js --a DIR --b DIR [--passes N] [--runs N]');
  }
  const work = mkdtempSync(join(tmpdir(), 'crocetta-bench-decide-ab-'));
  try {
    const runs: RunFigures[] = [];
    for (let run = 0; run < RUNS; run++) {
      const figures = await oneRun(run, [resolve(aDir), resolve(bDir)], work);
      runs.push(figures);
      console.log(abLine(RUNS > 1 ? `ab[repeat] run ${run + 1}` : 'ab[repeat]', figures.rates, figures.cpu));
    }
    if (RUNS > 1) {
      // A run's ratio: B's median pass over A's. Runs, not rounds, are the samples: rounds of one run share its
      // two builds' compiled code and heaps, and whole runs have read one build ×0.8 or ×1.3 of the other.
      const byRun = runs.map((r) => median(r.rates[1]!) / median(r.rates[0]!));
      console.log(
        `ab[repeat] by run: B/A ${byRun.map((r) => `×${r.toFixed(3)}`).join(', ')}; median ×${median(byRun).toFixed(3)}, ` +
          `B higher in ${byRun.filter((r) => r > 1).length} of ${RUNS} runs`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  serve(workerData as Job).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * bench/decide-ab.ts: two builds' repeat decisions with history in one process, their timed passes alternating.
 *
 *   npm run bench:decide-ab -- --a DIR --b DIR [--passes 7]
 *
 * DIR is a tree with a tsc build in DIR/dist/src (the lead's /tmp/leadNN/base, a worktree after
 * `npx tsc -p tsconfig.bench.json`). bench:decide's repeat shape with `--history` (bench/decide.ts: 1M marks, the
 * working set of 5,000 callers, 300k calls, batches of 1,000 parsed by drachtio-srf outside the clocks), decided by
 * each build's own register, index, classifier and screen(), set up by bench/decide-set-up.ts's setUp (bench:decide's own); then `--passes`
 * rounds, each one timed pass of each build (A B, then B A, alternating), and the B/A ratio of each round's rates.
 * Why: runs of one build read 152-208k repeat decisions/s across sessions 38-39 (the host under the VM slows for
 * tens of seconds at a time, a whole run with it), where the cuts measured were a few percent; two builds' passes a
 * few seconds apart in one process pay the same host, so a round's ratio holds what one build does better. The
 * digest of each build's decisions (`digest[repeat]` of bench:decide --history) is printed: equal digests, the same
 * decisions. The two builds share the process's heap and collector (a scavenge copies what is alive when it runs:
 * the pass's own batch of requests; both indexes sit in the old generation). Run it in both orders (`--a X --b Y`,
 * then `--a Y --b X`): with the same code twice, the build set up first read faster in 12 of 14 rounds (×0.921 and
 * ×0.967 for the other, session 40); the geometric mean of the two runs' medians cancels such an effect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  type Verdicts,
} from './decide-set-up.js';

const CALLS = numberArg('calls', 300_000);
const HISTORY_DAYS = numberArg('history-days', 7);
const PASSES = Math.round(numberArg('passes', 7));
const NOW = Date.parse('2026-11-05T10:00:00Z');

/** One build: its label, its tree and the modules of its DIR/dist/src that setUp takes. */
interface Build {
  label: string;
  dir: string;
  modules: BuildModules;
}

async function loadBuild(label: string, dir: string): Promise<Build> {
  const from = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(join(dir, 'dist/src', path)).href)) as T;
  return {
    label,
    dir,
    modules: {
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
    },
  };
}

/** A build set up by setUp, its history recorded: its decide, digest and register. */
async function prepare(b: Build, work: string, warm: readonly Call[]) {
  const set = await setUp(b.modules, { file: join(work, `${b.label}.sqlite`), now: NOW, env: {}, marks: MARKS });
  const refused = await set.history(warm, HISTORY_DAYS);
  console.log(
    `${b.label}: ${b.dir}: ${MARKS} marks written in ${(set.writtenMs / 1000).toFixed(1)} s, loaded in ` +
      `${(set.loadMs / 1000).toFixed(1)} s; history ${warm.length} calls (${refused} refused)`,
  );
  return {
    decide: set.decide,
    digest: (calls: readonly Call[]) => set.digest(batches(calls)),
    close: () => set.register.close(),
  };
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const k = (rate: number): string => `${(rate / 1000).toFixed(1)}k`;

async function main(): Promise<void> {
  const aDir = textArg('a');
  const bDir = textArg('b');
  if (aDir === undefined || bDir === undefined) throw new Error('usage: decide-ab.js --a DIR --b DIR [--passes N]');
  const builds = [await loadBuild('A', resolve(aDir)), await loadBuild('B', resolve(bDir))];
  // bench:decide's repeat shape (seed 42), drawn as bench/decide.ts draws it: the warm-up, then the timed calls.
  const rand = rng(42);
  const working = workingSet(rand);
  const warm: Call[] = working.map((caller, i) => ({ i, caller, tag: `w${i}` }));
  warm.push(...makeCalls(rand, Math.min(20_000, CALLS), working).calls);
  const rate = makeCalls(rand, CALLS, working).calls;
  const work = mkdtempSync(join(tmpdir(), 'crocetta-bench-decide-ab-'));
  try {
    const [a, b] = [await prepare(builds[0]!, work, warm), await prepare(builds[1]!, work, warm)];
    const deciders = [a, b];
    for (const d of deciders) for (const batch of batches(warm)) for (const req of batch) d.decide(req);
    const rates: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    const verdicts = (): Verdicts => ({ trusted: 0, unknown: 0, suspect: 0, nuisance: 0 });
    for (let p = 0; p < PASSES; p++) {
      const order = p % 2 === 0 ? [0, 1] : [1, 0];
      const line: string[] = [];
      for (const x of order) {
        const pass = timedPass(rate, deciders[x]!.decide, verdicts());
        rates[x]!.push(pass.rate);
        cpu[x]!.push(pass.cpuPerCall);
        line.push(`${x === 0 ? 'A' : 'B'} ${k(pass.rate)} ${pass.cpuPerCall.toFixed(2)} µs ${pass.gcs} gc`);
      }
      console.log(`round ${p + 1}: ${line.join(', ')}; B/A ×${(rates[1]![p]! / rates[0]![p]!).toFixed(3)}`);
    }
    const ratios = rates[0]!.map((r, p) => rates[1]![p]! / r);
    const higher = ratios.filter((r) => r > 1).length;
    console.log(
      `ab[repeat]: A median ${k(median(rates[0]!))} (${k(Math.min(...rates[0]!))}–${k(Math.max(...rates[0]!))}), ` +
        `${median(cpu[0]!).toFixed(2)} µs; B median ${k(median(rates[1]!))} (${k(Math.min(...rates[1]!))}–` +
        `${k(Math.max(...rates[1]!))}), ${median(cpu[1]!).toFixed(2)} µs; B/A by round median ×${median(ratios).toFixed(3)} ` +
        `(×${Math.min(...ratios).toFixed(3)}–×${Math.max(...ratios).toFixed(3)}), B higher in ${higher} of ${ratios.length}`,
    );
    console.log(`digest[A]: ${a.digest(rate)}`);
    console.log(`digest[B]: ${b.digest(rate)}`);
    for (const d of deciders) await d.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

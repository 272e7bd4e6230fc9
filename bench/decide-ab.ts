/**
 * bench/decide-ab.ts: two builds' repeat decisions with history in one process, their timed passes alternating.
 *
 *   npm run bench:decide-ab -- --a DIR --b DIR [--passes 7]
 *
 * DIR is a tree with a tsc build in DIR/dist/src (the lead's /tmp/leadNN/base, a worktree after
 * `npx tsc -p tsconfig.bench.json`). bench:decide's repeat shape with `--history` (bench/decide.ts: 1M marks, the
 * working set of 5,000 callers, 300k calls, batches of 1,000 parsed by drachtio-srf outside the clocks), decided by
 * each build's own register, index, classifier and screen(), set up as bench:decide sets up its own; then `--passes`
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
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Derive from '../src/config/derive.js';
import type * as Loader from '../src/config/loader.js';
import type * as Schema from '../src/config/schema.js';
import type * as Dates from '../src/screening/dates.js';
import type * as Screening from '../src/screening/index.js';
import type * as Policy from '../src/screening/policy.js';
import type * as Friends from '../src/sharing/feeds/friend-index.js';
import type * as Headers from '../src/sip/request-headers.js';
import type * as Screen from '../src/sip/screen.js';
import type * as Store from '../src/store/index.js';
import type * as Sqlite from '../src/store/sqlite/connection.js';
import type { EvidenceLookup } from '../src/screening/types.js';
import { mulberry32 as rng } from '../test/support/prng.js';
import { numberArg, textArg } from './args.js';
import {
  batches,
  makeCalls,
  MARKS_SQL,
  recordHistory,
  timedPass,
  workingSet,
  type Call,
  type Decide,
  type Verdicts,
} from './decide.js';

const MARKS = numberArg('marks', 1_000_000);
const CALLS = numberArg('calls', 300_000);
const HISTORY_DAYS = numberArg('history-days', 7);
const PASSES = Math.round(numberArg('passes', 7));
const NOW = Date.parse('2026-11-05T10:00:00Z');

/** The modules of one build that bench:decide's set-up uses, imported from DIR/dist/src. */
interface Build {
  label: string;
  dir: string;
  derive: typeof Derive;
  loader: typeof Loader;
  schema: typeof Schema;
  dates: typeof Dates;
  screening: typeof Screening;
  policy: typeof Policy;
  friends: typeof Friends;
  headers: typeof Headers;
  screen: typeof Screen;
  store: typeof Store;
  sqlite: typeof Sqlite;
}

async function loadBuild(label: string, dir: string): Promise<Build> {
  const from = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(join(dir, 'dist/src', path)).href)) as T;
  return {
    label,
    dir,
    derive: await from<typeof Derive>('config/derive.js'),
    loader: await from<typeof Loader>('config/loader.js'),
    schema: await from<typeof Schema>('config/schema.js'),
    dates: await from<typeof Dates>('screening/dates.js'),
    screening: await from<typeof Screening>('screening/index.js'),
    policy: await from<typeof Policy>('screening/policy.js'),
    friends: await from<typeof Friends>('sharing/feeds/friend-index.js'),
    headers: await from<typeof Headers>('sip/request-headers.js'),
    screen: await from<typeof Screen>('sip/screen.js'),
    store: await from<typeof Store>('store/index.js'),
    sqlite: await from<typeof Sqlite>('store/sqlite/connection.js'),
  };
}

/** A build set up as bench:decide sets up its own (bench/decide.ts main): its decide, digest and history. */
async function prepare(b: Build, work: string, warm: readonly Call[]) {
  const file = join(work, `${b.label}.sqlite`);
  const clock = { now: () => NOW };
  const config = b.loader.loadConfig({ env: {} });
  config.policies = b.schema.configSchema.shape.policies.parse([
    { name: 'support line', dids: ['02 1234 5670'], verdicts: ['suspect', 'nuisance', 'withheld'], action: 'tag' },
    { name: 'sales line', dids: ['02 1234 5671'], verdicts: ['suspect', 'withheld'], action: 'reject' },
    { name: 'after hours', hours: 'closed', verdicts: ['unknown'], action: 'tag' },
    { name: 'after hours, suspects', hours: 'closed', verdicts: ['suspect', 'withheld'], action: 'announce-early' },
  ]);
  const registerOptions = {
    file,
    lookbackDays: config.store.lookbackDays,
    blockDropDigits: config.screening.learning.blocks.dropDigits,
    suspectThreshold: config.screening.thresholds.suspect,
    prefixes: b.store.prefixIndexOptions(b.derive.screeningRules(config).learning, config.screening.thresholds),
    clock,
  };
  const created = await b.store.openRegister(registerOptions);
  await created.close();
  const db = await b.sqlite.Connection.open(file);
  const t0 = performance.now();
  await db.run(MARKS_SQL, [MARKS - 1]);
  await db.close();
  const written = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const register = await b.store.openRegister(registerOptions);
  const loaded = (performance.now() - t1) / 1000;
  const friends = new b.friends.FriendIndex(config.feeds.consensus);
  friends.subscribe((index) =>
    register.indexImported({ friendReports: { at: clock.now(), reports: [...index.counted()] } }),
  );
  const evidence: EvidenceLookup = {
    evidenceFor: (key, slot) => friends.withFriends(key, register.evidenceFor(key, slot)),
  };
  const steps: Screen.ScreeningSteps = {
    defaultCountry: config.defaultCountry,
    evidence,
    checkMemory: {
      passedAt: (key: string) => register.checkPassedAt(key),
      markOf: (key: string) => register.evidenceFor(key).mark,
      rememberDays: config.check.rememberDays,
      dates: b.dates.dayFormatter(config.timeZone),
    },
    classify: b.screening.createClassifier(b.derive.screeningRules(config)),
    policy: b.derive.actionPolicy(config),
  };
  const { screen } = b.screen;
  const { headerSource } = b.headers;
  const decide: Decide = (req) => screen(headerSource(req), steps, NOW).decision;
  // bench:decide's history: the warm-up decided call by call over HISTORY_DAYS before the clock, recorded.
  const refused = await recordHistory(warm, NOW, HISTORY_DAYS, {
    screenAt: (req, time) => screen(headerSource(req), steps, time),
    formatAction: b.policy.formatAction,
    isRefusalAction: b.store.isRefusalAction,
    register,
  });
  const digest = (calls: readonly Call[]): string => {
    const hash = createHash('sha256');
    for (const batch of batches(calls)) {
      for (const req of batch) hash.update(`${JSON.stringify(screen(headerSource(req), steps, NOW))}\n`);
    }
    return hash.digest('hex');
  };
  console.log(
    `${b.label}: ${b.dir}: ${MARKS} marks written in ${written.toFixed(1)} s, loaded in ${loaded.toFixed(1)} s; ` +
      `history ${warm.length} calls (${refused} refused)`,
  );
  return { decide, digest, close: () => register.close() };
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

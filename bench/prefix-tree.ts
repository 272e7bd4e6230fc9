/**
 * bench/prefix-tree.ts: memory and lookup cost of the prefix tree (src/screening/prefix-tree.ts) with 1M numbers.
 *
 *   node --expose-gc --import tsx bench/prefix-tree.ts [--numbers 1000000] [--lookups 200000]
 *
 * Two shapes of 1M numbers, each in its own tree:
 * - spread: every number in a 1000-block of its own (fresh numbers anywhere in Italian mobile ranges and five
 *   foreign countries' ranges: the worst case for nodes per number);
 * - clustered: runs of consecutive numbers (ten per 10-block, as in the FTC complaints and in call centres' blocks).
 * Prints members, nodes per level, bytes of the typed tables per slot and per number, the heap growth, the time to
 * learn a number (libphonenumber formats it once), to prune, and the latency of `estimate` for numbers next to
 * known ones and for numbers under no stored block; per-call times from process.hrtime.bigint (~40 ns of it).
 * Baseline in the same run: the store's block-count table (src/store/block-counts.ts, what blocks.ts reads today)
 * answering the same numbers' 10- and 100-blocks, and libphonenumber-js parsing one of the numbers.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { PrefixTree } from '../src/screening/prefix-tree.js';
import { BlockCountTable } from '../src/store/memory/block-counts.js';
import { mulberry32 } from '../test/support/prng.js';
import { numberArg } from './args.js';

const NUMBERS = numberArg('numbers', 1_000_000);
const LOOKUPS = numberArg('lookups', 200_000);
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T09:00:00+01:00');

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

const rand = mulberry32(42);
const digits = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rand() * 10));
  return s;
};
/** Valid-looking ranges: Italian mobiles and fixed lines, and the foreign centres' countries. */
const RANGES = [
  '+39347',
  '+39333',
  '+39320',
  '+39388',
  '+3902',
  '+3906',
  '+35569',
  '+35567',
  '+40721',
  '+40755',
  '+21620',
  '+21698',
  '+35988',
  '+37369',
];
const LENGTH: Record<string, number> = {
  '+39347': 7,
  '+39333': 7,
  '+39320': 7,
  '+39388': 7,
  '+3902': 8,
  '+3906': 8,
  '+35569': 7,
  '+35567': 7,
  '+40721': 6,
  '+40755': 6,
  '+21620': 6,
  '+21698': 6,
  '+35988': 7,
  '+37369': 6,
};

function spreadNumbers(n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    const r = RANGES[Math.floor(rand() * RANGES.length)]!;
    out.add(`${r}${digits(LENGTH[r]!)}`);
  }
  return [...out];
}
function clusteredNumbers(n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const r = RANGES[Math.floor(rand() * RANGES.length)]!;
    const ten = `${r}${digits(LENGTH[r]! - 1)}`;
    for (let d = 0; d < 10 && out.length < n; d++) out.push(`${ten}${d}`);
  }
  return [...new Set(out)];
}

function quantile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function timeEach(n: number, run: (i: number) => unknown): { p50: number; p99: number; mean: number } {
  const times = new Float64Array(n);
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const r = run(i);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
    if (r !== null && r !== undefined) sink++;
  }
  if (sink < 0) console.log(sink);
  const mean = times.reduce((a, b) => a + b, 0) / n;
  times.sort();
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), mean };
}

const fmt = (t: { p50: number; p99: number; mean: number }): string =>
  `p50 ${t.p50.toFixed(2)} µs, p99 ${t.p99.toFixed(2)} µs, mean ${t.mean.toFixed(2)} µs`;

function scenario(name: string, numbers: string[]): void {
  const before = heapMb();
  const tree = new PrefixTree();
  const learnStart = performance.now();
  for (let i = 0; i < numbers.length; i++) {
    // Nine in ten nuisance (refused or marked), one in ten legitimate, over the last 60 days.
    tree.observe(numbers[i]!, i % 10 === 0 ? 'legit' : 'nuisance', 1, T0 - Math.floor(rand() * 60) * DAY);
  }
  const learnSeconds = (performance.now() - learnStart) / 1000;
  const after = heapMb();
  const slots = tree.memberCount + tree.blockNodeCount;
  console.log(
    `${name}: ${tree.memberCount} numbers, ${tree.nodeCount} nodes (${tree.blockNodeCount} blocks, ${tree.nodeCount - tree.blockNodeCount} countries and destination codes); ` +
      `typed tables ${(tree.byteLength / 1048576).toFixed(1)} MB = ${(tree.byteLength / slots).toFixed(1)} bytes per member or block row (${(tree.byteLength / tree.memberCount).toFixed(1)} per number); ` +
      `heap +${(after - before).toFixed(1)} MB; learned in ${learnSeconds.toFixed(1)} s (${((learnSeconds * 1e6) / numbers.length).toFixed(1)} µs a number, libphonenumber included)`,
  );

  // Neighbours of known numbers (the last digit changed) and numbers under no stored block.
  const near = Array.from({ length: LOOKUPS }, (_, i) => {
    const n = numbers[(i * 7919) % numbers.length]!;
    return `${n.slice(0, -1)}${(Number(n.slice(-1)) + 5) % 10}`;
  });
  const far = Array.from({ length: LOOKUPS }, () => {
    const r = RANGES[Math.floor(rand() * RANGES.length)]!;
    return `${r}${digits(LENGTH[r]!)}`;
  });
  const now = T0 + DAY;
  for (let i = 0; i < 20_000; i++) tree.estimate(near[i % near.length]!, now); // warm up
  console.log(`  estimate, next to a known number: ${fmt(timeEach(LOOKUPS, (i) => tree.estimate(near[i]!, now)))}`);
  console.log(`  estimate, under no stored block:  ${fmt(timeEach(LOOKUPS, (i) => tree.estimate(far[i]!, now)))}`);

  // Baseline: today's block-count table (10- and 100-block of each number) on the same numbers.
  const small = new BlockCountTable();
  const large = new BlockCountTable();
  const keys = numbers.map((n) => Math.floor(Number(n.slice(1)) / 10));
  small.load(Float64Array.from(keys), new Float64Array(0));
  large.load(Float64Array.from(keys.map((k) => Math.floor(k / 10))), new Float64Array(0));
  const nearKeys = near.map((n) => Math.floor(Number(n.slice(1)) / 10));
  console.log(
    `  baseline, block-count table (10- and 100-block): ${fmt(timeEach(LOOKUPS, (i) => small.nuisance(nearKeys[i]!) + large.nuisance(Math.floor(nearKeys[i]! / 10))))}; ${((small.byteLength + large.byteLength) / 1048576).toFixed(1)} MB`,
  );
  console.log(
    `  baseline, libphonenumber-js parsing the number: ${fmt(timeEach(Math.min(LOOKUPS, 50_000), (i) => parsePhoneNumberFromString(far[i]!)))}`,
  );

  const pruneStart = performance.now();
  const kept = tree.prune(now);
  console.log(
    `  prune (nothing to forget yet): ${(performance.now() - pruneStart).toFixed(0)} ms; dropped ${kept.members} numbers, ${kept.nodes} nodes`,
  );
  const laterStart = performance.now();
  const dropped = tree.prune(T0 + 400 * DAY);
  console.log(
    `  prune 400 days later: ${(performance.now() - laterStart).toFixed(0)} ms; dropped ${dropped.members} numbers and ${dropped.nodes} nodes; ${tree.memberCount} numbers left (legitimate ones decay slower), ${(tree.byteLength / 1048576).toFixed(1)} MB`,
  );
}

console.log(`prefix tree bench: ${NUMBERS} numbers per scenario, ${LOOKUPS} lookups; node ${process.version}`);
scenario('spread', spreadNumbers(NUMBERS));
scenario('clustered', clusteredNumbers(NUMBERS));

/**
 * bench/index-memory: the heap the in-memory index (EvidenceIndex and its LearnedIndex) holds for callers who ring
 * again and again, written as the register writes it for bench:soak's traffic, without SIP: per second at --rate 150
 * 95 answered calls (a talk of 10 s), 20 cancelled, 15 refused by the PBX and 13 announced (a refusal time each), 6
 * PBX timeouts and 1 ring-forever call, from bench:soak's pools (11,200 numbers). Time advances by 1/rate per call.
 *
 * Each caller's history is bounded (MAX_TIMES_PER_CALLER attempt and refusal times, MAX_PER_CALLER calls and talks,
 * all within store.lookbackDays), so the heap grows until every caller's history is full, then stays. Printed every
 * --step calls after a forced GC: the index's heap (heap used less the heap before the index), bytes per call and
 * per caller. It answers "is the soak's heap growth a leak?" (README, Soak) without drachtio-server and sipp.
 * Also per step: the CPU time of the writes (the process's, the collector's helper threads included, the forced GC
 * and the printing left out), µs per call written: the record side's index cost for callers that ring again.
 *
 *   node --expose-gc --import tsx bench/index-memory.ts [--calls 3780000] [--step 270000] [--rate 150]
 */
import { EvidenceIndex, MAX_TIMES_PER_CALLER } from '../src/store/memory/evidence-index.js';
import { MAX_PER_CALLER } from '../src/store/memory/learned-index.js';

function num(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = Number(i >= 0 ? process.argv[i + 1] : fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected a positive number`);
  return v;
}

const KINDS = [
  { share: 95, first: 3471000000, size: 5000, did: '0612345001', talk: true, refused: false },
  { share: 20, first: 3472000000, size: 2000, did: '0612345002', talk: false, refused: false },
  { share: 15, first: 3473000000, size: 2000, did: '0612345003', talk: false, refused: true },
  { share: 13, first: 3476000000, size: 1000, did: '0612345001', talk: false, refused: true },
  { share: 6, first: 3474000000, size: 1000, did: '0612345004', talk: false, refused: false },
  { share: 1, first: 3475000000, size: 200, did: '0612345002', talk: false, refused: false },
];
const SHARES = KINDS.reduce((s, k) => s + k.share, 0);

function main(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('index-memory: run with node --expose-gc (see the header). Nothing measured.');
    process.exitCode = 2;
    return;
  }
  const calls = num('calls', 3_780_000);
  const step = num('step', 270_000);
  const rate = num('rate', 150);
  const pool = KINDS.reduce((s, k) => s + k.size, 0);
  let now = Date.parse('2026-12-03T06:00:00Z');
  gc();
  const before = process.memoryUsage().heapUsed;
  const index = new EvidenceIndex({ lookbackDays: 30, clock: { now: () => now } });
  console.log(
    `index-memory: ${calls} calls at ${rate}/s from ${pool} callers; per caller at most ${MAX_TIMES_PER_CALLER} attempt and refusal times, ${MAX_PER_CALLER} calls and talks`,
  );
  let cpu = process.cpuUsage();
  for (let n = 1; n <= calls; n++) {
    now += 1000 / rate;
    let r = Math.random() * SHARES;
    const kind = KINDS.find((k) => (r -= k.share) < 0) ?? KINDS[0]!;
    const key = `+39${kind.first + Math.floor(Math.random() * kind.size)}`;
    index.addAttempt(key, now);
    if (kind.refused) index.addRefusal(key, now);
    // A DID string of its own per call, as a SIP request's called number is (parsed from each request), not the one
    // literal shared by every call: an index that kept each call's DID would keep each call's string.
    index.learned.addCall(key, now, `${kind.did.slice(0, 5)}${kind.did.slice(5)}`);
    if (kind.talk) index.addTalk(key, now, 10);
    if (n % step === 0) {
      const used = process.cpuUsage(cpu);
      gc();
      const bytes = process.memoryUsage().heapUsed - before;
      console.log(
        `  calls ${String(n).padStart(8)} (${(n / rate / 3600).toFixed(2)} h)  index heap ${(bytes / 1048576).toFixed(1).padStart(6)} MB` +
          `  ${(bytes / n).toFixed(0).padStart(4)} B/call  ${(bytes / index.activeCallers / 1024).toFixed(1)} KB/caller (${index.activeCallers} callers)` +
          `  writes ${((used.user + used.system) / step).toFixed(2)} µs/call`,
      );
      cpu = process.cpuUsage();
    }
  }
}

main();

/**
 * Register benchmark: `npx tsx bench/register.ts [--idle=2000] [--synchronous=NORMAL|FULL] [--journal=50000] [--attempts=200000] [--concurrency=2000] [--paced=100] [--paced-seconds=10] [--paced-rounds=2] [--talk-with-outcome] [--checkpoint-rows=50] [--marks=1000000]`
 *
 * 0. Idle commit latency: one attempt at a time (the next one only once the previous `record()` resolved), the
 *    case of an office's line where calls come seconds apart: p50/p99 of `record()` until committed, beside the
 *    floor measured in the same run, the same INSERT run alone on a bare connection (WAL, synchronous=NORMAL,
 *    or FULL with --synchronous=FULL). With NORMAL, the same with the attempts journal (the service's register): how
 *    long record() takes until it says the attempt is journaled (what a durable SIP answer waits for) and until
 *    committed.
 * 0b. The journal alone: appends one after another, rows settled 50 behind, a new segment every 1 MiB: the
 *    append's p50/p99/max, the appends that opened a new segment apart, and the settles that deleted one.
 * 1. Durable write rate: records N attempts as fast as they come and counts each one when its `record()`
 *    promise resolved (its batch committed in WAL, synchronous=NORMAL). Prints attempts/s, batch sizes, latency.
 *    Twice: with the attempts journal (every attempt also appended to the journal first and settled at its commit,
 *    as the service runs by default), then without it.
 * 1b. Paced calls (`--paced=100`, `--paced-seconds=10`; 0: skipped): the register as the service uses it at a steady
 *    call rate, one call at a time on an idle machine's clock: a proxied call (record() with the journal, its outcome
 *    2 ms later and its talk time 1 ms after that, both given with record()'s promise as the service gives them) and a
 *    marked caller's refusal (record() alone; the callers marked
 *    before), the prefix tree on as in the service, each for --paced-seconds, in
 *    --paced-rounds rounds after a short warm-up. Prints
 *    the main thread's CPU time per call (/proc/thread-self/schedstat, less that of the same paced loop with no
 *    register, measured in the same run), the process's CPU per call (every thread: SQLite's too) and the commits per
 *    call: what the register adds to each call on the SIP main thread between calls (issue 12), and the journal's
 *    write()s and node-sqlite3's statement trips per call, counted (what CPU time on a shared machine blurs).
 *    `--only=paced`: this alone. `--talk-with-outcome`: the talk time in the same run as the outcome (bench:sip's
 *    short calls, whose CDR comes before the attempt's commit), not 1 ms after it. `--checkpoint-rows=N`: the
 *    checkpointer copies the WAL after N committed rows (the register's checkpointAfterRows; default 50); each paced
 *    line ends with the WAL file's size.
 * 2. Index of marks: fills a database with M marked numbers (in SQL), then a fresh `node` process (plain JS,
 *    transpiled from src/ on the fly, as `npm start` runs it: tsx alone costs ~35 MB of RSS) opens the register
 *    and reports the index load time, its RSS and peak RSS, and the lookup rate.
 */
import { spawnSync } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegister, type BatchInfo } from '../src/store/index.js';
import { Connection } from '../src/store/sqlite/connection.js';
import { newAttempt } from '../src/store/test-fixtures.js';
import {
  attemptLine,
  attemptParams,
  INSERT_ATTEMPT_SQL,
  INSERTED_ATTEMPT_COLUMNS,
} from '../src/store/register/rows.js';
import { AttemptJournal, type Segment } from '../src/store/register/journal.js';
import { silentLogger } from '../src/store/logger.js';
import { prefixIndexOptions } from '../src/store/memory/prefix-index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
}

function argText(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function memory(): { rssMb: number; peakMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number =>
    Number(/(\d+)/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN);
  return { rssMb: kb('VmRSS:') / 1024, peakMb: kb('VmHWM:') / 1024 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/**
 * One attempt at a time, each after the previous one was committed and the event loop turned once more (so the
 * writer has gone idle: a write made in the very callback of the previous commit would ride along with it).
 */
async function benchIdle(count: number, synchronous: 'NORMAL' | 'FULL'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-'));
  const base = Date.now();
  const attempt = (i: number) => newAttempt(`+39333${(1_000_000 + i).toString()}`, base + i);
  const sorted = (a: Float64Array) => Array.from(a).sort((x, y) => x - y);
  const warmup = Math.min(200, count);
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  // The floor: the same single-row INSERT on a bare connection, autocommit, awaited one by one.
  const floorFile = join(dir, 'floor.sqlite');
  await (await openRegister({ file: floorFile, lookbackDays: 30 })).close(); // schema
  const bare = await Connection.open(floorFile);
  await bare.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
  const insert = await bare.prepare(INSERT_ATTEMPT_SQL);
  const floor = new Float64Array(count);
  for (let i = -warmup; i < count; i++) {
    const params = attemptParams(attempt(i + warmup));
    const t = performance.now();
    await insert.run(params);
    if (i >= 0) floor[i] = performance.now() - t;
    await turn();
  }
  await insert.finalize();
  await bare.close();

  const register = await openRegister({ file: join(dir, 'register.sqlite'), lookbackDays: 30, synchronous });
  const lat = new Float64Array(count);
  for (let i = -warmup; i < count; i++) {
    const t = performance.now();
    await register.record(attempt(i + warmup));
    if (i >= 0) lat[i] = performance.now() - t;
    await turn();
  }
  await register.close();

  // The same with the attempts journal (NORMAL only: the service opens none under FULL).
  const journaled = new Float64Array(count);
  const returned = new Float64Array(count);
  const wrote = new Float64Array(count);
  const committed = new Float64Array(count);
  if (synchronous === 'NORMAL') {
    const withJournal = await openRegister({ file: join(dir, 'journal.sqlite'), lookbackDays: 30, journal: true });
    for (let i = -warmup; i < count; i++) {
      let at = NaN;
      const t = performance.now();
      const a = attempt(i + warmup); // inside the figures, as before --idle printed the split below
      const called = performance.now();
      const pending = withJournal.record(a, { onJournaled: () => (at = performance.now()) });
      const back = performance.now();
      await pending;
      if (i >= 0) {
        returned[i] = back - called;
        wrote[i] = at - back;
        journaled[i] = at - t;
        committed[i] = performance.now() - t;
      }
      await turn();
    }
    await withJournal.close();
  }
  rmSync(dir, { recursive: true, force: true });

  const f = sorted(floor);
  const r = sorted(lat);
  const [f50, f99, r50, r99] = [percentile(f, 0.5), percentile(f, 0.99), percentile(r, 0.5), percentile(r, 0.99)];
  console.log(
    `idle: bare INSERT (floor) p50 ${fmt(f50, 3)} ms, p99 ${fmt(f99, 3)} ms (${count} one at a time, synchronous=${synchronous})`,
  );
  console.log(
    `idle: record() until committed p50 ${fmt(r50, 3)} ms, p99 ${fmt(r99, 3)} ms ` +
      `(x${fmt(r50 / f50, 2)} / x${fmt(r99 / f99, 2)} the floor, +${fmt(r50 - f50, 3)} ms at p50)`,
  );
  if (synchronous === 'NORMAL') {
    const [j, c, b] = [sorted(journaled), sorted(committed), sorted(returned)];
    const us = (ms: number) => fmt(ms * 1000, 1);
    console.log(
      `idle, with the journal: record() until journaled p50 ${fmt(percentile(j, 0.5), 3)} ms, p99 ${fmt(percentile(j, 0.99), 3)} ms; ` +
        `until committed p50 ${fmt(percentile(c, 0.5), 3)} ms, p99 ${fmt(percentile(c, 0.99), 3)} ms`,
    );
    // What a durable SIP answer waits for, split: record()'s own work (index, row, its line, the queue), then the
    // journal's write() of the line in its microtask. One call every ~10 ms (each waits for its commit): cold caches,
    // as at 100 calls/s in the service.
    const w = sorted(wrote);
    console.log(
      `idle, with the journal: record() returned p50 ${us(percentile(b, 0.5))} µs, p99 ${us(percentile(b, 0.99))} µs; ` +
        `then the journal's write() in its microtask p50 ${us(percentile(w, 0.5))} µs, p99 ${us(percentile(w, 0.99))} µs`,
    );
  }
}

/** The journal alone: `count` appends, settled 50 behind, 1-MiB segments; times on the main thread. */
function benchJournal(count: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-'));
  const journal = AttemptJournal.open({
    databaseFile: join(dir, 'register.sqlite'),
    columns: INSERTED_ATTEMPT_COLUMNS,
    logger: silentLogger,
  });
  const base = Date.now();
  const plain: number[] = [];
  const rotating: number[] = [];
  const deleting: number[] = [];
  const waiting: Segment[] = [];
  let last: Segment | null = null;
  for (let i = 0; i < count; i++) {
    const row = attemptLine(attemptParams(newAttempt(`+39333${(1_000_000 + i).toString()}`, base + i), i + 1));
    let t = performance.now();
    const segment = journal.append(row);
    const ms = performance.now() - t;
    if (segment === null) throw new Error('journal write failed');
    (segment !== last && last !== null ? rotating : plain).push(ms);
    last = segment;
    waiting.push(segment);
    if (waiting.length > 50) {
      const old = waiting.shift() as Segment;
      t = performance.now();
      journal.settle(old);
      if (old.pending === 0 && old !== segment) deleting.push(performance.now() - t);
    }
  }
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  const line = (name: string, a: number[]) => {
    const x = a.sort((p, q) => p - q);
    return `${name} (${x.length}) p50 ${fmt(percentile(x, 0.5) * 1000, 1)} µs, p99 ${fmt(percentile(x, 0.99) * 1000, 1)} µs, max ${fmt((x[x.length - 1] ?? NaN) * 1000, 1)} µs`;
  };
  console.log(`journal: ${line('append', plain)}; ${line('append opening a segment', rotating)}`);
  console.log(`journal: ${line('settle deleting a segment (unlink off the main thread)', deleting)}`);
}

async function benchWrites(total: number, concurrency: number, journal: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-'));
  const batches: BatchInfo[] = [];
  const register = await openRegister({
    file: join(dir, 'register.sqlite'),
    lookbackDays: 30,
    batchMaxSize: arg('batch', 500),
    onBatch: (b) => batches.push(b),
    journal,
  });
  const name = journal ? 'writes, with the journal' : 'writes, without the journal';
  const callers = 50_000;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const base = Date.now();
  const latencies = new Float64Array(total);
  let acknowledged = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  // A busy front end: up to `concurrency` calls waiting for their record() at any time, new ones as soon as one
  // is acknowledged. Each attempt counts when its promise resolved, i.e. its batch committed.
  for (let i = 0; i < total; i++) {
    if (inFlight >= concurrency) await new Promise<void>((r) => (wake = r));
    const t = performance.now();
    const caller = `+39333${(1_000_000 + (i % callers)).toString()}`;
    inFlight++;
    register.record(newAttempt(caller, base + i, { action: i % 10 === 0 ? 'reject:607' : 'allow' })).then(
      () => {
        latencies[acknowledged++] = performance.now() - t;
        inFlight--;
        wake?.();
        wake = undefined;
      },
      (err: unknown) => {
        throw err;
      },
    );
  }
  await register.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await register.close();
  rmSync(dir, { recursive: true, force: true });

  const sizes = batches.map((b) => b.size).sort((a, b) => a - b);
  const lat = Array.from(latencies).sort((a, b) => a - b);
  console.log(
    `${name}: ${acknowledged} attempts acknowledged durably in ${fmt(seconds, 2)} s = ${fmt(acknowledged / seconds, 0)} attempts/s`,
  );
  // On a shared machine the wall-clock rate follows the neighbours' load; CPU time (SQLite's threads included) does not.
  console.log(
    `${name}: ${fmt(cpuSeconds, 2)} CPU-s used = ${fmt(acknowledged / cpuSeconds, 0)} attempts per CPU-second`,
  );
  console.log(
    `${name}: ${batches.length} batches (${batches.filter((b) => !b.ok).length} failed), size min/median/max ` +
      `${sizes[0]}/${percentile(sizes, 0.5)}/${sizes[sizes.length - 1]}, mean commit ${fmt(batches.reduce((s, b) => s + b.durationMs, 0) / batches.length, 2)} ms`,
  );
  console.log(
    `${name}: record() latency p50 ${fmt(percentile(lat, 0.5))} ms, p99 ${fmt(percentile(lat, 0.99))} ms (${concurrency} in flight)`,
  );
}

/**
 * CPU time the main thread has run, ms (the kernel's per-thread count, ns resolution: it does not grow while the
 * thread waits for a core on a loaded machine, as the event loop's busy time does).
 */
function mainThreadCpuMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

/** One paced pass: `calls` calls, one every 1000/rate ms; `call(i)` does a call's register work (none: baseline). */
async function pacedPass(
  rate: number,
  calls: number,
  call: ((i: number) => void) | null,
  settle: () => Promise<void>,
): Promise<{ activeMs: number; cpuMs: number }> {
  const interval = 1000 / rate;
  const main0 = mainThreadCpuMs();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    call?.(i);
  }
  await settle();
  const main = mainThreadCpuMs() - main0;
  const cpu = process.cpuUsage(cpu0);
  return { activeMs: main, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * What the register asks of the main thread that CPU time on a shared machine blurs, counted: `write()`s (fs.writeSync:
 * the journal's) and node-sqlite3 statement trips (Statement run/all/get), by wrapping both once for the paced rounds.
 */
const counted = { writes: 0, trips: 0 };
function countWritesAndTrips(): void {
  const require = createRequire(import.meta.url);
  const fs = require('node:fs') as { writeSync: (...args: unknown[]) => number };
  const writeSync = fs.writeSync;
  fs.writeSync = (...args) => (counted.writes++, writeSync(...args));
  syncBuiltinESMExports();
  const statement = (require('sqlite3') as { Statement: { prototype: Record<string, unknown> } }).Statement.prototype;
  for (const name of ['run', 'all', 'get']) {
    const real = statement[name] as (...args: unknown[]) => unknown;
    statement[name] = function (this: unknown, ...args: unknown[]) {
      counted.trips++;
      return real.apply(this, args);
    };
  }
}

async function benchPaced(rate: number, seconds: number, rounds: number): Promise<void> {
  countWritesAndTrips();
  // A short first round warms the code up (not printed); then `rounds` rounds, each with its own baseline.
  await pacedRound(rate, Math.min(seconds, 1), false);
  for (let r = 1; r <= rounds; r++) await pacedRound(rate, seconds, true, r);
}

const talkWithOutcome = process.argv.includes('--talk-with-outcome');

async function pacedRound(rate: number, seconds: number, print: boolean, round = 0): Promise<void> {
  const calls = Math.round(rate * seconds);
  const base = Date.now();
  const caller = (i: number) => `+39333${(1_000_000 + (i % 5000)).toString()}`;
  // The same loop with no register: timers, the attempt's object, a resolved promise per call.
  const idle = await pacedPass(
    rate,
    calls,
    (i) => void Promise.resolve(newAttempt(caller(i), base + i)),
    () => new Promise((resolve) => setTimeout(resolve, 50)),
  );
  for (const kind of ['proxied', 'refusal'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-'));
    let commits = 0;
    const register = await openRegister({
      file: join(dir, 'register.sqlite'),
      lookbackDays: 30,
      journal: true,
      // The prefix tree as the service keeps it by default (screening.learning.prefixes.enabled).
      prefixes: prefixIndexOptions(undefined, { suspect: 0.5 }),
      onBatch: () => commits++,
      ...(argText('commit-interval') !== undefined && { journaledCommitIntervalMs: arg('commit-interval', 10) }),
      ...(argText('checkpoint-rows') !== undefined && { checkpointAfterRows: arg('checkpoint-rows', 50) }),
    });
    // The refused callers are marked first, as bench:sip's: their numbers are in the prefix tree before their calls.
    if (kind === 'refusal') {
      await Promise.all(
        Array.from({ length: Math.min(calls, 5000) }, (_, i) =>
          register.mark(caller(i), { label: 'nuisance', company: null, category: null, at: base - 1000, by: 'bench' }),
        ),
      );
      await register.flush();
      commits = 0;
    }
    let journaled = 0;
    const pending: Promise<unknown>[] = [];
    const before = { ...counted };
    const result = await pacedPass(
      rate,
      calls,
      (i) => {
        const at = base + i;
        const attempt =
          kind === 'proxied'
            ? newAttempt(caller(i), at)
            : newAttempt(caller(i), at, {
                verdict: 'nuisance',
                score: 1,
                reasons: [{ code: 'marked-nuisance', weight: 1, text: 'marked nuisance' }],
                action: 'reject:607',
                outcome: 'rejected',
                finalStatus: 607,
              });
        const recorded = register.record(attempt, { onJournaled: () => journaled++ });
        if (kind === 'refusal') {
          pending.push(recorded);
          return;
        }
        // As a proxied call: the PBX's answer 2 ms later, the BYE's talk time right after, each given with record()'s
        // promise as the service gives them (before the attempt's commit, they join its row).
        pending.push(recorded);
        setTimeout(() => {
          register.updateOutcome(recorded, { outcome: 'answered', finalStatus: 200, refused: false, at: at + 2 });
          // --talk-with-outcome: in the same run, as bench:sip's short calls give them (the CDR before the commit).
          if (talkWithOutcome) register.recordTalk(recorded, { talkMs: 1, answeredAt: at + 2 });
          else setTimeout(() => register.recordTalk(recorded, { talkMs: 1, answeredAt: at + 2 }), 1);
        }, 2);
      },
      async () => {
        await Promise.all(pending);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await register.flush();
      },
    );
    const writes = (counted.writes - before.writes) / calls;
    const trips = (counted.trips - before.trips) / calls;
    const walBytes = walSize(join(dir, 'register.sqlite'));
    await register.close();
    rmSync(dir, { recursive: true, force: true });
    const perCall = (ms: number) => fmt((ms * 1000) / calls, 1);
    if (!print) continue;
    console.log(
      `paced round ${round}, ${kind} at ${rate}/s: ${calls} calls (${journaled} journaled), main thread CPU ${perCall(result.activeMs - idle.activeMs)} µs/call ` +
        `(${perCall(result.activeMs)} less the loop's own ${perCall(idle.activeMs)}), process CPU ${perCall(result.cpuMs - idle.cpuMs)} µs/call ` +
        `(all threads, less the loop's ${perCall(idle.cpuMs)}), ${fmt(commits / calls, 2)} commits/call, ` +
        `${fmt(writes, 2)} write()s/call, ${fmt(trips, 2)} statement trips/call, WAL file ${fmt(walBytes / 1024, 0)} KB`,
    );
  }
}

/** The WAL file's size (its largest extent since it was made: SQLite reuses it from the start, never shrinks it). */
function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return NaN;
  }
}

async function fillMarks(file: string, count: number): Promise<void> {
  const db = await Connection.open(file);
  await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  await db.close();
  // Let the register create the schema, then fill `numbers` in one SQL statement.
  await (await openRegister({ file, lookbackDays: 30 })).close();
  const w = await Connection.open(file);
  await w.run(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
     INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
     SELECT '+39' || (3000000000 + i * 7), CASE WHEN i % 5 = 0 THEN 'trusted' ELSE 'nuisance' END, 1700000000000 + i,
            CASE WHEN i % 3 = 0 THEN 'Company ' || (i % 2000) END, CASE WHEN i % 2 = 0 THEN 'energy' END, 1700000000000
       FROM n`,
    [count],
  );
  await w.close();
}

/** Transpiles src/ and this file to plain JS under test-artifacts/, so the child runs without tsx. */
async function transpile(): Promise<string> {
  const ts = (await import('typescript')).default;
  const out = join(ROOT, 'test-artifacts', 'bench-register');
  // All of src/ (the store imports the screening layer's pure code), without tests.
  const files = [
    ...readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(ROOT, 'src', f)),
    fileURLToPath(import.meta.url),
  ];
  for (const file of files) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return join(out, 'bench', 'register.js');
}

async function benchMarks(count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-'));
  const file = join(dir, 'register.sqlite');
  const t = performance.now();
  await fillMarks(file, count);
  console.log(`marks: filled ${count} marked numbers in ${fmt((performance.now() - t) / 1000, 1)} s`);
  const child = spawnSync(process.execPath, [await transpile(), '--phase=load', `--file=${file}`, `--marks=${count}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(child.stdout);
  rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`load phase failed with status ${child.status}`);
}

/** Runs in a fresh plain-node process: open the register over M marks and measure. */
async function loadPhase(file: string, count: number): Promise<void> {
  const before = memory();
  const register = await openRegister({ file, lookbackDays: 30 });
  const stats = register.loadStats;
  const after = memory();
  // Keys come from the SIP layer; 20k of them are built up front so that the figure is the index's own cost.
  const keys = Array.from(
    { length: 20_000 },
    (_, i) => `+39${(3000000000 + ((i * 7919) % (count * 2)) * 7).toString()}`,
  );
  const started = performance.now();
  let found = 0;
  const lookups = 1_000_000;
  for (let i = 0; i < lookups; i++) {
    if (register.evidenceFor(keys[i % keys.length] ?? '').mark !== null) found++; // half of them are not marked
  }
  const perLookupUs = ((performance.now() - started) * 1000) / lookups;
  await register.close();
  const end = memory();
  if (process.argv.includes('--verbose'))
    console.log(process.memoryUsage(), readFileSync('/proc/self/smaps_rollup', 'utf8'));
  console.log(
    `marks: index of ${stats.marks} marks loaded in ${fmt(stats.durationMs / 1000, 2)} s; typed arrays ${fmt(register.indexBytes / 2 ** 20)} MB`,
  );
  console.log(
    `marks: process RSS ${fmt(before.rssMb)} MB before open, ${fmt(after.rssMb)} MB after load, peak ${fmt(after.peakMb)} MB ` +
      `during load, ${fmt(end.peakMb)} MB after 1M lookups (plain node ${process.version})`,
  );
  console.log(`marks: ${lookups} lookups (${found} marked) at ${fmt(perLookupUs, 3)} µs each`);
}

async function main(): Promise<void> {
  if (argText('phase') === 'fill') {
    await fillMarks(argText('file') ?? '', arg('marks', 1_000_000));
    return;
  }
  if (argText('phase') === 'transpile') {
    console.log(await transpile());
    return;
  }
  if (argText('phase') === 'load') {
    await loadPhase(argText('file') ?? '', arg('marks', 1_000_000));
    return;
  }
  if (argText('only') === 'paced') {
    await benchPaced(arg('paced', 100), arg('paced-seconds', 10), arg('paced-rounds', 2));
    return;
  }
  await benchIdle(arg('idle', 2000), argText('synchronous') === 'FULL' ? 'FULL' : 'NORMAL');
  benchJournal(arg('journal', 50_000));
  // As the service runs (journal on, the default under synchronous NORMAL), then without it, as before it existed.
  // --writes=journal or --writes=plain: one of the two (a profile of one, alternating runs), both by default.
  const writes = argText('writes') ?? 'both';
  if (writes !== 'plain') await benchWrites(arg('attempts', 200_000), arg('concurrency', 2000), true);
  if (writes !== 'journal') await benchWrites(arg('attempts', 200_000), arg('concurrency', 2000), false);
  if (arg('paced', 100) > 0) await benchPaced(arg('paced', 100), arg('paced-seconds', 10), arg('paced-rounds', 2));
  await benchMarks(arg('marks', 1_000_000));
}

await main();

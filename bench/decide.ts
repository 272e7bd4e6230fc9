/**
 * bench/decide.ts: how fast crocetta decides, with 1M listed numbers in the register.
 *
 *   npm run bench:decide [-- --marks 1000000 --calls 300000]
 *
 * Builds a register with N marked numbers (SQLite, loaded by the real openRegister into the in-memory index),
 * then runs the per-call path on realistic header sets: identifyCaller → calledNumber → callerKey →
 * evidenceFor → classify → pickAction (the README's four policy rules, none matching: every rule is tried). Reports decisions/s, p50/p99 latency, index load time and RSS.
 * Baseline measured in the same run: libphonenumber-js parsing the same numbers alone (the floor of any
 * caller-ID work), and the process's RSS before the index was loaded.
 * `--cpu-prof DIR` writes a CPU profile of each traffic shape's timed loop alone (DIR/repeat.cpuprofile,
 * DIR/all-new.cpuprofile; open them in Chrome DevTools or speedscope), without the register's build and load.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { callerKey, calledNumber, identifyCaller } from '../src/callerid/index.js';
import type { SipHeaderSource } from '../src/callerid/types.js';
import { createClassifier, DEFAULT_SCREENING_RULES } from '../src/screening/index.js';
import { actionPolicy } from '../src/config/derive.js';
import { loadConfig } from '../src/config/loader.js';
import { configSchema } from '../src/config/schema.js';
import { pickAction } from '../src/policy/rules.js';
import { NO_EVIDENCE } from '../src/screening/types.js';
import { openRegister } from '../src/store/index.js';
import { Connection } from '../src/store/sqlite/connection.js';
import { mulberry32 as rng } from '../test/support/prng.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const MARKS = arg('marks', 1_000_000);
const CALLS = arg('calls', 300_000);
const PROFILE_DIR = ((i) => (i >= 0 ? process.argv[i + 1] : undefined))(process.argv.indexOf('--cpu-prof'));

/** Runs `fn` under the V8 profiler when --cpu-prof was given, writing DIR/<name>.cpuprofile. */
async function profiled<T>(name: string, fn: () => T): Promise<T> {
  if (PROFILE_DIR === undefined) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const result = fn();
  const { profile } = await session.post('Profiler.stop');
  mkdirSync(PROFILE_DIR, { recursive: true });
  writeFileSync(`${PROFILE_DIR}/${name}.cpuprofile`, JSON.stringify(profile));
  session.disconnect();
  return result;
}

function gcRssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1048576;
}

function headers(map: Record<string, string>, requestUri: string): SipHeaderSource {
  const lower = new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), [v]]));
  return { requestUri, header: (name) => lower.get(name.toLowerCase()) ?? [] };
}

/** The listed numbers: +39 02 1xxxxxxx (Milan fixed lines), one in ten trusted, the rest nuisance. */
function listedNumber(i: number): string {
  return `+39021${String(i).padStart(7, '0')}`;
}

type Verdicts = Record<'trusted' | 'unknown' | 'suspect' | 'nuisance', number>;

/**
 * Calls of a realistic mix: 40% listed numbers (PAI tel:, one in ten trusted), 30% Italian mobiles in From,
 * 10% 0844 telemarketing, 10% French numbers with a sip: PAI, 10% Privacy: id with the number asserted.
 * With `fromWorkingSet()` true a call reuses one of 5,000 callers (skewed: low indexes ring most).
 */
function makeCalls(rand: () => number, count: number, fromWorkingSet: () => boolean) {
  const calls: SipHeaderSource[] = [];
  const numbers: string[] = [];
  const did = 'sip:+390612345678@10.0.0.5';
  const working: Array<{ h: Record<string, string>; n: string }> = [];
  const fresh = (i: number): { h: Record<string, string>; n: string } => {
    const r = rand();
    if (r < 0.4) {
      const n = listedNumber(Math.floor(rand() * MARKS));
      return { n, h: { From: `<sip:${n}@203.0.113.10>;tag=a${i}`, 'P-Asserted-Identity': `<tel:${n}>` } };
    }
    if (r < 0.7) {
      const n = `3${Math.floor(rand() * 1e9)
        .toString()
        .padStart(9, '0')}`;
      return { n, h: { From: `"Cliente ${i % 97}" <sip:${n}@carrier.example;user=phone>;tag=b${i}` } };
    }
    if (r < 0.8) {
      const n = `0844${Math.floor(rand() * 1e6)
        .toString()
        .padStart(6, '0')}`;
      return { n, h: { From: `<sip:${n}@203.0.113.10>;tag=c${i}` } };
    }
    if (r < 0.9) {
      const n = `+33${1 + Math.floor(rand() * 9)}${Math.floor(rand() * 1e8)
        .toString()
        .padStart(8, '0')}`;
      return {
        n,
        h: {
          From: `<sip:${n}@sbc.example>;tag=d${i}`,
          'P-Asserted-Identity': `"Société" <sip:${n}@sbc.example;user=phone>`,
        },
      };
    }
    const n = `+3934${Math.floor(rand() * 1e8)
      .toString()
      .padStart(8, '0')}`;
    return {
      n,
      h: {
        From: `"Anonymous" <sip:anonymous@anonymous.invalid>;tag=e${i}`,
        'P-Asserted-Identity': `<tel:${n}>`,
        Privacy: 'id',
      },
    };
  };
  for (let i = 0; i < 5000; i++) working.push(fresh(i));
  for (let i = 0; i < count; i++) {
    let call = fresh(i);
    if (fromWorkingSet()) {
      const base = working[Math.floor(rand() * rand() * working.length)]!;
      // A new From tag each time, as on the wire.
      call = { n: base.n, h: { ...base.h, From: base.h.From!.replace(/tag=.*$/, `tag=r${i}`) } };
    }
    calls.push(headers(call.h, did));
    numbers.push(call.n);
  }
  return { calls, numbers };
}

function run(name: string, calls: SipHeaderSource[], decide: (s: SipHeaderSource) => { verdict: keyof Verdicts }) {
  for (let i = 0; i < Math.min(20_000, calls.length); i++) decide(calls[i]!);
  const verdicts: Verdicts = { trusted: 0, unknown: 0, suspect: 0, nuisance: 0 };
  const t = performance.now();
  for (const c of calls) verdicts[decide(c).verdict]++;
  const rate = calls.length / ((performance.now() - t) / 1000);
  const lat = new Float64Array(calls.length);
  for (let i = 0; i < calls.length; i++) {
    const s = process.hrtime.bigint();
    decide(calls[i]!);
    lat[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  lat.sort();
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { name, rate, verdicts, p50: pct(0.5), p99: pct(0.99), p999: pct(0.999) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-bench-decide-'));
  const file = join(dir, 'register.sqlite');
  try {
    // 1. A register with MARKS marked numbers.
    const created = await openRegister({ file, lookbackDays: 30 });
    await created.close();
    const db = await Connection.open(file);
    const t0 = performance.now();
    await db.run(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
       SELECT '+39021' || substr('0000000' || i, -7), CASE WHEN i % 10 = 0 THEN 'trusted' ELSE 'nuisance' END,
              1790000000000 + i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'Company ' || (i % 500) END,
              CASE WHEN i % 10 = 0 THEN NULL ELSE 'energy' END, 1790000000000 + i
       FROM c`,
      [MARKS - 1],
    );
    await db.close();
    console.log(`register: ${MARKS} marked numbers written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // 2. Load it the way crocetta starts.
    const rssBefore = gcRssMb();
    const t1 = performance.now();
    const register = await openRegister({ file, lookbackDays: 30 });
    const loadMs = performance.now() - t1;
    const rssAfter = gcRssMb();

    // 3. Two traffic shapes on the same register:
    //  - "repeat": what a business sees: the same call centres and customers ring again and again
    //    (callers drawn from a working set of 5,000 numbers, skewed so a few ring most);
    //  - "all-new": every call from a number never seen before (worst case: nothing cached).
    const classify = createClassifier(DEFAULT_SCREENING_RULES);
    const now = Date.parse('2026-11-05T10:00:00Z');
    // The README's policies (support line, sales line, two after-hours rules); the DID called is neither line and
    // the office is open, so every rule is tried before the actions per verdict.
    const config = loadConfig({ env: {} });
    config.policies = configSchema.shape.policies.parse([
      { name: 'support line', dids: ['02 1234 5670'], verdicts: ['suspect', 'nuisance', 'withheld'], action: 'tag' },
      { name: 'sales line', dids: ['02 1234 5671'], verdicts: ['suspect', 'withheld'], action: 'reject' },
      { name: 'after hours', hours: 'closed', verdicts: ['unknown'], action: 'tag' },
      { name: 'after hours, suspects', hours: 'closed', verdicts: ['suspect', 'withheld'], action: 'announce-early' },
    ]);
    const policy = actionPolicy(config);
    const decide = (src: SipHeaderSource) => {
      const identity = identifyCaller(src, { defaultCountry: 'IT' });
      const called = calledNumber(src, { defaultCountry: 'IT' });
      const key = callerKey(identity);
      const evidence = key === null ? NO_EVIDENCE : register.evidenceFor(key);
      const decision = classify(identity, evidence, now);
      pickAction(decision, identity, policy, { did: called?.e164 ?? called?.raw ?? null, time: now });
      return decision;
    };

    const repeat = makeCalls(rng(42), CALLS, () => true);
    const allNew = makeCalls(rng(7), CALLS, () => false);
    const results = [
      await profiled('repeat', () => run('repeat', repeat.calls, decide)),
      await profiled('all-new', () => run('all-new', allNew.calls, decide)),
    ];

    // Baseline: libphonenumber-js alone on the all-new numbers (nothing cached), in this run.
    const t3 = performance.now();
    for (const n of allNew.numbers) parsePhoneNumberFromString(n, 'IT')?.getType();
    const baseRate = allNew.numbers.length / ((performance.now() - t3) / 1000);

    console.log(`index load: ${loadMs.toFixed(0)} ms for ${MARKS} marks`);
    console.log(
      `rss: ${rssBefore.toFixed(1)} MB before the index, ${rssAfter.toFixed(1)} MB after (+${(rssAfter - rssBefore).toFixed(1)} MB for ${MARKS} marks)`,
    );
    console.log(`baseline: libphonenumber-js parse+getType alone, new numbers: ${Math.round(baseRate)} numbers/s`);
    for (const r of results) {
      console.log(
        `decide[${r.name}]: ${Math.round(r.rate)} decisions/s (${(r.rate / baseRate).toFixed(2)}x baseline) ` +
          `p50=${r.p50.toFixed(1)} µs p99=${r.p99.toFixed(1)} µs p99.9=${r.p999.toFixed(1)} µs verdicts=${JSON.stringify(r.verdicts)}`,
      );
    }
    await register.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

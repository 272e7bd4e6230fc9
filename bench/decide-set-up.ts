/**
 * bench/decide-set-up.ts: what bench:decide (bench/decide.ts) and bench:decide-ab (bench/decide-ab.ts) share: the
 * calls (drawn from a seed, parsed by drachtio-srf's own SipMessage a batch at a time), a build set up with its
 * register of marks, its history and its screening steps, and a timed pass. It imports no module of src/ (types
 * only): each caller passes the build's modules, bench:decide its own static imports, bench:decide-ab those of
 * each build's DIR/dist/src, in a worker of its own that then loads that build's code alone.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { GCProfiler } from 'node:v8';
import type Srf from 'drachtio-srf';
import type * as Derive from '../src/config/derive.js';
import type * as Loader from '../src/config/loader.js';
import type * as Schema from '../src/config/schema.js';
import type * as Dates from '../src/screening/dates.js';
import type * as Screening from '../src/screening/index.js';
import type * as Policy from '../src/screening/policy.js';
import type { EvidenceLookup } from '../src/screening/types.js';
import type * as Friends from '../src/sharing/feeds/friend-index.js';
import type * as Headers from '../src/sip/request-headers.js';
import type * as Screen from '../src/sip/screen.js';
import type * as Store from '../src/store/index.js';
import type { Register } from '../src/store/register/types.js';
import type * as Sqlite from '../src/store/sqlite/connection.js';
import { numberArg } from './args.js';

/** --marks N: the register's marked numbers (1M). */
export const MARKS = numberArg('marks', 1_000_000);
/** --preparsed: every call parsed before the first is decided (see batches). */
const PREPARSED = process.argv.includes('--preparsed');
/**
 * --batch N: calls parsed at a time (1: each request parsed just before its own decision, as in the service; see
 * batches). Until 7 Dec 2026 the default was 1,000: a batch's parsed requests (several MB) are alive while it is
 * decided, every scavenge copies them, and its first requests are out of the CPU's caches by the time they are
 * decided; figures up to session 43 were read at 1,000 (docs/measurements.md, session 44).
 */
const BATCH = Math.max(1, Math.floor(numberArg('batch', 1)));

// drachtio-srf's own message and request classes, as its agent builds them for every request it receives.
const require = createRequire(import.meta.url);
type SipMessageClass = new (raw: string) => object;
type RequestClass = new (msg: object, meta: Record<string, unknown>) => Srf.SrfRequest;
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as SipMessageClass;
const Request = require('drachtio-srf/lib/request.js') as RequestClass;

/** The process's RSS (MB) after two full collections (with --expose-gc). */
export function gcRssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1048576;
}

const DID = '+390612345678';

/** A carrier's INVITE as drachtio-server hands it over (no SDP body: the decision never reads it). */
function invite(i: number, extra: Record<string, string>, from: string): Srf.SrfRequest {
  const lines = [
    `INVITE sip:${DID}@10.0.0.5 SIP/2.0`,
    `Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-${i}`,
    'Max-Forwards: 69',
    `From: ${from}`,
    `To: <sip:${DID}@10.0.0.5>`,
    `Call-ID: ${i}-bench@203.0.113.10`,
    'CSeq: 1 INVITE',
    'Contact: <sip:203.0.113.10:5060>',
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE',
    'Supported: timer, 100rel',
    'User-Agent: carrier-sbc',
    'Content-Length: 0',
    '',
    '',
  ];
  const meta = { source: 'network', address: '203.0.113.10', port: '5060', protocol: 'udp', transactionId: `t${i}` };
  return new Request(new SipMessage(lines.join('\r\n')), meta);
}

/** The register's marks: MARKS listed numbers (listedNumber's), one in ten trusted; `?` is MARKS - 1. */
export const MARKS_SQL = `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at)
       SELECT '+39021' || substr('0000000' || i, -7), CASE WHEN i % 10 = 0 THEN 'trusted' ELSE 'nuisance' END,
              1790000000000 + i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'Company ' || (i % 500) END,
              CASE WHEN i % 10 = 0 THEN NULL ELSE 'energy' END, 1790000000000 + i
       FROM c`;

/** The listed numbers: +39 02 1xxxxxxx (Milan fixed lines), one in ten trusted, the rest nuisance. */
export function listedNumber(i: number): string {
  return `+39021${String(i).padStart(7, '0')}`;
}

export type Verdicts = Record<'trusted' | 'unknown' | 'suspect' | 'nuisance', number>;

export interface Caller {
  /** The number as the carrier sends it. */
  n: string;
  /** Headers other than From, and From without its tag. */
  extra: Record<string, string>;
  from: string;
}

/**
 * Calls of a realistic mix: 40% listed numbers (PAI tel:, one in ten trusted), 30% Italian mobiles in From,
 * 10% 0844 telemarketing, 10% French numbers with a sip: PAI, 10% Privacy: id with the number asserted.
 * With a working set, every call comes from one of its callers (skewed: low indexes ring most); without, every
 * call is from a new number.
 */
export function makeCalls(rand: () => number, count: number, working: readonly Caller[] | null) {
  const calls: Call[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const caller = working === null ? freshCaller(rand, i) : working[Math.floor(rand() * rand() * working.length)]!;
    // A new From tag and Call-ID each time, as on the wire.
    calls.push({ i, caller, tag: `t${i}` });
    numbers.push(caller.n);
  }
  return { calls, numbers };
}

/** One INVITE to send: its caller, its sequence number (Call-ID, branch) and its From tag. */
export interface Call {
  i: number;
  caller: Caller;
  tag: string;
}

/**
 * The calls as drachtio-srf hands them to the application, parsed by its own SipMessage outside the timed
 * sections: `size` (BATCH) at a time, each batch just before it is decided. The service's order is one at a time:
 * drachtio-srf's wire-protocol.js emits each message it has read in turn, and drachtio-agent.js's _onMsg parses it
 * (new SipMessage), makes the Request and runs the middleware, the INVITE handler included, in the same synchronous
 * run: each request is decided right after its own parse, its strings in the CPU's caches, nothing of the next one
 * parsed yet. In session 44's 14 paired rounds (one process, the sizes alternated), over a batch of 1,000: 1 and 10
 * ×1.26–×1.49 by median, 100 ×1.13–×1.17 (docs/measurements.md). With --preparsed, all of
 * them before the first is decided, as earlier versions of this bench did (300k requests, ~0.5 GB, read back
 * from memory: each decision then also pays the cache misses of reading its request, and every collection marks
 * the whole lot).
 */
export function* batches(calls: readonly Call[], size = BATCH): Generator<Srf.SrfRequest[]> {
  if (PREPARSED) {
    yield calls.map(parseCall);
    return;
  }
  for (let start = 0; start < calls.length; start += size) yield calls.slice(start, start + size).map(parseCall);
}

/** The 5,000 callers a business hears from again and again. */
export function workingSet(rand: () => number): Caller[] {
  return Array.from({ length: 5000 }, (_, i) => freshCaller(rand, i));
}

/** A caller of the mix above, never seen before. */
function freshCaller(rand: () => number, i: number): Caller {
  const r = rand();
  if (r < 0.4) {
    const n = listedNumber(Math.floor(rand() * MARKS));
    return { n, from: `<sip:${n}@203.0.113.10>`, extra: { 'P-Asserted-Identity': `<tel:${n}>` } };
  }
  if (r < 0.7) {
    const n = `3${Math.floor(rand() * 1e9)
      .toString()
      .padStart(9, '0')}`;
    return { n, from: `"Cliente ${i % 97}" <sip:${n}@carrier.example;user=phone>`, extra: {} };
  }
  if (r < 0.8) {
    const n = `0844${Math.floor(rand() * 1e6)
      .toString()
      .padStart(6, '0')}`;
    return { n, from: `<sip:${n}@203.0.113.10>`, extra: {} };
  }
  if (r < 0.9) {
    const n = `+33${1 + Math.floor(rand() * 9)}${Math.floor(rand() * 1e8)
      .toString()
      .padStart(8, '0')}`;
    return {
      n,
      from: `<sip:${n}@sbc.example>`,
      extra: { 'P-Asserted-Identity': `"Société" <sip:${n}@sbc.example;user=phone>` },
    };
  }
  const n = `+3934${Math.floor(rand() * 1e8)
    .toString()
    .padStart(8, '0')}`;
  return {
    n,
    from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    extra: { 'P-Asserted-Identity': `<tel:${n}>`, Privacy: 'id' },
  };
}

export type Decide = (req: Srf.SrfRequest) => { verdict: keyof Verdicts };

export function parseCall(c: Call): Srf.SrfRequest {
  return invite(c.i, c.caller.extra, `${c.caller.from};tag=${c.tag}`);
}

/** What recording a history needs of one build: its screening at a time, action text and register. */
export interface HistoryBuild {
  screenAt: (req: Srf.SrfRequest, time: number) => Screen.Screening;
  formatAction: (action: Screen.Screening['action']) => string;
  isRefusalAction: (action: string) => boolean;
  register: Pick<Register, 'record' | 'flush'>;
}

/**
 * --history: the repeat shape's warm-up decided call by call at times spread over `days` before `now` (the clock
 * stays at `now`: all of them inside the look-back), each recorded as src/sip's attemptOf records it, by one build
 * (bench/decide-ab.ts records two builds' histories with it, alike). Returns how many were refused.
 */
export async function recordHistory(
  warm: readonly Call[],
  now: number,
  days: number,
  b: HistoryBuild,
): Promise<number> {
  const spacing = (days * 86_400_000) / (warm.length + 1);
  let refused = 0;
  for (let j = 0; j < warm.length; j++) {
    const call = warm[j]!;
    const time = now - (warm.length - j) * spacing;
    const s = b.screenAt(parseCall(call), time);
    const action = b.formatAction(s.action);
    const refuses = b.isRefusalAction(action);
    if (refuses) refused++;
    const number = s.identity.number;
    void b.register.record({
      time,
      kind: 'call',
      callerKey: s.callerKey,
      callerE164: number?.e164 ?? null,
      callerRaw: number?.raw ?? null,
      callerName: s.identity.displayName,
      callerSource: s.identity.source,
      withheld: s.identity.withheld,
      calledNumber: s.called ? (s.called.e164 ?? s.called.raw) : null,
      verdict: s.decision.verdict,
      score: Math.round(s.decision.score * 1000) / 1000,
      reasons: s.decision.reasons,
      action,
      failOpen: false,
      callId: `${call.i}-history@203.0.113.10`,
      sourceAddress: '203.0.113.10',
      userAgent: 'carrier-sbc',
      outcome: refuses ? 'rejected' : 'forwarded',
      finalStatus: null,
      messageLength: null,
      messageText: null,
    });
    // The writer holds at most store.spoolMaxWrites waiting: committed a thousand at a time.
    if (j % 1000 === 999) await b.register.flush();
  }
  await b.register.flush();
  return refused;
}

/** One timed pass of the calls (see run): decisions/s, CPU µs a decision, and the collections during the pass. */
export interface Pass {
  rate: number;
  cpuPerCall: number;
  gcs: number;
  gcMs: number;
}

/** The smallest batch whose CPU time timedPass reads (see there). */
export const CPU_CLOCK_MIN_BATCH = 100;

/**
 * What timedPass's own clock reads add to one batch's counts: the same reads around an empty batch, the medians of
 * 15 rounds of 200: `wall` ms (two performance.now(), ~0.05 µs each) and `cpu` µs (process.cpuUsage()).
 */
function clockCosts(): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < 15; r++) {
    let time = 0;
    let used = 0;
    for (let i = 0; i < 200; i++) {
      const before = process.cpuUsage();
      const t = performance.now();
      time += performance.now() - t;
      const u = process.cpuUsage(before);
      used += u.user + u.system;
    }
    walls.push(time / 200);
    cpus.push(used / 200);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[7]!;
  return { wall: median(walls), cpu: median(cpus) };
}

/**
 * Decides `calls` once, `size` at a time (--batch), each batch parsed outside the clocks, timing the decisions
 * alone; `verdicts` counts what was decided. The wall clock (performance.now(), no system call) is read just around
 * each batch's decisions, net of its own reads (clockCosts). The CPU clock (process.cpuUsage()) is a getrusage(2)
 * system call: ~2 µs a read on this VM (7 Dec 2026), and every system call there flushes the TLB (PTI without
 * PCID), so the decisions after it find their pages' translations gone. It is read outside the wall's section and
 * only for batches of CPU_CLOCK_MIN_BATCH or more (its share a decision ≤ ~0.05 µs); cpuPerCall is NaN below that.
 * Before 7 Dec 2026 both clocks were read inside the wall's section for every batch: a batch of 1 read 80–85k
 * decisions/s, half its rate (a batch of 1,000: 0.004 µs a decision). The collections are those of the whole pass,
 * parses included (a scavenge started by a parse is work the decisions left).
 */
export function timedPass(calls: readonly Call[], decide: Decide, verdicts: Verdicts, size = BATCH): Pass {
  const clocks = clockCosts();
  const cpuClock = size >= CPU_CLOCK_MIN_BATCH;
  const profiler = new GCProfiler();
  profiler.start();
  let time = 0;
  let used = 0;
  let count = 0;
  for (const batch of batches(calls, size)) {
    const before = cpuClock ? process.cpuUsage() : undefined;
    const t = performance.now();
    for (const req of batch) verdicts[decide(req).verdict]++;
    time += performance.now() - t;
    if (before !== undefined) {
      const u = process.cpuUsage(before);
      used += u.user + u.system;
    }
    count++;
  }
  const stats = profiler.stop()?.statistics ?? [];
  let gcUs = 0;
  for (const gc of stats) gcUs += gc.cost;
  return {
    rate: calls.length / ((time - clocks.wall * count) / 1000),
    cpuPerCall: cpuClock ? (used - clocks.cpu * count) / calls.length : NaN,
    gcs: stats.length,
    gcMs: gcUs / 1000,
  };
}

/**
 * The modules of one build that setUp takes: bench/decide.ts's own (its static imports), or those of another
 * build's dist/src (bench/decide-ab.ts imports each build's in a worker of its own).
 */
export interface BuildModules {
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

/**
 * One build set up as bench:decide decides: the default configuration (overlaid with `env`'s CROCETTA_CONFIG) and
 * the README's policies (support line, sales line, two after-hours rules; the DID called is neither line and the
 * office is open, so every rule is tried before the actions per verdict); a register at `file` with `marks` marked
 * numbers (MARKS_SQL), loaded by the build's openRegister with the options src/wiring/open-stores.ts opens it with;
 * the screening steps as src/wiring/build-sip-app.ts builds them (no friends' feeds configured). Used by main below
 * and by bench/decide-ab.ts for each of its two builds: the same set-up, the same decisions (digests).
 */
export async function setUp(
  m: BuildModules,
  o: { file: string; now: number; env: Record<string, string>; marks: number },
) {
  const clock = { now: () => o.now };
  const config = m.loader.loadConfig({ env: o.env });
  config.policies = m.schema.configSchema.shape.policies.parse([
    { name: 'support line', dids: ['02 1234 5670'], verdicts: ['suspect', 'nuisance', 'withheld'], action: 'tag' },
    { name: 'sales line', dids: ['02 1234 5671'], verdicts: ['suspect', 'withheld'], action: 'reject' },
    { name: 'after hours', hours: 'closed', verdicts: ['unknown'], action: 'tag' },
    { name: 'after hours, suspects', hours: 'closed', verdicts: ['suspect', 'withheld'], action: 'announce-early' },
  ]);
  const rules = m.derive.screeningRules(config);
  const registerOptions = {
    file: o.file,
    lookbackDays: config.store.lookbackDays,
    blockDropDigits: config.screening.learning.blocks.dropDigits,
    suspectThreshold: config.screening.thresholds.suspect,
    prefixes: m.store.prefixIndexOptions(rules.learning, config.screening.thresholds),
    clock,
  };
  // 1. A register with `marks` marked numbers.
  const created = await m.store.openRegister(registerOptions);
  await created.close();
  const db = await m.sqlite.Connection.open(o.file);
  const t0 = performance.now();
  await db.run(MARKS_SQL, [o.marks - 1]);
  await db.close();
  const writtenMs = performance.now() - t0;

  // 2. Loaded the way crocetta starts.
  const rssBefore = gcRssMb();
  const t1 = performance.now();
  const register = await m.store.openRegister(registerOptions);
  const loadMs = performance.now() - t1;
  const rssAfter = gcRssMb();

  // 3. The screening steps.
  const friendIndex = new m.friends.FriendIndex(config.feeds.consensus);
  friendIndex.subscribe((index) =>
    register.indexImported({ friendReports: { at: clock.now(), reports: [...index.counted()] } }),
  );
  const evidence: EvidenceLookup = {
    evidenceFor: (key, slot) => friendIndex.withFriends(key, register.evidenceFor(key, slot)),
  };
  const steps: Screen.ScreeningSteps = {
    defaultCountry: config.defaultCountry,
    evidence,
    checkMemory: {
      passedAt: (key: string) => register.checkPassedAt(key),
      markOf: (key: string) => register.evidenceFor(key).mark,
      rememberDays: config.check.rememberDays,
      dates: m.dates.dayFormatter(config.timeZone),
    },
    classify: m.screening.createClassifier(rules),
    policy: m.derive.actionPolicy(config),
  };
  const { screen } = m.screen;
  const { headerSource } = m.headers;
  const screenAt = (req: Srf.SrfRequest, time: number): Screen.Screening => screen(headerSource(req), steps, time);
  const decide: Decide = (req) => screen(headerSource(req), steps, o.now).decision;
  /** Everything screen() says of each call, hashed in order (--digest). */
  const digest = (parsed: Iterable<Srf.SrfRequest[]>): string => {
    const hash = createHash('sha256');
    for (const batch of parsed) {
      for (const req of batch) hash.update(`${JSON.stringify(screen(headerSource(req), steps, o.now))}\n`);
    }
    return hash.digest('hex');
  };
  /** --history: `warm` recorded over `days` before the clock (recordHistory); how many were refused. */
  const history = (warm: readonly Call[], days: number): Promise<number> =>
    recordHistory(warm, o.now, days, {
      screenAt,
      formatAction: m.policy.formatAction,
      isRefusalAction: m.store.isRefusalAction,
      register,
    });
  return { config, register, steps, screenAt, decide, digest, history, writtenMs, loadMs, rssBefore, rssAfter };
}

/**
 * bench/accuracy.ts: replays a call trace through the real pipeline with simulated time and reports how well
 * crocetta stops nuisance calls without stopping legitimate ones.
 *
 *   npm run bench:accuracy -- --trace FILE [--config overlay.yaml] [--explain]
 *                             [--check-suspects] [--centre-pass P] [--seed N]
 *
 * `--explain` adds a breakdown of the nuisance calls let through (bench/explain-misses.ts), by centre kind and by
 * the prefix depth that decided, and what no number-based rule can catch (bench/evidence-bound.ts: what an oracle
 * with the true label of every earlier call knew before each call, at the tree's depths).
 *
 * The human check (action `check`, wherever the config or `--check-suspects` puts it): the replay cannot press keys,
 * so it follows a stated model of who passes: every legitimate caller (a person) passes; a call centre's call passes
 * with probability `--centre-pass` (default 0.3: a human agent already on the line; predictive dialers and robots
 * never do), drawn from a PRNG seeded by `--seed` (default 1). A pass reaches the office (then the office's action
 * applies) and is remembered for check.rememberDays; a passer later marked nuisance gets no second chance (the NO);
 * a failed check is the NO, a refusal. The report says how many legitimate calls, and callers, had to pass a check.
 *
 * Trace (contract, docs/architecture.md): CSV with header `time,caller,did,truth,office` (+ optional `origin`);
 * also read when present: `talk` (seconds talked when the call reached the office), `attest`, `verstat`, `name`.
 *
 * Per call: SIP headers are built from the row (From with the caller as sent, an Identity PASSporT when `attest`
 * is set, verstat on From), then the real steps run: identifyCaller → calledNumber → callerKey →
 * EvidenceIndex.evidenceFor → classify (config/default.yaml's rules) → chooseAction. The attempt goes into the
 * real EvidenceIndex (attempt time, DID, refusal when crocetta refused); when the call reached the office, its
 * talk time is recorded and the office's action is applied as a mark after the call.
 *
 * "Stopped" = the action does not reach the office (reject, announce, hang up); "tagged" = forwarded with a tag.
 * Calls to a trap number (`screening.trapDids`) are replayed, so crocetta learns from them, but not scored: that
 * number is never published and reaches nobody, so stopping such a call spares the office nothing.
 */
import { readFileSync } from 'node:fs';
import { callerKey, calledNumber, identifyCaller, normalizeNumber } from '../src/callerid/index.js';
import type { SipHeaderSource } from '../src/callerid/types.js';
import { loadConfig } from '../src/config/index.js';
import { actionPolicy, screeningRules } from '../src/config/derive.js';
import { chooseAction, createClassifier, formatAction } from '../src/screening/index.js';
import { applyCheckMemory } from '../src/screening/check-memory.js';
import { dayFormatter } from '../src/screening/dates.js';
import { NO_EVIDENCE } from '../src/screening/types.js';
import { EvidenceIndex } from '../src/store/memory/evidence-index.js';
import { MissExplainer } from './explain-misses.js';
import { shakenIdentity } from './passport.js';
import { noteLearned } from '../src/store/memory/learn-from-attempt.js';
import { prefixIndexOptions } from '../src/store/memory/prefix-index.js';
import type { PrefixEstimate } from '../src/screening/prefix-tree.js';
import { textArg } from './args.js';

/** "country", "destination code", "1000-block"...: the prefix depth that decided, for the explanations. */
function depthLabel(estimate: PrefixEstimate | null | undefined): string {
  if (estimate === null || estimate === undefined) return 'no node';
  const node = estimate.node;
  return node.level === 'block' ? `${10 ** node.free}-block` : node.level === 'area' ? 'destination code' : 'country';
}

const TRACE = textArg('trace');
if (TRACE === undefined) {
  console.error('usage: npm run bench:accuracy -- --trace FILE [--config overlay.yaml] [--explain]');
  process.exit(2);
}
const overlay = textArg('config');
const explainer = process.argv.includes('--explain') ? new MissExplainer() : null;
const config = loadConfig(overlay === undefined ? {} : { env: { ...process.env, CROCETTA_CONFIG: overlay } });
const rules = screeningRules(config);
const policy = process.argv.includes('--check-suspects')
  ? { ...actionPolicy(config), suspect: { kind: 'check' as const, waitSeconds: null } }
  : actionPolicy(config);
const centrePass = Number(textArg('centre-pass') ?? '0.3');
if (!(centrePass >= 0 && centrePass <= 1)) {
  console.error('--centre-pass: expected a probability from 0 to 1');
  process.exit(2);
}
/** mulberry32: a small seeded PRNG, so a replay with the same seed draws the same passes. */
let seed = Number(textArg('seed') ?? '1') >>> 0;
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** Passed checks, as the register remembers them (check.rememberDays, no second chance). */
const passes = new Map<string, number>();
const checkMemory = {
  passedAt: (key: string) => passes.get(key) ?? null,
  markOf: (key: string) => index.evidenceFor(key).mark,
  rememberDays: config.check.rememberDays,
  dates: dayFormatter(config.timeZone),
};
const checks = {
  legitCalls: 0,
  legitCallers: new Set<string>(),
  nuisanceCalls: 0,
  nuisancePassed: 0,
  remembered: 0,
  noSecondChance: 0,
};
const classify = createClassifier(rules);
const traps = new Set(rules.trapDids ?? []);
let trapCalls = 0;
const country = config.defaultCountry;

let now = 0;
const index = new EvidenceIndex({
  lookbackDays: config.store.lookbackDays,
  clock: { now: () => now },
  ...(rules.learning !== undefined && { blockDropDigits: rules.learning.blocks.dropDigits }),
  prefixes: prefixIndexOptions(rules.learning, rules.thresholds),
});

function headersOf(caller: string, did: string, name: string, attest: string, verstat: string): SipHeaderSource {
  const map = new Map<string, string[]>();
  const display = name === '' ? '' : `"${name}" `;
  const params = verstat === '' ? '' : `;verstat=${verstat}`;
  map.set('from', [
    caller === ''
      ? '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1'
      : `${display}<sip:${caller}@carrier.example;user=phone${params}>;tag=1`,
  ]);
  if (caller === '') map.set('privacy', ['id']);
  // The originating carrier signs the caller's canonical E.164 digits (RFC 8224 §8.3), whatever format the
  // terminating carrier later puts in From (e.g. 0018452030199 for +18452030199).
  const orig = (normalizeNumber(caller, country).e164 ?? caller).replace(/^\+/, '');
  if (attest !== '') map.set('identity', [shakenIdentity(attest, orig, did.replace(/^\+/, ''))]);
  return { requestUri: `sip:${did}@crocetta.example`, header: (n) => map.get(n.toLowerCase()) ?? [] };
}

const text = readFileSync(TRACE, 'utf8');
const lines = text.split('\n');
const head = (lines[0] ?? '').trim().split(',');
const col = (name: string): number => head.indexOf(name);
const C = {
  time: col('time'),
  caller: col('caller'),
  did: col('did'),
  truth: col('truth'),
  office: col('office'),
  origin: col('origin'),
  talk: col('talk'),
  attest: col('attest'),
  verstat: col('verstat'),
  name: col('name'),
};
for (const required of ['time', 'caller', 'did', 'truth', 'office'] as const) {
  if (C[required] < 0) {
    console.error(`trace ${TRACE}: no "${required}" column in the header`);
    process.exit(2);
  }
}

interface OriginStats {
  attempts: number;
  first: number;
  firstStop: number | null;
  attemptsBeforeStop: number;
}

const tally = {
  nuisance: 0,
  nuisanceStopped: 0,
  byIndex: [
    { n: 0, stopped: 0 },
    { n: 0, stopped: 0 },
    { n: 0, stopped: 0 },
  ],
  from2nd: { n: 0, stopped: 0 },
  legit: 0,
  legitStopped: 0,
  legitTagged: 0,
  legitWithheld: 0,
  legitWithheldStopped: 0,
};
const origins = new Map<string, OriginStats>();
const legitStoppedReasons = new Map<string, number>();
const missedReasons = new Map<string, number>();
const verdicts = { trusted: 0, unknown: 0, suspect: 0, nuisance: 0 };

const started = performance.now();
let rowsRead = 0;
let lastPrune = 0;
for (let i = 1; i < lines.length; i++) {
  const line = lines[i];
  if (line === undefined || line.trim() === '') continue;
  const f = line.split(',');
  const get = (k: number): string => (k < 0 ? '' : (f[k] ?? '').trim());
  const time = Date.parse(get(C.time));
  if (!Number.isFinite(time)) continue;
  rowsRead++;
  now = time;
  if (time - lastPrune > 600_000) {
    index.prune(); // as the register does every 10 minutes
    lastPrune = time;
  }
  const caller = get(C.caller);
  const did = get(C.did);
  const truth = get(C.truth);
  const office = get(C.office);
  const origin = get(C.origin) || (truth === 'nuisance' ? `number:${caller}` : '');
  const talk = Number(get(C.talk)) || 0;

  const src = headersOf(caller, did, get(C.name), get(C.attest), get(C.verstat));
  const identity = identifyCaller(src, { defaultCountry: country });
  const called = calledNumber(src, { defaultCountry: country });
  const key = callerKey(identity);
  const evidence = key === null ? NO_EVIDENCE : index.evidenceFor(key);
  const calledDid = called?.e164 ?? called?.raw ?? null;
  const decision = classify(identity, evidence, time, { did: calledDid });
  const chosen = applyCheckMemory(chooseAction(decision, identity, policy), decision, key, time, checkMemory);
  const action = chosen.action;
  verdicts[decision.verdict]++;
  if (chosen.decision.reasons.some((r) => r.code === 'check-remembered')) checks.remembered++;
  if (chosen.decision.reasons.some((r) => r.code === 'check-no-second-chance')) checks.noSecondChance++;
  // The check: people pass, call centres with probability centrePass (the model above).
  const checked = action.kind === 'check';
  const passed = checked && (truth !== 'nuisance' || random() < centrePass);
  if (checked && truth === 'nuisance') {
    checks.nuisanceCalls++;
    if (passed) checks.nuisancePassed++;
  } else if (checked) {
    checks.legitCalls++;
    checks.legitCallers.add(key ?? `withheld:${i}`);
  }
  if (passed && key !== null) passes.set(key, time);
  const stopped = checked ? !passed : action.kind !== 'allow' && action.kind !== 'tag';
  const tagged = action.kind === 'tag';

  // The register's writes, as handle-request + register do them.
  if (key !== null) {
    index.addAttempt(key, time);
    if (stopped) index.addRefusal(key, time);
    if (stopped) explainer?.refused(key, time);
    noteLearned(
      index,
      key,
      {
        time,
        calledNumber: calledDid,
        verdict: decision.verdict,
        score: decision.score,
        reasons: decision.reasons,
        action: formatAction(action),
      },
      rules.thresholds,
    );
  }
  if (!stopped && key !== null) {
    if (talk > 0) index.addTalk(key, time, talk);
    const at = time + talk * 1000;
    if (office === 'mark-nuisance')
      index.setMark({ callerKey: key, label: 'nuisance', at, company: null, category: null });
    else if (office === 'mark-trusted')
      index.setMark({ callerKey: key, label: 'trusted', at, company: null, category: null });
  }

  const top = decision.reasons[0]?.code ?? 'none';
  // The call's moment for the bound's live sweeps and time of day (crocetta's own business hours say off hours).
  const moment = {
    at: time,
    did: calledDid ?? did,
    offHours: decision.reasons.some((r) => r.code === 'off-hours'),
  };
  const known = truth === 'nuisance' || truth === 'legit' ? truth : null;
  if (calledDid !== null && traps.has(calledDid)) {
    trapCalls++;
    if (key !== null && known !== null) explainer?.bound.record(key, known, { at: time, did: calledDid });
    continue;
  }
  if (truth === 'nuisance') {
    tally.nuisance++;
    if (stopped) tally.nuisanceStopped++;
    else missedReasons.set(top, (missedReasons.get(top) ?? 0) + 1);
    let o = origins.get(origin);
    if (o === undefined) {
      o = { attempts: 0, first: time, firstStop: null, attemptsBeforeStop: 0 };
      origins.set(origin, o);
    }
    o.attempts++;
    if (o.attempts >= 2)
      explainer?.bound.score(key, true, origin.slice(origin.lastIndexOf('-') + 1), { live: moment, stopped });
    explainer?.note(
      {
        origin,
        attempt: o.attempts,
        stopped,
        key,
        evidence,
        decision,
        attest: get(C.attest),
        depth: depthLabel(evidence.prefix),
      },
      time,
    );
    const slot = tally.byIndex[Math.min(2, o.attempts - 1)];
    if (slot !== undefined) {
      slot.n++;
      if (stopped) slot.stopped++;
    }
    if (o.attempts >= 2) {
      tally.from2nd.n++;
      if (stopped) tally.from2nd.stopped++;
    }
    if (stopped && o.firstStop === null) {
      o.firstStop = time;
      o.attemptsBeforeStop = o.attempts - 1;
    }
  } else {
    tally.legit++;
    explainer?.bound.score(key, false, '', { live: moment, stopped });
    explainer?.noteLegit(key, evidence, time, stopped, origin, depthLabel(evidence.prefix), decision);
    if (caller === '') tally.legitWithheld++;
    if (stopped) {
      tally.legitStopped++;
      if (caller === '') tally.legitWithheldStopped++;
      const why = decision.reasons.map((r) => r.code).join('+');
      legitStoppedReasons.set(why, (legitStoppedReasons.get(why) ?? 0) + 1);
    }
    if (tagged) tally.legitTagged++;
  }
  if (key !== null && known !== null) explainer?.bound.record(key, known, moment);
}
const seconds = (performance.now() - started) / 1000;

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const pct = (a: number, b: number): string => `${(100 * ratio(a, b)).toFixed(2)}% (${a}/${b})`;
const stops = [...origins.values()];
const blockedCentres = stops.filter((o) => o.firstStop !== null);
const hours = blockedCentres.map((o) => ((o.firstStop ?? 0) - o.first) / 3_600_000).sort((a, b) => a - b);
const before = blockedCentres.map((o) => o.attemptsBeforeStop).sort((a, b) => a - b);
const q = (list: number[], p: number): number => list[Math.min(list.length - 1, Math.floor(p * list.length))] ?? NaN;
const top = (m: Map<string, number>, n: number): string =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

console.log(
  `trace: ${TRACE}: ${rowsRead} calls replayed in ${seconds.toFixed(1)} s (${Math.round(rowsRead / seconds)} calls/s)`,
);
console.log(`verdicts: ${JSON.stringify(verdicts)}`);
if (traps.size > 0) console.log(`calls to trap numbers: ${trapCalls} (replayed, not scored: they reach nobody)`);
console.log(`nuisance attempts stopped: ${pct(tally.nuisanceStopped, tally.nuisance)}`);
const [i1, i2, i3] = tally.byIndex;
console.log(
  `  by attempt of each centre: 1st ${pct(i1?.stopped ?? 0, i1?.n ?? 0)}, 2nd ${pct(i2?.stopped ?? 0, i2?.n ?? 0)}, 3rd+ ${pct(i3?.stopped ?? 0, i3?.n ?? 0)}`,
);
console.log(`  from the 2nd attempt of each centre: ${pct(tally.from2nd.stopped, tally.from2nd.n)}`);
console.log(`  nuisance let through, by top reason: ${top(missedReasons, 6)}`);
console.log(
  `time to first block per centre: ${blockedCentres.length}/${stops.length} centres blocked; hours p50=${q(hours, 0.5).toFixed(1)} p90=${q(hours, 0.9).toFixed(1)}; attempts before p50=${q(before, 0.5)} p90=${q(before, 0.9)}`,
);
console.log(
  `legitimate calls blocked: ${pct(tally.legitStopped, tally.legit)} (withheld: ${tally.legitWithheldStopped}/${tally.legitWithheld}); tagged: ${pct(tally.legitTagged, tally.legit)}`,
);
if (legitStoppedReasons.size > 0) console.log(`  legitimate blocked, by reasons: ${top(legitStoppedReasons, 6)}`);
if (explainer !== null) for (const line of explainer.report()) console.log(line);
if (index.prefixes !== null) {
  const t = index.prefixes.tree;
  const totals = t.totals(now);
  console.log(
    `tree: ${t.memberCount} numbers, ${t.nodeCount} nodes (${t.blockNodeCount} blocks), ${(t.byteLength / 1048576).toFixed(1)} MB of tables; masses now: nuisance ${totals.nuisance.toFixed(0)}, legitimate ${totals.legit.toFixed(0)}, imputed legitimate ${totals.imputed.toFixed(0)}`,
  );
}
if (checks.legitCalls + checks.nuisanceCalls + checks.remembered > 0) {
  console.log(
    `human check (model: people always pass, call centres ${centrePass}): legitimate calls that had to pass a check: ${pct(checks.legitCalls, tally.legit)}, ` +
      `${checks.legitCallers.size} distinct callers; nuisance calls checked ${checks.nuisanceCalls}, passed ${checks.nuisancePassed}; ` +
      `let through as remembered passes ${checks.remembered}; no second chance ${checks.noSecondChance}`,
  );
  console.log(
    `check: legit_checked=${ratio(checks.legitCalls, tally.legit).toFixed(4)} legit_callers_checked=${checks.legitCallers.size} nuisance_passed=${ratio(checks.nuisancePassed, checks.nuisanceCalls).toFixed(4)}`,
  );
}
console.log(
  `accuracy: nuisance_stopped=${ratio(tally.nuisanceStopped, tally.nuisance).toFixed(4)} nuisance_stopped_from_2nd=${ratio(tally.from2nd.stopped, tally.from2nd.n).toFixed(4)} legit_blocked=${ratio(tally.legitStopped, tally.legit).toFixed(4)} legit_tagged=${ratio(tally.legitTagged, tally.legit).toFixed(4)}`,
);

/**
 * The call trace model of an office in the Italian market (`npm run bench:trace -- --model market`), reproducible
 * from a seed; the same CSV columns as bench/office-trace.ts (the `v1` model, kept as it was for the figures
 * published with it). A seed means a different trace in each model.
 *
 * Assumptions (the model, not measured facts; change them here, not in the classifier):
 * - One Italian office with 5 DIDs, open Mon–Fri 8:00–19:00 in Europe/Rome; day 0 is Monday 7 Sep 2026 at local
 *   midnight and every day starts at its own local midnight (the trace crosses the end of summer time on 25 Oct),
 *   so calls fall 08:05–18:50 Rome time (the v1 model's fall two hours earlier: see BENCH_DAY_ZERO).
 * - 40% of calls are nuisance, from call centres ("origins", `cc<i>-<kind>`). A centre rings every 1–4 working days
 *   whatever the answer; 20% of its sessions ring 2–4 DIDs minutes apart; 5% of its calls come in the evening
 *   (19–21) or on Saturday. Kinds, as shares of the centres:
 *   - 25% foreign outsourced centres placing Italian telemarketing: Albania (`al` 8%), Romania (`ro` 6%),
 *     Tunisia (`tn` 5%), Bulgaria (`bg` 3%), Moldova (`md` 3%). A fresh number nearly every call (90%), mobile
 *     (65% of centres) or fixed line, drawn from one to three ranges of the national destination code and two
 *     more digits (half of the centres), anywhere under one or two destination codes (30%), or anywhere in the
 *     country's plan (20%).
 *   - 44% Italian fixed-line centres (`it`): one or two 100-blocks in a large city; each number used for 1–6 calls.
 *   - 17% SIM boxes (`sim`): Italian mobiles bought in batches, one to three ranges of a mobile destination code
 *     and two (half of the centres) or three more digits; each SIM used for 1–8 calls.
 *   - 3% random Italian mobiles (`mob`): a fresh mobile of any operator nearly every call (no structure at all).
 *   - 8% diallers sweeping our DIDs (`swp`): 85% of their sessions ring 3–5 of our numbers 1–4 minutes apart, from
 *     numbers of one Italian 1000-block (a VoIP range): half of them one fresh number per session, the others a
 *     fresh number every call.
 *   - 3% US diallers (`us`): as in v1, numbers from the FTC complaints file, STIR/SHAKEN attestation B/C or failed
 *     (few US centres ring Italian offices; enough to keep STIR/SHAKEN in the replay).
 *   Numbers are valid numbers of their country and type per libphonenumber's metadata (bench/numbering.ts).
 * - The office also owns an unpublished number, MARKET_TRAP_DID (listed in `screening.trapDids` by
 *   bench/prefixes-on.yaml), next to its published ones: a centre's session that rings several of our numbers goes
 *   down a list of consecutive numbers, the trap among them (one place in six), so some sweeps ring it; nobody else
 *   ever does.
 * - When a nuisance call reaches the office, staff mark it nuisance 70% of the time (the share seen on an Italian
 *   office's traces, issue 14), else do nothing; talk 3–40 s.
 * - 60% of calls are legitimate (`<kind><i>-<country>`): customers (`cu`; Italian mobiles 60% and fixed lines,
 *   6% abroad: Germany, France, Switzerland, the UK, Spain, Austria, the US, the Netherlands, Belgium and, rarely,
 *   Romania, Albania and Tunisia; 3% withheld; 1 + Exp(2.5) calls each), suppliers (`sup`; a PBX's consecutive lines,
 *   15% of them abroad, Romania and Albania among the countries), persistent humans (`ph`; several calls within days,
 *   long talks, 10% abroad). Customers sometimes call two DIDs within minutes; 4% of their calls are outside hours;
 *   3% of answered legitimate calls are very short. Staff mark a caller trusted on 5% of customer and 20% of
 *   supplier calls; talk 30 s–15 min.
 * - The caller ID as the carrier sends it: Italian numbers as `+39…` (35%), national (35%), `0039…` (15%) or `39…`
 *   without a plus (15%); foreign ones as `+…` (70%) or `00…` (30%).
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { localDayStart } from '../src/time/zoned-time.js';
import { drawNumber, numberPlan, rangeOf, type NumberPlan } from './numbering.js';
import { DIDS, legitTraceRow, traceDraws, type Trace, type TraceRow } from './office-trace.js';

/** The office's unpublished number (a trap, `screening.trapDids`): only centres dialling down a list ring it. */
export const MARKET_TRAP_DID = '+390255550105';
/** What a dialler going down a list of numbers finds: the published numbers and, after them, the trap. */
const LISTED = [...DIDS, MARKET_TRAP_DID];

export interface MarketOptions {
  seed: number;
  /** About this many calls (the last centre or caller may add a few). */
  calls: number;
  /** Complained-about US numbers (`readFtcNumbers`); without them no centre is a US dialler. */
  ftcNumbers: readonly string[];
  /** Days the trace spans, at least 7. @defaultValue 120 */
  days?: number;
  /** Local date of day 0, a Monday (`YYYY-MM-DD`). @defaultValue MARKET_FIRST_DAY */
  firstDay?: string;
}

export const MARKET_FIRST_DAY = '2026-09-07';
const TIME_ZONE = 'Europe/Rome';
const MIN = 60_000;

type CentreKind = 'al' | 'ro' | 'tn' | 'bg' | 'md' | 'it' | 'sim' | 'mob' | 'swp' | 'us';

const CENTRE_KINDS: ReadonlyArray<readonly [CentreKind, number]> = [
  ['al', 0.08],
  ['ro', 0.06],
  ['tn', 0.05],
  ['bg', 0.03],
  ['md', 0.03],
  ['it', 0.44],
  ['sim', 0.17],
  ['mob', 0.03],
  ['swp', 0.08],
  ['us', 0.03],
];

const FOREIGN_CENTRE: Partial<Record<CentreKind, CountryCode>> = { al: 'AL', ro: 'RO', tn: 'TN', bg: 'BG', md: 'MD' };

/** Where customers abroad call from (weights). */
const CUSTOMER_ABROAD: ReadonlyArray<readonly [CountryCode, number]> = [
  ['DE', 20],
  ['FR', 18],
  ['CH', 15],
  ['GB', 10],
  ['ES', 10],
  ['AT', 6],
  ['US', 6],
  ['NL', 5],
  ['BE', 4],
  ['RO', 3],
  ['AL', 2],
  ['TN', 1],
];
const SUPPLIER_ABROAD: ReadonlyArray<readonly [CountryCode, number]> = [
  ['DE', 30],
  ['FR', 15],
  ['CH', 10],
  ['ES', 10],
  ['AT', 10],
  ['RO', 15],
  ['AL', 10],
];

/** Large Italian cities' area codes: where fixed-line centres and sweeping VoIP ranges sit. */
const IT_CITY_AREAS = ['02', '06', '011', '081', '051', '045', '055', '010', '091', '070'];

export function generateMarketTrace(options: MarketOptions): Trace {
  const CALLS = options.calls;
  const DAYS = options.days ?? 120;
  if (!Number.isInteger(DAYS) || DAYS < 7) throw new Error('days: expected a whole number of at least 7');
  const firstDay = options.firstDay ?? MARKET_FIRST_DAY;
  // Local midnights of every day, and of the Saturday after the last one.
  const dayStarts: number[] = [];
  for (let d = 0; d <= DAYS + 7; d++) {
    const start = localDayStart(firstDay, TIME_ZONE, d);
    if (start === undefined) throw new Error(`firstDay: expected YYYY-MM-DD, got ${JSON.stringify(firstDay)}`);
    dayStarts.push(start);
  }
  const FTC_POOL = options.ftcNumbers;

  const draws = traceDraws(options.seed);
  const { rand, int, pick, chance, expo } = draws;
  const weighted = <T>(list: ReadonlyArray<readonly [T, number]>): T => {
    const total = list.reduce((a, [, w]) => a + w, 0);
    let u = rand() * total;
    for (const [v, w] of list) if ((u -= w) < 0) return v;
    return (list[list.length - 1] as readonly [T, number])[0];
  };
  const geometricUses = (max: number): number => 1 + Math.min(max - 1, Math.floor(expo(max / 4)));

  const rows: TraceRow[] = [];
  const weekday = (d: number): number => d % 7; // 0 = Monday

  function at(d: number, minute: number): number {
    return (dayStarts[d] ?? 0) + minute * MIN + int(0, 59) * 1000;
  }
  /** A time on day `d` within opening hours (or, when `off`, in the evening or on a Saturday). */
  function timeOn(d: number, off: boolean): number {
    if (off) {
      if (chance(0.5)) return at(d, int(19 * 60, 21 * 60 - 1));
      return at(d - weekday(d) + 5, int(9 * 60, 13 * 60));
    }
    return at(d, int(8 * 60 + 5, 18 * 60 + 50));
  }
  function workingDay(d: number): number {
    let day = d;
    while (weekday(day) >= 5) day++;
    return day;
  }
  /** A random working day of the trace. */
  function anyWorkingDay(): number {
    const d = workingDay(int(0, DAYS - 1));
    return d < DAYS ? d : d - 3; // past the end: the Friday before
  }

  // ---------- numbers ----------

  function draw(plan: NumberPlan, prefix = ''): string {
    const n = drawNumber(rand, plan, prefix);
    if (n === null) throw new Error(`no ${plan.type} number in ${plan.country} under ${prefix}`);
    return n;
  }
  const nationalOf = (plan: NumberPlan, e164: string): string => e164.slice(1 + plan.callingCode.length);
  const itMobile = numberPlan('IT', 'MOBILE');
  const itFixed = numberPlan('IT', 'FIXED_LINE');

  /** How the carrier puts the number in the From user part. */
  function asSent(e164: string): string {
    if (e164.startsWith('+39')) {
      const r = rand();
      if (r < 0.35) return e164;
      if (r < 0.7) return e164.slice(3);
      if (r < 0.85) return `00${e164.slice(1)}`;
      return e164.slice(1);
    }
    return chance(0.7) ? e164 : `00${e164.slice(1)}`;
  }

  // ---------- call centres ----------

  interface Centre {
    id: string;
    /** The number of the next call (a fresh one, or the last one again). */
    next: () => string;
    us: boolean;
    sweeper: boolean;
    /** One number for all the calls of a session (a sweep from one caller ID). */
    perSession?: boolean;
  }

  /** A centre that uses each number for a few calls, then draws a fresh one. */
  function rotating(fresh: () => string, maxUses: number): () => string {
    let number = fresh();
    let left = geometricUses(maxUses);
    return () => {
      if (left <= 0) {
        number = fresh();
        left = geometricUses(maxUses);
      }
      left--;
      return number;
    };
  }
  /** A centre that shows a fresh number with probability `p` each call. */
  function mostlyFresh(fresh: () => string, p: number): () => string {
    let last = '';
    return () => {
      if (last === '' || chance(p)) last = fresh();
      return last;
    };
  }

  function foreignCentre(country: CountryCode): () => string {
    const plan = numberPlan(country, chance(0.65) ? 'MOBILE' : 'FIXED_LINE');
    const r = rand();
    let ranges: string[];
    if (r < 0.5) ranges = Array.from({ length: int(1, 3) }, () => rangeOf(rand, plan, 2));
    else if (r < 0.8) ranges = Array.from({ length: int(1, 2) }, () => rangeOf(rand, plan, 0));
    else ranges = [''];
    return mostlyFresh(() => draw(plan, pick(ranges)), 0.9);
  }

  function makeCentre(i: number): Centre {
    const kind = weighted(CENTRE_KINDS.filter(([k]) => k !== 'us' || FTC_POOL.length > 0));
    const id = `cc${i}-${kind}`;
    const country = FOREIGN_CENTRE[kind];
    if (country !== undefined) return { id, us: false, sweeper: false, next: foreignCentre(country) };
    switch (kind) {
      case 'it': {
        const area = pick(IT_CITY_AREAS);
        const blocks = Array.from({ length: chance(0.4) ? 2 : 1 }, () =>
          nationalOf(itFixed, draw(itFixed, area)).slice(0, -2),
        );
        return { id, us: false, sweeper: false, next: rotating(() => draw(itFixed, pick(blocks)), 6) };
      }
      case 'sim': {
        const extra = chance(0.5) ? 2 : 3;
        const ranges = Array.from({ length: int(1, 3) }, () => rangeOf(rand, itMobile, extra));
        return { id, us: false, sweeper: false, next: rotating(() => draw(itMobile, pick(ranges)), 8) };
      }
      case 'mob':
        return { id, us: false, sweeper: false, next: mostlyFresh(() => draw(itMobile), 0.9) };
      case 'swp': {
        // Half of them show one number per session; the others a fresh number of their 1000-block every call.
        const block = nationalOf(itFixed, draw(itFixed, pick(IT_CITY_AREAS))).slice(0, -3);
        const fresh = (): string => draw(itFixed, block);
        return { id, us: false, sweeper: true, perSession: chance(0.5), next: mostlyFresh(fresh, 0.95) };
      }
      default: {
        // US dialler: the FTC data's shape, as in v1.
        const seed = pick(FTC_POOL);
        const hundred = `+1${seed.slice(0, 8)}`;
        const tens = new Set<number>([Number(seed[8])]);
        const extra = int(0, 3);
        while (tens.size < 1 + extra) tens.add(int(0, 9));
        const list = [...tens];
        let first = true;
        const fresh = (): string => (first ? ((first = false), `+1${seed}`) : `${hundred}${pick(list)}${int(0, 9)}`);
        return { id, us: true, sweeper: false, next: rotating(fresh, 6) };
      }
    }
  }

  const NUISANCE_SHARE = 0.4;
  const nuisanceCalls = Math.round(CALLS * NUISANCE_SHARE);
  let centres = 0;

  for (let i = 0; rows.length < nuisanceCalls; i++) {
    centres++;
    const c = makeCentre(i);
    let day = int(0, Math.min(20, DAYS - 1));
    while (day < DAYS) {
      day = workingDay(day);
      if (day >= DAYS) break;
      let t = timeOn(day, chance(0.05));
      const sweep = c.sweeper ? chance(0.85) : chance(0.2);
      const dids = sweep ? (c.sweeper ? int(3, 5) : int(2, 4)) : 1;
      const first = int(0, (sweep ? LISTED : DIDS).length - 1);
      const sessionNumber = c.perSession === true ? c.next() : null;
      for (let k = 0; k < dids; k++) {
        const attest = c.us ? (chance(0.1) ? '' : pick(['B', 'C', 'C'])) : '';
        rows.push({
          time: t,
          caller: asSent(sessionNumber ?? c.next()),
          did: sweep ? (LISTED[(first + k) % LISTED.length] ?? '') : (DIDS[first] ?? ''),
          truth: 'nuisance',
          office: chance(0.7) ? 'mark-nuisance' : 'none',
          origin: c.id,
          talk: int(3, 40),
          attest,
          verstat: c.us && attest === '' ? 'TN-Validation-Failed' : '',
          name: '',
        });
        t += (c.sweeper ? int(1, 4) : int(1, 6)) * MIN;
      }
      day += int(1, 4);
    }
  }

  // ---------- legitimate callers ----------

  const legitCalls = CALLS - nuisanceCalls;
  let made = 0;
  let person = 0;

  const legitRow = (time: number, caller: string, origin: string, officeTrust: number, name = ''): TraceRow =>
    legitTraceRow(draws, time, caller, origin, officeTrust, name);
  const personal = (country: CountryCode): string => draw(numberPlan(country, chance(0.6) ? 'MOBILE' : 'FIXED_LINE'));
  const cc = (country: CountryCode): string => country.toLowerCase();

  while (made < legitCalls) {
    const r = rand();
    person++;
    if (r < 0.06) {
      // Supplier: a PBX with consecutive lines, at home or abroad.
      const country: CountryCode = chance(0.15) ? weighted(SUPPLIER_ABROAD) : 'IT';
      const block = draw(numberPlan(country, 'FIXED_LINE')).slice(0, -1);
      const lines = int(2, 6);
      const calls = int(5, 40);
      for (let k = 0; k < calls; k++) {
        const d = anyWorkingDay();
        rows.push(
          legitRow(
            timeOn(d, false),
            asSent(`${block}${int(0, lines - 1)}`),
            `sup${person}-${cc(country)}`,
            0.2,
            chance(0.5) ? `Fornitore ${person}` : '',
          ),
        );
      }
      made += calls;
    } else if (r < 0.11) {
      // Persistent human: a new caller, several calls within days, long talks.
      const country: CountryCode = chance(0.1) ? weighted(CUSTOMER_ABROAD) : 'IT';
      const n = country === 'IT' ? draw(chance(0.7) ? itMobile : itFixed) : personal(country);
      let d = int(0, DAYS - 5);
      const calls = int(2, 5);
      for (let k = 0; k < calls; k++) {
        const day = workingDay(d);
        if (day >= DAYS) break;
        const row = legitRow(timeOn(day, chance(0.1)), asSent(n), `ph${person}-${cc(country)}`, 0.05);
        row.talk = int(200, 1200);
        rows.push(row);
        made++;
        d = day + int(0, 3);
      }
    } else {
      // Customer.
      const withheld = chance(0.03);
      const country: CountryCode = chance(0.06) ? weighted(CUSTOMER_ABROAD) : 'IT';
      const n = country === 'IT' ? draw(chance(0.6) ? itMobile : itFixed) : personal(country);
      const calls = 1 + Math.floor(expo(2.5));
      const origin = `cu${person}-${cc(country)}`;
      for (let k = 0; k < calls; k++) {
        const t = timeOn(anyWorkingDay(), chance(0.04));
        rows.push(legitRow(t, withheld ? '' : asSent(n), origin, 0.05));
        if (chance(0.04)) {
          const more = chance(0.1) ? 2 : 1;
          for (let m = 1; m <= more; m++)
            rows.push(legitRow(t + m * int(2, 12) * MIN, withheld ? '' : asSent(n), origin, 0.05));
          made += more;
        }
      }
      made += calls;
    }
  }

  rows.sort((a, b) => a.time - b.time);
  return { rows, centres };
}

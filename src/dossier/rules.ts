/**
 * The evidence dossier's breach rules: pure functions over a list of call attempts, the office's marks and the
 * configured rules. No IO; times are judged in the rule's own time zone (Paris for France, the business's zone
 * for the Italian registration date).
 *
 * France, décret n° 2022-1313 du 13 octobre 2022 (in force from 1 March 2023), for professionals calling
 * consumers to sell:
 *   - calls only Monday to Friday, 10:00–13:00 and 14:00–20:00, never on public holidays. The intervals are
 *     read half-open: 12:59:59 is allowed, 13:00:00 and 20:00:00 are not;
 *   - at most 4 attempts in 30 days from one professional: an attempt breaches when 4 others came in the 30 days
 *     before it (calendar days in Paris: an attempt exactly 30 days earlier, same wall time, no longer counts);
 *   - after a refusal, 60 days' wait: an attempt breaches from the refusal up to, not including, the same wall
 *     time 60 days later. A refusal is an attempt crocetta refused or the PBX declined with a refusing code, but
 *     one for the withholding alone (DossierAttempt.forWithholding): the professional was not refused, its
 *     hidden number was.
 *   One professional is a company (every number the office marked with that company) or else one number.
 * Italy:
 *   - Registro Pubblico delle Opposizioni (Legge 5/2018, DPR 26/2022): once our numbers are registered,
 *     telemarketing calls to them are unlawful after the operators' grace period of 15 days from registration
 *     (configurable); calls from the AGCOM telemarketing prefix 0844 then breach too, and are named as such;
 *   - AGCOM numbering plan: 0843 is reserved to statistical surveys, so a 0843 number the office marked with a
 *     selling category (anything but a survey category) misuses its prefix on every call.
 */
import { frenchHoliday } from '../time/holidays.js';
import { addLocalDays, hhmm, localDate, localDayStart, wallClock } from '../time/zoned-time.js';
import { DAY_MS } from '../time/units.js';

/** One call attempt as the rules see it. */
export interface DossierAttempt {
  callId: string;
  /** ms since epoch */
  time: number;
  /** E.164 (`+33...`) or `raw:...` */
  callerKey: string;
  /** Our number that was called (DID), when known. */
  calledNumber: string | null;
  /** When the caller was refused on this attempt, null when not refused. */
  refusedAt: number | null;
  /**
   * The refusal rested on the withholding alone (store/register/refusal.ts refusalOfNumber): refused by the office's
   * policy on withheld callers (`withheld-refusal`), or a withheld call declined at the PBX, whose receptionist saw
   * no number. No refusal of the number: the 60 days' wait does not run from it. Absent: false.
   */
  forWithholding?: boolean;
}

/** The office's mark of a caller, as far as the rules need it. */
export interface DossierMark {
  company: string | null;
  category: string | null;
}

export interface FrenchRules {
  enabled: boolean;
  /** The rules apply to callers whose E.164 starts with one of these (`+33`). */
  callerPrefixes: string[];
  /** @defaultValue 'Europe/Paris' */
  timeZone: string;
  /** Count public holidays as closed days. @defaultValue true */
  holidays: boolean;
}

export interface ItalianRules {
  enabled: boolean;
  /** The day our numbers were registered in the RPO (`YYYY-MM-DD`), empty when they are not. */
  rpoRegisteredOn: string;
  /** Days after registration before it binds operators. @defaultValue 15 */
  rpoGraceDays: number;
  /** Our numbers (DIDs, E.164) on the register; empty = every number. */
  rpoNumbers: string[];
  /** Mark categories that mean "survey": a 0843 number marked with any other category is selling. */
  surveyCategories: string[];
  /** The business's time zone, where the registration day starts. */
  timeZone: string;
}

export interface BreachRulesConfig {
  fr: FrenchRules;
  it: ItalianRules;
}

export type BreachRule = 'fr-hours' | 'fr-frequency' | 'fr-refusal' | 'it-rpo' | 'it-0844-rpo' | 'it-0843-selling';

export interface Breach {
  rule: BreachRule;
  country: 'FR' | 'IT';
  /** The rule in words, with its legal reference (English: the CSV, the JSON and the log keep it). */
  text: string;
  /** The facts the text states, for a page in another language to say it again (src/panel/breach-text.ts). */
  facts: BreachFacts;
  /** The attempt that breaches. */
  attempt: DossierAttempt;
  /** The attempts the breach rests on, oldest first, ending with `attempt`. */
  evidence: DossierAttempt[];
}

/** What each rule's text rests on: the same facts, to say in Italian on an Italian page. */
export type BreachFacts =
  | {
      rule: 'fr-hours';
      when: 'weekend' | 'holiday' | 'hours';
      weekday: number;
      holiday: string | null;
      at: string;
      timeZone: string;
    }
  | { rule: 'fr-frequency'; attempt: number }
  | { rule: 'fr-refusal'; days: number; refusedOn: string }
  | { rule: 'it-rpo' | 'it-0844-rpo'; registeredOn: string; bindingFrom: string; graceDays: number }
  | { rule: 'it-0843-selling'; category: string };

export const FR_MAX_ATTEMPTS = 4;
export const FR_WINDOW_DAYS = 30;
export const FR_REFUSAL_WAIT_DAYS = 60;
/** Minutes of the day when French telemarketing may call: [10:00, 13:00) and [14:00, 20:00). */
export const FR_HOURS: ReadonlyArray<readonly [number, number]> = [
  [600, 780],
  [840, 1200],
];
const DECREE = 'FR décret 2022-1313';
const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** Who is behind a caller: its mark's company (case and spaces ignored), else the number alone. */
export function professionalOf(callerKey: string, marks: ReadonlyMap<string, DossierMark>): string {
  const company = marks.get(callerKey)?.company?.trim().toLowerCase();
  return company ? `company:${company}` : `number:${callerKey}`;
}

function hoursBreach(a: DossierAttempt, fr: FrenchRules): Breach | null {
  const w = wallClock(a.time, fr.timeZone);
  const at = `${hhmm(w.minuteOfDay)} ${fr.timeZone} time`;
  let why: string | null = null;
  let when: 'weekend' | 'holiday' | 'hours' = 'hours';
  const holiday = fr.holidays ? frenchHoliday(w.year, w.month, w.day) : null;
  if (w.weekday >= 6) {
    when = 'weekend';
    why = `on a ${WEEKDAY_NAMES[w.weekday] ?? 'weekend'} (${at})`;
  } else if (holiday !== null) {
    when = 'holiday';
    why = `on a public holiday, ${holiday} (${at})`;
  } else if (!FR_HOURS.some(([open, close]) => w.minuteOfDay >= open && w.minuteOfDay < close)) why = `at ${at}`;
  if (why === null) return null;
  return {
    rule: 'fr-hours',
    country: 'FR',
    text: `call ${why}, outside Mon–Fri 10:00–13:00 and 14:00–20:00 (${DECREE})`,
    facts: {
      rule: 'fr-hours',
      when,
      weekday: w.weekday,
      holiday,
      at: hhmm(w.minuteOfDay),
      timeZone: fr.timeZone,
    },
    attempt: a,
    evidence: [a],
  };
}

/** Attempts of one professional, oldest first. */
function frequencyBreaches(calls: readonly DossierAttempt[], tz: string): Breach[] {
  const out: Breach[] = [];
  let start = 0;
  for (let i = 0; i < calls.length; i++) {
    const a = calls[i] as DossierAttempt;
    // the earlier attempts still inside the 30-day window ending at `a`
    while (start < i && addLocalDays((calls[start] as DossierAttempt).time, FR_WINDOW_DAYS, tz) <= a.time) start++;
    const earlier = calls.slice(start, i);
    if (earlier.length < FR_MAX_ATTEMPTS) continue;
    out.push({
      rule: 'fr-frequency',
      country: 'FR',
      text: `${ordinal(earlier.length + 1)} attempt in ${FR_WINDOW_DAYS} days (${DECREE}, max ${FR_MAX_ATTEMPTS})`,
      facts: { rule: 'fr-frequency', attempt: earlier.length + 1 },
      attempt: a,
      evidence: [...earlier, a],
    });
  }
  return out;
}

function refusalBreaches(calls: readonly DossierAttempt[], tz: string): Breach[] {
  const out: Breach[] = [];
  /** The latest refused attempt so far: the wait runs from its refusal. */
  let refused: { attempt: DossierAttempt; at: number } | null = null;
  for (const a of calls) {
    if (refused !== null && a.time > refused.at && a.time < addLocalDays(refused.at, FR_REFUSAL_WAIT_DAYS, tz)) {
      const days = Math.floor((a.time - refused.at) / DAY_MS);
      out.push({
        rule: 'fr-refusal',
        country: 'FR',
        text: `call ${days === 0 ? 'the same day as' : `${days} day${days === 1 ? '' : 's'} after`} a refusal on ${localDate(refused.at, tz)} (${DECREE}: ${FR_REFUSAL_WAIT_DAYS} days' wait)`,
        facts: { rule: 'fr-refusal', days, refusedOn: localDate(refused.at, tz) },
        attempt: a,
        evidence: [refused.attempt, a],
      });
    }
    if (a.refusedAt !== null && a.forWithholding !== true && (refused === null || a.refusedAt >= refused.at))
      refused = { attempt: a, at: a.refusedAt };
  }
  return out;
}

function italianBreaches(
  calls: readonly DossierAttempt[],
  marks: ReadonlyMap<string, DossierMark>,
  it: ItalianRules,
): Breach[] {
  const out: Breach[] = [];
  const binding = it.rpoRegisteredOn ? localDayStart(it.rpoRegisteredOn, it.timeZone, it.rpoGraceDays) : undefined;
  const onRegister = new Set(it.rpoNumbers);
  const surveys = new Set(it.surveyCategories.map((c) => c.trim().toLowerCase()));
  for (const a of calls) {
    if (
      binding !== undefined &&
      a.time >= binding &&
      (onRegister.size === 0 || (a.calledNumber !== null && onRegister.has(a.calledNumber)))
    ) {
      const from0844 = a.callerKey.startsWith('+390844');
      const rule = from0844 ? 'it-0844-rpo' : 'it-rpo';
      const bindingFrom = localDate(binding, it.timeZone);
      out.push({
        rule,
        country: 'IT',
        text: `${from0844 ? 'AGCOM telemarketing prefix 0844 calling' : 'call to'} a number on the Registro Pubblico delle Opposizioni since ${it.rpoRegisteredOn}, binding from ${bindingFrom} after the ${it.rpoGraceDays}-day grace period (Legge 5/2018)`,
        facts: { rule, registeredOn: it.rpoRegisteredOn ?? '', bindingFrom, graceDays: it.rpoGraceDays },
        attempt: a,
        evidence: [a],
      });
    }
    const category = marks.get(a.callerKey)?.category?.trim().toLowerCase();
    if (a.callerKey.startsWith('+390843') && category && !surveys.has(category)) {
      out.push({
        rule: 'it-0843-selling',
        country: 'IT',
        text: `AGCOM survey prefix 0843 used to sell: marked "${category}" by the office (0843 is reserved to statistical surveys)`,
        facts: { rule: 'it-0843-selling', category },
        attempt: a,
        evidence: [a],
      });
    }
  }
  return out;
}

/** Every breach among `attempts` (any order), sorted by the breaching attempt's time, then rule. */
export function findBreaches(
  attempts: readonly DossierAttempt[],
  marks: ReadonlyMap<string, DossierMark>,
  rules: BreachRulesConfig,
): Breach[] {
  const calls = [...attempts].sort((a, b) => a.time - b.time || a.callId.localeCompare(b.callId));
  const out: Breach[] = [];
  if (rules.fr.enabled) {
    const french = calls.filter((a) => rules.fr.callerPrefixes.some((p) => a.callerKey.startsWith(p)));
    for (const a of french) {
      const b = hoursBreach(a, rules.fr);
      if (b) out.push(b);
    }
    const byProfessional = new Map<string, DossierAttempt[]>();
    for (const a of french) {
      const key = professionalOf(a.callerKey, marks);
      const list = byProfessional.get(key);
      if (list) list.push(a);
      else byProfessional.set(key, [a]);
    }
    for (const list of byProfessional.values()) {
      out.push(...frequencyBreaches(list, rules.fr.timeZone), ...refusalBreaches(list, rules.fr.timeZone));
    }
  }
  if (rules.it.enabled) out.push(...italianBreaches(calls, marks, rules.it));
  const order: BreachRule[] = ['fr-hours', 'fr-frequency', 'fr-refusal', 'it-rpo', 'it-0844-rpo', 'it-0843-selling'];
  return out.sort((a, b) => a.attempt.time - b.attempt.time || order.indexOf(a.rule) - order.indexOf(b.rule));
}

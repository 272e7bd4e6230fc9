/**
 * Valid telephone numbers of a country and type, drawn from libphonenumber-js's own metadata (the numbering plans
 * libphonenumber ships), for the market trace model (bench/market-trace.ts).
 *
 * A number is drawn by rejection: a national significant number of one of the type's usual lengths (longer
 * lengths in proportion to their 10× larger space), with random digits after the requested prefix, kept when it
 * matches the type's pattern and libphonenumber then parses it as valid and of that type. So every number a trace
 * holds is one libphonenumber (and crocetta's normalization) calls valid, in the real ranges of its country.
 *
 * A "range" is what a call centre actually holds: the national destination code (operator or area, as
 * libphonenumber formats it) and a few digits more. `rangeOf` draws one from a valid number of the type.
 */
import { Metadata, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type NumberType = 'MOBILE' | 'FIXED_LINE';

/** The part of libphonenumber-js's runtime Metadata the typings leave out (es6/metadata.js: NumberingPlan.type). */
interface TypeMetadata {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanWithTypes {
  possibleLengths(): number[];
  type(type: string): TypeMetadata | undefined;
}

export interface NumberPlan {
  country: CountryCode;
  type: NumberType;
  callingCode: string;
  lengths: readonly number[];
  /** Cumulative weights of `lengths` (∝ 10^length). */
  cumulative: readonly number[];
  pattern: RegExp;
}

const plans = new Map<string, NumberPlan>();
const MAX_USUAL_LENGTH = 10;

export function numberPlan(country: CountryCode, type: NumberType): NumberPlan {
  const key = `${country}:${type}`;
  const cached = plans.get(key);
  if (cached !== undefined) return cached;
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country);
  const plan = metadata.numberingPlan as unknown as PlanWithTypes | undefined;
  // Where mobiles and fixed lines share one pattern (NANP), the metadata keeps it under FIXED_LINE only.
  const own = plan?.type(type);
  const meta = own !== undefined && own.pattern() !== '' ? own : plan?.type('FIXED_LINE');
  if (plan === undefined || meta === undefined || meta.pattern() === '')
    throw new Error(`libphonenumber has no ${type} numbers for ${country}`);
  const all = own?.possibleLengths() ?? meta.possibleLengths() ?? plan.possibleLengths();
  // Lengths up to 10 digits (where the type has any): the plans also allow rare long forms (German and Austrian
  // fixed lines up to 13–15 digits) that a caller ID seldom shows.
  const usual = all.filter((l) => l <= MAX_USUAL_LENGTH);
  const lengths = usual.length > 0 ? usual : [Math.min(...all)];
  const weights = lengths.map((l) => 10 ** (l - Math.min(...lengths)));
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cumulative = weights.map((w) => (acc += w / total));
  const made: NumberPlan = {
    country,
    type,
    callingCode: getCountryCallingCode(country),
    lengths,
    cumulative,
    pattern: new RegExp(`^(?:${meta.pattern()})$`),
  };
  plans.set(key, made);
  return made;
}

const TRIES = 20_000;

/** Whether libphonenumber parses `+<cc><nsn>` as valid and of the plan's type. */
function isOfType(plan: NumberPlan, nsn: string): boolean {
  if (!plan.pattern.test(nsn)) return false;
  const parsed = parsePhoneNumberFromString(`+${plan.callingCode}${nsn}`);
  if (parsed === undefined || !parsed.isValid() || parsed.country !== plan.country) return false;
  const type = parsed.getType();
  // NANP and a few other plans cannot tell mobiles from fixed lines: FIXED_LINE_OR_MOBILE is either.
  return type === plan.type || type === 'FIXED_LINE_OR_MOBILE';
}

/**
 * A valid E.164 number of the plan, starting (after the country code) with `prefix`; null when none was found
 * (the prefix holds no number of the type).
 */
export function drawNumber(rand: () => number, plan: NumberPlan, prefix = ''): string | null {
  for (let t = 0; t < TRIES; t++) {
    const u = rand();
    let length = plan.lengths[plan.lengths.length - 1] ?? 0;
    for (let i = 0; i < plan.cumulative.length; i++) {
      if (u < (plan.cumulative[i] ?? 1)) {
        length = plan.lengths[i] ?? length;
        break;
      }
    }
    if (length <= prefix.length) continue;
    let nsn = prefix;
    while (nsn.length < length) nsn += String(Math.floor(rand() * 10));
    if (isOfType(plan, nsn)) return `+${plan.callingCode}${nsn}`;
  }
  return null;
}

/** Mobile-token countries (libphonenumber's MOBILE_TOKEN_MAPPINGS): their NDC spans the token and the next group. */
const MOBILE_TOKEN = new Set(['52', '54']);

/**
 * The national destination code of an E.164 number, as libphonenumber's getLengthOfNationalDestinationCode
 * defines it (the Java library; libphonenumber-js lacks it): the first group after the country code in the
 * international format, when the number has more groups after it ("+39 347 123 4567" → "347", "+39 02 1234 5678"
 * → "02", "+355 69 212 3456" → "69"). '' when none (one group only, or not parsable).
 */
export function nationalDestinationCode(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) return '';
  const groups = parsed
    .formatInternational()
    .split(/[^0-9]+/)
    .filter((g) => g !== '');
  if (groups.length <= 2) return '';
  const ndc = groups[1] ?? '';
  if (MOBILE_TOKEN.has(parsed.countryCallingCode) && parsed.getType() === 'MOBILE' && groups.length > 3)
    return ndc + (groups[2] ?? '');
  return ndc;
}

/**
 * A range a centre holds: a valid number's national destination code plus `extra` digits (the national part
 * only, no country code). Draw numbers in it with `drawNumber(rand, plan, range)`.
 */
export function rangeOf(rand: () => number, plan: NumberPlan, extra: number, within = ''): string {
  for (let t = 0; t < 200; t++) {
    const sample = drawNumber(rand, plan, within);
    if (sample === null) break;
    const nsn = sample.slice(1 + plan.callingCode.length);
    const ndc = nationalDestinationCode(sample);
    const range = nsn.slice(0, Math.min(nsn.length - 3, Math.max(within.length, ndc.length + extra)));
    // A range must still hold numbers of the type (a sub-range of a mixed prefix may not).
    if (drawNumber(rand, plan, range) !== null) return range;
  }
  throw new Error(`no ${plan.type} range in ${plan.country}${within === '' ? '' : ` under ${within}`}`);
}

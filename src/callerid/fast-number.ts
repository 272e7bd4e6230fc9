/**
 * The number-parsing fast path: what libphonenumber-js's parsePhoneNumberWithError + isPossible + getType + isValid
 * (max metadata) give for a plain dialable number (`+` and digits, or national digits), computed from the same
 * metadata with the same steps, but with every regular expression compiled once per country instead of once per
 * test, and no Metadata, PhoneNumber or options objects per call. libphonenumber-js spends most of its ~12 µs a
 * number building those; this takes ~1 µs.
 *
 * It follows the library's own algorithm step by step (parse.js, extractCountryCallingCode.js,
 * extractCountryCallingCodeFromInternationalNumberWithoutPlusSign.js, extractNationalNumber.js,
 * getCountryByCallingCode.js, getNumberType.js, checkNumberLength.js, isValid.js), reading the metadata by the
 * indexes libphonenumber-js's metadata.js reads (format version 4). Wherever it is not sure it answers `undefined`
 * and the caller asks the library: metadata of another format, a default country the metadata does not know,
 * numbers too short for the library's viability check, non-geographic calling codes (+800, +882...), numbers whose
 * calling code is unknown or starts with 0, plans without possible lengths. fast-number.test.ts proves it equal to
 * the library on every country's generated numbers of every type in every shape, and on junk.
 */
import metadataJson from 'libphonenumber-js/metadata.max.json';

/** What the screening needs of a parsed number (PhoneNumber without `raw`). */
export interface ParsedNumber {
  e164: string | null;
  type: string | null;
  valid: boolean;
  country: string | null;
  flags: string[];
}

/**
 * Possible lengths as checkNumberLength reads them (the first, the last, and membership), kept as a bit mask
 * (bit n: length n) so a check is two compares and a shift: Array#indexOf is a call into a builtin, and on a
 * decision paced at 100/s, caches cold, each such call costs more than the compares.
 */
interface LengthSet {
  readonly min: number;
  readonly max: number;
  /** Bit n set: length n is possible (lengths 0-30; the metadata's go up to 17). */
  readonly mask: number;
}

type Lengths = LengthSet | undefined;

interface TypeDef {
  /** '^(?:pattern)$', as matchesEntirely builds it; null when the pattern is falsy (the library skips the type). */
  readonly pattern: RegExp | null;
  /** The pattern is '' (getNumberType: a MOBILE type with an empty pattern makes a fixed line FIXED_LINE_OR_MOBILE). */
  readonly empty: boolean;
  /** The type's possible lengths, else the plan's (Type.possibleLengths()). */
  readonly lengths: Lengths;
}

/** One country's numbering plan, its patterns compiled once. */
interface Plan {
  readonly country: string;
  readonly callingCode: string;
  /** The IDD prefix pattern (stripIddPrefix: `new RegExp(IDDPrefix)`, matched with search() === 0). */
  readonly idd: RegExp | null;
  readonly nationalNumber: RegExp;
  readonly possibleLengths: Lengths;
  /** '^(?:national prefix for parsing, else national prefix)'. */
  readonly prefixForParsing: RegExp | null;
  readonly transformRule: string | undefined;
  /** leading_digits, matched with search() === 0 as getCountryByNationalNumber does. */
  readonly leadingDigits: RegExp | null;
  readonly hasTypes: boolean;
  readonly fixedLine: TypeDef | undefined;
  readonly mobile: TypeDef | undefined;
  /** The types tried after FIXED_LINE, in getNumberType's order. */
  readonly others: ReadonlyArray<readonly [string, TypeDef | undefined]>;
}

/** Index of each type in a plan's types array (metadata.js getType()). */
const TYPE_INDEX: Readonly<Record<string, number>> = {
  FIXED_LINE: 0,
  MOBILE: 1,
  TOLL_FREE: 2,
  PREMIUM_RATE: 3,
  PERSONAL_NUMBER: 4,
  VOICEMAIL: 5,
  UAN: 6,
  PAGER: 7,
  VOIP: 8,
  SHARED_COST: 9,
};

/** getNumberType's NON_FIXED_LINE_PHONE_TYPES, in its order. */
const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** libphonenumber-js constants.js. */
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

interface Metadata {
  version: unknown;
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, unknown[]>;
  nonGeographic?: Record<string, unknown>;
}

const META = metadataJson as unknown as Metadata;

/** The fast path reads metadata format 4 only; with any other, every number goes to the library. */
const ENABLED =
  META !== null &&
  typeof META === 'object' &&
  META.version === 4 &&
  typeof META.countries === 'object' &&
  typeof META.country_calling_codes === 'object';

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A metadata list of possible lengths as a LengthSet; undefined when absent. A list the mask cannot hold (a length
 * outside 0-30, or not an integer: not in format 4's metadata) makes the whole plan the library's (see compile).
 */
export function lengthSet(v: unknown): Lengths {
  if (!Array.isArray(v)) return undefined;
  const list = v as unknown[];
  let mask = 0;
  for (const n of list) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 30) throw new RangeError('length');
    mask |= 1 << n;
  }
  return { min: list[0] as number, max: list[list.length - 1] as number, mask };
}

/** Whether `n` is in the set (what `list.indexOf(n) >= 0` said). Exported for fast-number.test.ts. */
export function hasLength(set: LengthSet, n: number): boolean {
  return n <= 30 && ((set.mask >>> n) & 1) === 1;
}

function entirely(pattern: string): RegExp {
  return new RegExp('^(?:' + pattern + ')$');
}

function compile(country: string, m: unknown[]): Plan {
  const possible = lengthSet(m[3]);
  const types = Array.isArray(m[11]) ? (m[11] as unknown[]) : undefined;
  const typeDef = (name: string): TypeDef | undefined => {
    const t = types?.[TYPE_INDEX[name]!];
    if (!Array.isArray(t) || !t) return undefined;
    const pattern = typeof t[0] === 'string' && t[0] !== '' ? entirely(t[0]) : null;
    return { pattern, empty: t[0] === '', lengths: lengthSet(t[1]) ?? possible };
  };
  const prefix = str(m[7]) ?? str(m[5]);
  return {
    country,
    callingCode: String(m[0]),
    idd: str(m[1]) === undefined ? null : new RegExp(m[1] as string),
    nationalNumber: entirely(String(m[2])),
    possibleLengths: possible,
    prefixForParsing: prefix === undefined ? null : new RegExp('^(?:' + prefix + ')'),
    transformRule: str(m[8]),
    leadingDigits: str(m[10]) === undefined ? null : new RegExp(m[10] as string),
    hasTypes: types !== undefined && types.length > 0,
    fixedLine: typeDef('FIXED_LINE'),
    mobile: typeDef('MOBILE'),
    others: NON_FIXED_LINE_TYPES.map((name) => [name, typeDef(name)] as const),
  };
}

/** compile(), or null (the library answers for the country) when the plan holds what compile cannot read. */
function compileOrNull(country: string, m: unknown[]): Plan | null {
  try {
    return compile(country, m);
  } catch {
    return null;
  }
}

const plans = new Map<string, Plan | null>();

/** The plan of an ISO country, compiled on first use; null when the metadata has no such country. */
function planOf(country: string): Plan | null {
  let plan = plans.get(country);
  if (plan === undefined) {
    const m = own(META.countries, country) ? META.countries[country] : undefined;
    plan = Array.isArray(m) ? compileOrNull(country, m) : null;
    plans.set(country, plan);
  }
  return plan;
}

/** The countries of a geographic calling code from the metadata, or undefined (unknown or non-geographic). */
function countriesInMetadata(callingCode: string): readonly string[] | undefined {
  if (!own(META.country_calling_codes, callingCode)) return undefined;
  const list = META.country_calling_codes[callingCode];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  if (list.length === 1 && list[0]!.length === 3) return undefined; // '001': non-geographic
  return list;
}

/** metadata.hasCallingCode() read from the metadata: geographic or non-geographic. */
function knownInMetadata(callingCode: string): boolean {
  return (
    countriesInMetadata(callingCode) !== undefined ||
    (META.nonGeographic !== undefined && own(META.nonGeographic, callingCode))
  );
}

/** What the metadata says of one calling code, read once. */
export interface CodeInfo {
  readonly countries: readonly string[] | undefined;
  readonly known: boolean;
}

/**
 * The value of a calling code written as the metadata writes its keys (1-3 digits, no leading 0), else -1: the
 * index of its CodeInfo in CODES. An integer index instead of the code as a property name: a code sliced from a
 * number is a new string each call, which V8 hashes (and tries as an array index) before every property look-up.
 */
function codeIndex(callingCode: string): number {
  const n = callingCode.length;
  if (n < 1 || n > MAX_LENGTH_COUNTRY_CODE || callingCode.charCodeAt(0) === 0x30) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = callingCode.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** CodeInfo of every calling code 1-999, from the metadata once per process (index: codeIndex). */
const CODES: readonly CodeInfo[] = ENABLED
  ? Array.from({ length: 1000 }, (_, v) => {
      const code = String(v);
      return { countries: countriesInMetadata(code), known: v > 0 && knownInMetadata(code) };
    })
  : [];

/** The countries of a geographic calling code, or undefined (unknown or non-geographic: library). */
function countriesOf(callingCode: string): readonly string[] | undefined {
  const v = codeIndex(callingCode);
  return v < 0 ? countriesInMetadata(callingCode) : CODES[v]!.countries;
}

/** metadata.hasCallingCode(): geographic or non-geographic. */
function hasCallingCode(callingCode: string): boolean {
  const v = codeIndex(callingCode);
  return v < 0 ? knownInMetadata(callingCode) : CODES[v]!.known;
}

/** What the fast path knows of a calling code (its countries, whether the metadata has it), for the tests. */
export function callingCodeFacts(callingCode: string): CodeInfo {
  return { countries: countriesOf(callingCode), known: hasCallingCode(callingCode) };
}

type LengthCheck = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';

/** checkNumberLengthForType with no type. */
function checkLength(nn: string, possible: Lengths): LengthCheck {
  if (!possible) return 'IS_POSSIBLE';
  const actual = nn.length;
  const min = possible.min;
  if (min === actual) return 'IS_POSSIBLE';
  if (min > actual) return 'TOO_SHORT';
  if (possible.max < actual) return 'TOO_LONG';
  return hasLength(possible, actual) ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

function isType(nn: string, t: TypeDef | undefined): boolean {
  if (t === undefined || t.pattern === null) return false;
  if (t.lengths && !hasLength(t.lengths, nn.length)) return false;
  return t.pattern.test(nn);
}

/**
 * The last numberType answer: parse() asks for a shared calling code's countries by type (+39: IT, then VA) and
 * getType() asks again for the country found, on the same national number.
 */
let lastNn = '';
let lastPlan: Plan | null = null;
let lastType: string | undefined;

/** getNumberType for a national number under one plan. */
function numberType(nn: string, plan: Plan): string | undefined {
  if (plan === lastPlan && nn === lastNn) return lastType;
  const type = computeType(nn, plan);
  lastNn = nn;
  lastPlan = plan;
  lastType = type;
  return type;
}

function computeType(nn: string, plan: Plan): string | undefined {
  if (!plan.nationalNumber.test(nn)) return undefined;
  if (isType(nn, plan.fixedLine)) {
    const mobile = plan.mobile;
    if (mobile !== undefined && mobile.empty) return 'FIXED_LINE_OR_MOBILE';
    if (mobile === undefined) return 'FIXED_LINE_OR_MOBILE';
    if (isType(nn, mobile)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  for (const [name, def] of plan.others) if (isType(nn, def)) return name;
  return undefined;
}

/** getCountryByCallingCode (and getCountryByNationalNumber) for a geographic calling code. */
function countryByCallingCode(callingCode: string, nn: string): string | undefined {
  const countries = countriesOf(callingCode);
  if (countries === undefined) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = planOf(country);
    if (plan === null) continue; // not reached with consistent metadata; the library would throw
    if (plan.leadingDigits !== null) {
      if (nn !== '' && nn.search(plan.leadingDigits) === 0) return country;
    } else if (numberType(nn, plan) !== undefined) return country;
  }
  return undefined;
}

/** extractNationalNumber(number, undefined, metadata with `plan` selected). */
function extractNational(number: string, plan: Plan): string {
  const re = plan.prefixForParsing;
  if (number === '' || re === null) return number;
  const match = re.exec(number);
  if (match === null) return number;
  const groups = match.length - 1;
  const hasGroups = groups > 0 && Boolean(match[groups]);
  const nn =
    plan.transformRule !== undefined && hasGroups
      ? number.replace(re, plan.transformRule)
      : number.slice(match[0].length);
  if (nn === number) return nn;
  // shouldHaveExtractedNationalPrefix
  if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(nn)) return number;
  if (plan.possibleLengths) {
    const country = countryByCallingCode(plan.callingCode, nn);
    const lengthPlan = country === undefined ? plan : planOf(country);
    if (lengthPlan === null) return number;
    const check = checkLength(nn, lengthPlan.possibleLengths);
    if (check === 'TOO_SHORT' || check === 'INVALID_LENGTH') return number;
  }
  return nn;
}

function unparsed(flag: string): ParsedNumber {
  return { e164: null, type: null, valid: false, country: null, flags: [flag] };
}

function lengthFlag(check: LengthCheck): string {
  if (check === 'TOO_SHORT') return 'too-short';
  if (check === 'TOO_LONG') return 'too-long';
  return 'invalid';
}

/**
 * The end of parse() once the calling code and the national number are known, then isPossible, getType, isValid.
 * `country` is the country parse() settled on before getCountryByCallingCode (the default country for a national
 * number, none for an international one).
 */
function finish(callingCode: string, nn: string, country: string | undefined): ParsedNumber | undefined {
  const exact = countryByCallingCode(callingCode, nn);
  const finalCountry = exact ?? country;
  if (nn.length < MIN_LENGTH_FOR_NSN) return unparsed('too-short');
  if (nn.length > MAX_LENGTH_FOR_NSN) return unparsed('too-long');
  const plan = finalCountry === undefined ? mainPlan(callingCode) : planOf(finalCountry);
  if (plan === null || !plan.possibleLengths) return undefined; // the library throws or treats it otherwise
  const check = checkLength(nn, plan.possibleLengths);
  if (check !== 'IS_POSSIBLE') return unparsed(lengthFlag(check));
  const type = numberType(nn, plan);
  const valid = type !== undefined || (!plan.hasTypes && plan.nationalNumber.test(nn));
  return {
    e164: '+' + callingCode + nn,
    type: valid ? (type ?? null) : null,
    valid,
    country: finalCountry ?? null,
    flags: valid ? [] : ['invalid'],
  };
}

/** selectNumberingPlan(callingCode): the first (main) country of a geographic code. */
function mainPlan(callingCode: string): Plan | null {
  const countries = countriesOf(callingCode);
  return countries === undefined ? null : planOf(countries[0]!);
}

/** `+` and these digits: the calling code is the first 1-3 digits the metadata knows (extractCountryCallingCode). */
function international(digits: string): ParsedNumber | undefined {
  if (digits.length < 4 || digits.charCodeAt(0) === 0x30) return undefined;
  for (let i = 1; i <= MAX_LENGTH_COUNTRY_CODE && i <= digits.length; i++) {
    const callingCode = digits.slice(0, i);
    if (!hasCallingCode(callingCode)) continue;
    const plan = mainPlan(callingCode);
    if (plan === null) return undefined; // non-geographic (+800, +882...): library
    const rest = digits.slice(i);
    if (rest === '') return undefined;
    return finish(callingCode, extractNational(rest, plan), undefined);
  }
  return undefined;
}

/** National digits (no `+`) with a default country: IDD, the calling code without `+`, else national. */
function national(digits: string, home: Plan): ParsedNumber | undefined {
  // stripIddPrefix: an IDD followed by a digit other than 0 makes it international; followed by 0, it stays.
  if (home.idd !== null && digits.search(home.idd) === 0) {
    const m = home.idd.exec(digits);
    if (m === null) return undefined;
    const rest = digits.slice(m[0].length);
    if (rest === '') return undefined;
    if (rest.charCodeAt(0) !== 0x30) return international(rest);
  }
  // extractCountryCallingCodeFromInternationalNumberWithoutPlusSign
  const callingCode = home.callingCode;
  if (digits.startsWith(callingCode)) {
    const shorter = digits.slice(callingCode.length);
    const shorterNational = extractNational(shorter, home);
    const fullNational = extractNational(digits, home);
    if (
      (!home.nationalNumber.test(fullNational) && home.nationalNumber.test(shorterNational)) ||
      checkLength(fullNational, home.possibleLengths) === 'TOO_LONG'
    ) {
      const plan = mainPlan(callingCode);
      if (plan === null || shorter === '') return undefined;
      return finish(callingCode, extractNational(shorter, plan), undefined);
    }
  }
  return finish(callingCode, extractNational(digits, home), home.country);
}

/**
 * What libphonenumber-js (max) makes of a dialable number, exactly as normalize-number.ts's library path reports
 * it, or undefined when the library must be asked. `digits` are ASCII digits (1-17 of them); `intl` says a `+`
 * (or 00) came before them; `defaultCountry` is an ISO code the metadata supports, or undefined.
 */
export function parseFast(intl: boolean, digits: string, defaultCountry: string | undefined): ParsedNumber | undefined {
  if (!ENABLED) return undefined;
  if (intl) return international(digits);
  if (defaultCountry === undefined || digits.length < 4) return undefined;
  const home = planOf(defaultCountry);
  if (home === null) return undefined;
  return national(digits, home);
}

import {
  type CountryCode,
  ParseError,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { parseFast } from './fast-number.js';
import { RecentCache } from './recent-cache.js';
import { MAX_RAW_NUMBER, sanitizeText } from './text.js';
import type { PhoneNumber } from './types.js';

/** The parts of a PhoneNumber that depend only on the dialable digits and the default country. */
type Parsed = Omit<PhoneNumber, 'raw'>;

/**
 * Parsing with libphonenumber-js `max` metadata costs ~10 µs a number, more than the rest of a decision together;
 * the numbers the fast path (fast-number.ts, ~1 µs, cheaper than a cache's look-up and insert and the garbage it
 * keeps) leaves to the library are kept by (country, digits) in RecentCaches (at most 2 × CACHE_GENERATION entries
 * per default country and form). One cache per (default country, international or national) keyed by the digits
 * as received: no key string is built per call.
 */
const CACHE_GENERATION = 10_000;

type ParseCache = RecentCache<Parsed>;

const caches = new Map<string, { intl: ParseCache; national: ParseCache }>();

function cacheFor(defaultCountry: string, intl: boolean): ParseCache {
  let pair = caches.get(defaultCountry);
  if (pair === undefined) {
    if (caches.size >= 16) caches.clear(); // a country per deployment in practice; never unbounded
    pair = { intl: new RecentCache<Parsed>(CACHE_GENERATION), national: new RecentCache<Parsed>(CACHE_GENERATION) };
    caches.set(defaultCountry, pair);
  }
  return intl ? pair.intl : pair.national;
}

/** Digits in an E.164 number at most (15) plus room for a trunk prefix; longer is junk. */
const MAX_DIGITS = 17;

/** National (non-international) numbers this short are service numbers: 112, 113, 118, 1515, 48xxx... */
const MAX_SHORT_CODE_DIGITS = 5;

function isSeparator(c: number): boolean {
  // space, ( ) - . / and NBSP: visual separators people and carriers put in numbers
  return c === 0x20 || c === 0x28 || c === 0x29 || c === 0x2d || c === 0x2e || c === 0x2f || c === 0xa0;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unparsed(flag: string): Parsed {
  return { e164: null, type: null, valid: false, country: null, flags: [flag] };
}

/**
 * The most characters of an alphanumeric sender ID. GSM carries 11 (3GPP TS 23.040's TP-OA); a carrier or an SMS
 * aggregator delivering over SIP may pass a longer one (`PROMO-ENERGIA`).
 */
const MAX_SENDER_ID = 20;

function isLetterOrDigit(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39);
}

/**
 * An alphanumeric sender ID, the name a bank, courier or shop sends its texts from (`IntesaSP`, `POSTE`, `Poste.it`,
 * `BNL Info`, `PROMO-ENERGIA`): ASCII letters and digits with single spaces, dots, hyphens, underscores, ampersands or
 * apostrophes between them, at least one letter, at most MAX_SENDER_ID characters.
 */
function isSenderId(text: string): boolean {
  if (text.length === 0 || text.length > MAX_SENDER_ID) return false;
  let letters = 0;
  let afterMark = true; // the start counts as after a mark: no mark first, none twice in a row
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isLetterOrDigit(c)) {
      if (isLetter(c)) letters++;
      afterMark = false;
    } else if (c === 0x20 || c === 0x2e || c === 0x2d || c === 0x5f || c === 0x26 || c === 0x27) {
      if (afterMark) return false;
      afterMark = true;
    } else return false;
  }
  return letters > 0 && !afterMark;
}

/** A sender ID's parse: letters, so `not-a-number`, and `alphanumeric` (normalizeNumber copies the flags). */
const SENDER_ID: Parsed = Object.freeze({
  e164: null,
  type: null,
  valid: false,
  country: null,
  flags: ['not-a-number', 'alphanumeric'],
});

function lengthFlag(reason: string | undefined): string {
  if (reason === 'TOO_SHORT') return 'too-short';
  if (reason === 'TOO_LONG') return 'too-long';
  if (reason === 'NOT_A_NUMBER') return 'not-a-number';
  return 'invalid';
}

/** Digits with an optional leading `+`, and at least one digit. */
function isPlainNumber(text: string): boolean {
  const start = text.startsWith('+') ? 1 : 0;
  if (text.length <= start) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Dialable form: `+` and digits, or a flag saying why there is none. Exported for fast-number.test.ts. */
export function dialable(text: string): { intl: boolean; digits: string } | { flag: string } {
  if (isPlainNumber(text)) {
    // The common case (`+390212345678`, `0212345678`): no copying character by character.
    if (text.startsWith('+')) return { intl: true, digits: text.slice(1) };
    return text.startsWith('00') ? { intl: true, digits: text.slice(2) } : { intl: false, digits: text };
  }
  let digits = '';
  let intl = false;
  let letters = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits += text[i];
    else if (c === 0x2b && digits.length === 0 && !intl) intl = true;
    else if (isSeparator(c)) continue;
    else if (isLetter(c)) letters++;
    else other++;
  }
  if (letters > 0) return { flag: isSenderId(text) ? 'alphanumeric' : 'not-a-number' };
  if (digits.length === 0 || other > 0) return { flag: 'unparsable' };
  if (!intl && digits.startsWith('00')) {
    // 00 is the international prefix in most of the world (and Italy's); libphonenumber only knows the default
    // country's own IDD (011 for US), so do it here for every country.
    intl = true;
    digits = digits.slice(2);
  }
  return { intl, digits };
}

/**
 * Parses a dialable form (`+` and digits, or national digits): the fast path (fast-number.ts, libphonenumber-js's
 * steps on its metadata with the patterns compiled once) when it is sure, else libphonenumber-js itself.
 */
export function parseDialable(intl: boolean, digits: string, defaultCountry: string): Parsed {
  const early = tooShortOrLong(intl, digits);
  if (early !== null) return early;
  const country = supportedCountry(defaultCountry);
  return parseFast(intl, digits, country) ?? parseWithLibrary(intl, digits, country);
}

/** parseDialable through libphonenumber-js alone: the reference the fast path is tested against. */
export function parseDialableWithLibrary(intl: boolean, digits: string, defaultCountry: string): Parsed {
  return tooShortOrLong(intl, digits) ?? parseWithLibrary(intl, digits, supportedCountry(defaultCountry));
}

function tooShortOrLong(intl: boolean, digits: string): Parsed | null {
  if (digits.length === 0) return unparsed('too-short');
  if (digits.length > MAX_DIGITS) return unparsed('too-long');
  if (!intl && digits.length < 3) return unparsed('too-short');
  if (!intl && digits.length <= MAX_SHORT_CODE_DIGITS) return unparsed('short-code');
  return null;
}

/** The last default country asked about and its answer: a deployment has one. */
let lastCountry: { asked: string; supported: CountryCode | undefined } | null = null;

function supportedCountry(defaultCountry: string): CountryCode | undefined {
  if (lastCountry !== null && lastCountry.asked === defaultCountry) return lastCountry.supported;
  const upper = defaultCountry.toUpperCase();
  const supported = isSupportedCountry(upper) ? upper : undefined;
  lastCountry = { asked: defaultCountry, supported };
  return supported;
}

function parseWithLibrary(intl: boolean, digits: string, country: CountryCode | undefined): Parsed {
  const dial = intl ? `+${digits}` : digits;
  const options = { defaultCountry: country, extract: false };
  try {
    const pn = parsePhoneNumberWithError(dial, options);
    if (!pn.isPossible()) return unparsed(lengthFlag(validatePhoneNumberLength(dial, options)));
    // With the `max` metadata, isValid() is getType() !== undefined (it runs the same type patterns again); ask
    // isValid() only when no type matched, for a plan that has no type patterns.
    const type = pn.getType();
    const valid = type !== undefined || pn.isValid();
    return {
      e164: pn.number,
      type: valid ? (type ?? null) : null,
      valid,
      country: pn.country ?? null,
      flags: valid ? [] : ['invalid'],
    };
  } catch (err) {
    if (err instanceof ParseError && err.message !== 'INVALID_COUNTRY') return unparsed(lengthFlag(err.message));
    return unparsed('unparsable');
  }
}

/** parseDialable, with the library's answers (not the fast path's) kept in the RecentCaches. */
function parseCached(intl: boolean, digits: string, defaultCountry: string): Parsed {
  const early = tooShortOrLong(intl, digits);
  if (early !== null) return early;
  const country = supportedCountry(defaultCountry);
  const fast = parseFast(intl, digits, country);
  if (fast !== undefined) return fast;
  const cache = cacheFor(defaultCountry, intl);
  let parsed = cache.get(digits);
  if (parsed === undefined) {
    parsed = parseWithLibrary(intl, digits, country);
    cache.set(digits, parsed);
  }
  return parsed;
}

/** `text` starts with `tel:` in any case (compared in place: no slice, no lower-cased copy). */
function hasTelScheme(text: string): boolean {
  return (
    (text.charCodeAt(0) | 0x20) === 0x74 &&
    (text.charCodeAt(1) | 0x20) === 0x65 &&
    (text.charCodeAt(2) | 0x20) === 0x6c &&
    text.charCodeAt(3) === 0x3a
  );
}

/**
 * Normalizes a telephone number as received (`+39 02 1234567`, `0039...`, `02-1234567`, `333 1234567`,
 * `tel:+33...`) to E.164 with libphonenumber-js, for `defaultCountry` (ISO 3166, `IT`) when it is national.
 * Never throws: what cannot be parsed keeps `raw`, gets `e164: null` and a flag (`not-a-number`, `unparsable`,
 * `too-short`, `too-long`, `short-code`); a number parsed but outside its country's plan gets `invalid`. Letters that
 * read as a sender ID (isSenderId: `IntesaSP`, `BNL Info`) get `not-a-number` and `alphanumeric`.
 * Italian numbers keep their leading 0 (`02 1234567` → `+39021234567`), as the plan requires.
 */
export function normalizeNumber(raw: string, defaultCountry: string): PhoneNumber {
  const clean = sanitizeText(String(raw), MAX_RAW_NUMBER);
  const text = clean.length > 4 && hasTelScheme(clean) ? clean.slice(4) : clean;
  const d = dialable(text);
  const parsed =
    'flag' in d
      ? d.flag === 'alphanumeric'
        ? SENDER_ID
        : unparsed(d.flag)
      : parseCached(d.intl, d.digits, String(defaultCountry));
  return {
    raw: clean,
    e164: parsed.e164,
    type: parsed.type,
    valid: parsed.valid,
    country: parsed.country,
    flags: parsed.flags.slice(),
  };
}

/**
 * normalizeNumber for `raw` already known to be `+` and digits or digits alone, at least one (identify-caller.ts
 * plainFrom: a From user it scanned): the same answer without what such a text never needs, the sanitizing scan, the
 * `tel:` check and dialable's scan and object (on a first-seen caller at 100 calls/s, caches cold, each is code fetched
 * again). Longer than MAX_RAW_NUMBER (sanitizeText would cut it): normalizeNumber's way.
 */
export function normalizePlainNumber(raw: string, defaultCountry: string): PhoneNumber {
  if (raw.length > MAX_RAW_NUMBER) return normalizeNumber(raw, defaultCountry);
  const plus = raw.charCodeAt(0) === 0x2b;
  const intl = plus || (raw.charCodeAt(0) === 0x30 && raw.charCodeAt(1) === 0x30);
  const digits = plus ? raw.slice(1) : intl ? raw.slice(2) : raw;
  const parsed = parseCached(intl, digits, defaultCountry);
  return {
    raw,
    e164: parsed.e164,
    type: parsed.type,
    valid: parsed.valid,
    country: parsed.country,
    flags: parsed.flags.slice(),
  };
}

/**
 * Whether a caller ID names no one: no digit at all (`+`), only zeros (`0000000000`, `0`), a country code alone
 * (`+39`, `0039`: too short in international form), or a country code and zeros (`+390000000000`, `00390000000000`:
 * parsed, but in no plan), as carriers send where they have no number for the caller. Every caller such a carrier
 * passes reads the same, so it is no caller's key (callerKey) and it is not a valid number (classify.ts). A number
 * libphonenumber finds valid never is (`+67200000` is one: Australian Antarctic). A name (`IntesaSP`, flagged
 * `not-a-number`: one sender, keyed by its text) and a short code (`48018`, `112`) are not placeholders, nor a
 * national number of one or two digits (`12`).
 */
export function isPlaceholderNumber(n: PhoneNumber): boolean {
  if (n.valid) return false;
  let tooShort = false;
  for (const flag of n.flags) {
    if (flag === 'not-a-number' || flag === 'short-code') return false;
    if (flag === 'too-short') tooShort = true;
  }
  const raw = n.raw;
  let plus = false;
  let digits = '';
  let leadingZeros = 0;
  let nonZero = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x2b && digits.length === 0) plus = true;
    if (c < 0x30 || c > 0x39) continue;
    if (c !== 0x30) nonZero = true;
    else if (!nonZero) leadingZeros++;
    digits += raw[i];
  }
  if (!nonZero) return true;
  if (n.e164 === null && tooShort && (plus || leadingZeros >= 2)) return true;
  // In international form, `+` or `00` before the country code.
  if (plus) return zerosAfterCallingCode(digits);
  return leadingZeros === 2 && zerosAfterCallingCode(digits.slice(2));
}

/** The countries' calling codes (`39`, `1`, `44`…): prefix-free, one to three digits. */
let callingCodes: ReadonlySet<string> | null = null;

/**
 * Whether the digits of an international number (after its `+` or `00`) are a country's calling code followed by
 * zeros only (`390000000000`, `33000000000`): no country numbers a subscriber so (libphonenumber finds none valid:
 * normalize-number.test.ts), while a real number with zeros in it (`390200000000`) has another digit after its code.
 */
function zerosAfterCallingCode(digits: string): boolean {
  callingCodes ??= new Set(getCountries().map((c) => getCountryCallingCode(c)));
  for (let len = 1; len <= 3; len++) {
    if (!callingCodes.has(digits.slice(0, len))) continue;
    for (let i = len; i < digits.length; i++) if (digits.charCodeAt(i) !== 0x30) return false;
    return true;
  }
  return false;
}

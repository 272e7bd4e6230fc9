/**
 * Phone numbers as the office reads them. The register keeps E.164 (`+390212345678`), and so do links, the CSV, the
 * JSON API and exports; a page shows a number of our own country in its national form, grouped as people write it
 * (`02 1234 5678`, `333 123 4567`), and a foreign one in international form (`+44 20 7946 0958`), both from
 * libphonenumber-js's metadata. What is not a number (a `raw:` caller ID as the carrier sent it, junk) is shown as
 * received. Pure: no IO.
 */
import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { normalizeNumber } from '../callerid/index.js';
import type { Lang } from './i18n.js';

/** The calling code of the office's country (`39` for IT), or null for a country libphonenumber-js does not know. */
function callingCode(country: string): string | null {
  const upper = country.toUpperCase();
  return isSupportedCountry(upper) ? getCountryCallingCode(upper) : null;
}

/** `+` and 2 to 15 digits: an E.164 number as the register keeps it. */
const E164 = /^\+\d{2,15}$/;

/**
 * A caller key, a DID or any E.164 number as a person reads it: national for `country`'s calling code, international
 * otherwise; a `raw:` key as the text received; anything else (or a number the library cannot group) unchanged.
 */
export function phoneText(value: string, country: string): string {
  if (value.startsWith('raw:')) return value.slice('raw:'.length);
  if (!E164.test(value)) return value;
  const agcom = AGCOM_RANGE.exec(value);
  if (agcom !== null) {
    const national = `${agcom[1]} ${agcom[2]} ${agcom[3]}`;
    return callingCode(country) === '39' ? national : `+39 ${national}`;
  }
  const pn = parsePhoneNumberFromString(value);
  if (pn === undefined) return value;
  return pn.countryCallingCode === callingCode(country) ? pn.formatNational() : pn.formatInternational();
}

/**
 * Italy's AGCOM ranges for surveys (0843) and telemarketing (0844), 0843/0844 and six digits: libphonenumber-js's
 * metadata does not know them and left them ungrouped (`0844123456`, user37, session 37); written `0844 123 456`.
 */
const AGCOM_RANGE = /^\+39(084[34])(\d{3})(\d{3})$/;

/** The country a number belongs to, named in the page's language (`Regno Unito`, `United Kingdom`); null if none. */
export function phoneCountryName(value: string, lang: Lang): string | null {
  if (!E164.test(value)) return null;
  const region = parsePhoneNumberFromString(value)?.country;
  if (region === undefined) return null;
  try {
    return new Intl.DisplayNames([lang === 'it' ? 'it-IT' : 'en-GB'], { type: 'region' }).of(region) ?? null;
  } catch {
    return null;
  }
}

/** Separators people type inside numbers: spaces (also NBSP), `-`, `.`, `/`, parentheses. */
const SEPARATORS = /[\s\u00a0\-./()]/g;

/** A number (whole or part) as typed: its text without separators, its digits, and whether it began `+` or `00`. */
function typedNumber(text: string): { compact: string; digits: string; international: boolean } | null {
  const compact = text.trim().replace(SEPARATORS, '');
  const m = /^(\+|00)?(\d+)$/.exec(compact);
  return m === null ? null : { compact, digits: m[2] ?? '', international: m[1] !== undefined };
}

/**
 * What a register search typed as a phone number (whole or part) looks like in the E.164 the register keeps. A whole
 * number, in any form (`02 1234 5678`, `+39 02 1234 5678`, `0039 02 1234 5678`, `020 7946 0958` in the UK), is its
 * E.164 for `country` (or the digits as typed, when that E.164 contains them: found in more places, never fewer);
 * a part is its digits without separators, `00` or `+` at the start written `+`
 * (`0039 02 1234` → `+39021234`; `1234 5678` → `12345678`; Italian numbers keep their 0 in E.164, so `02 1234` is
 * found inside `+390212345678`). Null when the text is not digits and separators (a name, a user agent): it is then
 * searched as typed.
 */
export function numberSearchText(text: string, country: string): string | null {
  const number = typedNumber(text);
  if (number === null) return null;
  const typed = number.international ? `+${number.digits}` : number.digits;
  // A whole number whose E.164 does not contain the digits as typed (France's `06…` is `+336…`): its E.164.
  const whole = normalizeNumber(number.compact, country);
  return whole.e164 !== null && whole.valid && !whole.e164.includes(typed) ? whole.e164 : typed;
}

/**
 * A number prefix as the office types it on the rules page, in the E.164 the rules keep: `+39 02 871769` and
 * `0039 02 871769` → `+3902871769`; national for `country` too: `02 871769` → `+3902871769` (Italian numbers keep
 * their 0 after +39), `020 7946` in the UK → `+44207946` (its trunk prefix 0 dropped). A national prefix is read by
 * libphonenumber-js as a whole number: the typed digits followed by filler digits up to a valid length, whose E.164
 * then ends in that filler. Null when the text is not digits and separators with an optional `+` or `00` (the rule's
 * schema then says what it expects), or when no such whole number is possible for `country`.
 */
export function prefixFromTyped(text: string, country: string): string | null {
  const number = typedNumber(text);
  if (number === null) return null;
  const { digits } = number;
  if (number.international) return `+${digits}`;
  const upper = country.toUpperCase();
  if (!isSupportedCountry(upper)) return null;
  return completion(
    digits.length,
    (filler) => parsePhoneNumberFromString(digits + filler, upper),
    (whole, filler) => {
      const e164 = whole.number;
      const prefix = e164.slice(0, e164.length - filler.length);
      return e164.endsWith(filler) && /^\+\d{2,}$/.test(prefix) ? prefix : null;
    },
  );
}

/**
 * The first of a prefix's completions to a whole number that `take` accepts: a valid number first (a possible one
 * only when none is valid: the library keeps a trunk prefix on a number too short to be one without it), filled with
 * 5s then 0s (NANP exchanges never start with 0), shortest filler first; for each filler digit the shortest
 * completion only (`take` refusing it moves to the next filler digit). `parse` reads the prefix with a filler;
 * `length` is the prefix's digit count (a completion has at most 17).
 */
function completion<T>(
  length: number,
  parse: (filler: string) => PhoneNumber | undefined,
  take: (whole: PhoneNumber, filler: string) => T | null,
): T | null {
  for (const valid of [true, false])
    for (const fill of ['5', '0'])
      for (let n = 0; length + n <= 17; n++) {
        const filler = fill.repeat(n);
        const whole = parse(filler);
        if (whole === undefined || !(valid ? whole.isValid() : whole.isPossible())) continue;
        const taken = take(whole, filler);
        if (taken !== null) return taken;
        break;
      }
  return null;
}

/**
 * `text` (a formatted number) with its last `count` digits each replaced by `replacement` (`x` for a block's free
 * digits, `''` to drop filler digits); separators stay where they were.
 */
export function withLastDigits(text: string, count: number, replacement: string): string {
  const chars = [...text];
  for (let i = chars.length - 1, left = count; i >= 0 && left > 0; i--) {
    if (/\d/.test(chars[i] ?? '')) {
      chars[i] = replacement;
      left--;
    }
  }
  return chars.join('');
}

/**
 * A rule's prefix (`+3902871769`, as the rules keep it) as the office dials it: national for `country`
 * (`02 8717 69`; `020 7946` for `+44207946` in the UK, `06 12` for `+33612` in France), international otherwise
 * (`+44 20 7946` in Italy), grouped as the whole numbers that begin with it are: the prefix is completed with filler
 * digits to a valid (else possible) number, formatted as phoneText does, and the filler dropped again. A prefix no
 * whole number can begin with, or a country code alone at home, stays as written.
 */
export function prefixText(prefix: string, country: string): string {
  if (!/^\+\d{1,15}$/.test(prefix)) return prefix;
  const shown = completion(
    prefix.length - 1,
    (filler) => {
      const whole = parsePhoneNumberFromString(prefix + filler);
      return whole?.number === prefix + filler ? whole : undefined;
    },
    (whole, filler) => {
      const shown = phoneText(whole.number, country);
      if (!shown.replace(/\D/g, '').endsWith(filler)) return null;
      const text = withLastDigits(shown, filler.length, '').replace(/[\s\u00a0\-./()]+$/, '');
      return text.includes('(') && !text.includes(')') ? text.replace('(', '') : text; // `(800` of `(800) 555-5555`
    },
  );
  return shown !== null && /\d/.test(shown) ? shown : prefix; // a country code alone (`+39` in Italy) stays as kept
}

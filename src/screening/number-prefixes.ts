/**
 * The prefixes of an E.164 number the prefix tree learns at (pure; libphonenumber-js metadata, no IO):
 * - the country calling code (ITU codes are prefix-free, so the first 1–3 digits that are a code are the code);
 * - the national destination code (NDC), as libphonenumber's getLengthOfNationalDestinationCode defines it in the
 *   Java library (libphonenumber-js lacks the function): the first digit group after the country code in the
 *   number's international format, when more groups follow ("+39 347 123 4567" → 347, an operator's mobile range;
 *   "+39 02 1234 5678" → 02, Milan; "+355 69 212 3456" → 69; "+44 1387 123456" → 1387), the token and the next
 *   group for mobiles of the mobile-token countries (Argentina's "9 11"). The format is chosen by
 *   libphonenumber's leading-digit patterns, so the NDC is the plan's own area/operator code, of the right length
 *   for each range: Italy's area codes run from 2 (02) to 4 digits (0331), Germany's from 2 to 5.
 * Formatting costs 5–100 µs, so the tree computes the NDC once per number it learns, never per call.
 */
import { Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** libphonenumber-js's runtime Metadata: the map of calling codes to regions (main region first). */
interface CallingCodes {
  countryCallingCodes(): Record<string, string[]>;
}

const CALLING_CODES: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, readonly string[]>();
  const codes = (new Metadata() as unknown as CallingCodes).countryCallingCodes();
  for (const [code, regions] of Object.entries(codes)) map.set(code, regions);
  // Non-geographic codes (international freephone 800, satellite 881, networks 882/883...) have no region.
  for (const code of ['800', '808', '870', '878', '881', '882', '883', '888', '979'])
    if (!map.has(code)) map.set(code, []);
  return map;
})();

/** The country calling code at the start of E.164 digits (without `+`), or null. */
export function callingCodeOf(digits: string): string | null {
  for (let len = 1; len <= 3 && len < digits.length; len++) {
    const code = digits.slice(0, len);
    if (CALLING_CODES.has(code)) return code;
  }
  return null;
}

/** Mobile-token countries (libphonenumber's MOBILE_TOKEN_MAPPINGS): their NDC spans the token and the next group. */
const MOBILE_TOKEN = new Set(['52', '54']);

export interface NumberPrefixes {
  /** The calling code's digits (`39`). */
  callingCode: string;
  /** The national destination code's digits (`347`), '' when the number has none. */
  ndc: string;
  /** libphonenumber's type of the number (`MOBILE`, `FIXED_LINE`...), null when invalid. */
  type: string | null;
}

/** The calling code and NDC of an E.164 number (`+393471234567`); null when it has no known calling code. */
export function numberPrefixes(e164: string): NumberPrefixes | null {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  const callingCode = callingCodeOf(digits);
  if (callingCode === null) return null;
  let ndc = '';
  let type: string | null = null;
  try {
    const parsed = parsePhoneNumberFromString(`+${digits}`);
    if (parsed !== undefined && parsed.countryCallingCode === callingCode) {
      type = parsed.isValid() ? (parsed.getType() ?? null) : null;
      const groups = parsed
        .formatInternational()
        .split(/[^0-9]+/)
        .filter((g) => g !== '');
      if (groups.length > 2) {
        ndc = groups[1] ?? '';
        if (MOBILE_TOKEN.has(callingCode) && type === 'MOBILE' && groups.length > 3) ndc += groups[2] ?? '';
      }
    }
  } catch {
    // Not parsable: the country only.
  }
  // The NDC must be the digits that follow the calling code (a formatter that rewrites digits is not trusted).
  if (!digits.startsWith(ndc, callingCode.length)) ndc = '';
  return { callingCode, ndc, type };
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** "Albania (+355)", "United States (+1)"; "+882" for a code without a country. */
export function countryLabel(callingCode: string): string {
  const main = CALLING_CODES.get(callingCode)?.[0];
  if (main === undefined || main === '001') return `+${callingCode}`;
  let name: string = main;
  try {
    name = regionNames.of(main) ?? main;
  } catch {
    // Unknown region code: keep the code.
  }
  return `${name} (+${callingCode})`;
}

/** The ISO region of a calling code's main country (`AL`), null for non-geographic codes. */
export function mainRegion(callingCode: string): string | null {
  const main = CALLING_CODES.get(callingCode)?.[0];
  return main === undefined || main === '001' ? null : main;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed line',
  FIXED_LINE_OR_MOBILE: 'fixed line or mobile',
  TOLL_FREE: 'toll-free',
  PREMIUM_RATE: 'premium rate',
  VOIP: 'VoIP',
  SHARED_COST: 'shared cost',
  PERSONAL_NUMBER: 'personal number',
  UAN: 'company number',
};

/** "+39 347 (mobile)", "+39 02 (fixed line)": a destination code as people read it. */
export function areaLabel(callingCode: string, ndc: string, type: string | null): string {
  const word = type === null ? undefined : TYPE_WORDS[type];
  return `+${callingCode} ${ndc}${word === undefined ? '' : ` (${word})`}`;
}

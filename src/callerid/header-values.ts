/**
 * Lexing of SIP header values (RFC 3261 §25.1): comma-separated lists, name-addr / addr-spec, parameters.
 * Lenient by design: whatever a carrier or a fuzzer sends, these return something and never throw.
 */
import { MAX_HEADER_TEXT } from './text.js';

/** At most this many values are read from one header, and this many parameters from one value. */
const MAX_VALUES = 16;
const MAX_PARAMS = 32;

/** One value of a From / P-Asserted-Identity / Remote-Party-ID header. */
export interface NameAddr {
  /** Display name as written, unquoted and unescaped, not yet sanitized; null when absent. */
  displayName: string | null;
  /** The URI text (inside `<>` for name-addr, up to the header parameters for addr-spec). */
  uri: string;
  /** Header parameters (`tag`, `party`, `privacy`, `screen`...), keys lower case, values unquoted. */
  params: ReadonlyMap<string, string>;
  /** Unbalanced quote or angle bracket: kept, but worth knowing. */
  malformed: boolean;
}

/** Splits a header value on commas outside quoted strings and angle brackets; empty items are dropped. */
export function splitHeaderList(value: string): string[] {
  const s = value.length > MAX_HEADER_TEXT ? value.slice(0, MAX_HEADER_TEXT) : value;
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i < s.length && out.length < MAX_VALUES; i++) {
    const c = s.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c)
        i++; // backslash escapes the next character
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) {
      const item = s.slice(start, i).trim();
      if (item !== '') out.push(item);
      start = i + 1;
    }
  }
  if (out.length < MAX_VALUES) {
    const last = s.slice(start).trim();
    if (last !== '') out.push(last);
  }
  return out;
}

/** Every value of every instance of a header, split on commas. */
export function headerValues(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (!v.includes(',') && v.length <= MAX_HEADER_TEXT) {
      // One value (the usual case): no list to split.
      const item = v.trim();
      if (item !== '') out.push(item);
      if (out.length >= MAX_VALUES) return out;
      continue;
    }
    for (const item of splitHeaderList(v)) {
      if (out.length >= MAX_VALUES) return out;
      out.push(item);
    }
  }
  return out;
}

function unquote(v: string): string {
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return v;
  let out = '';
  for (let i = 1; i < v.length - 1; i++) {
    const ch = v[i];
    if (ch === '\\' && i + 1 < v.length - 1) {
      i++;
      out += v[i] ?? '';
    } else out += ch ?? '';
  }
  return out;
}

/** No parameters: one shared map, never changed (typed read-only), instead of an empty Map per value. */
export const NO_PARAMS: ReadonlyMap<string, string> = new Map<string, string>();

/** parseParams of `text` from `start`, the shared NO_PARAMS when nothing follows `start`. */
export function paramsAfter(text: string, start: number): ReadonlyMap<string, string> {
  return start >= text.length ? NO_PARAMS : parseParams(text.slice(start));
}

/**
 * Whether `text` from `start` has `word` (lower-case ASCII letters) in it, letters in either case: a parameter
 * whose name parseParams lower-cases to `word` must have been written so (no other character lower-cases to an
 * ASCII letter of the words asked for here: only U+212A, KELVIN SIGN, lower-cases to one, `k`).
 */
function hasWord(text: string, start: number, word: string): boolean {
  const last = text.length - word.length;
  const first = word.charCodeAt(0);
  for (let i = start; i <= last; i++) {
    if ((text.charCodeAt(i) | 0x20) !== first) continue;
    let j = 1;
    while (j < word.length && (text.charCodeAt(i + j) | 0x20) === word.charCodeAt(j)) j++;
    if (j === word.length) return true;
  }
  return false;
}

/**
 * paramsAfter, or NO_PARAMS when none of `wanted` can be among the parameters: the same answer for every key of
 * `wanted`, without a Map built for a `;tag=…` no one reads. `wanted` undefined: every parameter.
 */
function wantedParamsAfter(
  text: string,
  start: number,
  wanted: readonly string[] | undefined,
): ReadonlyMap<string, string> {
  if (start >= text.length) return NO_PARAMS;
  if (wanted !== undefined) {
    let any = false;
    for (let i = 0; i < wanted.length && !any; i++) any = hasWord(text, start, wanted[i]!);
    if (!any) return NO_PARAMS;
  }
  return parseParams(text.slice(start));
}

/** Parses `;a=b;c;d="e"` (leading `;` optional) into a Map; first occurrence of a key wins. */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3b) {
      takeParam(params, text.slice(start, i));
      start = i + 1;
    }
  }
  takeParam(params, text.slice(start));
  return params;
}

/** Adds one `key=value` (or `key`) item to `params`; a module function, not a closure made per header. */
function takeParam(params: Map<string, string>, raw: string): void {
  const item = raw.trim();
  if (item === '' || params.size >= MAX_PARAMS) return;
  const eq = item.indexOf('=');
  const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? '' : unquote(item.slice(eq + 1).trim());
  if (key !== '' && !params.has(key)) params.set(key, value);
}

/** Reads a quoted string starting at `s[0] === '"'`; returns the text and the index after the closing quote. */
function readQuoted(s: string): { text: string; end: number } | null {
  const close = s.indexOf('"', 1);
  if (close > 0) {
    // No escape before the closing quote (the usual case): the text is what lies between the quotes.
    const escape = s.indexOf('\\', 1);
    if (escape < 0 || escape > close) return { text: s.slice(1, close), end: close + 1 };
  }
  let text = '';
  for (let i = 1; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      text += s[i] ?? '';
    } else if (ch === '"') return { text, end: i + 1 };
    else text += ch ?? '';
  }
  return null;
}

function angled(
  displayName: string | null,
  rest: string,
  malformed: boolean,
  wanted: readonly string[] | undefined,
): NameAddr {
  // rest starts with '<'
  const gt = rest.indexOf('>');
  if (gt < 0) return { displayName, uri: rest.slice(1).trim(), params: NO_PARAMS, malformed: true };
  return { displayName, uri: rest.slice(1, gt).trim(), params: wantedParamsAfter(rest, gt + 1, wanted), malformed };
}

/**
 * addr-spec without angle brackets: parameters after the URI belong to the header (RFC 3261 §20.10), so
 * `sip:123@host;tag=x` is the URI `sip:123@host` with `tag=x`. A `;` in the user part (`sip:+39..;npdi@host`)
 * is kept in the URI.
 */
function addrSpec(
  displayName: string | null,
  rest: string,
  malformed: boolean,
  wanted: readonly string[] | undefined,
): NameAddr {
  const at = rest.indexOf('@');
  const semi = rest.indexOf(';', at < 0 ? 0 : at);
  const uri = (semi < 0 ? rest : rest.slice(0, semi)).trim();
  return {
    displayName,
    uri,
    params: semi < 0 ? NO_PARAMS : wantedParamsAfter(rest, semi + 1, wanted),
    malformed,
  };
}

/** Parses one name-addr or addr-spec with its header parameters. */
export function parseNameAddr(value: string): NameAddr {
  return parseNameAddrFor(value, undefined);
}

/**
 * parseNameAddr for a caller that reads only the header parameters `wanted` (lower-case names): `params` is
 * NO_PARAMS when none of them can be there (a From's `;tag=…` alone), else every parameter, as parseNameAddr's:
 * `params.get(name)` answers the same for each wanted name.
 */
export function parseNameAddrFor(value: string, wanted: readonly string[] | undefined): NameAddr {
  const s = (value.length > MAX_HEADER_TEXT ? value.slice(0, MAX_HEADER_TEXT) : value).trim();
  if (s.startsWith('"')) {
    const q = readQuoted(s);
    if (q === null) {
      // Unbalanced quote: `"Mario <sip:1@h>`. Take the last '<' as the start of the URI, if any.
      const lt = s.lastIndexOf('<');
      if (lt > 0) return angled(s.slice(1, lt).trim(), s.slice(lt), true, wanted);
      return { displayName: s.slice(1), uri: '', params: NO_PARAMS, malformed: true };
    }
    const rest = s.slice(q.end).trimStart();
    if (rest.startsWith('<')) return angled(q.text, rest, false, wanted);
    return addrSpec(q.text, rest, true, wanted);
  }
  const lt = s.indexOf('<');
  if (lt >= 0) {
    const name = s.slice(0, lt).trim();
    return angled(name === '' ? null : name, s.slice(lt), false, wanted);
  }
  return addrSpec(null, s, false, wanted);
}
